/**
 * The soak gate against a real Prometheus server (Debian's `prometheus`), started here on a free
 * loopback port with synthetic soaks built into TSDB blocks by promtool. One server holds every
 * scenario, four days apart (beyond the gate's 48-hour look-back); each is judged with `--end`.
 * A second server holds nothing at all.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timeCrunchAlertRules } from "../components/observability/alertRules";
import { StackConfigSchema } from "../components/config/schema";
import { dashboardModel } from "../components/observability/dashboardModel";
import { DASHBOARD_WINDOW, queries } from "../components/observability/metrics";
import { soakWindow } from "../components/soak/soakCriteria";
import { chartRateWindow } from "../tools/charts/charts";
import { stackFilePath } from "../components/config/stackFile";
import { gateMain } from "./support/gateCli";
import { proxyTo, recorder } from "./support/httpRecorder";
import { startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import {
  endOf,
  httpServerMetrics,
  Latency,
  NO_TRAFFIC,
  openMetrics,
  OTHER_ROUTES,
  type Soak,
} from "./support/soakSeries";
import { regressionPlan } from "../components/soak/regression";
import { cases } from "./support/cases";

const DAY = 86_400;
const FIRST = Date.parse("2026-01-05T00:00:00Z") / 1000;
// Scraped every two minutes: half the data of one a minute, and still several samples per rate window.
const SCRAPE_MINUTES = 2;
let slot = 0;
/** A soak judged over `window`, `minutes` long (26 hours unless given), four days after the previous one. */
const soak = (window: string, shape: Omit<Soak, "start" | "minutes"> & { minutes?: number } = {}) => ({
  window,
  start: FIRST + slot++ * 4 * DAY,
  minutes: 26 * 60,
  ...shape,
});

// The day-long soaks are the checklist's; a criterion broken on its own shows as well in 2 hours of
// a 3-hour soak, with a fraction of the data to build.
const SHORT = { minutes: 3 * 60 };
const SOAKS = {
  healthy: soak("24h"),
  successLow: soak("2h", { ...SHORT, mix: { success: 558, fallback: 36, error: 6 } }), // 93% success, 1% errors
  errorRate: soak("2h", { ...SHORT, mix: { success: 564, fallback: 0, error: 36 } }), // 6% errors, 94% success
  slowAverage: soak("2h", { ...SHORT, latency: Latency.SlowAverage }),
  longTail: soak("2h", { ...SHORT, latency: Latency.LongTail }),
  missedBudgets: soak("2h", { ...SHORT, metShare: 0.75 }),
  // 15 minutes of 50% errors: the 24-hour averages stay healthy (1.5% errors, 96.5% success).
  errorBurst: soak("24h", {
    episodes: [{ fromMinute: 600, minutes: 15, mix: { success: 288, fallback: 12, error: 300 } }],
  }),
  trafficGap: soak("2h", { ...SHORT, episodes: [{ fromMinute: 90, minutes: 45, mix: NO_TRAFFIC }] }),
  young: soak("24h", { minutes: 10 * 60 }),
};

let prometheus: LocalPrometheus | undefined;
let empty: LocalPrometheus | undefined;
const scratch = mkdtempSync(join(tmpdir(), "gate-test-"));

