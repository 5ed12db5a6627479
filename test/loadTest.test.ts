/**
 * `npm run load-test` in process against the stand-in preview service (with its faults, in a
 * process of its own: the load and the server it loads must not share an event loop) and a real
 * Prometheus scraping it every second: one Prometheus per stand-in, since the gate's queries sum
 * over every target. The runs go side by side (4 s, 4 in flight); Ctrl-C and the endpoint being
 * down run after them. Plus the pure verdict, from plain tables.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StackConfigSchema } from "../components/config/schema";
import { PreviewAnswer } from "../components/workload/previewContract";
import { main } from "../tools/loadTest/main";
import {
  loadVerdict,
  percentile,
  type ClientMeasure,
  type EdgeCaseResult,
  type Measurements,
  type ServerMeasure,
} from "../tools/loadTest/verdict";
import { freePort, startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import type { PreviewFaults } from "./support/previewService";
import {
  startPreviewServiceHost,
  type HostedPreviewService,
  type PreviewServiceHost,
} from "./support/previewServiceProcess";
import { runTool, type ToolRun } from "./support/toolRun";
import { cases } from "./support/cases";

const scratch = mkdtempSync(join(tmpdir(), "load-test-"));
const CASES = {
  healthy: {},
  errors: { errorShare: 0.08 },
  slow: { addedLatencyMs: 3000 },
  oneStrategy: { oneStrategy: "compress_intervals" },
  outOfRange500: { outOfRangeStatus: 500 },
  noMetrics: { noMetrics: true },
} satisfies Record<string, PreviewFaults>;
type Case = keyof typeof CASES;

let host: PreviewServiceHost;
const services: Partial<Record<Case, HostedPreviewService>> = {};
const prometheuses: Partial<Record<Case, LocalPrometheus>> = {};
/**
 * The runs' rates: the fault runs judge faults, not throughput, and the GO run needs enough
 * requests for its telemetry and latency criteria; none needs the cores' full speed, which six
 * runs side by side on two cores would fight over.
 */
const FAULT_RATE = 250;
const HEALTHY_RATE = 1000;
interface RunJson {
  readonly verdict: string;
  readonly failing: string[];
  readonly requests: { readonly sent: number; readonly answered: number };
  readonly scrape: { readonly scrapedAt: number | undefined; readonly waitedSeconds: number } | null;
  readonly window: { readonly start: number; readonly end: number };
}
const runs: Partial<Record<Case, ToolRun & { json: RunJson }>> = {};

function argv(name: Case, extra: readonly string[] = []): string[] {
  return [
    "--stack",
    "staging",
    "--preview-url",
    services[name]!.url,
    "--prometheus-url",
    prometheuses[name]!.url,
    "--duration",
    "4s",
    "--concurrency",
    "4",
    "--scrape-interval",
    "1s",
    ...extra,
  ];
}

/** Waits until Prometheus at `url` has scraped its target twice (bounded: 20 s). */
async function scraped(url: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const answer = (await (
      await fetch(`${url}/api/v1/query?query=${encodeURIComponent("count_over_time(up[1m])")}`)
    ).json()) as {
      data?: { result?: { value: [number, string] }[] };
    };
    if (Number(answer.data?.result?.[0]?.value[1] ?? 0) >= 2) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`Prometheus at ${url} did not scrape its target within 20 s`);
}

