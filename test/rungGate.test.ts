/**
 * The rung gate (`npm run gate -- --stack beta --since TIME`) against a real Prometheus: the
 * staging soak's criteria over [since, end] plus no regressions in the engine's other routes
 * against the same span a week earlier. One server for the file: each scenario is a rung ten days
 * after the previous one, with its baseline week's window of other-route traffic; only the two
 * windows hold other-route data (the week between does not matter to the gate).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackFilePath } from "../components/config/stackFile";
import { gateMain } from "./support/gateCli";
import { startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import { httpServerMetrics, HttpLatency, openMetrics, OTHER_ROUTES, type RouteTraffic } from "./support/soakSeries";

const DAY = 86_400;
const WEEK = 7 * DAY;
const FIRST = Date.parse("2026-03-02T00:00:00Z") / 1000;
const SCRAPE_MINUTES = 2;
/** Other-route data starts this long before each window, so the first judged minute's rate rests on data. */
const LEAD_MINUTES = 10;

let slot = 0;
const rung = (minutes: number, routes: readonly RouteTraffic[] = OTHER_ROUTES) => {
  const since = FIRST + slot++ * 10 * DAY;
  return { since, end: since + minutes * 60, minutes, routes };
};
type Rung = ReturnType<typeof rung>;

const RUNGS = {
  healthy: rung(24 * 60),
  slower: rung(
    24 * 60,
    OTHER_ROUTES.map((r) => ({ ...r, latency: HttpLatency.Slower30 })),
  ),
  errorsDoubled: rung(
    24 * 60,
    OTHER_ROUTES.map((r) => ({ ...r, errorShare: 2 * r.errorShare })),
  ),
  thirtyMinutes: rung(30),
  sixHours: rung(6 * 60),
};

/** The preview traffic (healthy, from an hour before the rung), the baseline window's and the rung's other routes. */
const documents = (r: Rung) => [
  openMetrics({ start: r.since - 3600, minutes: 60 + r.minutes }, SCRAPE_MINUTES),
  httpServerMetrics(
    { start: r.since - WEEK - LEAD_MINUTES * 60, minutes: LEAD_MINUTES + r.minutes, routes: OTHER_ROUTES },
    SCRAPE_MINUTES,
  ),
  httpServerMetrics(
    { start: r.since - LEAD_MINUTES * 60, minutes: LEAD_MINUTES + r.minutes, routes: r.routes },
    SCRAPE_MINUTES,
  ),
];

let prometheus: LocalPrometheus | undefined;
const scratch = mkdtempSync(join(tmpdir(), "rung-gate-test-"));

