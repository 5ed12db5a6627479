import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { evaluableFlag } from "../tools/offline/launchDarklyFlag";
import type { ProgramRun } from "../tools/offline/engine";
import { withValues, type StackConfig } from "../tools/offline/stackConfig";
import { contextKeys, FlagEvaluator } from "./support/launchDarkly";
import { onlyOfType, run, stackConfig } from "./support/program";

const FLAG = "launchdarkly:index/featureFlag:FeatureFlag";
const FLAG_ENVIRONMENT = "launchdarkly:index/featureFlagEnvironment:FeatureFlagEnvironment";
const CONTEXTS = contextKeys(100_000);

let evaluator: FlagEvaluator;
/** The flag definition, declared only by the owning stack (staging) and shared by every environment. */
let definition: Record<string, unknown>;

beforeAll(async () => {
  evaluator = await FlagEvaluator.start();
  definition = onlyOfType(await run(stackConfig("staging")), FLAG).inputs;
});
afterAll(() => {
  evaluator.close();
});

/** Runs the program and lets LaunchDarkly's SDK evaluate what it declared for every context. */
async function servedTrue(config: StackConfig): Promise<Set<string>> {
  const declared: ProgramRun = await run(config);
  return evaluator.keysServedTrue(evaluableFlag(definition, onlyOfType(declared, FLAG_ENVIRONMENT).inputs), CONTEXTS);
}

describe("the stacks' declared resources", () => {
  it("staging owns the flag definition: boolean, true/false, temporary, protected", async () => {
    const staging = await run(stackConfig("staging"));
    const flag = onlyOfType(staging, FLAG);
    expect(flag.protect).toBe(true);
    expect(flag.inputs).toMatchObject({
      projectKey: "athlete-ally",
      key: "feature.stream5_time_crunch_mode",
      variationType: "boolean",
      variations: [{ value: "true" }, { value: "false" }],
      temporary: true,
    });
    expect(onlyOfType(staging, FLAG_ENVIRONMENT).inputs).toMatchObject({
      flagId: "athlete-ally/feature.stream5_time_crunch_mode",
      envKey: "staging",
    });
    expect(staging.outputs).toMatchObject({
      flagKey: "feature.stream5_time_crunch_mode",
      launchdarklyEnvironment: "staging",
      targetingSummary: "on: all contexts get true",
    });
  });

  it("beta only manages production's targeting of the flag staging defines", async () => {
    const beta = await run(stackConfig("beta"));
    expect(beta.resources.filter((r) => r.type === FLAG)).toEqual([]);
    const environment = onlyOfType(beta, FLAG_ENVIRONMENT);
    expect(environment.inputs).toMatchObject({
      flagId: "athlete-ally/feature.stream5_time_crunch_mode",
      envKey: "production",
    });
    expect(environment.parent).toMatch(/::stream5:launchdarkly:TimeCrunchFlag::time-crunch$/);
    expect(beta.outputs.targetingSummary).toBe("on: 10% of contexts get true");
  });
});

describe("who gets the flag, as LaunchDarkly's SDK evaluates it", () => {
  it("staging serves true to every context", async () => {
    expect((await servedTrue(stackConfig("staging"))).size).toBe(CONTEXTS.length);
  });

  it("beta serves true to 10% ± 0.5% of contexts", async () => {
    const share = (await servedTrue(stackConfig("beta"))).size / CONTEXTS.length;
    expect(share).toBeGreaterThan(0.095);
    expect(share).toBeLessThan(0.105);
  });

  it("the kill switch serves true to nobody, always-on contexts included", async () => {
    const off = withValues(stackConfig("beta"), { targeting: "off", alwaysOnContexts: ["athlete-000001"] });
    expect((await servedTrue(off)).size).toBe(0);
  });

  it("always-on contexts get true at 0%, and only they do", async () => {
    const alwaysOn = ["athlete-000007", "qa-tester"];
    const config = withValues(stackConfig("beta"), { rolloutPercentage: 0, alwaysOnContexts: alwaysOn });
    const declared = await run(config);
    const flag = evaluableFlag(definition, onlyOfType(declared, FLAG_ENVIRONMENT).inputs);
    expect([...(await evaluator.keysServedTrue(flag, [...CONTEXTS, "qa-tester"]))].sort()).toEqual(alwaysOn);
  });

  it("raising the percentage keeps everyone who already had the feature", async () => {
    const beta = stackConfig("beta");
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 99_999 }), async (a, b) => {
        fc.pre(a !== b);
        const [low, high] = [Math.min(a, b) / 1000, Math.max(a, b) / 1000];
        const before = await servedTrue(withValues(beta, { rolloutPercentage: low }));
        const after = await servedTrue(withValues(beta, { rolloutPercentage: high }));
        expect([...before].filter((key) => !after.has(key))).toEqual([]);
        expect(after.size).toBeGreaterThanOrEqual(before.size);
      }),
      { numRuns: 4 },
    );
  });
});

describe("rollback touches only the flag's environment targeting", () => {
  it.each([
    ["the kill switch", { targeting: "off" }],
    ["a percentage change", { rolloutPercentage: 25 }],
  ])("%s changes the inputs of exactly one resource, the FeatureFlagEnvironment", async (_change, values) => {
    const before = await run(stackConfig("beta"));
    const after = await run(withValues(stackConfig("beta"), values));
    expect(after.resources.map((r) => r.urn)).toEqual(before.resources.map((r) => r.urn));
    const changed = after.resources.filter(
      (r, i) => JSON.stringify(r.inputs) !== JSON.stringify(before.resources[i]?.inputs),
    );
    expect(changed.map((r) => r.type)).toEqual([FLAG_ENVIRONMENT]);
  });
});
