/**
 * The rollout guards: should this deployment be refused, and with which message. Pure: no provider
 * SDK, no Pulumi, no I/O. `guardsAtDeploy.ts` feeds them what the last deployment intended (the
 * stack's own `rolloutIntent` output) and, when it matters, whether targeting is on in LaunchDarkly
 * now, before the program declares anything.
 *
 * Two rules:
 * - No silent re-enable: after the flag was turned off outside Pulumi (the automatic kill switch,
 *   or by hand), a deployment whose config still says `on` is refused until someone accepts the
 *   kill with `targeting off`. Turning it back on is then an ordinary, reviewed change.
 * - Bounded steps: a deployment raises `rolloutPercentage` by at most one rung of the ladder.
 * The kill switch (`targeting off`) and a first deployment always pass.
 */
import { z } from "zod";
import { Targeting } from "./targeting";

/** The stack output that records each deployment's intent for the next one. */
export const ROLLOUT_INTENT_OUTPUT = "rolloutIntent";

/**
 * Marks the program's refusal (`DeployRefused`, a Pulumi `RunError`), so the offline plan knows it
 * whichever copy of the program's modules threw it (each offline run loads them afresh).
 */
// Stryker disable next-line StringLiteral: equivalent, every copy of this module registers the same key
export const DEPLOY_REFUSED = Symbol.for("stream5-time-crunch.DeployRefused");

/** Whether `error` is the rollout guards' refusal of a deployment. */
export function isDeployRefusal(error: unknown): boolean {
  return (error as Partial<Record<symbol, unknown>> | null | undefined)?.[DEPLOY_REFUSED] === true;
}

/** The percentages a rollout climbs, one rung per deployment at most (stack config `rolloutLadder`). */
export const DEFAULT_ROLLOUT_LADDER: readonly number[] = [1, 5, 10, 25, 50, 100];

/** `rolloutStepOverride` when no jump is allowed beyond the ladder (its default). */
export const NO_OVERRIDE = "none";
/** The one percentage a deployment may jump to beyond the ladder, or {@link NO_OVERRIDE}. */
export type StepOverride = number | typeof NO_OVERRIDE;

/** What a deployment intended: the stack output `rolloutIntent`, which the next deployment reads back. */
export interface RolloutIntent {
  readonly targeting: Targeting;
  readonly rolloutPercentage: number;
  /**
   * The percentage the ladder has reached; the next raise is measured from here. It equals
   * `rolloutPercentage` except after a deployment with targeting off that raised the percentage
   * by more than one rung: the kill switch is never refused, but such a raise is not credited, so
   * switching back on cannot carry it through unreviewed.
   */
  readonly ladderPercentage: number;
  /**
   * When this targeting and percentage went live (RFC 3339, UTC): the deployment that set them.
   * Absent when unknown: the last deployment of a stack deployed before `since` existed, carried
   * over until targeting or the percentage next changes ({@link rungSince}).
   */
  readonly since?: string;
}

/** Everything the guards decide on. */
export interface GuardInputs {
  /** The stack, for the commands in the messages. */
  readonly stack: string;
  /** The LaunchDarkly environment, for the messages. */
  readonly environment: string;
  /** What the last deployment intended; undefined when no deployment has recorded an intent yet. */
  readonly lastIntent: RolloutIntent | undefined;
  /**
   * Whether targeting is on in LaunchDarkly now. Read only when {@link liveTargetingMatters};
   * otherwise undefined.
   */
  readonly liveOn: boolean | undefined;
  /** This deployment's config. */
  readonly targeting: Targeting;
  readonly rolloutPercentage: number;
  readonly rolloutLadder: readonly number[];
  readonly rolloutStepOverride: StepOverride;
}

/** The command that accepts a kill (and is the manual kill switch). */
export function acceptKillCommand(stack: string): string {
  return `pulumi config set targeting off -s ${stack}`;
}

/**
 * Whether the live targeting can change the verdict: only when the last deployment left the flag
 * on and this one keeps it on. Otherwise the program does not read it, so the kill switch never
 * depends on LaunchDarkly answering, and a first deployment never looks for a flag that does not
 * exist yet.
 */
export function liveTargetingMatters(lastIntent: RolloutIntent | undefined, targeting: Targeting): boolean {
  return lastIntent?.targeting === Targeting.On && targeting === Targeting.On;
}

/** The refusal of a deployment that would turn a killed flag back on, or undefined. */
export function reEnableRefusal(inputs: GuardInputs): string | undefined {
  if (!liveTargetingMatters(inputs.lastIntent, inputs.targeting) || inputs.liveOn !== false) return undefined;
  return (
    `Deployment of ${inputs.stack} refused: targeting is off in LaunchDarkly environment ${inputs.environment}, ` +
    `but the last deployment left it on and the config still says targeting on. It was turned off outside ` +
    `Pulumi (the automatic kill switch, or by hand), and this deployment would silently turn it back on. ` +
    `Accept the kill first: \`${acceptKillCommand(inputs.stack)}\`, then deploy and investigate; turning ` +
    `it back on is a reviewed change from off to on (docs/operating.md, "Rollout guards").`
  );
}

/** The lowest rung of `ladder` above `percentage`; undefined at or above the top rung. */
export function nextRung(ladder: readonly number[], percentage: number): number | undefined {
  return ladder.find((rung) => rung > percentage);
}

/**
 * Whether going from `previous` to `next` percent climbs at most one rung of `ladder`. A decrease
 * always does: the rung above `previous` is higher still, and at the top rung (100) nothing is.
 */
