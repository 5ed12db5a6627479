/**
 * The metric contract between the planning engine and this stack, and every PromQL expression built
 * from it. The dashboard panels and the alert rules both take their queries from here, so a renamed
 * metric changes both or neither. Pure: no Grafana, no Pulumi.
 */

/** The contract's metric name prefix (what the planning engine exports today). */
export const DEFAULT_METRIC_PREFIX = "stream5_time_crunch";

/** Outcomes of a preview request (`outcome` label of the request counter). */
export const Outcome = { Success: "success", Fallback: "fallback", Error: "error" } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Whether a compressed plan fit the athlete's time budget (`result` label). */
export const ConstraintResult = { Met: "met", Missed: "missed" } as const;

/** The metrics the planning engine exports for Time Crunch Mode. */
export interface MetricContract {
  /** Counter; labels `outcome` (success | fallback | error) and `strategy` (compression strategy). */
  readonly previewRequests: string;
  /** Histogram (`_bucket` with `le`, `_sum`, `_count`) of preview latency in seconds. */
  readonly previewDuration: string;
  /** Counter; label `result` (met | missed). */
  readonly timeConstraint: string;
  /** Counter; label `reason` (e.g. feature_not_available, internal_error). */
  readonly fallbacks: string;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The contract's metric names under a prefix (default {@link DEFAULT_METRIC_PREFIX}). */
export function metricContract(prefix: string = DEFAULT_METRIC_PREFIX): MetricContract {
  if (!METRIC_NAME.test(prefix)) {
    throw new RangeError(`metric prefix ${JSON.stringify(prefix)} is not a Prometheus metric name`);
  }
  return {
    previewRequests: `${prefix}_preview_requests_total`,
    previewDuration: `${prefix}_preview_duration_seconds`,
    timeConstraint: `${prefix}_time_constraint_total`,
    fallbacks: `${prefix}_fallbacks_total`,
  };
}

/**
 * A range selector's window: a Prometheus duration such as `5m`, or Grafana's `$__rate_interval`
 * on dashboards. Alert rules always use fixed durations: Grafana's `$__` macros are dashboard-only.
 */
export type Window = string;

/** Grafana's dashboard window for `rate()`: at least four scrape intervals, whatever the zoom. */
export const DASHBOARD_WINDOW: Window = "$__rate_interval";

const DURATION_UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/**
 * The seconds in a one-unit Prometheus duration (`0s`, `5m`, `24h`, `2d`), as the alert rules'
 * `for` and the soak gate's window are written; undefined for anything else.
 */
export function durationSeconds(duration: string): number | undefined {
  const match = /^(0|[1-9][0-9]*)([smhd])$/.exec(duration);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNIT_SECONDS[match[2] as keyof typeof DURATION_UNIT_SECONDS];
}

/** The PromQL of every panel and alert, for one metric contract. */
export function queries(metrics: MetricContract = metricContract()) {
  const rate = (selector: string, window: Window) => `rate(${selector}[${window}])`;
  const requests = (outcome?: Outcome) =>
    outcome === undefined ? metrics.previewRequests : `${metrics.previewRequests}{outcome="${outcome}"}`;
  // A share whose numerator series may never have existed (no request has failed yet, or every
  // one has): `or vector(0)` makes that 0 instead of no answer, as long as there is traffic at all.
  const share = (part: string, whole: string, window: Window) =>
    `(sum(${rate(part, window)}) or vector(0)) / sum(${rate(whole, window)})`;

  return {
    /** Preview requests per second. */
    requestRate: (window: Window) => `sum(${rate(requests(), window)})`,
    /** Preview requests per second by outcome. */
    requestRateByOutcome: (window: Window) => `sum by (outcome) (${rate(requests(), window)})`,
    /** Preview requests per second by compression strategy. */
    strategyDistribution: (window: Window) => `sum by (strategy) (${rate(requests(), window)})`,
    /** Share of preview requests that succeeded, 0..1. */
    successRatio: (window: Window) => share(requests(Outcome.Success), requests(), window),
    /** Share of preview requests that failed, 0..1. */
    errorRatio: (window: Window) => share(requests(Outcome.Error), requests(), window),
    /** Mean preview latency in seconds. */
    averageLatency: (window: Window) =>
      `sum(${rate(`${metrics.previewDuration}_sum`, window)}) / sum(${rate(`${metrics.previewDuration}_count`, window)})`,
    /** 95th percentile preview latency in seconds. */
    p95Latency: (window: Window) =>
      `histogram_quantile(0.95, sum by (le) (${rate(`${metrics.previewDuration}_bucket`, window)}))`,
    /** Share of compressed plans that met the athlete's time budget, 0..1. */
    timeConstraintSuccessRatio: (window: Window) =>
      share(`${metrics.timeConstraint}{result="${ConstraintResult.Met}"}`, metrics.timeConstraint, window),
    /** Fallbacks per second by reason. */
    fallbackReasons: (window: Window) => `sum by (reason) (${rate(metrics.fallbacks, window)})`,
    /**
     * Preview requests in the last `minutes`; 0 when the counter has never existed (`increase` of a
     * missing series is empty, not 0, hence `or vector(0)`). The zero-requests alert fires below 1.
     */
    requestsInLast: (minutes: number) => `sum(increase(${requests()}[${minutes}m])) or vector(0)`,
    /** Preview requests by compression strategy in a window (the beta's usage). */
    requestsByStrategyIn: (window: Window) => `sum by (strategy) (increase(${requests()}[${window}]))`,
    /** Preview requests in a window such as the soak gate's `24h`; empty when the counter has no sample in it. */
    requestsIn: (window: Window) => `sum(increase(${requests()}[${window}]))`,
    /**
     * Preview requests counted after the Unix time `since`, exactly: the counter now less its last
     * sample at `since` (0 for series born later). Not `increase`, which extrapolates to the
     * window's edges: over a run of a few scrape intervals that is a share of the count off either
     * way. A counter reset in between (a restarted pod) counts short, as telemetry lost.
     */
    requestsCountedSince: (since: number) =>
      `sum(${requests()}) - (sum(${requests()} @ ${since.toFixed(3)}) or vector(0))`,
    /**
     * Time Crunch previews computed (every outcome but a fallback) in a window: after a kill, none
     * may be (the rollback check). Empty when the counter has no sample in it.
     */
    previewsComputedIn: (window: Window) =>
      `sum(increase(${metrics.previewRequests}{outcome!="${Outcome.Fallback}"}[${window}]))`,
    /** Fallbacks of one reason in a window (`feature_not_available`: the flag is off for the caller). */
    fallbacksIn: (reason: string, window: Window) =>
      `sum(increase(${metrics.fallbacks}{reason="${reason}"}[${window}]))`,
    /**
     * When the request counter was first sampled within `lookback` before the query time, as a Unix
     * time (the soak's start, as far as the metrics know); empty when it has no sample in `lookback`.
     */
    requestsFirstSeen: (lookback: Window) => `min(min_over_time(timestamp(${requests()})[${lookback}:1m]))`,
  };
}

export type Queries = ReturnType<typeof queries>;

/** A ratio as people read it: 0.1 -> "10%". */
export function formatPercent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
