/**
 * The stack's invariants as CrossGuard policies: the one list that the policy pack registers
 * (`index.ts`) and that `npm run policy` and `npm run plan` run over the offline plan.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { killRulesKeepStateOnOutage } from "./alerts";
import { noPlaintextCredentials } from "./credentials";
import { alertsForEnabledFlag, flagDefinitionProtected, flagRolloutWeights } from "./flag";
import { deploymentReplicasUnset, pinnedImages, podSecurityRestricted } from "./workloads";

/** The pack's name, as `pulumi preview` reports it. */
export const POLICY_PACK_NAME = "stream5-time-crunch";

/** Each policy's level unless it sets its own: a violation fails the preview, the update, the plan. */
export const POLICY_PACK_ENFORCEMENT: EnforcementLevel = "mandatory";

export const POLICIES: Policies = [
  podSecurityRestricted,
  pinnedImages,
  deploymentReplicasUnset,
  noPlaintextCredentials,
  flagRolloutWeights,
  flagDefinitionProtected,
  alertsForEnabledFlag,
  killRulesKeepStateOnOutage,
];