beforeAll(async () => {
  prometheus = await startPrometheus(Object.values(RUNGS).flatMap(documents));
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

interface Report {
  verdict: string;
  failing: string[];
  criteria: { key: string; pass: boolean; observed: string; threshold: string }[];
  regression: {
    status: string;
    findings: { scope: string; measure: string; status: string; effect: number | null; p: number | null }[];
  };
}

async function judge(r: Rung, extra: readonly string[] = ["--stack", "beta"], format = "json") {
  const run = await gateMain([
    "--prometheus-url",
    prometheus!.url,
    "--since",
    new Date(r.since * 1000).toISOString(),
    "--end",
    String(r.end),
    "--format",
    format,
    ...extra,
  ]);
  expect(run.stderr).toBe("");
  return {
    code: run.code,
    stdout: run.stdout,
    report: format === "json" ? (JSON.parse(run.stdout) as Report) : undefined,
  };
}

const regressed = (report: Report) =>
  report.regression.findings.filter((f) => f.status === "regression").map((f) => `${f.scope}: ${f.measure}`);

describe("the rung gate against a real Prometheus", () => {
  it("says GO for a healthy rung whose other routes are unchanged from a week earlier", async () => {
    const { code, report } = await judge(RUNGS.healthy);
    expect(report!.failing).toEqual([]);
    expect([code, report!.verdict, report!.regression.status]).toEqual([0, "GO", "pass"]);
    expect(report!.regression.findings).toHaveLength(6);
  });

  it("says NO-GO naming the route set and the measure when the existing routes are 30% slower", async () => {
    const { code, report } = await judge(RUNGS.slower);
    expect([code, report!.verdict]).toEqual([1, "NO-GO"]);
    expect(regressed(report!)).toEqual([
      "all routes: p95 latency",
      "/v1/athletes: p95 latency",
      "/v1/plans: p95 latency",
    ]);
    expect(report!.failing).toEqual([
      "no regressions in existing functionality (all routes: p95 latency; /v1/athletes: p95 latency; /v1/plans: p95 latency)",
    ]);
    const all = report!.regression.findings.find((f) => f.scope === "all routes" && f.measure === "p95 latency")!;
    expect(all.effect).toBeCloseTo(0.3, 2);
    expect(all.p).toBeLessThan(0.01);
  });

  it("says NO-GO when the error ratio doubled, and shows medians, effect, p and PromQL in the text", async () => {
    const { code, report } = await judge(RUNGS.errorsDoubled);
    expect([code, report!.verdict]).toEqual([1, "NO-GO"]);
    expect(regressed(report!)).toEqual([
      "all routes: error ratio",
      "/v1/athletes: error ratio",
      "/v1/plans: error ratio",
    ]);
    const text = (await judge(RUNGS.errorsDoubled, ["--stack", "beta"], "text")).stdout;
    expect(text).toMatch(/^Soak gate: NO-GO/);
    expect(text).toMatch(/all routes\s+error ratio\s+1% \(\d+\)\s+2% \(\d+\)\s+\+100%/);
    expect(text).toContain("PromQL: (sum (rate(http_server_request_duration_seconds_count{");
  });

  it("says INCONCLUSIVE (exit 1) for a 30-minute rung: 26 samples, fewer than minSamples", async () => {
    const config = parse(readFileSync(stackFilePath("beta"), "utf8")) as { config: Record<string, unknown> };
    config.config["stream5-time-crunch:soakGate"] = { rungSoak: "20m" };
    const file = join(scratch, "Pulumi.beta.yaml");
    writeFileSync(file, stringify(config));
    const { code, report } = await judge(RUNGS.thirtyMinutes, ["--config-file", file]);
    expect(report!.failing).toEqual([]);
    expect([code, report!.verdict, report!.regression.status]).toEqual([1, "INCONCLUSIVE", "inconclusive"]);
    const { code: textCode, stdout } = await judge(RUNGS.thirtyMinutes, ["--config-file", file], "text");
    expect(textCode).toBe(1);
    expect(stdout).toMatch(/^Soak gate: INCONCLUSIVE/);
    expect(stdout).toContain("INCONCLUSIVE: every other criterion passed");
  });

  it("says NO-GO on coverage for a 6-hour-old rung (rungSoak 24h)", async () => {
    const { code, report } = await judge(RUNGS.sixHours);
    expect([code, report!.failing]).toEqual([1, ["coverage"]]);
    expect(report!.criteria.find((c) => c.key === "coverage")).toMatchObject({
      threshold: "the rung at least 24h old",
      observed: "the rung is 6 h old",
    });
  });

  it("reads the rung's start from the stack outputs' rolloutIntent.since, and names --since when there is none", async () => {
    const outputs = join(scratch, "outputs.json");
    const intent = { targeting: "on", rolloutPercentage: 10 };
    writeFileSync(
      outputs,
      JSON.stringify({ rolloutIntent: { ...intent, since: new Date(RUNGS.healthy.since * 1000).toISOString() } }),
    );
    const run = await gateMain([
      "--prometheus-url",
      prometheus!.url,
      "--stack",
      "beta",
      "--stack-outputs",
      outputs,
      "--end",
      String(RUNGS.healthy.end),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Soak gate: GO \(window 24h/);
    writeFileSync(outputs, JSON.stringify({ rolloutIntent: intent }));
    const missing = await gateMain([
      "--prometheus-url",
      prometheus!.url,
      "--stack",
      "beta",
      "--stack-outputs",
      outputs,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--since");
  });
});
