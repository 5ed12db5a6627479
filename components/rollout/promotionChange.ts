/**
 * Does a change of the beta stack's config raise the beta, so that the soak gate must pass first?
 * A raise is targeting turned on, or a higher percentage while on. Lowering the percentage and the
 * kill switch are rollbacks: they are never held back by the gate.
 */
import { parsedConfigOf } from "../config/schema";
import type { OfflineConfig } from "../config/stackFile";

/**
 * What a raise is judged on: turning the beta on (nothing exposed before) on the staging soak; a
 * raise from one rung to the next on what the current beta rung did in production.
 */
export const RaiseEvidence = { StagingSoak: "staging-soak", BetaRung: "beta-rung" } as const;
export type RaiseEvidence = (typeof RaiseEvidence)[keyof typeof RaiseEvidence];

export type PromotionChange =
  | { readonly kind: "raise"; readonly reason: string; readonly evidence: RaiseEvidence }
  | { readonly kind: "rollback"; readonly reason: string }
  | { readonly kind: "unchanged"; readonly reason: string };

interface Exposure {
  readonly targeting: string | undefined;
  readonly percentage: number | undefined;
}

/** What a config exposes, validated as the program would validate it (undefined: no file, nothing rolled out). */
function exposureOf(config: OfflineConfig | undefined): Exposure {
  // Stryker disable next-line ObjectLiteral: equivalent, `{}` reads as the same two undefined fields
  if (config === undefined) return { targeting: undefined, percentage: undefined };
  const parsed = parsedConfigOf(config);
  return { targeting: parsed.targeting, percentage: parsed.rolloutPercentage };
}

/** Who gets the feature, as a number: 0 when targeting is off (everyone gets false). */
function share(exposure: Exposure): number {
  return exposure.targeting === "on" ? (exposure.percentage ?? 0) : 0;
}

const describe = (e: Exposure) => `targeting ${e.targeting ?? "unset"} at ${e.percentage ?? "unset"}%`;

/** Compares `targeting` and `rolloutPercentage` of the base branch's config (undefined: new file) and the head's. */
export function promotionChange(base: OfflineConfig | undefined, head: OfflineConfig): PromotionChange {
  const before = exposureOf(base);
  const after = exposureOf(head);
  if (before.targeting === after.targeting && before.percentage === after.percentage) {
    return { kind: "unchanged", reason: `targeting and rolloutPercentage unchanged (${describe(after)})` };
  }
  const change = `${describe(before)} -> ${describe(after)}`;
  if (share(after) > share(before)) {
    const evidence = share(before) === 0 ? RaiseEvidence.StagingSoak : RaiseEvidence.BetaRung;
    return { kind: "raise", reason: `raises the beta: ${change}`, evidence };
  }
  return { kind: "rollback", reason: `does not raise the beta (rollback or no-op): ${change}` };
}
