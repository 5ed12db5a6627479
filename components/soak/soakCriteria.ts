/**
 * What GO means after the staging soak: the checklist's promotion criteria, the PromQL that
 * measures each one (the dashboard's and the alerts' own queries, from metrics.ts and the alert
 * rule specs), and the verdicts from what Prometheus returned. Pure: no HTTP, no clock;
 * `tools/gate/` queries Prometheus and renders the result.
 *
 * Could-not-measure is never a pass: no data, NaN (0/0) or a missing answer fails its criterion.
 */
import type { AlertRuleSpec } from "../observability/alertRules";
import { CONDITION_STEP_SECONDS, firings, type Point } from "./alertReplay";
import type { SoakGateConfig } from "../config/schema";
import { durationSeconds, formatPercent, type Queries } from "../observability/metrics";
import {
  judgeRegression,
  regressionNames,
  type RegressionPlan,
  type RegressionSamples,
  type RegressionVerdict,
} from "./regression";

export const Criterion = {
  SuccessRate: "success-rate",
  AverageResponse: "average-response-time",
  P95Response: "p95-response-time",
  ErrorRate: "error-rate",
  TimeConstraint: "time-constraint-success",
  Traffic: "traffic",
  Stability: "stability",
  Coverage: "coverage",
} as const;
export type Criterion = (typeof Criterion)[keyof typeof Criterion];

/** The alert rule whose condition is the traffic criterion; every other rule is a stability condition. */
export const TRAFFIC_RULE = "zero-requests";

/** Data that starts this soon after the window's start still covers it (a few scrapes and one step). */
export const COVERAGE_TOLERANCE_SECONDS = 300;

/** The checklist's soak: 48 hours. The gate looks this far back (or the window, if longer) for the soak's start. */
export const SOAK_HOURS = 48;

/** The checklist's timeline, by hours since the soak started. */
export const SOAK_PHASES = [
  { fromHour: 0, name: "hours 0-2", what: "first two hours: watch the dashboard closely" },
  { fromHour: 2, name: "hours 2-8", what: "hourly status posts" },
  { fromHour: 8, name: "hours 8-48", what: "extended soak: daily summary after 24 hours" },
  { fromHour: SOAK_HOURS, name: "after hour 48", what: "soak complete: go/no-go decision" },
] as const;
export type SoakPhase = (typeof SOAK_PHASES)[number];

/** The window the gate judges: Unix seconds, `end` included. */
export interface SoakWindow {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly seconds: number;
}

/** A criterion measured by one instant query over the whole window, compared with a threshold. */
export interface WindowMeasure {
  readonly key: Criterion;
  readonly title: string;
  readonly expr: string;
  readonly comparison: "above" | "below";
  readonly threshold: number;
  readonly unit: "ratio" | "seconds";
}

/** Everything the gate asks Prometheus, for one window. */
export interface GatePlan {
  readonly window: SoakWindow;
  /** Instant queries at the window's end. */
  readonly measures: readonly WindowMeasure[];
  /** Instant: requests in the window. */
  readonly requests: string;
  /** Instant: the request counter's first sample within `lookbackSeconds` (the soak's start). */
  readonly firstSeen: string;
  readonly lookbackSeconds: number;
  /** Range queries over the window at {@link CONDITION_STEP_SECONDS}: each alert rule's condition. */
  readonly conditions: readonly AlertRuleSpec[];
  /** The no-regression criterion's range queries, when the gate applies it. */
  readonly regression?: RegressionPlan;
  /** The rung gate: the rung must be this old (seconds) for coverage to pass. */
  readonly minimumSeconds?: number;
  readonly minimumText?: string;
}

/** What Prometheus answered; `undefined` = no data. */
export interface GateSamples {
  readonly measures: Readonly<Partial<Record<Criterion, number>>>;
  readonly requests: number | undefined;
  readonly firstSeen: number | undefined;
  /** By alert rule key: the condition's query over the window (missing steps = no data). */
  readonly conditions: Readonly<Record<string, readonly Point[]>>;
  /** The no-regression criterion's samples, by the plan's query order. */
  readonly regression?: RegressionSamples;
}

/** A span in the window where a stability condition held for its duration, or no request arrived. */
export interface Incident {
  readonly what: string;
  readonly from: number;
  readonly to: number;
  readonly minutes: number;
}

export interface CriterionVerdict {
  readonly key: Criterion;
  readonly title: string;
  readonly threshold: string;
  readonly observed: string;
  /** The measured number, when there is one (ratio, seconds, Unix time for coverage). */
  readonly value: number | null;
  readonly pass: boolean;
  readonly incidents: readonly Incident[];
}

/** GO, NO-GO, or INCONCLUSIVE: nothing failed but the regression criterion could not tell (never GO). */
export type Outcome = "GO" | "NO-GO" | "INCONCLUSIVE";

