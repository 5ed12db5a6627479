/**
 * `npm run rollback-check`'s decisions, after the checklist's rollback procedure: was the flag
 * turned off outside Pulumi (the rollout guards' condition), when and by what, and did the rollback
 * take: the flag is off, the endpoint answers `feature_not_available`, Time Crunch preview traffic
 * stopped while `feature_not_available` fallbacks appear, and the error rate is back under its
 * threshold within the settle time and stays there. Pure: no HTTP (`sources.ts`), no output
 * (`incident.ts`).
 */
import { formatPercent } from "../../components/observability/metrics";
import type { Point } from "../../components/soak/alertReplay";
import { formatTime } from "../soakEvaluation/report";
import type { FoundAuditEntry } from "../services/sources";

/** The verification's steps, in the order they are checked and reported. */
export const ROLLBACK_STEPS = ["flag-off", "preview-endpoint", "traffic-stopped", "errors-settled"] as const;
export type RollbackStepName = (typeof ROLLBACK_STEPS)[number];

/**
 * One step's outcome. `unknown`: its source could not be asked (the run ends with exit 2, after the
 * incident record says so).
 */
export interface RollbackStep {
  readonly name: RollbackStepName;
  readonly status: "pass" | "fail" | "unknown";
  readonly expected: string;
  readonly found: string;
}

/**
 * What the run found before any verification. The guards' condition (`reEnableRefusal` in
 * components/rollout/guards.ts): the stack's intent says targeting on, LaunchDarkly says off.
 * - `not-watched`: the intent is off, so a flag that is off is what was asked for;
 * - `nothing-killed`: targeting is on in LaunchDarkly, as intended;
 * - `killed`: off outside Pulumi; `acknowledged` when the stack's config already says `off` (the kill
 *   was accepted and waits for its deployment).
 */
export type KillState =
  | { readonly kind: "not-watched" }
  | { readonly kind: "nothing-killed" }
  | { readonly kind: "killed"; readonly acknowledged: boolean };

export function killState(intentOn: boolean, liveOn: boolean, configOn: boolean): KillState {
  if (!intentOn) return { kind: "not-watched" };
  if (liveOn) return { kind: "nothing-killed" };
  return { kind: "killed", acknowledged: !configOn };
}

/** Who or what turned the flag off, as LaunchDarkly's audit log names it. */
export type KillAuthor =
  | { readonly kind: "trigger"; readonly name: string }
  | { readonly kind: "member"; readonly name: string }
  | { readonly kind: "token"; readonly name: string }
  | { readonly kind: "unknown"; readonly name: string };

/** The audit log's entry that turned the flag off: the kill. */
export interface Kill {
  /** The entry's id: the same kill on every later run (the incident record's key). */
  readonly id: string;
  /** Unix seconds. */
  readonly at: number;
  readonly by: KillAuthor;
  /** LaunchDarkly's own words for the change, e.g. "turned off the flag". */
  readonly what: string;
}

export function describeAuthor(by: KillAuthor): string {
  switch (by.kind) {
    case "trigger":
      return `a flag trigger, "${by.name}" (the automatic kill switch: a Grafana alert called it)`;
    case "member":
      return `${by.name}, by hand (the LaunchDarkly UI)`;
    case "token":
      return `the API access token ${by.name}`;
    default:
      return by.name;
  }
}

/** LaunchDarkly's action for turning targeting on or off (told apart by the entry's words). */
export const TARGETING_ACTION = "updateOn";

/** The newest entry that turned targeting off (`entries` are the flag's, in its environment), or undefined. */
export function turnedOff(entries: readonly FoundAuditEntry[]): FoundAuditEntry | undefined {
  return [...entries]
    .sort((a, b) => b.at - a.at)
    .find((e) => e.actions.includes(TARGETING_ACTION) && /\boff\b/i.test(e.what) && !/\bturned on\b/i.test(e.what));
}

/** The kill as the record tells it: `byTrigger` when the entry carries an external trigger's body. */
export function killOf(entry: FoundAuditEntry, byTrigger: boolean): Kill {
  const by: KillAuthor = byTrigger
    ? { kind: "trigger", name: entry.subject ?? entry.app ?? "(unnamed)" }
    : entry.member !== undefined
      ? { kind: "member", name: entry.member }
      : entry.token !== undefined
        ? { kind: "token", name: entry.token }
        : { kind: "unknown", name: entry.subject ?? entry.app ?? "someone LaunchDarkly does not name" };
  return { id: entry.id, at: entry.at, by, what: entry.what };
}

