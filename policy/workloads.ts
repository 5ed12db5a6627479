/**
 * Kubernetes workload policies: every pod template meets the "restricted" Pod Security Standard and
 * runs pinned images; the autoscaled Deployment leaves its replica count to the autoscaler.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PINNED_IMAGE } from "../components/workload/images";
import { containersOf, POD_SECURITY_RULES, type PodSpec } from "./podSecurity";
import { field, joinPath, objectOf, violationMessage, type Props } from "./resources";

/** Where each workload kind keeps its pod spec (any API version: `kubernetes:<group>/<version>:<Kind>`). */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ["spec"],
  PodTemplate: ["template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The pod spec of a Kubernetes workload and its path, or undefined for any other resource. */
export function podSpecOf(type: string, props: Props): { readonly path: string; readonly pod: PodSpec } | undefined {
  const kind = /^kubernetes:[^:]+:([A-Za-z]+)$/.exec(type)?.[1];
  const path = kind === undefined ? undefined : POD_SPEC_PATHS[kind];
  if (path === undefined) return undefined;
  const pod = objectOf(field(props, ...path));
  return pod === undefined ? undefined : { path: joinPath(...path), pod };
}

export const podSecurityRestricted: ResourceValidationPolicy = {
  name: "pod-security-restricted",
  description:
    'Every pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ...) meets the Kubernetes Pod Security Standard "restricted", baseline included: no host namespaces, host ports, hostPath or privileged containers; only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes; every container runs as non-root (never uid 0), disallows privilege escalation, drops ALL capabilities (adds at most NET_BIND_SERVICE) and uses the RuntimeDefault or Localhost seccomp profile. The namespace may enforce the same profile at admission; this catches it at review time, before a rollout stalls on rejected pods.',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const template = podSpecOf(args.type, args.props);
    if (template === undefined) return;
    for (const control of POD_SECURITY_RULES) {
      for (const breach of control.breaches(template.pod)) {
        reportViolation(
          violationMessage(
            args,
            joinPath(template.path, breach),
            `breaks the ${control.level} control "${control.rule}"`,
            control.allowed,
          ),
        );
      }
    }
  },
};

export const pinnedImages: ResourceValidationPolicy = {
  name: "pinned-images",
  description:
    "Every container image of every pod template is pinned: a tag other than latest, or a sha256 digest. An unpinned image changes under a running rollout, so the soak would not have tested what runs.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const template = podSpecOf(args.type, args.props);
    if (template === undefined) return;
    for (const { path, container } of containersOf(template.pod)) {
      const image = container.image;
      if (typeof image === "string" && PINNED_IMAGE.test(image)) continue;
      reportViolation(
        violationMessage(
          args,
          joinPath(template.path, path, "image"),
          `${JSON.stringify(image ?? null)} is not pinned`,
          '"registry/name:tag" with a tag other than latest, or "registry/name@sha256:<digest>"',
        ),
      );
    }
  },
};

export const deploymentReplicasUnset: ResourceValidationPolicy = {
  name: "deployment-replicas-unset",
  description:
    "Deployments set no spec.replicas: in this stack a HorizontalPodAutoscaler owns every Deployment's replica count (planningEngine.replicas is the autoscaler's minimum), and a count in the Deployment would reset the scale on every `pulumi up`. It judges the Deployment's own inputs, because a stack policy only sees outputs, where Kubernetes always reports spec.replicas; a resource policy cannot see the autoscaler, so it holds for every Deployment of the stack.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!/^kubernetes:apps\/[^:]+:Deployment$/.test(args.type)) return;
    if (field(args.props, "spec", "replicas") === undefined) return;
    reportViolation(
      violationMessage(
        args,
        "spec.replicas",
        "is set",
        "no spec.replicas; set the range on the HorizontalPodAutoscaler (planningEngine.replicas, planningEngine.maxReplicas)",
      ),
    );
  },
};
