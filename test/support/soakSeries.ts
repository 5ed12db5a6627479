/**
 * Synthetic soaks as the planning engine would export them (the metric contract), one sample a
 * minute, written as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`. Counts
 * are whole numbers per minute, so every ratio the gate computes is known exactly.
 */
import { metricContract } from "../../components/observability/metrics";

const M = metricContract();

/** Preview requests per minute by outcome (600 in all, unless a soak says otherwise). */
export interface Mix {
  readonly success: number;
  readonly fallback: number;
  readonly error: number;
}

export const HEALTHY_MIX: Mix = { success: 582, fallback: 12, error: 6 }; // 97% / 2% / 1%

/** Latency profiles: [upper bound of the bucket, share, seconds each] per part of the traffic. */
export const Latency = {
  /** average 0.344 s, p95 0.81 s */
  Healthy: [
    [0.25, 0.6, 0.2],
    [0.5, 0.3, 0.4],
    [1, 0.08, 0.8],
    [2.5, 0.02, 2],
  ],
  /** average 2.6 s (above 2 s), p95 4.875 s (below 5 s) */
  SlowAverage: [[5, 1, 2.6]],
  /** average 0.762 s, p95 5.83 s (a long tail above 5 s) */
  LongTail: [
    [0.5, 0.94, 0.3],
    [10, 0.06, 8],
  ],
} as const satisfies Record<string, readonly (readonly [number, number, number])[]>;

const BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, Infinity];

/** A span of minutes (from the soak's start) with a different traffic mix. */
export interface Episode {
  readonly fromMinute: number;
  readonly minutes: number;
  readonly mix: Mix;
}

export interface Soak {
  /** Unix seconds of the first sample. */
  readonly start: number;
  readonly minutes: number;
  readonly mix?: Mix;
  readonly latency?: readonly (readonly [number, number, number])[];
  /** Share of compressed plans that met the time budget (default 0.9). */
  readonly metShare?: number;
  readonly episodes?: readonly Episode[];
}

/** No request at all: counters stay flat (the engine is scraped, nobody calls it). */
export const NO_TRAFFIC: Mix = { success: 0, fallback: 0, error: 0 };

/** The end of a soak: the time of its last sample. */
export const endOf = (soak: Soak) => soak.start + soak.minutes * 60;

type Increments = Map<string, number>;

function minuteIncrements(soak: Soak, minute: number): Increments {
  const mix =
    soak.episodes?.find((e) => minute >= e.fromMinute && minute < e.fromMinute + e.minutes)?.mix ??
    soak.mix ??
    HEALTHY_MIX;
  const total = mix.success + mix.fallback + mix.error;
  const series: Increments = new Map();
  const add = (key: string, value: number) => series.set(key, (series.get(key) ?? 0) + value);
  const request = (outcome: string, strategy: string) =>
    `${M.previewRequests}{outcome="${outcome}",strategy="${strategy}"}`;
  add(request("success", "drop_accessories"), (mix.success * 2) / 3);
  add(request("success", "shorten_rest"), mix.success / 3);
  add(request("fallback", "none"), mix.fallback);
  add(request("error", "drop_accessories"), mix.error);
  add(`${M.fallbacks}{reason="feature_not_available"}`, (mix.fallback * 2) / 3);
  add(`${M.fallbacks}{reason="internal_error"}`, mix.fallback / 3);
  const plans = mix.success;
  const met = soak.metShare ?? 0.9;
  add(`${M.timeConstraint}{result="met"}`, plans * met);
  add(`${M.timeConstraint}{result="missed"}`, plans * (1 - met));
  const profile = soak.latency ?? Latency.Healthy;
  for (const le of BUCKETS) {
    const below = profile.filter(([bound]) => bound <= le).reduce((sum, [, share]) => sum + share, 0);
    add(`${M.previewDuration}_bucket{le="${le === Infinity ? "+Inf" : le}"}`, total * below);
  }
  add(
    `${M.previewDuration}_sum`,
    profile.reduce((sum, [, share, seconds]) => sum + total * share * seconds, 0),
  );
  add(`${M.previewDuration}_count`, total);
  return series;
}

const FAMILIES: readonly [name: string, type: string, prefix: string][] = [
  [M.previewRequests.replace(/_total$/, ""), "counter", M.previewRequests],
  [M.fallbacks.replace(/_total$/, ""), "counter", M.fallbacks],
  [M.timeConstraint.replace(/_total$/, ""), "counter", M.timeConstraint],
  [M.previewDuration, "histogram", M.previewDuration],
];

/**
 * A soak as OpenMetrics text: each series' samples in time order, counters starting at 0, one
 * sample every `intervalMinutes` (the scrape interval).
 */
