/**
 * Feeds the rollout guards (`guards.ts`) before the program declares anything: what the last
 * deployment intended, read back from this stack's own outputs, and whether targeting is on in
 * LaunchDarkly now. A refusal stops the program with one message and nothing declared.
 *
 * This runs before the components, not inside `TimeCrunchFlag`: a component's constructor cannot
 * wait for the stack reference and the data source, and a refusal raised later, inside an
 * Output, would come after other resources had already been registered (and, under `pulumi up`,
 * created).
 */
import * as launchdarkly from "@pulumi/launchdarkly";
import * as pulumi from "@pulumi/pulumi";
import {
  DEPLOY_REFUSED,
  deployRefusal,
  intentOf,
  liveTargetingMatters,
  parseRolloutIntent,
  ROLLOUT_INTENT_OUTPUT,
  type GuardInputs,
  type RolloutIntent,
  type StepOverride,
} from "./guards";
import type { Targeting } from "./targeting";

/**
 * A deployment the rollout guards refuse. A `RunError`, so `pulumi up` and `pulumi preview` print
 * the message alone, without a stack trace.
 */
export class DeployRefused extends pulumi.RunError {
  readonly [DEPLOY_REFUSED] = true;
  override readonly name = "DeployRefused";
}

export interface RolloutGuardArgs {
  readonly projectKey: string;
  readonly environmentKey: string;
  readonly flagKey: string;
  readonly targeting: Targeting;
  readonly rolloutPercentage: number;
  readonly rolloutLadder: readonly number[];
  readonly rolloutStepOverride: StepOverride;
}

/**
 * Refuses the deployment (throws {@link DeployRefused}) or returns the intent it must export as
 * {@link ROLLOUT_INTENT_OUTPUT}. Call it before declaring any resource.
 *
 * The program's one read of the clock is here: the intent's `since` (when a rung went live) is
 * this run's time when targeting or the percentage changes (`rungSince` in guards.ts, which is
 * given it). Tests of the pure functions pass their own time; tests through the program bound it
 * by the times around the run.
 */
export async function checkRolloutGuards(args: RolloutGuardArgs): Promise<RolloutIntent> {
  const stack = pulumi.getStack();
  // The stack itself: a reference returns the outputs of its last completed update (none before the first).
  const lastDeployment = new pulumi.StackReference("last-deployment", {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`,
  });
  const recorded = await lastDeployment.getOutputDetails(ROLLOUT_INTENT_OUTPUT);
  const lastIntent = parseRolloutIntent(recorded.value ?? recorded.secretValue);
  const liveOn = liveTargetingMatters(lastIntent, args.targeting)
    ? (
        await launchdarkly.getFeatureFlagEnvironment({
          flagId: `${args.projectKey}/${args.flagKey}`,
          envKey: args.environmentKey,
        })
      ).on
    : undefined;

  const inputs: GuardInputs = {
    stack,
    environment: args.environmentKey,
    lastIntent,
    liveOn,
    targeting: args.targeting,
    rolloutPercentage: args.rolloutPercentage,
    rolloutLadder: args.rolloutLadder,
    rolloutStepOverride: args.rolloutStepOverride,
  };
  const refusal = deployRefusal(inputs);
  if (refusal !== undefined) throw new DeployRefused(refusal);
  return intentOf(inputs, new Date());
}