beforeAll(async () => {
  [prometheus, empty] = await Promise.all([
    startPrometheus([
      ...Object.values(SOAKS).map((s) => openMetrics(s, SCRAPE_MINUTES)),
      // The engine's other routes, steady from a day before the healthy soak: the regression baseline.
      httpServerMetrics(
        { start: SOAKS.healthy.start - DAY, minutes: 24 * 60 + SOAKS.healthy.minutes, routes: OTHER_ROUTES },
        SCRAPE_MINUTES,
      ),
    ]),
    startPrometheus(),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), empty?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

interface Report {
  verdict: string;
  failing: string[];
  soak: { hours: number | null; phase: string | null };
  regression: { status: string; findings: { scope: string; measure: string; status: string }[] };
  criteria: {
    key: string;
    title: string;
    pass: boolean;
    observed: string;
    incidents: { from: string; to: string; minutes: number }[];
  }[];
}

/** Judges the soak at its end over its window; returns the exit code and the JSON report. */
async function judge(at: Soak & { window: string }, extra: readonly string[] = [], url = prometheus!.url) {
  const run = await gateMain([
    "--prometheus-url",
    url,
    "--end",
    String(endOf(at)),
    "--window",
    at.window,
    "--format",
    "json",
    ...extra,
  ]);
  expect(run.stderr).toBe("");
  return { code: run.code, report: JSON.parse(run.stdout) as Report };
}

describe("the soak gate against a real Prometheus", () => {
  it("says GO for a healthy 26-hour soak", async () => {
    const { code, report } = await judge(SOAKS.healthy);
    expect(report.failing).toEqual([]);
    expect([code, report.verdict]).toEqual([0, "GO"]);
    expect(report.soak).toMatchObject({ hours: 26, phase: "hours 8-48" });
    // The regression criterion, against the window before: both routes and the set, both measures.
    expect(report.regression.status).toBe("pass");
    expect(report.regression.findings.map((f) => `${f.scope}: ${f.measure}`).sort()).toEqual(
      ["/v1/athletes", "/v1/plans", "all routes"].flatMap((s) => [`${s}: error ratio`, `${s}: p95 latency`]).sort(),
    );
  });

  it("says INCONCLUSIVE, not GO, for a soak otherwise healthy without the other routes' baseline", async () => {
    // The young soak over a window it covers passes every criterion; no other-route data exists there.
    const run = await gateMain([
      "--prometheus-url",
      prometheus!.url,
      "--end",
      String(endOf(SOAKS.young)),
      "--window",
      "9h",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Soak gate: INCONCLUSIVE/);
    expect(run.stdout).toContain("no regressions in existing functionality: INCONCLUSIVE");
    expect(run.stdout).toContain("PromQL: histogram_quantile(0.95");
  });

  it.each(
    cases([
      ["successLow", "success rate", "93%"],
      ["slowAverage", "average response time", "2.6 s"],
      ["longTail", "p95 response time", "5.83 s"],
      ["missedBudgets", "time-constraint success", "75%"],
    ] as const),
  )("says NO-GO for %s, naming only %s (observed %s)", async (name, criterion, observed) => {
    const { code, report } = await judge(SOAKS[name]);
    expect([code, report.verdict, report.failing]).toEqual([1, "NO-GO", [criterion]]);
    expect(report.criteria.find((c) => c.key === criterion.replace(/ /g, "-"))?.observed).toBe(observed);
  });

  it("says NO-GO for an error rate above the stack's threshold, with thresholds from the stack's soakGate", async () => {
    // 6% errors is also 94% success; the stack's own success threshold (90%) isolates the error rate.
    const config = parse(readFileSync(stackFilePath("staging"), "utf8")) as { config: Record<string, unknown> };
    config.config["stream5-time-crunch:soakGate"] = { successRate: { above: 0.9 } };
    const file = join(scratch, "Pulumi.soak.yaml");
    writeFileSync(file, stringify(config));
    const { code, report } = await judge(SOAKS.errorRate, ["--config-file", file]);
    expect([code, report.failing]).toEqual([1, ["error rate"]]);
    const { report: defaults } = await judge(SOAKS.errorRate);
    expect(defaults.failing).toEqual(["success rate", "error rate"]);
  });

  it("says NO-GO for a 15-minute error burst inside healthy 24-hour averages, saying when and how long", async () => {
    const { code, report } = await judge(SOAKS.errorBurst);
    expect([code, report.failing]).toEqual([1, ["stability"]]);
    const burstStart = new Date((SOAKS.errorBurst.start + 600 * 60) * 1000).toISOString();
    const [first] = report.criteria.find((c) => c.key === "stability")!.incidents;
    expect(first!.from > burstStart).toBe(true);
    expect(first!.minutes).toBeGreaterThanOrEqual(15);
    expect(first!.minutes).toBeLessThanOrEqual(20);
  });

  it("says NO-GO for a 45-minute traffic gap, spanning the gap (to a scrape interval)", async () => {
    const { code, report } = await judge(SOAKS.trafficGap);
    expect([code, report.failing]).toEqual([1, ["traffic"]]);
    const gapStart = SOAKS.trafficGap.start + 90 * 60;
    const [gap, ...more] = report.criteria.find((c) => c.key === "traffic")!.incidents;
    expect(more).toEqual([]);
    const from = Date.parse(gap!.from) / 1000;
    expect(from).toBeGreaterThanOrEqual(gapStart - SCRAPE_MINUTES * 60);
    expect(from).toBeLessThanOrEqual(gapStart);
    expect(gap!.to).toBe(new Date((gapStart + 45 * 60) * 1000).toISOString());
    expect(gap!.minutes).toBeGreaterThanOrEqual(45);
    expect(gap!.minutes).toBeLessThanOrEqual(45 + SCRAPE_MINUTES);
  });

  it("says NO-GO for a soak younger than the window", async () => {
    const { code, report } = await judge(SOAKS.young);
    // Only coverage: the hours before the soak's first request are no traffic gap.
    expect([code, report.failing]).toEqual([1, ["coverage"]]);
    expect(report.soak).toMatchObject({ hours: 10, phase: "hours 8-48" });
    // The same soak passes a window it covers.
    expect((await judge({ ...SOAKS.young, window: "9h" })).report.failing).toEqual([]);
  });

  it("says NO-GO, failing every criterion, for an empty Prometheus", async () => {
    const { code, report } = await judge(SOAKS.healthy, [], empty!.url);
    expect(code).toBe(1);
    expect(report.failing).toEqual(report.criteria.map((c) => c.title));
    expect(report.failing).toHaveLength(8);
    expect(report.soak.hours).toBeNull();
  });

  it("asks Prometheus exactly the dashboard's and the alerts' queries (recorded on the wire)", async () => {
    const proxy = await recorder(proxyTo(prometheus!.url));
    try {
      const report = join(scratch, "queries");
      const run = await gateMain(
        ["--prometheus-url", proxy.url, "--end", String(endOf(SOAKS.healthy)), "--report", report],
        { PROMETHEUS_BEARER_TOKEN: "token-for-the-test" },
      );
      expect(run.code).toBe(0);
      expect(proxy.requests.every((r) => r.headers.authorization === "Bearer token-for-the-test")).toBe(true);
      const sent = proxy.requests.map((r) => new URLSearchParams(r.body).get("query"));

      const alerts = StackConfigSchema.shape.alerts.parse(undefined);
      const q = queries();
      const chartWindow = chartRateWindow(soakWindow("24h", endOf(SOAKS.healthy)));
      const panels = dashboardModel({
        uid: "stream5-time-crunch",
        title: "Stream5 Time Crunch Mode",
        prometheusDatasourceUid: "prometheus",
        queries: q,
        timeConstraintSuccess: { target: 0.8, red: 0.7 },
        responseTimeSeconds: { averageTarget: 2, p95Target: 5, red: 5 },
      }).panels as unknown as { targets: { expr: string }[] }[];
      const dashboard = panels.flatMap((p) => p.targets.map((t) => t.expr.replaceAll(DASHBOARD_WINDOW, chartWindow)));
      const alertRules = timeCrunchAlertRules(alerts, q, "staging").map((r) => r.expr);
      const windowed = [
        ...["successRatio", "averageLatency", "p95Latency", "errorRatio", "timeConstraintSuccessRatio"].map((b) =>
          q[b as "successRatio"]("24h"),
        ),
        q.requestsIn("24h"),
        q.requestsFirstSeen("2880m"),
        // The success and error chart: the gate's two main criteria over the chart's window.
        q.successRatio(chartWindow),
        q.errorRatio(chartWindow),
        // The regression criterion's range queries.
        ...regressionPlan(
          StackConfigSchema.shape.soakGate.parse(undefined),
          "/v1/plans/time-crunch/preview",
          soakWindow("24h", endOf(SOAKS.healthy)),
          DAY,
          "",
        ).queries.map((rq) => rq.expr),
      ];
      expect(new Set(sent)).toEqual(new Set([...dashboard, ...alertRules, ...windowed]));
      expect(run.stdout + run.stderr + readFileSync(join(report, "report.md"), "utf8")).not.toContain(
        "token-for-the-test",
      );
    } finally {
      await proxy.close();
    }
  });
});