export function withinOneRung(ladder: readonly number[], previous: number, next: number): boolean {
  const rung = nextRung(ladder, previous);
  return rung === undefined || next <= rung;
}

/**
 * The refusal of a percentage step, or undefined. `previous` is the last deployment's ladder
 * percentage (undefined for a first deployment, which always passes). `override` allows exactly
 * one jump, to the percentage it names, and is refused once it names anything else or has been
 * reached, so it cannot stay set by accident.
 */
export function stepRefusal(
  previous: number | undefined,
  next: number,
  ladder: readonly number[],
  override: StepOverride,
  stack: string,
): string | undefined {
  if (previous === undefined) return undefined;
  const refused = `Deployment of ${stack} refused:`;
  const removeOverride = `\`pulumi config rm rolloutStepOverride -s ${stack}\``;
  if (override !== NO_OVERRIDE) {
    if (override !== next) {
      return `${refused} rolloutStepOverride ${override} allows a jump to exactly ${override}%, but rolloutPercentage is ${next}. Set the override to the percentage you mean, or remove it: ${removeOverride}.`;
    }
    if (override === previous) {
      return `${refused} rolloutStepOverride ${override} was used by the last deployment, which reached ${override}%; it must not stay set: ${removeOverride}.`;
    }
    return undefined;
  }
  if (withinOneRung(ladder, previous, next)) return undefined;
  const rung = nextRung(ladder, previous) ?? next;
  return (
    `${refused} rolloutPercentage ${next} climbs more than one rung of the rollout ladder ` +
    `(${ladder.join(", ")}) above the last deployment's ${previous}%. The next allowed step is ${rung}%: ` +
    `\`pulumi config set rolloutPercentage ${rung} -s ${stack}\`. (An emergency jump needs ` +
    `rolloutStepOverride: docs/operating.md, "Rollout guards".)`
  );
}

/**
 * The one reason to refuse this deployment, or undefined to let it proceed. The kill switch
 * (`targeting off`) is never refused.
 */
export function deployRefusal(inputs: GuardInputs): string | undefined {
  if (inputs.targeting === Targeting.Off) return undefined;
  return (
    reEnableRefusal(inputs) ??
    stepRefusal(
      inputs.lastIntent?.ladderPercentage,
      inputs.rolloutPercentage,
      inputs.rolloutLadder,
      inputs.rolloutStepOverride,
      inputs.stack,
    )
  );
}

/**
 * When the rung `next` (its targeting and percentage) went live, as this deployment records it,
 * given the clock `now`: the last deployment's `since` while targeting and the percentage are
 * unchanged (so the output does not change on every deployment), `now` when either changes or
 * for a first deployment. Undefined (unknown) when nothing changed and the last intent has no
 * `since` (a stack deployed before it existed): `now` would claim the rung started at this
 * deployment, which it did not; the first change sets it.
 */
export function rungSince(
  last: RolloutIntent | undefined,
  next: Pick<RolloutIntent, "targeting" | "rolloutPercentage">,
  now: Date,
): string | undefined {
  const unchanged = last?.targeting === next.targeting && last.rolloutPercentage === next.rolloutPercentage;
  return unchanged ? last.since : now.toISOString();
}

/**
 * The intent this deployment records for the next one (call it only for a deployment that
 * proceeds); `now` is the deployment's clock, for {@link rungSince}.
 */
export function intentOf(inputs: GuardInputs, now: Date): RolloutIntent {
  const { targeting, rolloutPercentage } = inputs;
  const previous = inputs.lastIntent?.ladderPercentage;
  const refused =
    stepRefusal(previous, rolloutPercentage, inputs.rolloutLadder, inputs.rolloutStepOverride, inputs.stack) !==
    undefined;
  // A refused step (which only the kill switch gets past) leaves the ladder where it was; a first
  // deployment is never refused.
  const since = rungSince(inputs.lastIntent, inputs, now);
  return {
    targeting,
    rolloutPercentage,
    ladderPercentage: refused ? (previous ?? rolloutPercentage) : rolloutPercentage,
    // Absent, not undefined, when unknown: a stack output holds no undefined.
    ...(since !== undefined && { since }),
  };
}

/** Whether `ladder` is a valid `rolloutLadder`: whole percentages from 1 to 100, strictly increasing, ending at 100. */
export function isRolloutLadder(ladder: readonly number[]): boolean {
  return (
    // Whole and above the rung before (or 0), ending at 100: so from 1 to 100.
    ladder.every((rung, i) => Number.isInteger(rung) && rung > (ladder[i - 1] ?? 0)) && ladder.at(-1) === 100
  );
}

const IntentSchema = z.object({
  targeting: z.enum([Targeting.On, Targeting.Off]),
  rolloutPercentage: z.number().min(0).max(100),
  // Absent in intents recorded by hand (the offline plan's --previous): the configured percentage.
  ladderPercentage: z.number().min(0).max(100).optional(),
  // Absent in intents recorded before it existed, and while unknown (rungSince).
  since: z.iso.datetime({ offset: true }).optional(),
});

/**
 * The last deployment's `rolloutIntent` output, read back: undefined when it has none (no
 * deployment yet, or only deployments from before the guards). Anything else that does not look
 * like an intent is an error, never a silent pass.
 */
export function parseRolloutIntent(value: unknown): RolloutIntent | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = IntentSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `The last deployment's stack output rolloutIntent is not {targeting: "on"|"off", rolloutPercentage: 0..100, since?: RFC 3339 time}: got ${JSON.stringify(value)}`,
    );
  }
  return { ...parsed.data, ladderPercentage: parsed.data.ladderPercentage ?? parsed.data.rolloutPercentage };
}
