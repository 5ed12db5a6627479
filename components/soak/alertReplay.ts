/**
 * Replays an alert rule's condition over sampled values, as Grafana evaluates the rule: the
 * condition must hold at consecutive evaluations for the rule's `for` before it fires. Pure; the
 * soak gate uses it to ask "would an alert have fired during the soak?".
 */
import type { AlertRuleSpec } from "../observability/alertRules";
import { durationSeconds } from "../observability/metrics";

/** The resolution of a replay: Grafana evaluates the rules every minute. */
export const CONDITION_STEP_SECONDS = 60;

/** One sample of a range query: Unix seconds and value (NaN for 0/0). */
export type Point = readonly [time: number, value: number];

/** Whether a rule's condition holds for a value (NaN, i.e. no traffic, never holds: Grafana's NoData). */
function holds(rule: AlertRuleSpec, value: number): boolean {
  return rule.comparison === "gt" ? value > rule.threshold : value < rule.threshold;
}

/**
 * The spans of consecutive steps at which `rule`'s condition held. A missing step (no data) ends a
 * span, as it resets a pending Grafana alert.
 */
export function conditionRuns(rule: AlertRuleSpec, points: readonly Point[]): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  let current: { from: number; to: number } | undefined;
  for (const [time, value] of points) {
    const contiguous = current !== undefined && time - current.to <= CONDITION_STEP_SECONDS;
    if (!holds(rule, value)) {
      current = undefined;
      continue;
    }
    if (current && contiguous) {
      current.to = time;
    } else {
      current = { from: time, to: time };
      runs.push(current);
    }
  }
  return runs;
}

/** The spans where the rule would have fired: its condition held for at least its `for` duration. */
export function firings(rule: AlertRuleSpec, points: readonly Point[]): { from: number; to: number }[] {
  const forSeconds = durationSeconds(rule.for);
  if (forSeconds === undefined) throw new RangeError(`rule ${rule.key}: "for" ${rule.for} is not a duration`);
  return conditionRuns(rule, points).filter((run) => run.to - run.from >= forSeconds);
}
