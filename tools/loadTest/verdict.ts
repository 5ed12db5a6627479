/**
 * The load test's criteria and verdict from what was measured: the client side of the concurrent
 * run, the edge cases, the compression strategies and the server side read from Prometheus. Pure:
 * no HTTP, no clock, no autocannon. Could-not-measure is never a pass: an undefined or NaN value
 * fails its criterion.
 */
import type { SoakGateConfig } from "../../components/config/schema";
import { formatPercent } from "../../components/observability/metrics";
import type { PreviewAnswer } from "../../components/workload/previewContract";

/** What the client saw over the concurrent run. */
export interface ClientMeasure {
  /** Requests that got an answer, a timeout or a connection failure. */
  readonly attempts: number;
  /** Answers received (any status). */
  readonly responses: number;
  /** 2xx with preview data (a strategy). */
  readonly preview: number;
  /** 5xx answers, timeouts and connection failures. */
  readonly errors: number;
  /** Mean and 95th percentile latency of the answers, in seconds (undefined without answers). */
  readonly averageSeconds: number | undefined;
  readonly p95Seconds: number | undefined;
  /** Preview answers by compression strategy. */
  readonly strategies: Readonly<Record<string, number>>;
}

/** One edge case: the targetMinutes asked, what the contract expects and what came back. */
export interface EdgeCaseResult {
  readonly targetMinutes: number;
  readonly expected: PreviewAnswer;
  readonly status: number;
  readonly answer: PreviewAnswer;
}

/** What Prometheus says over exactly the run's window (undefined: no data). */
export interface ServerMeasure {
  readonly successRatio: number | undefined;
  readonly errorRatio: number | undefined;
  readonly averageSeconds: number | undefined;
  readonly p95Seconds: number | undefined;
  /** `sum(increase(requests[run]))`. */
  readonly requests: number | undefined;
}

export type Thresholds = Pick<
  SoakGateConfig,
  "successRate" | "errorRate" | "averageResponseSeconds" | "p95ResponseSeconds"
>;

/** The share of the client's answers the request counter must have seen. */
export const TELEMETRY_MIN_SHARE = 0.9;
/** Distinct strategies the answers must name. */
export const MIN_STRATEGIES = 2;

export const LoadCriterion = {
  EdgeCases: "edge-cases",
  SuccessRate: "success-rate",
  ErrorRate: "error-rate",
  AverageResponse: "average-response-time",
  P95Response: "p95-response-time",
  Strategies: "strategies",
  ServerSuccessRate: "server-success-rate",
  ServerErrorRate: "server-error-rate",
  ServerAverageResponse: "server-average-response-time",
  ServerP95Response: "server-p95-response-time",
  Telemetry: "telemetry",
} as const;
export type LoadCriterion = (typeof LoadCriterion)[keyof typeof LoadCriterion];

export interface CriterionResult {
  readonly key: LoadCriterion;
  readonly side: "client" | "server";
  readonly title: string;
  readonly pass: boolean;
  /** What was measured, as people read it. */
  readonly measured: string;
  /** What it had to be. */
  readonly required: string;
}

export type Verdict = "GO" | "NO-GO" | "INCOMPLETE";

export interface LoadVerdict {
  readonly verdict: Verdict;
  readonly criteria: readonly CriterionResult[];
  /** The keys of the failing criteria, in order. */
  readonly failing: readonly LoadCriterion[];
}

export interface Measurements {
  readonly edgeCases: readonly EdgeCaseResult[];
  readonly client: ClientMeasure;
  /** Undefined when it was not asked (an interrupted run). */
  readonly server: ServerMeasure | undefined;
  readonly thresholds: Thresholds;
  /** Stopped by Ctrl-C: never GO, never NO-GO. */
  readonly interrupted: boolean;
}

const known = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);
const ratio = (value: number | undefined) => (known(value) ? formatPercent(value) : "no data");
const secs = (value: number | undefined) => (known(value) ? `${Math.round(value * 1000) / 1000} s` : "no data");

/** `part / whole`, undefined for no whole. */
export function share(part: number, whole: number): number | undefined {
  return whole > 0 ? part / whole : undefined;
}

/** The mean of `values`, undefined for none. */
export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The nearest-rank percentile `p` (0..1) of `values`, undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1];
}

function above(value: number | undefined, threshold: number): boolean {
  return known(value) && value > threshold;
}
function below(value: number | undefined, threshold: number): boolean {
  return known(value) && value < threshold;
}

