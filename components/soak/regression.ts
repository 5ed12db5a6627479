/**
 * "No regressions in existing functionality": the planning engine's other endpoints, compared
 * minute by minute with a baseline window. The PromQL (OpenTelemetry's HTTP server histogram as
 * Prometheus names it) and the decision from the per-minute samples Prometheus returned. Pure: no
 * HTTP, no clock; `tools/gate/` runs the range queries.
 *
 * For each measure (error ratio, p95 latency), per compared route and for the routes as a whole:
 * a regression when the one-sided Mann-Whitney U test says the judged minutes tend to be larger
 * (p < maxPValue) AND the judged median is worse than the baseline's by more than minEffect.
 * Fewer than minSamples measured minutes on either side (no baseline at all included): INCONCLUSIVE,
 * never a pass.
 */
import type { SoakGateConfig } from "../config/schema";
import { mannWhitneyGreater, median, relativeEffect } from "./mannWhitney";

/** The rate window of the per-minute measures: 5m, so a minute's value never rests on one or two scrapes. */
export const REGRESSION_RATE_WINDOW = "5m";
export const REGRESSION_RATE_SECONDS = 300;
/** One sample a minute. */
export const REGRESSION_STEP_SECONDS = 60;
/** The scope of the whole set of compared routes. */
export const ALL_ROUTES = "all routes";
export const REGRESSION_TITLE = "no regressions in existing functionality";

export type RegressionMeasure = "error ratio" | "p95 latency";
export const REGRESSION_MEASURES: readonly RegressionMeasure[] = ["error ratio", "p95 latency"];

/** A span of time, Unix seconds, both ends included. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One range query: `byRoute` splits by `http_route`, otherwise one series for the whole set. */
export interface RegressionQuery {
  readonly measure: RegressionMeasure;
  readonly byRoute: boolean;
  readonly expr: string;
}

export interface RegressionPlan {
  readonly metric: string;
  /** The routes compared, or undefined for every route but `excludedRoute`. */
  readonly routes: readonly string[] | undefined;
  readonly excludedRoute: string;
  /** The label selector every query uses. */
  readonly selector: string;
  /** Where the samples are taken: the judged window (after one rate window) and the baseline. */
  readonly judged: Span;
  readonly baseline: Span;
  /** How the baseline was chosen, for the output (e.g. "1w earlier", "the window before"). */
  readonly baselineText: string;
  readonly queries: readonly RegressionQuery[];
  readonly maxPValue: number;
  readonly minEffect: number;
  readonly minSamples: number;
}

/** What Prometheus returned for one query over one span: per scope (a route or {@link ALL_ROUTES}), the per-minute values. */
export type ScopedSamples = Readonly<Record<string, readonly number[]>>;

/** By query index (the plan's order): the judged and the baseline samples. */
export type RegressionSamples = readonly { readonly judged: ScopedSamples; readonly baseline: ScopedSamples }[];

export type FindingStatus = "pass" | "regression" | "inconclusive";

export interface RegressionFinding {
  readonly scope: string;
  readonly measure: RegressionMeasure;
  readonly status: FindingStatus;
  readonly judgedSamples: number;
  readonly baselineSamples: number;
  readonly judgedMedian: number | null;
  readonly baselineMedian: number | null;
  /** relativeEffect: 0.3 = the judged median 30% worse. */
  readonly effect: number | null;
  readonly p: number | null;
  readonly expr: string;
  /** Why, in words. */
  readonly reason: string;
}

export interface RegressionVerdict {
  readonly title: string;
  readonly status: FindingStatus;
  readonly judged: Span;
  readonly baseline: Span;
  readonly baselineText: string;
  readonly maxPValue: number;
  readonly minEffect: number;
  readonly minSamples: number;
  readonly findings: readonly RegressionFinding[];
}