export interface GateVerdict {
  readonly go: boolean;
  readonly outcome: Outcome;
  /** The no-regression criterion, when the gate applied it. */
  readonly regression?: RegressionVerdict;
  readonly window: SoakWindow;
  readonly criteria: readonly CriterionVerdict[];
  /** Titles of the failing criteria, in table order. */
  readonly failing: readonly string[];
  readonly requests: number | null;
  readonly soak: {
    /** The request counter's first sample, Unix seconds; null without data. */
    readonly since: number | null;
    readonly hours: number | null;
    /** True when the counter already existed at the start of the look-back: the soak is at least `hours` old. */
    readonly atLeast: boolean;
    readonly phase: SoakPhase | null;
  };
}

/** The window ending at `end` (Unix seconds), e.g. `24h`. */
export function soakWindow(text: string, end: number): SoakWindow {
  const seconds = durationSeconds(text);
  if (seconds === undefined || seconds <= 0) throw new RangeError(`window ${JSON.stringify(text)} is not a duration`);
  return { text, start: end - seconds, end, seconds };
}

/** The queries that measure every criterion over `window`, from the dashboard's and the alerts' builders. */
export function gatePlan(
  gate: SoakGateConfig,
  rules: readonly AlertRuleSpec[],
  q: Queries,
  window: SoakWindow,
): GatePlan {
  if (!rules.some((rule) => rule.key === TRAFFIC_RULE)) {
    throw new Error(`the alert rules have no "${TRAFFIC_RULE}" rule, whose condition is the traffic criterion`);
  }
  const w = window.text;
  const measures: WindowMeasure[] = [
    measure(Criterion.SuccessRate, "success rate", q.successRatio(w), "above", gate.successRate.above, "ratio"),
    measure(
      Criterion.AverageResponse,
      "average response time",
      q.averageLatency(w),
      "below",
      gate.averageResponseSeconds.below,
      "seconds",
    ),
    measure(
      Criterion.P95Response,
      "p95 response time",
      q.p95Latency(w),
      "below",
      gate.p95ResponseSeconds.below,
      "seconds",
    ),
    measure(Criterion.ErrorRate, "error rate", q.errorRatio(w), "below", gate.errorRate.below, "ratio"),
    measure(
      Criterion.TimeConstraint,
      "time-constraint success",
      q.timeConstraintSuccessRatio(w),
      "above",
      gate.timeConstraintSuccess.above,
      "ratio",
    ),
  ];
  const lookbackSeconds = Math.max(window.seconds, SOAK_HOURS * 3600);
  return {
    window,
    measures,
    requests: q.requestsIn(w),
    firstSeen: q.requestsFirstSeen(`${lookbackSeconds / 60}m`),
    lookbackSeconds,
    conditions: rules,
  };
}

function measure(
  key: Criterion,
  title: string,
  expr: string,
  comparison: "above" | "below",
  threshold: number,
  unit: "ratio" | "seconds",
): WindowMeasure {
  return { key, title, expr, comparison, threshold, unit };
}

/** A value as the tables show it: a ratio as a percentage, seconds with their unit. */
export function formatValue(value: number, unit: "ratio" | "seconds"): string {
  if (!Number.isFinite(value)) return String(value);
  return unit === "ratio" ? formatPercent(value) : `${Number(value.toPrecision(3))} s`;
}

/** Judges every criterion from what Prometheus answered. GO only when each one passed. */
export function judge(plan: GatePlan, samples: GateSamples): GateVerdict {
  const stabilityRules = plan.conditions.filter((rule) => rule.key !== TRAFFIC_RULE);
  const trafficRule = plan.conditions.find((rule) => rule.key === TRAFFIC_RULE);
  if (!trafficRule) throw new Error(`no "${TRAFFIC_RULE}" rule in the plan`);
  const criteria = [
    ...plan.measures.map((m) => judgeMeasure(m, samples.measures[m.key])),
    judgeTraffic(trafficRule, samples.conditions[trafficRule.key] ?? [], samples.firstSeen),
    judgeStability(stabilityRules, samples.conditions),
    judgeCoverage(plan, samples.firstSeen),
  ];
  const regression = plan.regression ? judgeRegression(plan.regression, samples.regression ?? []) : undefined;
  const failing = [
    ...criteria.filter((c) => !c.pass).map((c) => c.title),
    ...(regression?.status === "regression" ? [`${regression.title} (${regressionNames(regression).join("; ")})`] : []),
  ];
  const outcome: Outcome = failing.length > 0 ? "NO-GO" : regression?.status === "inconclusive" ? "INCONCLUSIVE" : "GO";
  return {
    go: outcome === "GO",
    outcome,
    ...(regression && { regression }),
    window: plan.window,
    criteria,
    failing,
    requests: samples.requests ?? null,
    soak: soakAge(plan, samples.firstSeen),
  };
}