beforeAll(async () => {
  const names = Object.keys(CASES) as Case[];
  host = await startPreviewServiceHost();
  await Promise.all(
    names.map(async (name) => {
      services[name] = await host.start(CASES[name]);
      prometheuses[name] = await startPrometheus([], { scrapeTargets: [services[name].target] });
    }),
  );
  // Every Prometheus has scraped its stand-in (the counter's baseline) before the load, as a real one has.
  await Promise.all(names.map((name) => scraped(prometheuses[name]!.url)));
  const run = async (name: Case, extra: readonly string[]) => {
    // The one-strategy run has a terminal on stderr (the progress line); the others do not.
    const result = await runTool(
      main,
      argv(name, ["--format", "json", ...extra]),
      { PREVIEW_TOKEN: "preview-token-for-the-test" },
      { isTTY: name === "oneStrategy" },
    );
    runs[name] = { ...result, json: JSON.parse(result.stdout) as RunJson };
  };
  await Promise.all(
    names.map((name) =>
      run(name, [
        ...["--rate", String(name === "healthy" ? HEALTHY_RATE : FAULT_RATE)],
        ...(name === "healthy" || name === "noMetrics" ? ["--report", join(scratch, name)] : []),
      ]),
    ),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([host.stop(), ...Object.values(prometheuses).map((p) => p.stop())]);
  rmSync(scratch, { recursive: true, force: true });
});

describe("load-test against the stand-in and a real Prometheus", () => {
  it("a healthy endpoint is GO (exit 0), with the token sent and the report written", async () => {
    const run = runs.healthy!;
    expect(run.json.failing, run.stdout).toEqual([]);
    expect(run.json.verdict).toBe("GO");
    expect(run.code).toBe(0);
    const requests = await services.healthy!.requests();
    expect(requests.every((r) => r.authorization === "Bearer preview-token-for-the-test")).toBe(true);
    const dir = join(scratch, "healthy");
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("Load test GO");
    expect((JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { verdict: string }).verdict).toBe("GO");
    expect(readFileSync(join(dir, "charts", "latency.svg"), "utf8")).toMatch(/^<svg/);
    expect(run.stdout).not.toContain("preview-token-for-the-test");
  });

  it("judges the server side at the first scrape after the run's end, and says how long it waited", () => {
    const { scrape, window } = runs.healthy!.json;
    expect(scrape!.scrapedAt).toBeGreaterThanOrEqual(window.end);
    expect(scrape!.waitedSeconds).toBeLessThanOrEqual(2 + 0.5); // two scrape intervals, and a query
    const report = readFileSync(join(scratch, "healthy", "report.md"), "utf8");
    expect(report).toMatch(
      /measured at Prometheus' first scrape after the run's end, \d+\.\d s after it \(waited \d+\.\d s\)/,
    );
    // A counter never exported: the whole bound waited, and said.
    expect(runs.noMetrics!.json.scrape!.scrapedAt).toBeUndefined();
    expect(runs.noMetrics!.json.scrape!.waitedSeconds).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(scratch, "noMetrics", "report.md"), "utf8")).toMatch(
      /no scrape after the run's end came \(waited 2\.\d s\); measured on what Prometheus had/,
    );
  });

  it("--rate caps the requests a second", () => {
    // autocannon refills each connection's budget every second from its own start: a run of d
    // seconds may see d + 1 refills.
    const seconds = (run: RunJson) => run.window.end - run.window.start;
    const errors = runs.errors!.json;
    expect(errors.requests.answered).toBeGreaterThan(FAULT_RATE);
    expect(errors.requests.answered).toBeLessThanOrEqual(FAULT_RATE * (seconds(errors) + 1));
  });

  it("the targetMinutes of the run are spread over [min, max]", async () => {
    const minutes = (await services.healthy!.requests()).map(
      (r) => (r.body as { targetMinutes: number }).targetMinutes,
    );
    expect(minutes.reduce((a, b) => Math.min(a, b))).toBe(9); // the edge case min-1
    expect(new Set(minutes.filter((m) => m >= 10 && m <= 240)).size).toBeGreaterThan(20);
  });

  it("8% 5xx is NO-GO on errors, client and server side", () => {
    expect(runs.errors!.code).toBe(1);
    expect(runs.errors!.json.failing).toEqual(expect.arrayContaining(["error-rate", "server-error-rate"]));
  });

  it("3 s of added latency is NO-GO on response time", () => {
    expect(runs.slow!.code).toBe(1);
    expect(runs.slow!.json.failing).toEqual(expect.arrayContaining(["average-response-time"]));
  });

  /** The failing criteria judged from the client's side (the server's are prefixed, and telemetry). */
  const clientSide = (failing: readonly string[]) =>
    failing.filter((name) => !name.startsWith("server-") && name !== "telemetry");

  it("one strategy for everything is NO-GO on strategies", () => {
    expect(runs.oneStrategy!.code).toBe(1);
    // Client side, only the strategies fail; the server side is left to its own tests (a missed
    // scrape on a busy machine may fail it too, which is not what this case is about).
    expect(clientSide(runs.oneStrategy!.json.failing)).toEqual(["strategies"]);
  });

  it("shows a progress line on stderr only when it is a terminal, a few times a second at most", () => {
    const lines = runs.oneStrategy!.stderr.match(/\rload-test: \d+ requests, \d+\/s, \d+ errors, \d+ s left/g) ?? [];
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.length).toBeLessThanOrEqual(4 * 6); // 4 a second over the 4 s run and autocannon's stop
    expect(runs.errors!.stderr).toBe("");
  });

  it("out-of-range answered 500 is NO-GO on the edge cases", () => {
    expect(runs.outOfRange500!.code).toBe(1);
    expect(clientSide(runs.outOfRange500!.json.failing)).toEqual(["edge-cases"]);
  });

  it("metrics not exported is NO-GO on telemetry", () => {
    expect(runs.noMetrics!.code).toBe(1);
    expect(runs.noMetrics!.json.failing).toEqual(expect.arrayContaining(["telemetry"]));
  });

  it("an endpoint that is down ends with exit 2 well within 60 s", async () => {
    const port = await freePort();
    const started = Date.now();
    const run = await runTool(main, [
      "--stack",
      "staging",
      "--preview-url",
      `http://127.0.0.1:${port}/api/time-crunch/preview`,
      "--prometheus-url",
      prometheuses.healthy!.url,
      "--duration",
      "4s",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^load-test: the preview endpoint .* did not answer/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("Ctrl-C stops the load within 2 s: INCOMPLETE, exit 2, the partial report written", async () => {
    const dir = join(scratch, "interrupted");
    const started = Date.now();
    let interruptedAt = 0;
    // This run's own requests: the stand-in counted the GO run's before. (Counting those let the
    // interrupt come before the run listened for it, which then ran its whole 30 s.)
    const before = await services.healthy!.requestCount();
    // process.emit('SIGINT') calls the listeners the run registered, as a real Ctrl-C would.
    const timer = setInterval(() => {
      void services.healthy!.requestCount().then((count) => {
        if (count > before + 50 && interruptedAt === 0) {
          interruptedAt = Date.now();
          process.emit("SIGINT");
        }
      });
    }, 100);
    const listenersBefore = process.listenerCount("SIGINT");
    const run = await runTool(main, [...argv("healthy", ["--duration", "30s", "--report", dir])]).finally(() => {
      clearInterval(timer);
    });
    expect(interruptedAt).toBeGreaterThan(0);
    expect(Date.now() - interruptedAt).toBeLessThan(2000 + 1000); // the stop, plus writing the report
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Load test INCOMPLETE");
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("INCOMPLETE");
    expect(existsSync(join(dir, "charts", "latency.svg"))).toBe(true);
    expect(process.listenerCount("SIGINT")).toBe(listenersBefore);
  });

  it("--help and bad flags", async () => {
    expect((await runTool(main, ["--help"])).stdout).toContain("at most 1,000,000 requests");
    const urls = ["--preview-url", "http://127.0.0.1:65535/", "--prometheus-url", "http://127.0.0.1:65535/"];
    expect(await runTool(main, ["--stack", "staging", ...urls, "--concurrency", "0"])).toMatchObject({
      code: 2,
      stderr: "load-test: --concurrency 0: allowed: a whole number from 1 to 256\n",
    });
    expect(await runTool(main, ["--stack", "staging", ...urls, "--rate", "0.5"])).toMatchObject({
      code: 2,
      stderr: "load-test: --rate 0.5: allowed: a whole number from 1 to 100,000\n",
    });
  });
});

describe("the verdict (pure)", () => {
  const thresholds = StackConfigSchema.shape.soakGate.parse(undefined);
  const edge = (targetMinutes: number, expected: PreviewAnswer, answer = expected): EdgeCaseResult => ({
    targetMinutes,
    expected,
    status: answer === PreviewAnswer.Preview ? 200 : answer === PreviewAnswer.Refused ? 400 : 500,
    answer,
  });
  const goodEdges = [
    edge(10, PreviewAnswer.Preview),
    edge(240, PreviewAnswer.Preview),
    edge(9, PreviewAnswer.Refused),
    edge(241, PreviewAnswer.Refused),
  ];
  const client: ClientMeasure = {
    attempts: 1000,
    responses: 1000,
    preview: 1000,
    errors: 0,
    averageSeconds: 0.2,
    p95Seconds: 0.5,
    strategies: { a: 500, b: 500 },
  };
  const server: ServerMeasure = { successRatio: 1, errorRatio: 0, averageSeconds: 0.2, p95Seconds: 0.5, requests: 990 };
  const base: Measurements = { edgeCases: goodEdges, client, server, thresholds, interrupted: false };

  it.each(
    cases<[string, Partial<Measurements>, string, string[]]>([
      ["all good", {}, "GO", []],
      ["success exactly 95%", { client: { ...client, preview: 950 } }, "NO-GO", ["success-rate"]],
      ["errors 5%", { client: { ...client, preview: 950, errors: 50 } }, "NO-GO", ["success-rate", "error-rate"]],
      ["errors 4.9%", { client: { ...client, preview: 951, errors: 49 } }, "GO", []],
      ["average 2 s", { client: { ...client, averageSeconds: 2 } }, "NO-GO", ["average-response-time"]],
      ["p95 5 s", { client: { ...client, p95Seconds: 5 } }, "NO-GO", ["p95-response-time"]],
      [
        "no answers",
        {
          client: {
            ...client,
            attempts: 0,
            responses: 0,
            preview: 0,
            averageSeconds: undefined,
            p95Seconds: undefined,
            strategies: {},
          },
        },
        "NO-GO",
        ["success-rate", "error-rate", "average-response-time", "p95-response-time", "strategies", "telemetry"],
      ],
      ["one strategy", { client: { ...client, strategies: { a: 1000 } } }, "NO-GO", ["strategies"]],
      [
        "max+1 answered 500",
        { edgeCases: [...goodEdges.slice(0, 3), edge(241, PreviewAnswer.Refused, PreviewAnswer.Error)] },
        "NO-GO",
        ["edge-cases"],
      ],
      [
        "min answered 4xx",
        { edgeCases: [edge(10, PreviewAnswer.Preview, PreviewAnswer.Refused), ...goodEdges.slice(1)] },
        "NO-GO",
        ["edge-cases"],
      ],
      ["no edge cases", { edgeCases: [] }, "NO-GO", ["edge-cases"]],
      [
        "server error ratio 6%",
        { server: { ...server, errorRatio: 0.06, successRatio: 0.94 } },
        "NO-GO",
        ["server-success-rate", "server-error-rate"],
      ],
      ["server p95 NaN", { server: { ...server, p95Seconds: NaN } }, "NO-GO", ["server-p95-response-time"]],
      ["telemetry 89.9%", { server: { ...server, requests: 899 } }, "NO-GO", ["telemetry"]],
      ["telemetry 90%", { server: { ...server, requests: 900 } }, "GO", []],
      [
        "no metrics",
        {
          server: {
            successRatio: undefined,
            errorRatio: undefined,
            averageSeconds: undefined,
            p95Seconds: undefined,
            requests: undefined,
          },
        },
        "NO-GO",
        [
          "server-success-rate",
          "server-error-rate",
          "server-average-response-time",
          "server-p95-response-time",
          "telemetry",
        ],
      ],
      ["interrupted", { interrupted: true, server: undefined }, "INCOMPLETE", []],
    ]),
  )("%s -> %s", (_, change, verdict, failing) => {
    const result = loadVerdict({ ...base, ...change });
    expect(result.verdict).toBe(verdict);
    expect(result.failing).toEqual(failing);
  });

  it("p95 is the nearest rank", () => {
    expect(percentile([], 0.95)).toBeUndefined();
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => 100 - i),
        0.95,
      ),
    ).toBe(95);
    expect(percentile([3], 0.95)).toBe(3);
  });
});