/** Every criterion from the measurements, and GO only when all pass (INCOMPLETE when interrupted). */
export function loadVerdict(m: Measurements): LoadVerdict {
  const t = m.thresholds;
  const { client, server } = m;
  const criteria: CriterionResult[] = [];
  const edgeFailures = m.edgeCases.filter((e) => e.answer !== e.expected);
  criteria.push({
    key: LoadCriterion.EdgeCases,
    side: "client",
    title: "Edge cases: min and max answer preview data, min-1 and max+1 answer 4xx",
    pass: m.edgeCases.length > 0 && edgeFailures.length === 0,
    measured:
      m.edgeCases.length === 0
        ? "not asked"
        : m.edgeCases.map((e) => `${e.targetMinutes}: HTTP ${e.status} ${e.answer}`).join("; "),
    required: m.edgeCases.map((e) => `${e.targetMinutes}: ${e.expected}`).join("; "),
  });
  const successRatio = share(client.preview, client.attempts);
  const errorRatio = share(client.errors, client.attempts);
  criteria.push(
    {
      key: LoadCriterion.SuccessRate,
      side: "client",
      title: "Success rate (2xx with preview data)",
      pass: above(successRatio, t.successRate.above),
      measured: `${ratio(successRatio)} of ${client.attempts}`,
      required: `above ${formatPercent(t.successRate.above)}`,
    },
    {
      key: LoadCriterion.ErrorRate,
      side: "client",
      title: "Error rate (5xx, timeouts, connection failures)",
      pass: below(errorRatio, t.errorRate.below),
      measured: `${ratio(errorRatio)} (${client.errors} of ${client.attempts})`,
      required: `below ${formatPercent(t.errorRate.below)}`,
    },
    {
      key: LoadCriterion.AverageResponse,
      side: "client",
      title: "Average response time",
      pass: below(client.averageSeconds, t.averageResponseSeconds.below),
      measured: secs(client.averageSeconds),
      required: `below ${t.averageResponseSeconds.below} s`,
    },
    {
      key: LoadCriterion.P95Response,
      side: "client",
      title: "p95 response time",
      pass: below(client.p95Seconds, t.p95ResponseSeconds.below),
      measured: secs(client.p95Seconds),
      required: `below ${t.p95ResponseSeconds.below} s`,
    },
  );
  const names = Object.keys(client.strategies).sort();
  criteria.push({
    key: LoadCriterion.Strategies,
    side: "client",
    title: "Compression strategies named by the answers",
    pass: names.length >= MIN_STRATEGIES,
    measured: names.length === 0 ? "none" : names.map((n) => `${n} ${client.strategies[n] ?? 0}`).join(", "),
    required: `at least ${MIN_STRATEGIES}`,
  });
  if (server !== undefined) {
    const telemetryShare = known(server.requests) ? share(server.requests, client.responses) : undefined;
    criteria.push(
      {
        key: LoadCriterion.ServerSuccessRate,
        side: "server",
        title: "Server success ratio (Prometheus)",
        pass: above(server.successRatio, t.successRate.above),
        measured: ratio(server.successRatio),
        required: `above ${formatPercent(t.successRate.above)}`,
      },
      {
        key: LoadCriterion.ServerErrorRate,
        side: "server",
        title: "Server error ratio (Prometheus)",
        pass: below(server.errorRatio, t.errorRate.below),
        measured: ratio(server.errorRatio),
        required: `below ${formatPercent(t.errorRate.below)}`,
      },
      {
        key: LoadCriterion.ServerAverageResponse,
        side: "server",
        title: "Server average latency (Prometheus)",
        pass: below(server.averageSeconds, t.averageResponseSeconds.below),
        measured: secs(server.averageSeconds),
        required: `below ${t.averageResponseSeconds.below} s`,
      },
      {
        key: LoadCriterion.ServerP95Response,
        side: "server",
        title: "Server p95 latency (Prometheus)",
        pass: below(server.p95Seconds, t.p95ResponseSeconds.below),
        measured: secs(server.p95Seconds),
        required: `below ${t.p95ResponseSeconds.below} s`,
      },
      {
        key: LoadCriterion.Telemetry,
        side: "server",
        title: "Telemetry: the request counter saw the client's requests",
        pass: known(telemetryShare) && telemetryShare >= TELEMETRY_MIN_SHARE,
        measured: known(server.requests)
          ? `${Math.round(server.requests)} counted of ${client.responses} answered (${ratio(telemetryShare)})`
          : `no data (${client.responses} answered)`,
        required: `at least ${formatPercent(TELEMETRY_MIN_SHARE)}`,
      },
    );
  }
  const failing = criteria.filter((c) => !c.pass).map((c) => c.key);
  const verdict: Verdict = m.interrupted || server === undefined ? "INCOMPLETE" : failing.length === 0 ? "GO" : "NO-GO";
  return { verdict, criteria, failing };
}

/** The exit code of a verdict: 0 GO, 1 NO-GO, 2 INCOMPLETE. */
export function exitCodeOf(verdict: Verdict): 0 | 1 | 2 {
  return verdict === "GO" ? 0 : verdict === "NO-GO" ? 1 : 2;
}