/** A PromQL string literal. */
const literal = (text: string) => JSON.stringify(text);
/** A route as an RE2 pattern matching only itself. */
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The plan: `judged` is the window the gate judges; `baselineOffsetSeconds` how much earlier the
 * baseline of the same length lies (the window's own length: the window just before it).
 */
export function regressionPlan(
  gate: SoakGateConfig,
  excludedRoute: string,
  judged: Span,
  baselineOffsetSeconds: number,
  baselineText: string,
): RegressionPlan {
  const { metric, routes, maxPValue, minEffect, minSamples } = gate.regression;
  const selector =
    routes === undefined
      ? `http_route!=${literal(excludedRoute)}`
      : `http_route=~${literal(routes.map(escapeRegex).join("|"))}`;
  const w = REGRESSION_RATE_WINDOW;
  const count = (extra = "") => `rate(${metric}_count{${selector}${extra}}[${w}])`;
  const errors = count(`,http_response_status_code=~"5.."`);
  const errorRatio = (by: string) => `(sum${by} (${errors}) or 0 * sum${by} (${count()})) / sum${by} (${count()})`;
  const p95 = (by: string) => `histogram_quantile(0.95, sum by (${by}le) (rate(${metric}_bucket{${selector}}[${w}])))`;
  // The judged samples start one rate window in: each minute's rate then rests on the window's own data.
  const from = (span: Span) => ({ start: Math.min(span.start + REGRESSION_RATE_SECONDS, span.end), end: span.end });
  return {
    metric,
    routes,
    excludedRoute,
    selector,
    judged: from(judged),
    baseline: from({ start: judged.start - baselineOffsetSeconds, end: judged.end - baselineOffsetSeconds }),
    baselineText,
    queries: [
      { measure: "error ratio", byRoute: false, expr: errorRatio("") },
      { measure: "error ratio", byRoute: true, expr: errorRatio(" by (http_route)") },
      { measure: "p95 latency", byRoute: false, expr: p95("") },
      { measure: "p95 latency", byRoute: true, expr: p95("http_route, ") },
    ],
    maxPValue,
    minEffect,
    minSamples,
  };
}

/** Only measured minutes: a NaN (0/0, no request that minute) or an infinite value is not a sample. */
const measured = (values: readonly number[] | undefined) => (values ?? []).filter((v) => Number.isFinite(v));

/** One comparison: pure statistics and the decision. */
export function compare(
  judged: readonly number[],
  baseline: readonly number[],
  limits: { maxPValue: number; minEffect: number; minSamples: number },
): Pick<
  RegressionFinding,
  "status" | "judgedSamples" | "baselineSamples" | "judgedMedian" | "baselineMedian" | "effect" | "p" | "reason"
> {
  const x = measured(judged);
  const y = measured(baseline);
  const counts = { judgedSamples: x.length, baselineSamples: y.length };
  const judgedMedian = x.length > 0 ? median(x) : null;
  const baselineMedian = y.length > 0 ? median(y) : null;
  if (x.length < limits.minSamples || y.length < limits.minSamples) {
    return {
      ...counts,
      judgedMedian,
      baselineMedian,
      effect: null,
      p: null,
      status: "inconclusive",
      reason: `too few samples: ${x.length} judged and ${y.length} baseline minutes, at least ${limits.minSamples} each needed`,
    };
  }
  const { p } = mannWhitneyGreater(x, y);
  const effect = relativeEffect(x, y);
  const regression = p < limits.maxPValue && effect > limits.minEffect;
  return {
    ...counts,
    judgedMedian,
    baselineMedian,
    effect,
    p,
    status: regression ? "regression" : "pass",
    reason: regression
      ? `worse: p ${formatP(p)} < ${limits.maxPValue} and the median ${formatEffect(effect)} > +${Math.round(limits.minEffect * 100)}%`
      : p >= limits.maxPValue
        ? `no significant increase (p ${formatP(p)} ≥ ${limits.maxPValue})`
        : `increase within ${Math.round(limits.minEffect * 100)}% (median ${formatEffect(effect)})`,
  };
}

/** A p-value as the outputs show it; one below double precision's smallest normal shows as "< 1e-300". */
export const formatP = (p: number) =>
  p < 1e-300 ? "< 1e-300" : p < 0.0001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
export const formatEffect = (effect: number) =>
  Number.isFinite(effect) ? `${effect >= 0 ? "+" : ""}${Number((effect * 100).toFixed(1))}%` : effect > 0 ? "+∞" : "-∞";

/** The verdict: any regression wins; otherwise any inconclusive comparison; otherwise pass. */
export function judgeRegression(plan: RegressionPlan, samples: RegressionSamples): RegressionVerdict {
  const findings: RegressionFinding[] = [];
  plan.queries.forEach((query, i) => {
    const answer = samples[i] ?? { judged: {}, baseline: {} };
    const scopes = query.byRoute
      ? [...new Set([...(plan.routes ?? []), ...Object.keys(answer.judged), ...Object.keys(answer.baseline)])]
          .filter((route) => route !== ALL_ROUTES)
          .sort()
      : [ALL_ROUTES];
    for (const scope of scopes) {
      findings.push({
        scope,
        measure: query.measure,
        expr: query.expr,
        ...compare(answer.judged[scope] ?? [], answer.baseline[scope] ?? [], plan),
      });
    }
  });
  const status: FindingStatus = findings.some((f) => f.status === "regression")
    ? "regression"
    : findings.some((f) => f.status === "inconclusive")
      ? "inconclusive"
      : "pass";
  return {
    title: REGRESSION_TITLE,
    status,
    judged: plan.judged,
    baseline: plan.baseline,
    baselineText: plan.baselineText,
    maxPValue: plan.maxPValue,
    minEffect: plan.minEffect,
    minSamples: plan.minSamples,
    findings,
  };
}

/** "all routes: p95 latency" for each regression. */
export function regressionNames(verdict: RegressionVerdict): string[] {
  return verdict.findings.filter((f) => f.status === "regression").map((f) => `${f.scope}: ${f.measure}`);
}
