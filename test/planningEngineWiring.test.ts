/**
 * The planning engine's objects as Kubernetes connects them: selectors that find the pods, ports
 * referred to by name, the autoscaler's target, the service account, the configuration the pods
 * read. A wrong label or port name passes the schemas and breaks the workload.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec" with { "resolution-mode": "import" };
import type { ProgramRun } from "../tools/offline/engine";
import { maskSecrets } from "../tools/offline/redact";
import { withValues } from "../components/config/stackFile";
import { onlyOfType, run, stackConfig } from "./support/program";
import { ResourceType } from "../components/resources";

/** The labels that identify the engine's pods, as the README's kubectl commands select them. */
const POD_LABELS = { "app.kubernetes.io/name": "planning-engine", "app.kubernetes.io/instance": "planning-engine" };

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
  automountServiceAccountToken?: boolean;
}
interface Deployment extends Manifest {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: unknown }; spec: IPodSpec };
  };
}

const object = (declared: ProgramRun, kind: string) => maskSecrets(onlyOfType(declared, kind).inputs) as Manifest;
const deploymentOf = (declared: ProgramRun) => object(declared, ResourceType.Deployment) as Deployment;

let beta: ProgramRun;
let withOperator: ProgramRun;
beforeAll(async () => {
  beta = await run(stackConfig("beta"));
  withOperator = await run(
    withValues(stackConfig("beta"), {
      planningEngine: { image: "ghcr.io/athlete-ally/planning-engine:2026.11.20", prometheusOperator: true },
    }),
  );
});

describe("the planning engine's objects find each other", () => {
  it("the Deployment, Service, disruption budget and spread constraint select exactly the engine's pods", () => {
    const deployment = deploymentOf(beta);
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toEqual(POD_LABELS);
    expect(deployment.spec.selector.matchLabels).toEqual(POD_LABELS);
    expect(object(beta, ResourceType.Service).spec.selector).toEqual(POD_LABELS);
    expect(object(beta, ResourceType.PodDisruptionBudget).spec.selector).toEqual({ matchLabels: POD_LABELS });
    expect(pod.spec.topologySpreadConstraints?.[0]?.labelSelector).toEqual({ matchLabels: POD_LABELS });
  });

  it("the Service sends port 80 to the container's named HTTP port, which the probes use too", () => {
    const [container] = deploymentOf(beta).spec.template.spec.containers;
    expect(container?.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(object(beta, ResourceType.Service).spec).toMatchObject({
      type: "ClusterIP",
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    });
    for (const probe of [container?.startupProbe, container?.livenessProbe, container?.readinessProbe]) {
      expect(probe?.httpGet?.port).toBe("http");
    }
  });

  it("the autoscaler scales the Deployment on CPU utilization, from the configured minimum", () => {
    expect(object(beta, ResourceType.Autoscaler).spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment" },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      ],
    });
  });

  it("the pods run as the engine's service account, with no API token, in the configured namespace", () => {
    const account = object(beta, ResourceType.ServiceAccount);
    expect(account.automountServiceAccountToken).toBe(false);
    const pod = deploymentOf(beta).spec.template.spec;
    expect(pod.serviceAccountName).toMatch(/^planning-engine-[0-9a-f]{8}$/);
    expect(pod.automountServiceAccountToken).toBe(false);
    const namespaces = beta.resources
      .filter((r) => r.type.startsWith("kubernetes:"))
      .map((r) => (maskSecrets(r.inputs) as Manifest).metadata.namespace);
    expect(new Set(namespaces)).toEqual(new Set(["planning-engine"]));
  });

  it("the pods read the flag key, LaunchDarkly environment and log level from the ConfigMap, secrets from an Opaque Secret", () => {
    expect(object(beta, ResourceType.ConfigMap).data).toEqual({
      FLAG_KEY: "feature.stream5_time_crunch_mode",
      LAUNCHDARKLY_ENVIRONMENT: "production",
      LOG_LEVEL: "info",
    });
    const secret = object(beta, ResourceType.KubernetesSecret);
    expect(secret.type).toBe("Opaque");
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual(["DATABASE_URL", "LAUNCHDARKLY_SDK_KEY"]);
  });

  it("the container writes only to its /tmp emptyDir", () => {
    const pod = deploymentOf(beta).spec.template.spec;
    const [container] = pod.containers;
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container?.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
  });

  it("with the Prometheus operator, a ServiceMonitor scrapes the Service's HTTP port instead of pod annotations", () => {
    const monitor = object(withOperator, ResourceType.ServiceMonitor);
    const service = object(withOperator, ResourceType.Service);
    expect(service.metadata.labels).toEqual(POD_LABELS);
    expect(monitor.spec).toEqual({
      selector: { matchLabels: POD_LABELS },
      endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
    });
    const pod = deploymentOf(withOperator).spec.template;
    expect(pod.metadata.annotations).toBeUndefined();
    // Created after the Service it scrapes, and so deleted before it.
    expect(onlyOfType(withOperator, ResourceType.ServiceMonitor).dependsOn).toContain(
      onlyOfType(withOperator, ResourceType.Service).urn,
    );
  });
});
