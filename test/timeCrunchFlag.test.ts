import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { evaluableFlag } from "../tools/offline/launchDarklyFlag";
import type { ProgramRun } from "../tools/offline/engine";
import { withValues, type StackConfig } from "../components/config/stackFile";
import { contextKeys, FlagEvaluator, type Evaluation } from "./support/launchDarkly";
import { cases } from "./support/cases";
import { onlyOfType, run, stackConfig } from "./support/program";
import { ResourceType } from "../components/resources";

const FLAG = ResourceType.Flag;
const FLAG_ENVIRONMENT = ResourceType.FlagEnvironment;
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
async function evaluated(config: StackConfig, keys: readonly string[] = CONTEXTS): Promise<Evaluation> {
  const declared: ProgramRun = await run(config);
  return evaluator.evaluate(evaluableFlag(definition, onlyOfType(declared, FLAG_ENVIRONMENT).inputs), keys);
}
const servedTrue = async (config: StackConfig) => (await evaluated(config)).servedTrue;

describe("the stacks' declared resources", () => {
  it("staging owns the flag definition: boolean, true/false, temporary, protected", async () => {
    const staging = await run(stackConfig("staging"));
    const flag = onlyOfType(staging, FLAG);
    expect(flag.protect).toBe(true);
    expect(flag.inputs).toMatchObject({
      projectKey: "athlete-ally",
      key: "feature.stream5_time_crunch_mode",
      variationType: "boolean",
      name: "Stream5 Time Crunch Mode",
      variations: [{ value: "true" }, { value: "false" }],
      // What an environment created later serves: true when on, false when off.
      defaults: { onVariation: 0, offVariation: 1 },
      temporary: true,
      tags: ["stream5", "time-crunch", "managed-by-pulumi"],
    });
    expect(flag.inputs.description).toContain("Managed by the stream5-time-crunch Pulumi project");
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
  it("staging serves true to every context, through the fallthrough", async () => {
    const staging = await evaluated(stackConfig("staging"));
    expect(staging.servedTrue.size).toBe(CONTEXTS.length);
    expect(staging.reasons).toEqual({ FALLTHROUGH: CONTEXTS.length });
  });

  it("beta serves true to 10% ± 0.5% of contexts", async () => {
    const share = (await servedTrue(stackConfig("beta"))).size / CONTEXTS.length;
    expect(share).toBeGreaterThan(0.095);
    expect(share).toBeLessThan(0.105);
  });

  it.each(cases(["staging", "beta"]))(
    "the kill switch in %s serves false to everyone, always-on contexts included: the flag is off",
    async (stack) => {
      const off = withValues(stackConfig(stack), { targeting: "off", alwaysOnContexts: ["athlete-000001"] });
      const killed = await evaluated(off);
      expect(killed.servedTrue.size).toBe(0);
      // Served false because targeting is off, not because the SDK fell back to a default.
      expect(killed.reasons).toEqual({ OFF: CONTEXTS.length });
    },
  );

  it("always-on contexts get true at 0%, and only they do", async () => {
    const alwaysOn = ["athlete-000007", "qa-tester"];
    const config = withValues(stackConfig("beta"), { rolloutPercentage: 0, alwaysOnContexts: alwaysOn });
    const zero = await evaluated(config, [...CONTEXTS, "qa-tester"]);
    expect([...zero.servedTrue].sort()).toEqual(alwaysOn);
    expect(zero.reasons).toEqual({ TARGET_MATCH: 2, FALLTHROUGH: CONTEXTS.length - 1 });
  });

  it("a flag the SDK cannot evaluate is an error, never false (control)", async () => {
    const declared = onlyOfType(await run(stackConfig("beta")), FLAG_ENVIRONMENT).inputs;
    const malformed = evaluableFlag(definition, { ...declared, fallthrough: { variation: 2 } });
    await expect(evaluator.evaluate(malformed, CONTEXTS.slice(0, 1))).rejects.toThrow(
      /could not evaluate .* MALFORMED_FLAG/,
    );
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
  it.each(
    cases([
      ["staging", "the kill switch", { targeting: "off" }],
      ["staging", "a percentage change", { rolloutPercentage: 25 }],
      ["beta", "the kill switch", { targeting: "off" }],
      ["beta", "a percentage change", { rolloutPercentage: 25 }],
    ]),
  )("%s: %s changes the inputs of one resource, the one killSwitchTarget names", async (stack, _change, values) => {
    const before = await run(stackConfig(stack));
    const after = await run(withValues(stackConfig(stack), values));
    expect(after.resources.map((r) => r.urn)).toEqual(before.resources.map((r) => r.urn));
    const changed = after.resources.filter(
      (r, i) => JSON.stringify(r.inputs) !== JSON.stringify(before.resources[i]?.inputs),
    );
    // In staging the flag definition is declared too, and must stay as it is.
    expect(changed.map((r) => r.type)).toEqual([FLAG_ENVIRONMENT]);
    expect(changed.map((r) => r.urn)).toEqual([before.outputs.killSwitchTarget]);
  });

  it.each(cases(["staging", "beta"]))("%s: killSwitchTarget is the URN of the environment targeting", async (stack) => {
    const declared = await run(stackConfig(stack));
    expect(declared.outputs.killSwitchTarget).toBe(onlyOfType(declared, FLAG_ENVIRONMENT).urn);
    expect(declared.outputs.killSwitchTarget).toMatch(
      /^urn:pulumi:[a-z]+::stream5-time-crunch::stream5:launchdarkly:TimeCrunchFlag\$launchdarkly:index\/featureFlagEnvironment:FeatureFlagEnvironment::time-crunch-/,
    );
  });
});
