import { beforeAll, describe, expect, it } from "vitest";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec" with { "resolution-mode": "import" };
import { ProgramFailed, type DeclaredResource, type ProgramRun } from "../tools/offline/engine";
import { maskSecrets } from "../tools/offline/redact";
import { withValues, type StackConfig } from "../components/config/stackFile";
import { POD_SECURITY_RULES } from "../policy/podSecurity";
import { podSecurityRestricted } from "../policy/workloads";
import { altered, policyInputs, violationsOf } from "./support/policies";
import { onlyOfType, run, stackConfig } from "./support/program";
import { cases } from "./support/cases";
import { ResourceType } from "../components/resources";

const DEPLOYMENT = ResourceType.Deployment;
const SECRET = ResourceType.KubernetesSecret;
const isKubernetes = (r: DeclaredResource) => r.type.startsWith("kubernetes:");

/** The declared object as a manifest, each secret string replaced by a placeholder. */
// The caller names the shape it reads: this is test code over declared objects, not a parser.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function manifest<T = { apiVersion: string; kind: string }>(r: DeclaredResource): T {
  return maskSecrets(r.inputs) as T;
}

/** The official OpenAPI model for an object's apiVersion and kind (kubernetes-models packages). */
async function modelFor(apiVersion: string, kind: string) {
  const path =
    apiVersion === "monitoring.coreos.com/v1"
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`
      : `kubernetes-models/${apiVersion}/${kind}`;
  const module = (await import(path)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = module[kind];
  if (!model) throw new Error(`no model for ${apiVersion} ${kind}`);
  return model;
}

async function validate(object: { apiVersion: string; kind: string }): Promise<void> {
  const Model = await modelFor(object.apiVersion, object.kind);
  new Model(object).validate();
}

let beta: ProgramRun;
let withOperator: ProgramRun;
beforeAll(async () => {
  beta = await run(stackConfig("beta"));
  withOperator = await run(
    withValues(stackConfig("beta"), {
      planningEngine: {
        image: "ghcr.io/athlete-ally/planning-engine:2026.11.20",
        createNamespace: true,
        prometheusOperator: true,
      },
    }),
  );
});

const podSpec = (declared: ProgramRun) =>
  manifest<{ spec: { template: { spec: IPodSpec } } }>(onlyOfType(declared, DEPLOYMENT)).spec.template.spec;

describe("the planning engine's Kubernetes objects", () => {
  it("declares the workload: service account, config, secret, deployment, service, autoscaler, disruption budget", () => {
    expect(
      beta.resources
        .filter(isKubernetes)
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      ResourceType.Deployment,
      ResourceType.Autoscaler,
      ResourceType.ConfigMap,
      ResourceType.KubernetesSecret,
      ResourceType.Service,
      ResourceType.ServiceAccount,
      ResourceType.PodDisruptionBudget,
    ]);
    expect(withOperator.resources.filter(isKubernetes).map((r) => r.type)).toEqual(
      expect.arrayContaining([ResourceType.Namespace, ResourceType.ServiceMonitor]),
    );
  });

  it("passes the official Kubernetes OpenAPI schemas, every object", async () => {
    const objects = [...beta.resources, ...withOperator.resources].filter(isKubernetes).map((r) => manifest(r));
    expect(objects.length).toBeGreaterThan(8);
    for (const object of objects) await expect(validate(object)).resolves.toBeUndefined();
  });

  it("the schema check fails on a wrong field type or a missing required field", async () => {
    const deployment = manifest<{ apiVersion: string; kind: string; spec: { template: { spec: IPodSpec } } }>(
      onlyOfType(beta, DEPLOYMENT),
    );
    const wrongType = structuredClone(deployment);
    (wrongType.spec.template.spec.containers[0]!.ports![0] as { containerPort: unknown }).containerPort =
      "eight thousand";
    await expect(validate(wrongType)).rejects.toThrow();
    const missing = structuredClone(deployment);
    delete (missing.spec.template.spec.containers[0] as { name?: string }).name;
    await expect(validate(missing)).rejects.toThrow();
  });

  it("lets the autoscaler own the replica count", () => {
    const deployment = manifest<{ spec: Record<string, unknown> }>(onlyOfType(beta, DEPLOYMENT));
    expect(deployment.spec).not.toHaveProperty("replicas");
    const hpa = manifest<{ spec: { minReplicas: number; maxReplicas: number; scaleTargetRef: { name: string } } }>(
      onlyOfType(beta, ResourceType.Autoscaler),
    );
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    // The Deployment is auto-named by the provider (offline: a deterministic suffix).
    expect(hpa.spec.scaleTargetRef.name).toMatch(/^planning-engine-[0-9a-f]{8}$/);
  });

  it("rolls out without dropping below the desired count, spread across nodes, probed and bounded", () => {
    const deployment = manifest<{
      spec: { strategy: unknown; template: { metadata: { annotations: Record<string, string> }; spec: IPodSpec } };
    }>(onlyOfType(beta, DEPLOYMENT));
    expect(deployment.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const pod = deployment.spec.template.spec;
    // Spread, but never left pending for want of a node.
    expect(pod.topologySpreadConstraints?.[0]).toMatchObject({
      topologyKey: "kubernetes.io/hostname",
      maxSkew: 1,
      whenUnsatisfiable: "ScheduleAnyway",
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
    });
    const [container] = pod.containers;
    expect(container?.image).toBe("ghcr.io/athlete-ally/planning-engine:2026.11.20");
    expect(container?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(container?.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(container?.startupProbe?.httpGet?.path).toBe("/healthz");
    expect(container?.resources).toEqual({
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
    expect(deployment.spec.template.metadata.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8080",
      "prometheus.io/path": "/metrics",
    });
  });

  it("rolls the pods when the config or secret content changes: both are auto-named and referenced by name", () => {
    for (const type of [ResourceType.ConfigMap, SECRET]) {
      expect(manifest<{ metadata: { name?: string } }>(onlyOfType(beta, type)).metadata.name).toBeUndefined();
    }
    const [container] = podSpec(beta).containers;
    expect(container?.envFrom).toEqual([
      { configMapRef: { name: expect.stringMatching(/^planning-engine-[0-9a-f]{8}$/) as string } },
      { secretRef: { name: expect.stringMatching(/^planning-engine-[0-9a-f]{8}$/) as string } },
    ]);
  });

  it("allows at least one voluntary eviction at the autoscaler's minimum", () => {
    const pdb = manifest<{ spec: Record<string, unknown> }>(onlyOfType(beta, ResourceType.PodDisruptionBudget));
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec).not.toHaveProperty("minAvailable");
  });

  it("exports the namespace, the service and the preview endpoint's in-cluster URL", () => {
    expect(beta.outputs).toMatchObject({
      planningEngineNamespace: "planning-engine",
      planningEngineService: "planning-engine",
      previewUrl: "http://planning-engine.planning-engine.svc.cluster.local/v1/plans/time-crunch/preview",
    });
  });
});

describe('the pod meets the "restricted" Pod Security Standard (the policy pack\'s pod-security-restricted)', () => {
  /** A pod that breaks each control, made from the declared one. */
  const breakers: Record<string, (pod: IPodSpec) => void> = {
    "host namespaces are not shared": (pod) => (pod.hostNetwork = true),
    "no container is privileged": (pod) => (pod.containers[0]!.securityContext!.privileged = true),
    "no hostPath volumes": (pod) => pod.volumes!.push({ name: "host", hostPath: { path: "/var/run" } }),
    "no host ports": (pod) => (pod.containers[0]!.ports![0]!.hostPort = 8080),
    "only restricted volume types": (pod) => pod.volumes!.push({ name: "nfs", nfs: { server: "nfs", path: "/" } }),
    "privilege escalation is disallowed in every container": (pod) =>
      delete pod.containers[0]!.securityContext!.allowPrivilegeEscalation,
    "runs as non-root": (pod) => {
      delete pod.securityContext!.runAsNonRoot;
      delete pod.containers[0]!.securityContext!.runAsNonRoot;
    },
    "never runs as uid 0": (pod) => (pod.securityContext!.runAsUser = 0),
    "seccomp profile is RuntimeDefault or Localhost": (pod) =>
      (pod.securityContext!.seccompProfile = { type: "Unconfined" }),
    "capabilities: drop ALL, add at most NET_BIND_SERVICE": (pod) =>
      (pod.containers[0]!.securityContext!.capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] }),
  };

  it("has a breaking case for every control", () => {
    expect(Object.keys(breakers).sort()).toEqual(POD_SECURITY_RULES.map((r) => r.rule).sort());
  });

  it("the declared Deployment passes", async () => {
    expect(await violationsOf(podSecurityRestricted, policyInputs(beta, "offline"))).toEqual([]);
  });

  it.each(cases(POD_SECURITY_RULES.map((r) => r.rule)))("%s: the policy catches a pod that breaks it", async (rule) => {
    const broken = altered(policyInputs(beta, "offline"), DEPLOYMENT, (inputs) => {
      breakers[rule]!((inputs.spec as { template: { spec: IPodSpec } }).template.spec);
    });
    const messages = await violationsOf(podSecurityRestricted, broken);
    expect(messages).toContainEqual(expect.stringContaining(`control "${rule}"; allowed: `));
    for (const message of messages) {
      expect(message).toMatch(
        /^Deployment "planning-engine": spec\.template\.spec\.\S+ breaks the (baseline|restricted) control /,
      );
    }
  });

  it("the namespace it creates enforces the restricted profile", () => {
    expect(onlyOfType(withOperator, ResourceType.Namespace).inputs).toMatchObject({
      metadata: {
        name: "planning-engine",
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
        },
      },
    });
  });
});

describe("bad planning engine config declares nothing", () => {
  const beta = (): StackConfig => stackConfig("beta");
  const engine = (values: Record<string, unknown>) =>
    withValues(beta(), { planningEngine: { image: "ghcr.io/athlete-ally/planning-engine:1.2.3", ...values } });

  it.each(
    cases([
      ["an unpinned image", engine({ image: "ghcr.io/athlete-ally/planning-engine" }), "planningEngine.image: got"],
      ["the latest tag", engine({ image: "ghcr.io/athlete-ally/planning-engine:latest" }), "allowed: a pinned image"],
      [
        "minimum above maximum",
        engine({ replicas: 5, maxReplicas: 3 }),
        "planningEngine.maxReplicas: got 3; allowed: a whole number at least planningEngine.replicas (5)",
      ],
      [
        "zero replicas",
        engine({ replicas: 0 }),
        "planningEngine.replicas: got 0; allowed: a whole number from 1 to 50",
      ],
      [
        "a bad quantity",
        engine({ resources: { limits: { memory: "lots" } } }),
        'planningEngine.resources.limits.memory: got "lots"; allowed: a Kubernetes quantity',
      ],
    ]),
  )("%s", async (_case, config, message) => {
    const failure = await run(config).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ProgramFailed);
    expect((failure as ProgramFailed).isConfigError).toBe(true);
    expect((failure as ProgramFailed).message).toContain(message);
    expect((failure as ProgramFailed).declared).toEqual([]);
  });

  it("accepts a digest-pinned image", async () => {
    const digest = `ghcr.io/athlete-ally/planning-engine@sha256:${"a".repeat(64)}`;
    const declared = await run(engine({ image: digest }));
    expect(podSpec(declared).containers[0]?.image).toBe(digest);
  });
});
