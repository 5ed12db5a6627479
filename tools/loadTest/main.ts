/**
 * `npm run load-test`: the checklist's concurrent request test (hours 2 to 8) against the preview
 * endpoint, judged from both sides: what the client saw (autocannon) and what Prometheus counted
 * over exactly the run's window. A tool of the one runner (`tools/cli/runner.ts`).
 */
import { resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { parsedConfigOf, type ParsedConfig } from "../../components/config/schema";
import { readStackConfig, stackFilePath } from "../../components/config/stackFile";
import { durationSeconds } from "../../components/observability/metrics";
import {
  formatOf,
  httpUrl,
  toolMain,
  urlFlagOrEnv,
  UsageError,
  type Format,
  type ToolIO,
  writeResult,
} from "../cli/runner";
import { auth, PrometheusClient, type PrometheusAuth } from "../services/prometheus";
import {
  askEdgeCases,
  displayUrl,
  EDGE_TIMEOUT_MS,
  REQUEST_CAP,
  REQUEST_TIMEOUT_SECONDS,
  startLoad,
  type LoadRecord,
  type Target,
} from "./load";
import { latencyChart, renderMarkdown, renderText, reportJson, writeReport, type LoadRun } from "./report";
import { checkPrometheus, measureServer, waitForScrape, type ScrapeWait } from "./server";
import { exitCodeOf, loadVerdict, mean, percentile, type ClientMeasure, type ServerMeasure } from "./verdict";

export const HELP = `Usage: npm run load-test -- --stack NAME --preview-url URL --prometheus-url URL [options]

The checklist's concurrent request test (hours 2-8) against the Time Crunch
preview endpoint, then GO or NO-GO:
  1. edge cases: targetMinutes at the stack's min and max answer preview data;
     min-1 and max+1 answer 4xx (never 5xx, never preview data). These four,
     asked together, are the reachability check (${EDGE_TIMEOUT_MS / 1000} s timeout);
  2. the concurrent run: N requests in flight for the duration, targetMinutes
     spread over [min, max], at most ${REQUEST_CAP.toLocaleString("en-US")} requests (the run ends at
     the duration or the cap, whichever comes first; ${REQUEST_TIMEOUT_SECONDS} s per request);
  3. the verdict: client side success (2xx with preview data) above, errors
     (5xx, timeouts, connection failures) below, average and p95 latency below
     the stack's soakGate thresholds; the edge cases; at least two compression
     strategies named; server side the gate's success ratio, error ratio,
     average and p95 latency over exactly the run's window from Prometheus; and
     the request counter saw at least 90% of the answered requests (telemetry).

  --stack NAME            Pulumi.NAME.yaml: previewEndpoint, loadTest, soakGate,
                          grafana.metricPrefix
  --preview-url URL       the preview endpoint (POST), e.g.
                          http://localhost:8080/api/time-crunch/preview
  --prometheus-url URL    Prometheus' base URL (or PROMETHEUS_URL)
  --duration DURATION     e.g. 20s or 10m (default: the stack's loadTest.duration)
  --concurrency N         requests in flight (default: loadTest.concurrency)
  --rate N                at most N requests a second in all (default: as fast
                          as the endpoint answers), to load a shared endpoint
                          gently
  --scrape-interval DUR   Prometheus' scrape interval (default 15s): after the
                          run the tool waits at most two of them for the last
                          scrape before asking
  --format FORMAT         stdout: text (default), markdown or json
  --report DIR            write DIR/report.md, DIR/report.json and
                          DIR/charts/latency.svg
  --help                  this text

PREVIEW_TOKEN, when set, is sent as "Authorization: Bearer". Prometheus
credentials: PROMETHEUS_BEARER_TOKEN, or PROMETHEUS_USERNAME and
PROMETHEUS_PASSWORD. Credentials are never printed.

Progress goes to stderr when it is a terminal. Ctrl-C during the run stops the
load within 2 s, writes the partial report and exits 2 (INCOMPLETE).

Exit codes: 0 GO; 1 NO-GO (the failing criteria are named); 2 bad usage or
config, the endpoint or Prometheus unreachable, or interrupted (INCOMPLETE).`;

const FLAGS = {
  stack: { type: "string" },
  "preview-url": { type: "string" },
  "prometheus-url": { type: "string" },
  duration: { type: "string" },
  concurrency: { type: "string" },
  rate: { type: "string" },
  "scrape-interval": { type: "string" },
  format: { type: "string", default: "text" },
  report: { type: "string" },
} satisfies ParseArgsOptionsConfig;

type Values = { readonly [K in keyof typeof FLAGS]?: string };

/** Per Prometheus request, and for all the queries after the run. */
const QUERY_TIMEOUT_SECONDS = 30;
const QUERY_DEADLINE_SECONDS = 60;

interface Options {
  readonly stack: string;
  readonly config: ParsedConfig;
  readonly target: Target;
  readonly prometheusUrl: string;
  readonly auth: PrometheusAuth;
  readonly durationSeconds: number;
  readonly concurrency: number;
  readonly ratePerSecond: number | undefined;
  readonly scrapeIntervalSeconds: number;
  readonly format: Format;
  readonly report: string | undefined;
}

/** A required URL flag: given, and http or https. */
function requiredUrl(what: string, value: string | undefined, shown: boolean): string {
  if (value === undefined || value === "") throw new UsageError(`give ${what} (see --help)`);
  return httpUrl(what, value, shown);
}

function positiveSeconds(flag: string, value: string, max: number): number {
  const parsed = durationSeconds(value);
  if (parsed === undefined || parsed <= 0 || parsed > max) {
    throw new UsageError(`--${flag} ${value}: allowed: a duration such as 20s or 10m, at most ${max} s`);
  }
  return parsed;
}

function wholeNumber(flag: string, value: string, max: number): number {
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || parsed < 1 || parsed > max) {
    throw new UsageError(`--${flag} ${value}: allowed: a whole number from 1 to ${max.toLocaleString("en-US")}`);
  }
  return parsed;
}

