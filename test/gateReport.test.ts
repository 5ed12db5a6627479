// @vitest-environment jsdom
/**
 * The report's renderings, checked by the tools that read them: Mermaid's own parser for the
 * charts in report.md (what GitHub renders; it needs a DOM, hence jsdom), and Slack's limits for
 * the Block Kit message.
 */
import { describe, expect, it } from "vitest";
import { timeCrunchAlertRules } from "../components/observability/alertRules";
import { StackConfigSchema } from "../components/config/schema";
import { queries } from "../components/observability/metrics";
import type { Point } from "../components/soak/alertReplay";
import { gatePlan, judge, soakWindow, TRAFFIC_RULE } from "../components/soak/soakCriteria";
import { chartStepSeconds, gateCharts, type ChartData } from "../tools/charts/charts";
import { mermaidChart } from "../tools/charts/mermaid";
import { usageChart } from "../tools/soakReport/beta";
import type { GateRun } from "../tools/soakEvaluation/report";
import { fitLines, SLACK_LIMITS, slackMessage } from "../tools/services/slack";
import { cases } from "./support/cases";

const gate = StackConfigSchema.shape.soakGate.parse(undefined);
const window = soakWindow("48h", Date.parse("2026-03-04T12:00:00Z") / 1000);
const step = chartStepSeconds(window);
const grid = Array.from({ length: window.seconds / step + 1 }, (_, i) => window.start + i * step);

/** Every chart with two wavy series, a stretch without data and a NaN (what Prometheus can return). */
const charts: ChartData[] = gateCharts(queries(), gate, window).map((spec) => ({
  spec,
  window,
  step,
  series: ["a", "b"].map((name, n) => ({
    name,
    points: grid
      .filter((_, i) => i < 40 || i > 60)
      .map((t, i): Point => [t, i === 5 ? NaN : (n + 1) * (0.5 + 0.4 * Math.sin(i / 10))]),
  })),
}));

describe("the soak report's usage chart (Mermaid xychart-beta)", () => {
  it("parses with Mermaid's own parser, a bar a day of the rung", async () => {
    const { default: mermaid } = await import("mermaid");
    const usage = {
      total: 867_600,
      days: [
        { day: 1, end: 1, requests: 864_000 },
        { day: 2, end: 2, requests: 3_600 },
      ],
      strategies: [],
    };
    const chart = usageChart(usage)!;
    expect(chart).toContain('x-axis ["day 1", "day 2"]');
    expect(chart).toContain("bar [864000, 3600]");
    const block = /```mermaid\n([\s\S]*?)```/.exec(chart)?.[1] ?? "";
    expect(await mermaid.parse(block)).toMatchObject({ diagramType: "xychart" });
    expect(usageChart({ ...usage, days: [] })).toBeUndefined();
  });
});

describe("the charts in report.md (Mermaid xychart-beta)", () => {
  it.each(cases(charts.map((c) => [c.spec.title, c] as const)))(
    "%s parses with Mermaid's own parser",
    async (_, chart) => {
      const { default: mermaid } = await import("mermaid");
      const block = /```mermaid\n([\s\S]*?)```/.exec(mermaidChart(chart))?.[1] ?? "";
      expect(await mermaid.parse(block)).toMatchObject({ diagramType: "xychart" });
    },
  );

  it("draws each threshold as a constant line, and says where data is missing", () => {
    const chart = charts.find((c) => c.spec.file === "success-and-error-rate")!;
    const text = mermaidChart(chart);
    expect(text).toContain(`line [${Array(24).fill(95).join(", ")}]`);
    expect(text).toContain("`red: success > 95%`");
    expect(text).toContain("(no data drawn as 0)");
  });

  it("control: Mermaid rejects a broken chart", async () => {
    const { default: mermaid } = await import("mermaid");
    await expect(mermaid.parse("xychart-beta\n    line [1,, 2]\n")).rejects.toThrow(/Parse error/);
  });
});

describe("the Slack message", () => {
  const alerts = StackConfigSchema.shape.alerts.parse(undefined);
  const q = queries();
  const plan = gatePlan(gate, timeCrunchAlertRules(alerts, q, "staging"), q, window);
  const minutes = Array.from({ length: window.seconds / 60 + 1 }, (_, i) => window.start + i * 60);
  // A flapping soak: the error rate alternates every 6 minutes, so the rule fires hundreds of times.
  const flapping = minutes.map((t, i): Point => [t, Math.floor(i / 6) % 2 === 0 ? 0.5 : 0.01]);
  const run: GateRun = {
    verdict: judge(plan, {
      measures: {},
      requests: undefined,
      firstSeen: undefined,
      conditions: {
        "error-rate": flapping,
        "response-time": flapping,
        "success-rate": flapping,
        [TRAFFIC_RULE]: minutes.map((t): Point => [t, 0]),
      },
    }),
    stack: "staging",
    prometheus: "http://prometheus:9090",
    queries: 11,
    dashboardUrl: "https://grafana.example.com/d/stream5-time-crunch",
  };

  it("stays within Slack's limits however many incidents there are", () => {
    const incidents = run.verdict.criteria.reduce((n, c) => n + c.incidents.length, 0);
    expect(incidents).toBeGreaterThan(200);
    const message = slackMessage(run, { reportUrl: "https://github.com/org/repo/actions/runs/1" });
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of message.blocks) {
      if (block.type === "section") expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (block.type === "header") expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    }
    const text = JSON.stringify(message);
    expect(text).toMatch(/… and \d+ more/);
    expect(text).toContain("<https://grafana.example.com/d/stream5-time-crunch|Dashboard>");
  });

  it("fits whole lines and counts what it left out", () => {
    expect(fitLines(["aaaa", "bbbb", "cccc"], 100)).toBe("aaaa\nbbbb\ncccc");
    const fitted = fitLines(
      Array.from({ length: 100 }, (_, i) => `line ${i}`),
      60,
    );
    expect(fitted.length).toBeLessThanOrEqual(60);
    expect(fitted).toMatch(/^line 0\n[\s\S]*… and \d+ more$/);
  });
});
