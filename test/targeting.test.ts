import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeTargeting,
  environmentTargeting,
  fallthroughFor,
  rolloutWeights,
  Targeting,
  Variation,
} from "../components/rollout/targeting";
import { cases } from "./support/cases";

/** LaunchDarkly's weight units: thousandths of a percent, 100000 in all. */
const weightUnits = fc.integer({ min: 0, max: 100_000 });
/** Percentages LaunchDarkly can express: 0..100 in steps of 0.001. */
const expressiblePercentage = weightUnits.map((units) => units / 1000);

describe("rolloutWeights", () => {
  it.each(
    cases([
      [10, [10_000, 90_000]],
      [25, [25_000, 75_000]],
      [0.001, [1, 99_999]],
      [12.345, [12_345, 87_655]],
      // Percentages whose product with 1000 is not exact in floating point (1.005 * 1000 = 1004.999...).
      [1.005, [1_005, 98_995]],
      [64.001, [64_001, 35_999]],
      [99.999, [99_999, 1]],
      [0, [0, 100_000]],
      [100, [100_000, 0]],
    ]),
  )("%s%% -> %j", (percentage, weights) => {
    expect(rolloutWeights(percentage)).toEqual(weights);
  });

  it("gives the percentage's weight units on, the rest off, for every expressible percentage", () => {
    fc.assert(
      // The percentage is made from the units, so the expected weights are known without computing them.
      fc.property(weightUnits, (units) => {
        expect(rolloutWeights(units / 1000)).toEqual([units, 100_000 - units]);
      }),
      // About 1% of the percentages are inexact in floating point: enough runs to meet some.
      { numRuns: 2000 },
    );
  });

  it("never gives fewer contexts the feature at a higher percentage", () => {
    fc.assert(
      fc.property(expressiblePercentage, expressiblePercentage, (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(rolloutWeights(low)[0]).toBeLessThanOrEqual(rolloutWeights(high)[0]);
      }),
    );
  });

  it.each(cases([-1, 100.5, 10.0001, Number.NaN, Number.POSITIVE_INFINITY]))("rejects %s", (percentage) => {
    expect(() => rolloutWeights(percentage)).toThrow(/rolloutPercentage .* 0 to 100 with at most 3 decimals/);
  });
});

describe("fallthroughFor", () => {
  it.each(
    cases([
      [100, { variation: Variation.On }],
      [0, { variation: Variation.Off }],
      [10, { rolloutWeights: [10_000, 90_000], bucketBy: "key" }],
    ]),
  )("%s%% -> %j", (percentage, fallthrough) => {
    expect(fallthroughFor(percentage)).toEqual(fallthrough);
  });
});

describe("environmentTargeting", () => {
  it("keeps the percentage and targets when the kill switch is on, so only `on` changes", () => {
    const on = environmentTargeting({ targeting: Targeting.On, rolloutPercentage: 10, alwaysOnContexts: ["qa-1"] });
    const off = environmentTargeting({ targeting: Targeting.Off, rolloutPercentage: 10, alwaysOnContexts: ["qa-1"] });
    expect(on.on).toBe(true);
    expect(off).toEqual({ ...on, on: false });
  });

  it("serves the off variation (false) when off", () => {
    const off = environmentTargeting({ targeting: Targeting.Off, rolloutPercentage: 100, alwaysOnContexts: [] });
    expect(off.offVariation).toBe(Variation.Off);
  });

  it("targets always-on contexts individually with the on variation, sorted and without duplicates", () => {
    const targeting = environmentTargeting({
      targeting: Targeting.On,
      rolloutPercentage: 0,
      alwaysOnContexts: ["qa-2", "qa-1", "qa-2"],
    });
    expect(targeting.targets).toEqual([{ values: ["qa-1", "qa-2"], variation: Variation.On }]);
  });

  it("omits targets without always-on contexts (the provider reads no targets back as null, not [])", () => {
    const targeting = environmentTargeting({ targeting: Targeting.On, rolloutPercentage: 10, alwaysOnContexts: [] });
    expect(Object.keys(targeting)).not.toContain("targets");
  });
});

describe("describeTargeting", () => {
  it.each(
    cases([
      [{ targeting: Targeting.On, rolloutPercentage: 10, alwaysOnContexts: [] }, "on: 10% of contexts get true"],
      [{ targeting: Targeting.On, rolloutPercentage: 100, alwaysOnContexts: [] }, "on: all contexts get true"],
      [
        { targeting: Targeting.On, rolloutPercentage: 0, alwaysOnContexts: ["a"] },
        "on: no context gets true, plus 1 always-on context",
      ],
      [
        { targeting: Targeting.On, rolloutPercentage: 5, alwaysOnContexts: ["a", "b", "a"] },
        "on: 5% of contexts get true, plus 2 always-on contexts",
      ],
      [
        { targeting: Targeting.Off, rolloutPercentage: 25, alwaysOnContexts: [] },
        "off (kill switch): every context gets false; 25% of contexts get true when targeting is back on",
      ],
    ]),
  )("%j -> %s", (settings, summary) => {
    expect(describeTargeting(settings)).toBe(summary);
  });
});
