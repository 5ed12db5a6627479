/**
 * The HTTP side of the load test: the edge-case requests (plain fetch, short timeout: they are
 * the reachability check) and the concurrent run (autocannon 9, programmatically: each
 * request's body from `setupRequest`, each answer's status and body from `onResponse`, each
 * answer's latency from the client's `response` event).
 */
import { displayUrl as urlForMessages } from "../services/prometheus";
import { createRequire } from "node:module";
import type { PreviewEndpointConfig } from "../../components/config/schema";
import {
  edgeCases,
  judgeAnswer,
  PreviewAnswer,
  previewRequestBody,
  spreadTargetMinutes,
} from "../../components/workload/previewContract";
import { Unreachable } from "../cli/runner";
import type { EdgeCaseResult } from "./verdict";

/** The most requests one run sends, whatever its duration. */
export const REQUEST_CAP = 1_000_000;
/** Per request of the concurrent run before it counts as a timeout, in seconds. */
export const REQUEST_TIMEOUT_SECONDS = 10;
/** Per edge-case request, in milliseconds (they decide reachability). */
export const EDGE_TIMEOUT_MS = 10_000;

// autocannon 9 ships no types: the part of its API used here.
interface AutocannonClient {
  on(event: "response", listener: (status: number, bytes: number, responseTimeMs: number) => void): void;
}
interface AutocannonRequest {
  readonly method: string;
  readonly body: string;
  readonly onResponse: (status: number, body: string) => void;
}
interface AutocannonInstance {
  on(event: "reqError", listener: (error: Error) => void): void;
  on(event: "done", listener: () => void): void;
  stop(): void;
}
type Autocannon = (
  options: {
    url: string;
    connections: number;
    overallRate?: number;
    duration: number;
    maxOverallRequests: number;
    timeout: number;
    method: string;
    headers: Record<string, string>;
    requests: AutocannonRequest[];
    setupClient: (client: AutocannonClient) => void;
  },
  done: (error: Error | null, result: { timeouts: number; errors: number; requests: { sent: number } }) => void,
) => AutocannonInstance;

const autocannon = createRequire(__filename)("autocannon") as Autocannon;

export interface Target {
  readonly url: string;
  readonly token: string | undefined;
  readonly endpoint: PreviewEndpointConfig;
}

function headers(target: Target): Record<string, string> {
  return {
    "content-type": "application/json",
    ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
  };
}

/**
 * Asks the edge cases, side by side (against a slow endpoint one after another would take four
 * latencies); the endpoint not answering is {@link Unreachable}.
 */
export async function askEdgeCases(target: Target): Promise<EdgeCaseResult[]> {
  return Promise.all(
    edgeCases(target.endpoint).map(async (edge): Promise<EdgeCaseResult> => {
      let status: number;
      let text: string;
      try {
        const response = await fetch(target.url, {
          method: "POST",
          headers: headers(target),
          body: JSON.stringify(previewRequestBody(target.endpoint, edge.targetMinutes)),
          signal: AbortSignal.timeout(EDGE_TIMEOUT_MS),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        throw new Unreachable(`the preview endpoint ${displayUrl(target.url)} did not answer (${cause})`);
      }
      return { ...edge, status, answer: judgeAnswer(status, parse(text)).answer };
    }),
  );
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A URL for messages, as the gate shows Prometheus': without credentials, query or fragment. */
export function displayUrl(value: string): string {
  try {
    return urlForMessages(new URL(value));
  } catch {
    return "(an invalid URL)";
  }
}

/** Everything the concurrent run recorded; arrays grow while it runs (progress reads them). */
export interface LoadRecord {
  /** Unix milliseconds. */
  startedAt: number;
  endedAt: number;
  /** Requests sent (autocannon's count, known at the end). */
  sent: number;
  /** Per answer: when it came (ms since start) and its latency (ms). */
  readonly atMs: number[];
  readonly latencyMs: number[];
  readonly statuses: Map<number, number>;
  readonly answers: Map<PreviewAnswer, number>;
  readonly strategies: Map<string, number>;
  errors5xx: number;
  timeouts: number;
  connectionErrors: number;
  interrupted: boolean;
}

export interface LoadOptions {
  readonly connections: number;
  /** At most this many requests a second in all; undefined: as fast as the endpoint answers. */
  readonly ratePerSecond?: number | undefined;
  readonly durationSeconds: number;
  readonly maxRequests?: number;
  readonly now?: () => number;
}

/** A running load: its record so far, a way to stop it, and its end. */
export interface RunningLoad {
  readonly record: LoadRecord;
  stop(): void;
  readonly done: Promise<LoadRecord>;
}

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

/** Starts the concurrent run: `connections` requests in flight, until the duration or the cap. */
export function startLoad(target: Target, options: LoadOptions): RunningLoad {
  const now = options.now ?? Date.now;
  const record: LoadRecord = {
    startedAt: now(),
    endedAt: 0,
    sent: 0,
    atMs: [],
    latencyMs: [],
    statuses: new Map(),
    answers: new Map(),
    strategies: new Map(),
    errors5xx: 0,
    timeouts: 0,
    connectionErrors: 0,
    interrupted: false,
  };
  let finish: (value: LoadRecord) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<LoadRecord>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // One prebuilt request per targetMinutes of [min, max], in spread order: each connection cycles
  // through them, so the run covers the range evenly, and autocannon sends prebuilt buffers (a
  // setupRequest per request would rebuild each one: about a third of the rate).
  const { min, max } = target.endpoint.targetMinutes;
  const onResponse = (status: number, body: string) => {
    const judged = judgeAnswer(status, parse(body));
    bump(record.answers, judged.answer);
    if (judged.strategy !== undefined) bump(record.strategies, judged.strategy);
    if (judged.answer === PreviewAnswer.Error) record.errors5xx++;
  };
  const requests = Array.from({ length: max - min + 1 }, (_, index) => ({
    method: "POST",
    body: JSON.stringify(previewRequestBody(target.endpoint, spreadTargetMinutes(target.endpoint, index))),
    onResponse,
  }));
  const instance = autocannon(
    {
      url: target.url,
      connections: options.connections,
      ...(options.ratePerSecond !== undefined && { overallRate: options.ratePerSecond }),
      duration: options.durationSeconds,
      maxOverallRequests: options.maxRequests ?? REQUEST_CAP,
      timeout: REQUEST_TIMEOUT_SECONDS,
      method: "POST",
      headers: headers(target),
      requests,
      setupClient: (client) => {
        client.on("response", (status, _bytes, responseTimeMs) => {
          bump(record.statuses, status);
          record.latencyMs.push(responseTimeMs);
          record.atMs.push(now() - record.startedAt);
        });
      },
    },
    (error, result) => {
      record.endedAt = now();
      if (error) fail(error);
      else {
        record.sent = result.requests.sent;
        record.timeouts = result.timeouts;
        record.connectionErrors = Math.max(0, result.errors - result.timeouts);
        finish(record);
      }
    },
  );
  return {
    record,
    stop: () => {
      record.interrupted = true;
      instance.stop();
    },
    done,
  };
}
