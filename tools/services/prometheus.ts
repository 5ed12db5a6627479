/**
 * A small client of the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`) for the soak
 * gate. Every request has a timeout, connection errors and 5xx answers are retried a bounded number
 * of times, and the whole run shares one deadline. Anything that keeps it from getting an answer
 * is a {@link PrometheusUnavailable}: the gate's exit 2, never a verdict.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Unreachable, UsageError } from "../cli/runner";
import { z } from "zod";
import type { Point } from "../../components/soak/alertReplay";

/** How to authenticate: a bearer token, or basic auth. Never printed. */
export type PrometheusAuth =
  { readonly bearerToken: string } | { readonly username: string; readonly password: string } | undefined;

/**
 * The credentials in PROMETHEUS_BEARER_TOKEN, or PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD (the
 * gate's and verify's); none when neither is set. Both at once is a usage error.
 */
export function auth(env: NodeJS.ProcessEnv): PrometheusAuth {
  const { PROMETHEUS_BEARER_TOKEN: token, PROMETHEUS_USERNAME: username, PROMETHEUS_PASSWORD: password } = env;
  if (token && username) throw new UsageError("set PROMETHEUS_BEARER_TOKEN or PROMETHEUS_USERNAME, not both");
  if (token) return { bearerToken: token };
  if (username) return { username, password: password ?? "" };
  return undefined;
}

export interface PrometheusClientOptions {
  readonly url: string;
  readonly auth: PrometheusAuth;
  /** Per request (each attempt), in milliseconds; also sent to Prometheus as the query's `timeout`. */
  readonly queryTimeoutMs: number;
  /** Aborts every request and wait when the run's time is up. */
  readonly deadline: AbortSignal;
  /** Attempts per query for connection errors and 5xx answers (default 3). */
  readonly attempts?: number;
  /** Wait before the first retry, doubled for each further one (default 500 ms). */
  readonly retryDelayMs?: number;
}

/** Prometheus could not be asked, did not answer in time, or answered with an error. */
export class PrometheusUnavailable extends Unreachable {
  override readonly name = "PrometheusUnavailable";
}