/** The time from which preview traffic must have stopped: the SDKs' update, a scrape and a rate window. */
export const TRAFFIC_GRACE_SECONDS = 120;

const whole = (value: number) => Math.round(value).toLocaleString("en-US");

/**
 * `served`: Time Crunch preview requests (every outcome but `fallback`) from {@link
 * TRAFFIC_GRACE_SECONDS} after the kill to `end`; `fallbacks`: `feature_not_available` fallbacks
 * from the kill to `end` (undefined: no sample). Traffic stopped when no preview was served after
 * the grace, and fallbacks with `feature_not_available` appeared (someone asked, and was told the
 * feature is off).
 */
export function judgeTrafficStopped(
  served: number | undefined,
  fallbacks: number | undefined,
  kill: number,
  end: number,
): RollbackStep {
  const from = kill + TRAFFIC_GRACE_SECONDS;
  const expected = `no Time Crunch preview served from ${formatTime(from)} (the kill + ${TRAFFIC_GRACE_SECONDS / 60} min), and feature_not_available fallbacks since the kill`;
  const step = (pass: boolean, found: string): RollbackStep => ({
    name: "traffic-stopped",
    status: pass ? "pass" : "fail",
    expected,
    found,
  });
  if (end <= from) return step(false, `too early: the grace ends at ${formatTime(from)}`);
  const problems: string[] = [];
  // `increase` extrapolates: a fraction still means at least one request.
  if ((served ?? 0) > 0)
    problems.push(`about ${whole(Math.max(1, served ?? 0))} preview requests served after the grace`);
  if ((fallbacks ?? 0) <= 0) problems.push("no feature_not_available fallback since the kill (is anyone calling?)");
  return step(
    problems.length === 0,
    problems.length === 0
      ? `no preview served after the grace; about ${whole(fallbacks ?? 0)} feature_not_available fallbacks since the kill`
      : problems.join("; "),
  );
}

/**
 * `ratio`: the error-rate alert's own expression at one-minute steps from the kill to `end`
 * (no point, or NaN, where there was no request: no error either). Settled when it is under
 * `threshold` at some time no later than `kill + settle` and at every step after.
 */
export function judgeErrorsSettled(
  ratio: readonly Point[],
  threshold: number,
  kill: number,
  settleSeconds: number,
  end: number,
): RollbackStep {
  const deadline = kill + settleSeconds;
  const expected = `the error rate at or under ${formatPercent(threshold)} by ${formatTime(deadline)} (the kill + ${settleSeconds / 60} min) and from then on`;
  const step = (pass: boolean, found: string): RollbackStep => ({
    name: "errors-settled",
    status: pass ? "pass" : "fail",
    expected,
    found,
  });
  const points = ratio.filter(([t]) => t >= kill && t <= end);
  const above = points.filter(([, v]) => Number.isFinite(v) && v > threshold);
  const lastAbove = above.at(-1);
  if (lastAbove === undefined) {
    return step(true, points.length === 0 ? "no preview request since the kill" : "under the threshold since the kill");
  }
  const [lastTime, lastValue] = lastAbove;
  const settledAt = points.find(([t]) => t > lastTime)?.[0];
  if (settledAt === undefined) {
    return step(
      false,
      end < deadline
        ? `still ${formatPercent(lastValue)} at ${formatTime(lastTime)}; the settle time ends at ${formatTime(deadline)}`
        : `still ${formatPercent(lastValue)} at ${formatTime(lastTime)}, after the settle time (${formatTime(deadline)})`,
    );
  }
  if (settledAt > deadline) {
    return step(
      false,
      `under the threshold only from ${formatTime(settledAt)}, after the settle time; ${formatPercent(lastValue)} at ${formatTime(lastTime)}`,
    );
  }
  return step(
    true,
    `under the threshold from ${formatTime(settledAt)} (${Math.round((settledAt - kill) / 60)} min after the kill)`,
  );
}

/** The verdict: verified when every step passed; `unknown` when a source could not be asked. */
export function rollbackVerdict(steps: readonly RollbackStep[]): "verified" | "not-verified" | "unknown" {
  if (steps.some((s) => s.status === "unknown")) return "unknown";
  return steps.every((s) => s.status === "pass") ? "verified" : "not-verified";
}
