/**
 * The server side of the load test: the gate's own queries (metrics.ts `queries()`) over the
 * run's window, evaluated once Prometheus has scraped past the run's end (or a bounded wait of two
 * scrape intervals has passed).
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

/** How the wait for Prometheus' first scrape after the run went. */
export interface ScrapeWait {
  /** Unix seconds of the counter's first sample at or after the run's end; undefined if none came in the bound. */
  readonly scrapedAt: number | undefined;
  readonly waitedSeconds: number;
}

/**
 * Waits until the request counter has a sample at or after `end` (Unix seconds), at most
 * `maxWaitMs`: the last requests are counted only by a scrape after them. A counter that is
 * never exported just waits the whole bound.
 */
export async function waitForScrape(
  client: PrometheusClient,
  metricPrefix: string,
  end: number,
  maxWaitMs: number,
  now: () => number,
): Promise<ScrapeWait> {
  const requests = metricContract(metricPrefix).previewRequests;
  const began = now();
  const until = began + maxWaitMs;
  for (;;) {
    const latest = valueOf(await client.instant(`max(timestamp(${requests}))`, now() / 1000));
    if (latest !== undefined && latest >= end) return { scrapedAt: latest, waitedSeconds: (now() - began) / 1000 };
    const left = until - now();
    if (left <= 0) return { scrapedAt: undefined, waitedSeconds: (now() - began) / 1000 };
    await sleep(Math.min(250, left));
  }
}

/** The run's window in whole seconds (at least 1): what every query's range selector uses. */
function windowSeconds(startMs: number, endMs: number): number {
  return Math.max(1, Math.ceil((endMs - startMs) / 1000));
}

/**
 * The gate's measures over the run, evaluated at `at` (the first scrape after the run's end, so
 * the last requests are in): the ratios and latencies over `[at - window, at]` with the window
 * from the run's start, the request count exactly from the run's start.
 */
export async function measureServer(
  client: PrometheusClient,
  metricPrefix: string,
  start: number,
  at: number,
): Promise<ServerMeasure> {
  const q = queries(metricContract(metricPrefix));
  const window = `${windowSeconds(start * 1000, at * 1000)}s`;
  const [successRatio, errorRatio, averageSeconds, p95Seconds, requests] = await Promise.all(
    [
      q.successRatio(window),
      q.errorRatio(window),
      q.averageLatency(window),
      q.p95Latency(window),
      q.requestsCountedSince(start),
    ].map(async (expr) => valueOf(await client.instant(expr, at))),
  );
  return { successRatio, errorRatio, averageSeconds, p95Seconds, requests };
}