/** One series of an answer: its labels and its samples. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly Point[];
}

// Sample values are strings: "NaN" for 0/0, "+Inf" for an unbounded quantile.
const SampleValue = z.tuple([z.number(), z.string()]);
const Answer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({
        resultType: z.literal("vector"),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: SampleValue })),
      }),
      z.object({
        resultType: z.literal("matrix"),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(SampleValue) })),
      }),
      z.object({ resultType: z.literal("scalar"), result: SampleValue }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string(), error: z.string() }),
]);

const point = ([time, value]: z.infer<typeof SampleValue>): Point => [time, Number(value)];

export class PrometheusClient {
  /** Every query sent, in order (each once, however many attempts it took). */
  readonly queries: string[] = [];
  private readonly base: URL;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: PrometheusClientOptions) {
    const { url, headers } = connection(options.url, options.auth);
    this.base = url;
    this.headers = headers;
  }

  /** Where Prometheus is, for messages: without credentials, query or fragment. */
  get where(): string {
    return displayUrl(this.base);
  }

  /** An instant query at `time` (Unix seconds). */
  async instant(query: string, time: number): Promise<Series[]> {
    const data = await this.ask("query", { query, time: String(time) });
    if (data.resultType === "matrix") throw this.unexpected(query, "a range answer to an instant query");
    if (data.resultType === "scalar") return [{ labels: {}, points: [point(data.result)] }];
    return data.result.map((r) => ({ labels: r.metric, points: [point(r.value)] }));
  }

  /** A range query from `start` to `end` every `step` seconds. */
  async range(query: string, start: number, end: number, step: number): Promise<Series[]> {
    const data = await this.ask("query_range", {
      query,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    if (data.resultType !== "matrix") throw this.unexpected(query, `a ${data.resultType} answer to a range query`);
    return data.result.map((r) => ({ labels: r.metric, points: r.values.map(point) }));
  }

  private unexpected(query: string, what: string): PrometheusUnavailable {
    return new PrometheusUnavailable(`Prometheus at ${this.where} gave ${what}: ${query}`);
  }

  private async ask(endpoint: "query" | "query_range", params: Record<string, string>) {
    this.queries.push(params.query ?? "");
    const { queryTimeoutMs, deadline, attempts = 3, retryDelayMs = 500 } = this.options;
    const body = new URLSearchParams({ ...params, timeout: `${queryTimeoutMs / 1000}s` });
    const url = new URL(`api/v1/${endpoint}`, this.base);
    let failure = "";
    let refused = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await this.pause((refused ? REFUSED_RETRY_DELAY_MS : retryDelayMs) * 2 ** (attempt - 2));
      const timeout = AbortSignal.timeout(queryTimeoutMs);
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { ...this.headers, "content-type": "application/x-www-form-urlencoded" },
          body,
          signal: AbortSignal.any([deadline, timeout]),
        });
        const text = await response.text();
        if (response.status >= 500) {
          refused = false;
          failure = `answered HTTP ${response.status}${errorOf(text)}`;
          continue;
        }
        const answer = parseAnswer(text);
        if (answer === undefined) {
          throw new PrometheusUnavailable(
            `Prometheus at ${this.where} answered HTTP ${response.status} with something other than Prometheus API JSON (is the URL right?)`,
          );
        }
        if (answer.status === "error") {
          throw new PrometheusUnavailable(
            `Prometheus at ${this.where} rejected a query (HTTP ${response.status}, ${answer.errorType}: ${answer.error}): ${params.query ?? ""}`,
          );
        }
        return answer.data;
      } catch (error) {
        if (error instanceof PrometheusUnavailable) throw error;
        if (deadline.aborted) throw this.outOfTime();
        if (timeout.aborted) {
          // A server that accepts and then says nothing would do it again: no retry.
          throw new PrometheusUnavailable(
            `Prometheus at ${this.where} did not answer within ${queryTimeoutMs / 1000} s (--query-timeout)`,
          );
        }
        const code = connectionError(error);
        refused = code === "ECONNREFUSED";
        failure = `cannot be reached (${code})`;
      }
    }
    throw new PrometheusUnavailable(
      `Prometheus at ${this.where} ${failure}, ${attempts} attempt${attempts === 1 ? "" : "s"}`,
    );
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.options.deadline });
    } catch {
      throw this.outOfTime();
    }
  }

  private outOfTime(): PrometheusUnavailable {
    return new PrometheusUnavailable(`Prometheus at ${this.where}: no answer before the run's deadline (--deadline)`);
  }
}

function parseAnswer(text: string): z.infer<typeof Answer> | undefined {
  try {
    const parsed = Answer.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function errorOf(text: string): string {
  const answer = parseAnswer(text);
  return answer?.status === "error" ? ` (${answer.errorType}: ${answer.error})` : "";
}

/** What a failed fetch says about the connection: the system's error code (ECONNREFUSED, …) or its message. */
export function connectionError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The first wait before retrying a refused connection (doubled after): nothing listens on the
 * port, which a server's restart mends within a moment or not within a gate run at all, so the
 * gate gives up on a dead Prometheus in well under a second (the bound is in docs/soak-gate.md).
 * An overloaded server (5xx) or a dropped connection gets the slower `retryDelayMs`.
 */
const REFUSED_RETRY_DELAY_MS = 100;

/**
 * The API base URL and the auth headers. Credentials written into the URL (`https://user:pass@…`)
 * become basic auth: fetch refuses URLs with credentials, and messages must not show them.
 */
function connection(raw: string, auth: PrometheusAuth): { url: URL; headers: Record<string, string> } {
  const url = new URL(raw);
  const inUrl =
    url.username !== ""
      ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
      : undefined;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  const chosen = auth ?? inUrl;
  const headers: Record<string, string> = { accept: "application/json" };
  if (chosen && "bearerToken" in chosen) headers.authorization = `Bearer ${chosen.bearerToken}`;
  if (chosen && "username" in chosen) {
    headers.authorization = `Basic ${Buffer.from(`${chosen.username}:${chosen.password}`).toString("base64")}`;
  }
  return { url, headers };
}

/** A URL as messages show it: scheme, host and path only. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, "")}`;
}