function options(values: Values, env: NodeJS.ProcessEnv): Options {
  const format = formatOf(values.format);
  if (values.stack === undefined) throw new UsageError("give --stack NAME (see --help)");
  const file = stackFilePath(values.stack);
  const config = parsedConfigOf(readStackConfig(file, values.stack));
  const previewUrl = requiredUrl("--preview-url URL", values["preview-url"], true);
  // The Prometheus URL may carry credentials: never shown whole.
  const prometheusUrl = urlFlagOrEnv("prometheus-url", values["prometheus-url"], "PROMETHEUS_URL", env);
  if (prometheusUrl === undefined) throw new UsageError("give --prometheus-url URL or PROMETHEUS_URL (see --help)");
  const duration =
    values.duration === undefined
      ? (durationSeconds(config.loadTest.duration) ?? 600)
      : positiveSeconds("duration", values.duration, 7200);
  const concurrency =
    values.concurrency === undefined
      ? config.loadTest.concurrency
      : wholeNumber("concurrency", values.concurrency, 256);
  return {
    stack: values.stack,
    config,
    target: { url: previewUrl, token: env.PREVIEW_TOKEN || undefined, endpoint: config.previewEndpoint },
    prometheusUrl,
    auth: auth(env),
    durationSeconds: duration,
    concurrency,
    ratePerSecond: values.rate === undefined ? undefined : wholeNumber("rate", values.rate, 100_000),
    scrapeIntervalSeconds:
      values["scrape-interval"] === undefined ? 15 : positiveSeconds("scrape-interval", values["scrape-interval"], 300),
    format,
    report: values.report === undefined ? undefined : resolve(values.report),
  };
}

function prometheusClient(opts: Options): PrometheusClient {
  return new PrometheusClient({
    url: opts.prometheusUrl,
    auth: opts.auth,
    queryTimeoutMs: QUERY_TIMEOUT_SECONDS * 1000,
    deadline: AbortSignal.timeout(QUERY_DEADLINE_SECONDS * 1000),
  });
}

/** The client side's measures from the record. */
export function clientMeasure(record: LoadRecord): ClientMeasure {
  const latencies = record.latencyMs.map((ms) => ms / 1000);
  return {
    attempts: record.latencyMs.length + record.timeouts + record.connectionErrors,
    responses: record.latencyMs.length,
    preview: record.answers.get("preview") ?? 0,
    errors: record.errors5xx + record.timeouts + record.connectionErrors,
    averageSeconds: mean(latencies),
    p95Seconds: percentile(latencies, 0.95),
    strategies: Object.fromEntries(record.strategies),
  };
}

