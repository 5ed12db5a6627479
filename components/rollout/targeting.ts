/**
 * The rollout rule: how `targeting`, `rolloutPercentage` and `alwaysOnContexts` become the
 * LaunchDarkly targeting of one environment. Pure: no provider SDK, no Pulumi, no I/O.
 *
 * The flag is boolean with variations `[true, false]`; index 0 serves the feature, index 1 is the
 * off variation. LaunchDarkly buckets a context by hashing its key into [0, 1) and walks the
 * rollout weights in variation order, so with variation 0 first, raising the percentage only adds
 * contexts to `true` and never takes the feature away from someone who already had it. Reordering
 * the variations would reshuffle everyone: don't.
 */

/** Variation indexes of the boolean flag, in the order the flag definition declares them. */
export const Variation = { On: 0, Off: 1 } as const;
export type Variation = (typeof Variation)[keyof typeof Variation];

/** The flag's variation values, by index (see {@link Variation}). */
export const FLAG_VARIATION_VALUES = [true, false] as const;

/** `on` serves the rollout; `off` is the kill switch (everyone gets `false`). */
export const Targeting = { On: "on", Off: "off" } as const;
export type Targeting = (typeof Targeting)[keyof typeof Targeting];

/**
 * LaunchDarkly rollout weights are thousandths of a percent: 100% = 100000.
 * https://launchdarkly.com/docs/guides/api/percentage-rollouts
 */
export const WEIGHT_TOTAL = 100_000;
const WEIGHT_PER_PERCENT = WEIGHT_TOTAL / 100;

/** The finest percentage step LaunchDarkly can express (one weight unit = 0.001%). */
export const PERCENTAGE_DECIMALS = 3;

export interface RolloutSettings {
  readonly targeting: Targeting;
  /** Share of contexts, 0..100 with at most three decimals, that get `true` while targeting is on. */
  readonly rolloutPercentage: number;
  /** Context keys that get `true` whatever the percentage (QA, internal testers). */
  readonly alwaysOnContexts: readonly string[];
}

/** What every context not individually targeted gets while targeting is on. */
export type Fallthrough =
  | { readonly variation: Variation }
  | {
      /** One weight per variation, by index; they sum to {@link WEIGHT_TOTAL}. */
      readonly rolloutWeights: readonly [number, number];
      /** Contexts are bucketed by their key, so one athlete keeps one answer across sessions. */
      readonly bucketBy: "key";
    };

/** Contexts served one variation by their key, whatever the rollout says. */
export interface IndividualTarget {
  readonly values: readonly string[];
  readonly variation: Variation;
}

/** The inputs of LaunchDarkly's per-environment flag targeting, independent of any SDK. */
export interface EnvironmentTargeting {
  readonly on: boolean;
  readonly offVariation: Variation;
  readonly fallthrough: Fallthrough;
  /**
   * Absent, never empty, without always-on contexts: the provider reads "no targets" back as null,
   * so an empty list would show as a change on every preview.
   */
  readonly targets?: readonly IndividualTarget[];
}

/** True when `percentage` is a whole number of LaunchDarkly weight units (0.001%). */
export function isExpressibleAsWeights(percentage: number): boolean {
  const units = percentage * WEIGHT_PER_PERCENT;
  // Stryker disable next-line EqualityOperator: no percentage lands exactly 1e-6 of a unit off a whole one in floating point
  return Math.abs(units - Math.round(units)) < 1e-6;
}

/**
 * Rollout weights for `percentage`% on: `[on, off]`, integers summing to exactly 100000.
 * Throws for a percentage outside 0..100 or finer than 0.001%: the provider would pass such
 * weights through and LaunchDarkly would reject them at apply time.
 */
export function rolloutWeights(percentage: number): [number, number] {
  if (!(percentage >= 0 && percentage <= 100) || !isExpressibleAsWeights(percentage)) {
    throw new RangeError(
      `rolloutPercentage ${percentage} is not a number from 0 to 100 with at most ${PERCENTAGE_DECIMALS} decimals`,
    );
  }
  const on = Math.round(percentage * WEIGHT_PER_PERCENT);
  return [on, WEIGHT_TOTAL - on];
}

/** The fallthrough for a percentage: a fixed variation at 0% and 100%, a weighted rollout between. */
export function fallthroughFor(percentage: number): Fallthrough {
  const [on, off] = rolloutWeights(percentage);
  if (off === 0) return { variation: Variation.On };
  if (on === 0) return { variation: Variation.Off };
  return { rolloutWeights: [on, off], bucketBy: "key" };
}

/**
 * The environment targeting for the rollout settings. With targeting off the fallthrough and
 * individual targets are still declared, so switching back on restores the same percentage and the
 * kill switch changes exactly one field (`on`).
 */
export function environmentTargeting(settings: RolloutSettings): EnvironmentTargeting {
  const alwaysOn = [...new Set(settings.alwaysOnContexts)].sort();
  return {
    on: settings.targeting === Targeting.On,
    offVariation: Variation.Off,
    fallthrough: fallthroughFor(settings.rolloutPercentage),
    ...(alwaysOn.length > 0 ? { targets: [{ values: alwaysOn, variation: Variation.On }] } : {}),
  };
}

/** One line for people: what the environment serves, e.g. "on: 10% of contexts get true". */
export function describeTargeting(settings: RolloutSettings): string {
  const share =
    settings.rolloutPercentage === 100
      ? "all contexts get true"
      : settings.rolloutPercentage === 0
        ? "no context gets true"
        : `${settings.rolloutPercentage}% of contexts get true`;
  const alwaysOn = new Set(settings.alwaysOnContexts).size;
  if (settings.targeting === Targeting.Off) {
    return `off (kill switch): every context gets false; ${share} when targeting is back on`;
  }
  const plus = alwaysOn > 0 ? `, plus ${alwaysOn} always-on context${alwaysOn === 1 ? "" : "s"}` : "";
  return `on: ${share}${plus}`;
}
