/**
 * The policy pack served by the Pulumi SDK's own policy-pack runner (what `pulumi preview
 * --policy-pack policy` starts), fed over gRPC what the engine sends: it loads from this
 * repository's node_modules, registers the policies the offline runner runs, and judges the
 * program's resources exactly as `npm run policy` does. Also what the engine does to secrets and
 * to values unknown during a preview, which the policies must live with.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec" with { "resolution-mode": "import" };
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICIES } from "../policy/policies";
import type { ProgramRun } from "../tools/offline/engine";
import { SECRET_SIG, SECRET_SIG_KEY } from "../tools/offline/mocks";
import { checkPolicies } from "../tools/offline/policyRunner";
import { PROJECT_DIR, withSecret } from "../components/config/stackFile";
import { parse as parseYaml } from "yaml";
import { policyInputs } from "./support/policies";
import { PolicyPackServer, type EngineResource } from "./support/policyPackServer";
import { run, stackConfig } from "./support/program";
import { ResourceType } from "../components/resources";

const DATABASE_URL = "postgres://planner:pack-pl4nted@db.internal:5432/plans";

let pack: PolicyPackServer | undefined;
let beta: ProgramRun;

beforeAll(async () => {
  [pack, beta] = await Promise.all([
    PolicyPackServer.start(),
    run(withSecret(stackConfig("beta"), "databaseUrl", DATABASE_URL)),
  ]);
}, 90_000);
afterAll(() => {
  pack?.close();
});

const server = () => {
  if (!pack) throw new Error("the policy pack did not start");
  return pack;
};

/** The program's resources as the engine sends them: inputs with secrets marked, options. */
const asEngineSends = (declared: ProgramRun): EngineResource[] =>
  declared.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, properties: r.inputs, protect: r.protect }));

/** A copy of the declared resources with `change` applied to the inputs of each resource of `type`. */
function alteredRun(declared: ProgramRun, type: string, change: (inputs: Record<string, unknown>) => void): ProgramRun {
  return {
    ...declared,
    resources: declared.resources.map((r) => {
      if (r.type !== type) return r;
      const inputs = structuredClone(r.inputs);
      change(inputs);
      return { ...r, inputs };
    }),
  };
}

/** Everything the pack says about a stack: each resource analyzed, then the stack. */
async function packVerdict(declared: ProgramRun): Promise<[string, string][]> {
  const resources = asEngineSends(declared);
  const perResource = await Promise.all(resources.map((r) => server().analyze(r)));
  const stack = await server().analyzeStack(resources);
  return [...perResource.flat(), ...stack].map((d) => [d.policy, d.message]);
}

describe("the policy pack under Pulumi's policy-pack runner", () => {
  it("starts from this repository and registers the policies the offline runner runs", async () => {
    expect(await server().info()).toEqual({
      name: "stream5-time-crunch",
      policies: POLICIES.map((p) => [p.name, "mandatory"]),
    });
  });

  it("finds nothing in beta as the engine sends it, secrets included", async () => {
    expect(await packVerdict(beta)).toEqual([]);
  });

  it("says what npm run policy says about an altered stack", async () => {
    const broken = alteredRun(
      alteredRun(beta, ResourceType.Deployment, (inputs) => {
        const spec = inputs.spec as { replicas?: number; template: { spec: IPodSpec } };
        spec.template.spec.containers[0]!.image = "busybox:latest";
        spec.template.spec.hostNetwork = true;
        spec.replicas = 2;
      }),
      ResourceType.FlagEnvironment,
      (inputs) => {
        inputs.fallthrough = { rolloutWeights: [10000, 80000], bucketBy: "key" };
      },
    );
    const online = await packVerdict(broken);
    const offline = (await checkPolicies(policyInputs(broken, "offline"))).violations.map((v) => [v.policy, v.message]);
    expect(online.map(([policy]) => policy).sort()).toEqual([
      "deployment-replicas-unset",
      "flag-rollout-weights",
      "pinned-images",
      "pod-security-restricted",
    ]);
    expect(online.sort()).toEqual(offline.sort());
  });
});

describe("what the engine hands a policy", () => {
  const deployment = () => asEngineSends(beta).find((r) => r.type === ResourceType.Deployment)!;

  it("secret values arrive unwrapped: a secret credential in an env var is seen, and not echoed", async () => {
    const resource = deployment();
    const properties = structuredClone(resource.properties) as {
      spec: { template: { spec: { containers: { env?: unknown[] }[] } } };
    };
    properties.spec.template.spec.containers[0]!.env = [
      { name: "DATABASE_URL", value: { [SECRET_SIG_KEY]: SECRET_SIG, value: DATABASE_URL } },
    ];
    const diagnostics = await server().analyze({ ...resource, properties });
    expect(diagnostics.map((d) => [d.policy, d.message])).toEqual([
      [
        "no-plaintext-credentials",
        expect.stringMatching(
          /^Deployment "planning-engine": spec\.template\.spec\.containers\[0\]\.env\[0\]\.value holds what looks like a URL with a password in plain text/,
        ),
      ],
    ]);
    expect(JSON.stringify(diagnostics)).not.toContain("pack-pl4nted");
  });

  it("a value unknown during preview leaves the credential check running on the rest", async () => {
    const configMap = asEngineSends(beta).find((r) => r.type === ResourceType.ConfigMap)!;
    const diagnostics = await server().analyze({
      ...configMap,
      properties: { metadata: { name: unknownValue }, data: { URL: DATABASE_URL } },
    });
    expect(diagnostics.map((d) => [d.policy, d.message])).toEqual([
      [
        "no-plaintext-credentials",
        expect.stringMatching(/^ConfigMap "planning-engine": data\.URL holds what looks like a URL with a password/),
      ],
    ]);
  });
});

describe("where the pack runs online", () => {
  it("CI's pull-request previews load it: the pulumi/actions step names the policy folder", () => {
    const ci = parseYaml(readFileSync(join(PROJECT_DIR, ".github", "workflows", "ci.yml"), "utf8")) as {
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const previews = Object.values(ci.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command === "preview");
    expect(previews.length).toBeGreaterThan(0);
    for (const step of previews) expect(step.with?.policyPacks).toBe("policy");
  });
});