export function openMetrics(soak: Soak, intervalMinutes = 1): string {
  const samples = new Map<string, string[]>();
  const totals = new Map<string, number>();
  for (let minute = 0; minute <= soak.minutes; minute++) {
    // The sample at minute m counts the requests of the minutes before it; minute 0 counts none.
    for (const [key, value] of minuteIncrements(soak, Math.max(minute - 1, 0))) {
      const total = minute === 0 ? 0 : (totals.get(key) ?? 0) + value;
      totals.set(key, total);
      if (minute % intervalMinutes !== 0) continue;
      const lines = samples.get(key) ?? [];
      lines.push(`${key} ${Number(total.toFixed(6))} ${soak.start + minute * 60}`);
      samples.set(key, lines);
    }
  }
  const out: string[] = [];
  for (const [family, type, prefix] of FAMILIES) {
    out.push(`# TYPE ${family} ${type}`);
    for (const [key, lines] of samples) if (key.startsWith(prefix)) out.push(...lines);
  }
  out.push("# EOF", "");
  return out.join("\n");
}

/**
 * The engine's other endpoints as OpenTelemetry's HTTP server histogram names them in Prometheus
 * (`http_server_request_duration_seconds`, labels `http_route` and `http_response_status_code`):
 * what the regression criterion compares. A separate document (its own blocks), so it can start
 * before a soak (the baseline) without moving the preview counters' first sample.
 */
export type HttpLatency = readonly (readonly [bound: number, share: number])[];

export const HttpLatency = {
  /** p95 0.175 s (histogram_quantile: 0.1 + (0.95 - 0.9) / 0.1 × 0.15) */
  Healthy: [
    [0.1, 0.9],
    [0.25, 0.1],
  ],
  /** p95 0.2275 s: 30% slower than Healthy (0.1 + (0.95 - 2/3) / (1/3) × 0.15) */
  Slower30: [
    [0.1, 2 / 3],
    [0.25, 1 / 3],
  ],
} as const satisfies Record<string, HttpLatency>;

export interface RouteTraffic {
  readonly route: string;
  /** Requests per minute. */
  readonly perMinute: number;
  /** Share answered with a 500. */
  readonly errorShare: number;
  readonly latency: HttpLatency;
}

export const OTHER_ROUTES: readonly RouteTraffic[] = [
  { route: "/v1/plans", perMinute: 120, errorShare: 0.01, latency: HttpLatency.Healthy },
  { route: "/v1/athletes", perMinute: 60, errorShare: 0.01, latency: HttpLatency.Healthy },
];

/** A stretch of other-route traffic; `phases` change the routes from a minute on (e.g. a rung's start). */
export interface HttpTraffic {
  readonly start: number;
  readonly minutes: number;
  readonly routes: readonly RouteTraffic[];
  readonly phases?: readonly { readonly fromMinute: number; readonly routes: readonly RouteTraffic[] }[];
}

const HTTP_METRIC = "http_server_request_duration_seconds";
const HTTP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, Infinity];

/** Other-route traffic as OpenMetrics text, one sample every `intervalMinutes`. */
export function httpServerMetrics(traffic: HttpTraffic, intervalMinutes = 1): string {
  const totals = new Map<string, number>();
  const samples = new Map<string, string[]>();
  const routesAt = (minute: number) =>
    [...(traffic.phases ?? [])].reverse().find((p) => minute >= p.fromMinute)?.routes ?? traffic.routes;
  for (let minute = 0; minute <= traffic.minutes; minute++) {
    const increments = new Map<string, number>();
    const add = (key: string, value: number) => increments.set(key, (increments.get(key) ?? 0) + value);
    for (const r of routesAt(Math.max(minute - 1, 0))) {
      for (const [code, share] of [
        ["200", 1 - r.errorShare],
        ["500", r.errorShare],
      ] as const) {
        const n = r.perMinute * share;
        const labels = `http_route="${r.route}",http_response_status_code="${code}"`;
        for (const le of HTTP_BUCKETS) {
          const below = r.latency.filter(([bound]) => bound <= le).reduce((sum, [, s]) => sum + s, 0);
          add(`${HTTP_METRIC}_bucket{${labels},le="${le === Infinity ? "+Inf" : le}"}`, n * below);
        }
        add(
          `${HTTP_METRIC}_sum{${labels}}`,
          r.latency.reduce((sum, [bound, s]) => sum + n * s * bound * 0.8, 0),
        );
        add(`${HTTP_METRIC}_count{${labels}}`, n);
      }
    }
    for (const [key, value] of increments) {
      const total = minute === 0 ? 0 : (totals.get(key) ?? 0) + value;
      totals.set(key, total);
      if (minute % intervalMinutes !== 0) continue;
      const lines = samples.get(key) ?? [];
      lines.push(`${key} ${Number(total.toFixed(6))} ${traffic.start + minute * 60}`);
      samples.set(key, lines);
    }
  }
  return [`# TYPE ${HTTP_METRIC} histogram`, ...[...samples.values()].flat(), "# EOF", ""].join("\n");
}
