/**
 * Does a change of the beta stack's config raise the beta, so that the soak gate must pass first?
 * A raise is targeting turned on, or a higher percentage while on. Lowering the percentage and the
 * kill switch are rollbacks: they are never held back by the gate.
 */
import { PROJECT } from "../../components/config";
import type { StackConfig } from "../offline/stackConfig";

export type PromotionChange =
  | { readonly kind: "raise"; readonly reason: string }
  | { readonly kind: "rollback"; readonly reason: string }
  | { readonly kind: "unchanged"; readonly reason: string };

interface Exposure {
  readonly targeting: string | undefined;
  readonly percentage: number | undefined;
}

function exposureOf(config: StackConfig | undefined): Exposure {
  const value = (key: string) => config?.values[`${PROJECT}:${key}`]?.value;
  const percentage = value("rolloutPercentage");
  return { targeting: value("targeting"), percentage: percentage === undefined ? undefined : Number(percentage) };
}

/** Who gets the feature, as a number: 0 when targeting is off (everyone gets false). */
function share(exposure: Exposure): number {
  return exposure.targeting === "on" ? (exposure.percentage ?? 0) : 0;
}

const describe = (e: Exposure) => `targeting ${e.targeting ?? "unset"} at ${e.percentage ?? "unset"}%`;

/** Compares `targeting` and `rolloutPercentage` of the base branch's config (undefined: new file) and the head's. */
export function promotionChange(base: StackConfig | undefined, head: StackConfig): PromotionChange {
  const before = exposureOf(base);
  const after = exposureOf(head);
  if (before.targeting === after.targeting && before.percentage === after.percentage) {
    return { kind: "unchanged", reason: `targeting and rolloutPercentage unchanged (${describe(after)})` };
  }
  const change = `${describe(before)} -> ${describe(after)}`;
  if (share(after) > share(before)) return { kind: "raise", reason: `raises the beta: ${change}` };
  return { kind: "rollback", reason: `does not raise the beta (rollback or no-op): ${change}` };
}