/** Runs the load, with the progress line and Ctrl-C; resolves when it has stopped. */
async function runLoad(opts: Options, io: ToolIO): Promise<LoadRecord> {
  const now = io.now ?? Date.now;
  const running = startLoad(opts.target, {
    connections: opts.concurrency,
    ratePerSecond: opts.ratePerSecond,
    durationSeconds: opts.durationSeconds,
    now,
  });
  const interrupt = () => {
    io.stderr.write("\nload-test: interrupted: stopping the load\n");
    running.stop();
  };
  process.once("SIGINT", interrupt);
  const progress = io.stderr.isTTY
    ? setInterval(() => {
        const r = running.record;
        const elapsed = (now() - r.startedAt) / 1000;
        const left = Math.max(0, Math.ceil(opts.durationSeconds - elapsed));
        const rate = elapsed > 0 ? Math.round(r.latencyMs.length / elapsed) : 0;
        io.stderr.write(
          `\rload-test: ${r.latencyMs.length} requests, ${rate}/s, ${r.errors5xx} errors, ${left} s left   `,
        );
      }, 250)
    : undefined;
  try {
    return await running.done;
  } finally {
    process.removeListener("SIGINT", interrupt);
    if (progress !== undefined) {
      clearInterval(progress);
      io.stderr.write("\n");
    }
  }
}

async function loadTest(opts: Options, io: ToolIO): Promise<number> {
  const now = io.now ?? Date.now;
  const prefix = opts.config.grafana.metricPrefix;
  const edgeCases = await askEdgeCases(opts.target);
  const before = prometheusClient(opts);
  await checkPrometheus(before, now() / 1000);

  const record = await runLoad(opts, io);
  const end = record.endedAt / 1000;
  let server: ServerMeasure | undefined;
  let scrape: ScrapeWait | undefined;
  const after = prometheusClient(opts);
  if (!record.interrupted) {
    scrape = await waitForScrape(after, prefix, end, 2 * opts.scrapeIntervalSeconds * 1000, now);
    server = await measureServer(after, prefix, record.startedAt / 1000, scrape.scrapedAt ?? end);
  }
  const thresholds = opts.config.soakGate;
  const verdict = loadVerdict({
    edgeCases,
    client: clientMeasure(record),
    server,
    thresholds,
    interrupted: record.interrupted,
  });
  const run: LoadRun = {
    stack: opts.stack,
    previewUrl: displayUrl(opts.target.url),
    prometheus: after.where,
    concurrency: opts.concurrency,
    durationSeconds: opts.durationSeconds,
    start: record.startedAt / 1000,
    end,
    sent: record.sent,
    responses: record.latencyMs.length,
    statuses: Object.fromEntries([...record.statuses].map(([s, n]) => [String(s), n])),
    answers: Object.fromEntries(record.answers),
    strategies: Object.fromEntries(record.strategies),
    edgeCases,
    server,
    scrape,
    thresholds: {
      successRate: thresholds.successRate,
      errorRate: thresholds.errorRate,
      averageResponseSeconds: thresholds.averageResponseSeconds,
      p95ResponseSeconds: thresholds.p95ResponseSeconds,
    },
    verdict,
  };
  writeResult(io, opts.format, run, { text: renderText, markdown: renderMarkdown, json: reportJson });
  if (opts.report !== undefined) {
    await writeReport(opts.report, run, latencyChart(run, record.atMs, record.latencyMs));
  }
  return exitCodeOf(verdict.verdict);
}

/** Runs the load test; returns the exit code. Never throws for a user's mistake or an unreachable dependency. */
export const main = toolMain({
  name: "load-test",
  messagePrefix: "load-test: ",
  help: HELP,
  flags: FLAGS,
  run: async ({ values }, env, io) => {
    const opts = options(values, env);
    // Edge cases, the run (and its last requests' timeout), the wait for the scrape, the queries, the report.
    io.onBound?.(
      EDGE_TIMEOUT_MS / 1000 +
        QUERY_DEADLINE_SECONDS +
        opts.durationSeconds +
        REQUEST_TIMEOUT_SECONDS +
        2 * opts.scrapeIntervalSeconds +
        QUERY_DEADLINE_SECONDS +
        15,
    );
    return loadTest(opts, io);
  },
});
