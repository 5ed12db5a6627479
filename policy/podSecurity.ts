/**
 * The Kubernetes Pod Security Standards, "restricted" profile (which includes "baseline"), one
 * rule per control, each naming the fields of a pod spec that break it.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { arrayOf, joinPath, objectOf } from "./resources";

/** The fields of a pod's or container's `securityContext` the rules read. */
interface SecurityContext {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly seccompProfile?: { readonly type?: string };
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
}

interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly ports?: readonly { readonly hostPort?: number }[];
  readonly securityContext?: SecurityContext;
}

/** The fields of a Kubernetes pod spec the policies read (the engine hands them untyped JSON). */
export interface PodSpec {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: Pick<SecurityContext, "runAsNonRoot" | "runAsUser" | "seccompProfile">;
  readonly volumes?: readonly Readonly<Record<string, unknown>>[];
  readonly initContainers?: readonly Container[];
  readonly containers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
}

/** Every container of the pod (init, regular, ephemeral), with its path in the pod spec. */
export function containersOf(pod: PodSpec): { readonly path: string; readonly container: Container }[] {
  return (["initContainers", "containers", "ephemeralContainers"] as const).flatMap((list) =>
    arrayOf(pod[list]).map((container, index) => ({
      path: joinPath(list, index),
      container: objectOf(container) ?? {},
    })),
  );
}

/** One control of the standard. */
export interface PodSecurityRule {
  /** What the control requires. */
  readonly rule: string;
  /** The profile that introduces it. */
  readonly level: "baseline" | "restricted";
  /** What the control allows, for the violation message. */
  readonly allowed: string;
  /** The paths in the pod spec that break the control; none when the pod meets it. */
  readonly breaches: (pod: PodSpec) => string[];
}

/** Volume types the restricted profile allows (each volume has its name and exactly one of these). */
const ALLOWED_VOLUME_TYPES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** The only capability a restricted container may add. */
const ADDABLE_CAPABILITY = "NET_BIND_SERVICE";

const contextPath = (container: string, key: string) => joinPath(container, "securityContext", key);

export const POD_SECURITY_RULES: readonly PodSecurityRule[] = [
  {
    rule: "host namespaces are not shared",
    level: "baseline",
    allowed: "hostNetwork, hostPID and hostIPC unset or false",
    breaches: (pod) => (["hostNetwork", "hostPID", "hostIPC"] as const).filter((key) => pod[key] === true),
  },
  {
    rule: "no container is privileged",
    level: "baseline",
    allowed: "privileged unset or false",
    breaches: (pod) =>
      containersOf(pod)
        .filter(({ container }) => container.securityContext?.privileged === true)
        .map(({ path }) => contextPath(path, "privileged")),
  },
  {
    rule: "no hostPath volumes",
    level: "baseline",
    allowed: "no hostPath volume",
    breaches: (pod) =>
      arrayOf(pod.volumes).flatMap((volume, index) =>
        objectOf(volume)?.hostPath === undefined ? [] : [joinPath("volumes", index, "hostPath")],
      ),
  },
  {
    rule: "no host ports",
    level: "baseline",
    allowed: "hostPort unset or 0",
    breaches: (pod) =>
      containersOf(pod).flatMap(({ path, container }) =>
        arrayOf(container.ports).flatMap((port, index) =>
          (objectOf(port)?.hostPort ?? 0) === 0 ? [] : [joinPath(path, "ports", index, "hostPort")],
        ),
      ),
  },
  {
    rule: "only restricted volume types",
    level: "restricted",
    allowed: [...ALLOWED_VOLUME_TYPES].join(", "),
    breaches: (pod) =>
      arrayOf(pod.volumes).flatMap((volume, index) =>
        Object.keys(objectOf(volume) ?? {})
          .filter((key) => key !== "name" && !ALLOWED_VOLUME_TYPES.has(key))
          .map((key) => joinPath("volumes", index, key)),
      ),
  },
  {
    rule: "privilege escalation is disallowed in every container",
    level: "restricted",
    allowed: "allowPrivilegeEscalation: false on every container",
    breaches: (pod) =>
      containersOf(pod)
        .filter(({ container }) => container.securityContext?.allowPrivilegeEscalation !== false)
        .map(({ path }) => contextPath(path, "allowPrivilegeEscalation")),
  },
  {
    rule: "runs as non-root",
    level: "restricted",
    allowed: "runAsNonRoot: true on the container or the pod",
    breaches: (pod) =>
      containersOf(pod)
        .filter(
          ({ container }) => (container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true,
        )
        .map(({ path }) => contextPath(path, "runAsNonRoot")),
  },
  {
    rule: "never runs as uid 0",
    level: "restricted",
    allowed: "runAsUser unset or a non-zero uid",
    breaches: (pod) => [
      ...(pod.securityContext?.runAsUser === 0 ? ["securityContext.runAsUser"] : []),
      ...containersOf(pod)
        .filter(({ container }) => container.securityContext?.runAsUser === 0)
        .map(({ path }) => contextPath(path, "runAsUser")),
    ],
  },
  {
    rule: "seccomp profile is RuntimeDefault or Localhost",
    level: "restricted",
    allowed: "seccompProfile.type RuntimeDefault or Localhost on the container or the pod",
    breaches: (pod) =>
      containersOf(pod)
        .filter(({ container }) => {
          const type = container.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
          return type !== "RuntimeDefault" && type !== "Localhost";
        })
        .map(({ path }) => contextPath(path, "seccompProfile")),
  },
  {
    rule: "capabilities: drop ALL, add at most NET_BIND_SERVICE",
    level: "restricted",
    allowed: `capabilities.drop containing ALL, capabilities.add at most ${ADDABLE_CAPABILITY}`,
    breaches: (pod) =>
      containersOf(pod)
        .filter(({ container }) => {
          const capabilities = container.securityContext?.capabilities;
          return (
            !arrayOf(capabilities?.drop).includes("ALL") ||
            arrayOf(capabilities?.add).some((capability) => capability !== ADDABLE_CAPABILITY)
          );
        })
        .map(({ path }) => contextPath(path, "capabilities")),
  },
];
