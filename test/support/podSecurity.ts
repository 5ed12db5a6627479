/**
 * The Kubernetes Pod Security Standards "restricted" profile (which includes "baseline"), one
 * check per rule, each returning what breaks it. https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import type { IPodSpec } from "kubernetes-models/v1/PodSpec" with { "resolution-mode": "import" };

type Check = (pod: IPodSpec) => string[];

const containersOf = (pod: IPodSpec) => [
  ...(pod.initContainers ?? []),
  ...pod.containers,
  ...(pod.ephemeralContainers ?? []),
];

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

export const RESTRICTED: Readonly<Record<string, Check>> = {
  "host namespaces are not shared": (pod) =>
    (["hostNetwork", "hostPID", "hostIPC"] as const).filter((field) => pod[field] === true),
  "no container is privileged": (pod) =>
    containersOf(pod)
      .filter((c) => c.securityContext?.privileged === true)
      .map((c) => c.name),
  "no hostPath volumes": (pod) => (pod.volumes ?? []).filter((v) => v.hostPath !== undefined).map((v) => v.name),
  "no host ports": (pod) =>
    containersOf(pod).flatMap((c) => (c.ports ?? []).filter((p) => (p.hostPort ?? 0) !== 0).map(() => c.name)),
  "only restricted volume types": (pod) =>
    (pod.volumes ?? [])
      .filter((v) => Object.keys(v).some((key) => key !== "name" && !ALLOWED_VOLUME_TYPES.has(key)))
      .map((v) => v.name),
  "privilege escalation is disallowed in every container": (pod) =>
    containersOf(pod)
      .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
      .map((c) => c.name),
  "runs as non-root": (pod) =>
    containersOf(pod)
      .filter((c) => (c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true)
      .map((c) => c.name),
  "never runs as uid 0": (pod) => [
    ...(pod.securityContext?.runAsUser === 0 ? ["pod"] : []),
    ...containersOf(pod)
      .filter((c) => c.securityContext?.runAsUser === 0)
      .map((c) => c.name),
  ],
  "seccomp profile is RuntimeDefault or Localhost": (pod) =>
    containersOf(pod)
      .filter((c) => {
        const type = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
        return type !== "RuntimeDefault" && type !== "Localhost";
      })
      .map((c) => c.name),
  "capabilities: drop ALL, add at most NET_BIND_SERVICE": (pod) =>
    containersOf(pod)
      .filter(
        (c) =>
          !(c.securityContext?.capabilities?.drop ?? []).includes("ALL") ||
          (c.securityContext?.capabilities?.add ?? []).some((cap) => cap !== "NET_BIND_SERVICE"),
      )
      .map((c) => c.name),
};
