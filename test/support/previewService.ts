/**
 * A stand-in for the planning engine's preview endpoint, on a loopback port: it follows the
 * preview endpoint contract (components/workload/previewContract.ts) and exports the metric
 * contract with prom-client on `/metrics` (what a real Prometheus scrapes), with faults the tests
 * switch on. Never a verdict of its own: the tools judge what it answers and what it exports.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Histogram, Registry } from "prom-client";
import { metricContract } from "../../components/observability/metrics";
import { FEATURE_NOT_AVAILABLE } from "../../components/workload/previewContract";

export interface PreviewFaults {
  /** Share of preview requests answered 500 (deterministic: every n-th request). */
  readonly errorShare?: number;
  /** Added to every answer's latency, in milliseconds. */
  readonly addedLatencyMs?: number;
  /** Every answer names this one strategy. */
  readonly oneStrategy?: string;
  /** An out-of-range targetMinutes is answered with this status instead of 400. */
  readonly outOfRangeStatus?: number;
  /** No metrics are exported (`/metrics` answers an empty registry). */
  readonly noMetrics?: boolean;
  /** The flag is off: every caller gets `feature_not_available`. */
  readonly flagOff?: boolean;
}

export interface PreviewService {
  /** The preview endpoint's URL (`http://127.0.0.1:PORT/api/time-crunch/preview`). */
  readonly url: string;
  /** `host:port`, for Prometheus' scrape config. */
  readonly target: string;
  /** Every request received, in order: its path, headers and parsed body. */
  readonly requests: { path: string; authorization: string | undefined; body: unknown }[];
  stop(): Promise<void>;
}

const STRATEGIES = ["compress_intervals", "drop_accessories", "shorten_warmup"];
export const PREVIEW_PATH = "/api/time-crunch/preview";

async function bodyOf(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** Starts the stand-in; `range` is the targetMinutes it accepts (the engine's). */
export async function startPreviewService(
  faults: PreviewFaults = {},
  range: { min: number; max: number } = { min: 10, max: 240 },
): Promise<PreviewService> {
  const names = metricContract();
  const registry = new Registry();
  const requestsTotal = new Counter({
    name: names.previewRequests,
    help: "Time Crunch preview requests",
    labelNames: ["outcome", "strategy"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: names.previewDuration,
    help: "Time Crunch preview latency",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const constraint = new Counter({
    name: names.timeConstraint,
    help: "Compressed plans within the athlete's time budget",
    labelNames: ["result"],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: names.fallbacks,
    help: "Time Crunch fallbacks",
    labelNames: ["reason"],
    registers: [registry],
  });
  const requests: PreviewService["requests"] = [];
  let count = 0;

  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      if (request.method === "GET" && path === "/metrics") {
        response.writeHead(200, { "content-type": registry.contentType });
        response.end(faults.noMetrics ? "" : await registry.metrics());
        return;
      }
      const body = await bodyOf(request);
      requests.push({ path, authorization: request.headers.authorization, body });
      const answer = (status: number, json: unknown) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(json));
      };
      if (request.method !== "POST" || path !== PREVIEW_PATH) {
        answer(404, { error: "not found" });
        return;
      }
      const started = process.hrtime.bigint();
      if (faults.addedLatencyMs) await new Promise((done) => setTimeout(done, faults.addedLatencyMs));
      const observe = () => {
        duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      };
      const index = count++;
      if (faults.flagOff) {
        fallbacks.inc({ reason: FEATURE_NOT_AVAILABLE });
        requestsTotal.inc({ outcome: "fallback", strategy: "none" });
        observe();
        answer(200, { reason: FEATURE_NOT_AVAILABLE });
        return;
      }
      const minutes = (body as { targetMinutes?: unknown } | undefined)?.targetMinutes;
      if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < range.min || minutes > range.max) {
        answer(faults.outOfRangeStatus ?? 400, { error: `targetMinutes must be ${range.min}..${range.max}` });
        return;
      }
      const strategy = faults.oneStrategy ?? STRATEGIES[index % STRATEGIES.length]!;
      const share = faults.errorShare ?? 0;
      if (share > 0 && Math.floor((index + 1) * share) > Math.floor(index * share)) {
        requestsTotal.inc({ outcome: "error", strategy });
        fallbacks.inc({ reason: "internal_error" });
        observe();
        answer(500, { error: "internal error" });
        return;
      }
      requestsTotal.inc({ outcome: "success", strategy });
      constraint.inc({ result: index % 10 === 0 ? "missed" : "met" });
      observe();
      answer(200, { strategy, targetMinutes: minutes, sessions: [] });
    })();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREVIEW_PATH}`,
    target: `127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => {
          done();
        });
      }),
  };
}
