/**
 * The server side of the load test: the gate's own queries (metrics.ts `queries()`) over exactly
 * the run's window, evaluated at the run's end, once Prometheus has scraped past that end (or a
 * bounded wait of two scrape intervals has passed).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { metricContract, queries } from "../../components/observability/metrics";
import type { PrometheusClient, Series } from "../services/prometheus";
import type { ServerMeasure } from "./verdict";

const valueOf = (series: readonly Series[]): number | undefined => {
  const value = series[0]?.points[0]?.[1];
  return value === undefined || !Number.isFinite(value) ? undefined : value;
};

/** A cheap query that proves Prometheus answers (before the run, so a dead Prometheus costs no load). */
export async function checkPrometheus(client: PrometheusClient, now: number): Promise<void> {
  await client.instant("vector(1)", now);
}

/**
 * Waits until the request counter has a sample at or after `end` (Unix seconds), at most
 * `maxWaitMs`; a counter that is never exported just waits the whole bound.
 */
export async function waitForScrape(
  client: PrometheusClient,
  metricPrefix: string,
  end: number,
  maxWaitMs: number,
  now: () => number,
): Promise<void> {
  const requests = metricContract(metricPrefix).previewRequests;
  const until = now() + maxWaitMs;
  for (;;) {
    const latest = valueOf(await client.instant(`max(timestamp(${requests}))`, now() / 1000));
    if (latest !== undefined && latest >= end) return;
    const left = until - now();
    if (left <= 0) return;
    await sleep(Math.min(500, left));
  }
}

/** The run's window in whole seconds (at least 1): what every query's range selector uses. */
export function windowSeconds(startMs: number, endMs: number): number {
  return Math.max(1, Math.ceil((endMs - startMs) / 1000));
}

/** The gate's measures over `[end - seconds, end]`. */
export async function measureServer(
  client: PrometheusClient,
  metricPrefix: string,
  end: number,
  seconds: number,
): Promise<ServerMeasure> {
  const q = queries(metricContract(metricPrefix));
  const window = `${seconds}s`;
  const [successRatio, errorRatio, averageSeconds, p95Seconds, requests] = await Promise.all(
    [
      q.successRatio(window),
      q.errorRatio(window),
      q.averageLatency(window),
      q.p95Latency(window),
      q.requestsIn(window),
    ].map(async (expr) => valueOf(await client.instant(expr, end))),
  );
  return { successRatio, errorRatio, averageSeconds, p95Seconds, requests };
}