function judgeMeasure(m: WindowMeasure, value: number | undefined): CriterionVerdict {
  const threshold = `${m.comparison === "above" ? ">" : "<"} ${formatValue(m.threshold, m.unit)}`;
  const base = { key: m.key, title: m.title, threshold, incidents: [] };
  if (value === undefined) return { ...base, observed: "no data", value: null, pass: false };
  if (Number.isNaN(value)) return { ...base, observed: "cannot compute (0/0: no requests)", value: null, pass: false };
  const pass = m.comparison === "above" ? value > m.threshold : value < m.threshold;
  return { ...base, observed: formatValue(value, m.unit), value, pass };
}

const hasData = (points: readonly Point[]) => points.some(([, value]) => !Number.isNaN(value));

function judgeStability(
  rules: readonly AlertRuleSpec[],
  conditions: Readonly<Record<string, readonly Point[]>>,
): CriterionVerdict {
  const base = {
    key: Criterion.Stability,
    title: "stability",
    threshold: `no alert would have fired (${rules.map((r) => r.key).join(", ")})`,
  };
  const series = rules.map((rule) => ({ rule, points: conditions[rule.key] ?? [] }));
  if (!series.every(({ points }) => hasData(points))) {
    return { ...base, observed: "no data", value: null, pass: false, incidents: [] };
  }
  const incidents = series
    .flatMap(({ rule, points }) =>
      firings(rule, points).map((run) => ({
        what: rule.title,
        from: run.from,
        to: run.to,
        minutes: (run.to - run.from) / 60,
      })),
    )
    .sort((a, b) => a.from - b.from);
  return {
    ...base,
    observed:
      incidents.length === 0 ? "none" : plural(incidents.length, "alert would have fired", "alerts would have fired"),
    value: incidents.length,
    pass: incidents.length === 0,
    incidents,
  };
}

function judgeTraffic(rule: AlertRuleSpec, points: readonly Point[], firstSeen: number | undefined): CriterionVerdict {
  // The rule fires when the last `lookbackSeconds` (its query window) held no request; a run of such
  // moments from t1 to t2 is a gap from t1 - lookback to t2. Before the soak's first sample there
  // is nothing to judge: that is coverage's failure, not a gap.
  const span = rule.lookbackSeconds;
  const judged = firstSeen === undefined ? points : points.filter(([time]) => time >= firstSeen + span);
  const base = {
    key: Criterion.Traffic,
    title: "traffic",
    threshold: `no ${span / 60}-minute span without a request`,
  };
  if (!hasData(points)) return { ...base, observed: "no data", value: null, pass: false, incidents: [] };
  const incidents = firings(rule, judged).map((run) => ({
    what: "no request",
    from: run.from - span,
    to: run.to,
    minutes: (run.to - run.from + span) / 60,
  }));
  return {
    ...base,
    observed: incidents.length === 0 ? "none" : plural(incidents.length, "gap", "gaps"),
    value: incidents.length,
    pass: incidents.length === 0,
    incidents,
  };
}

function judgeCoverage(plan: GatePlan, firstSeen: number | undefined): CriterionVerdict {
  const base = {
    key: Criterion.Coverage,
    title: "coverage",
    threshold: `data for the whole ${plan.window.text} window`,
    incidents: [],
  };
  if (firstSeen === undefined || Number.isNaN(firstSeen))
    return { ...base, observed: "no data", value: null, pass: false };
  if (plan.minimumSeconds !== undefined && plan.window.seconds < plan.minimumSeconds) {
    const age = Number((plan.window.seconds / 3600).toFixed(1));
    return {
      ...base,
      threshold: `the rung at least ${plan.minimumText ?? `${plan.minimumSeconds / 3600}h`} old`,
      observed: `the rung is ${age} h old`,
      value: plan.window.start,
      pass: false,
    };
  }
  const hours = (plan.window.end - firstSeen) / 3600;
  return {
    ...base,
    observed: `data for the last ${Number(hours.toFixed(1))} h`,
    value: firstSeen,
    pass: firstSeen <= plan.window.start + COVERAGE_TOLERANCE_SECONDS,
  };
}

function soakAge(plan: GatePlan, firstSeen: number | undefined): GateVerdict["soak"] {
  if (firstSeen === undefined || Number.isNaN(firstSeen))
    return { since: null, hours: null, atLeast: false, phase: null };
  const lookbackStart = plan.window.end - plan.lookbackSeconds;
  const hours = (plan.window.end - firstSeen) / 3600;
  const phase = [...SOAK_PHASES].reverse().find((p) => hours >= p.fromHour) ?? SOAK_PHASES[0];
  return { since: firstSeen, hours, atLeast: firstSeen <= lookbackStart + CONDITION_STEP_SECONDS, phase };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
