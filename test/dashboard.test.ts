import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../tools/offline/engine";
import { withValues } from "../components/config/stackFile";
import { onlyOfType, run, stackConfig } from "./support/program";
import { ResourceType } from "../components/resources";

const DASHBOARD = ResourceType.Dashboard;
const FOLDER = ResourceType.Folder;

interface Panel {
  id: number;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: string; uid: string };
  fieldConfig: { defaults: { unit?: string; thresholds?: { steps: { color: string; value: number | null }[] } } };
  targets: { expr: string; datasource: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  id?: unknown;
  version?: unknown;
  panels: Panel[];
  templating: { list: { type: string; name: string; query: string; current?: { value: string } }[] };
  annotations: { list: unknown[] };
  schemaVersion: number;
}

const dashboardOf = (declared: ProgramRun) =>
  JSON.parse(String(onlyOfType(declared, DASHBOARD).inputs.configJson)) as Dashboard;
const panel = (dashboard: Dashboard, title: string) => {
  const found = dashboard.panels.find((p) => p.title === title);
  if (!found) throw new Error(`no panel "${title}"`);
  return found;
};
const steps = (p: Panel) => p.fieldConfig.defaults.thresholds?.steps.map((s) => [s.color, s.value]);

let beta: ProgramRun;
beforeAll(async () => {
  beta = await run(stackConfig("beta"));
});

describe("the Time Crunch dashboard", () => {
  it("shows the checklist's five key metrics from the contract's metric names", () => {
    const dashboard = dashboardOf(beta);
    const metricsOf = (title: string) =>
      panel(dashboard, title)
        .targets.map((t) => t.expr)
        .join("\n");
    expect(dashboard.panels.map((p) => p.title)).toEqual([
      "Preview request rate",
      "Compression strategy distribution",
      "Time constraint success rate",
      "Response time (average and p95)",
      "Fallback reasons",
    ]);
    expect(metricsOf("Preview request rate")).toContain("stream5_time_crunch_preview_requests_total[");
    expect(metricsOf("Compression strategy distribution")).toMatch(
      /sum by \(strategy\).*stream5_time_crunch_preview_requests_total\[/,
    );
    expect(metricsOf("Time constraint success rate")).toContain(
      'stream5_time_crunch_time_constraint_total{result="met"}',
    );
    expect(metricsOf("Response time (average and p95)")).toContain("stream5_time_crunch_preview_duration_seconds_sum");
    expect(metricsOf("Response time (average and p95)")).toContain(
      "histogram_quantile(0.95, sum by (le) (rate(stream5_time_crunch_preview_duration_seconds_bucket[",
    );
    expect(metricsOf("Fallback reasons")).toMatch(/sum by \(reason\).*stream5_time_crunch_fallbacks_total\[/);
  });

  it("draws the targets and red lines from config", async () => {
    expect(steps(panel(dashboardOf(beta), "Time constraint success rate"))).toEqual([
      ["red", null],
      ["yellow", 0.7],
      ["green", 0.8],
    ]);
    expect(steps(panel(dashboardOf(beta), "Response time (average and p95)"))).toEqual([
      ["green", null],
      ["yellow", 2],
      ["red", 5],
    ]);
    const tuned = await run(
      withValues(stackConfig("beta"), {
        grafana: { prometheusDatasourceUid: "prometheus", timeConstraintSuccess: { target: 0.9, red: 0.75 } },
        alerts: { responseTimeSeconds: { above: 4 } },
      }),
    );
    expect(steps(panel(dashboardOf(tuned), "Time constraint success rate"))).toEqual([
      ["red", null],
      ["yellow", 0.75],
      ["green", 0.9],
    ]);
    expect(steps(panel(dashboardOf(tuned), "Response time (average and p95)"))).toEqual([
      ["green", null],
      ["yellow", 2],
      ["red", 4],
    ]);
  });

  it("uses a Prometheus datasource variable defaulting to the configured datasource, and sensible units", () => {
    const dashboard = dashboardOf(beta);
    const [variable, ...others] = dashboard.templating.list;
    expect(others).toEqual([]);
    expect(variable).toMatchObject({ type: "datasource", name: "datasource", query: "prometheus" });
    expect(variable?.current?.value).toBe("prometheus");
    for (const p of dashboard.panels) {
      expect(p.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
      for (const t of p.targets) expect(t.datasource.uid).toBe("${datasource}");
    }
    expect(dashboard.panels.map((p) => p.fieldConfig.defaults.unit)).toEqual([
      "reqps",
      "percentunit",
      "percentunit",
      "s",
      "reqps",
    ]);
  });

  it("lays the panels out top-down on Grafana's 24-column grid without overlap", () => {
    const { panels } = dashboardOf(beta);
    const cells = new Set<string>();
    for (const { gridPos: g } of panels) {
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
  });

  it("is canonical: the same config gives byte-identical JSON, without the id and version Grafana owns", async () => {
    const again = await run(stackConfig("beta"));
    const json = String(onlyOfType(beta, DASHBOARD).inputs.configJson);
    expect(String(onlyOfType(again, DASHBOARD).inputs.configJson)).toBe(json);
    const dashboard = dashboardOf(beta);
    expect(dashboard.id).toBeUndefined();
    expect(dashboard.version).toBeUndefined();
    expect(dashboard.annotations.list.length).toBeGreaterThan(0);
    expect(json).toMatchSnapshot();
  });

  it("lives in the stack's own folder under the stack's uid, and its URL is a stack output", () => {
    const folder = onlyOfType(beta, FOLDER);
    expect(folder.inputs).toMatchObject({
      title: "Stream5 Time Crunch (beta)",
      uid: "stream5-time-crunch-beta-folder",
    });
    expect(onlyOfType(beta, DASHBOARD).inputs).toMatchObject({
      folder: "stream5-time-crunch-beta-folder",
      overwrite: true,
      // Grafana's version history says who changed it.
      message: "Managed by the stream5-time-crunch Pulumi project",
    });
    expect(dashboardOf(beta).uid).toBe("stream5-time-crunch-beta");
    expect(beta.outputs.dashboardUrl).toBe("<grafana>/d/stream5-time-crunch-beta");
  });

  it("takes the uids and folder title a stack pins", async () => {
    const pinned = await run(
      withValues(stackConfig("beta"), {
        grafana: { prometheusDatasourceUid: "prometheus", folderUid: "f1", dashboardUid: "d1", folderTitle: "Beta" },
      }),
    );
    expect(onlyOfType(pinned, FOLDER).inputs).toMatchObject({ title: "Beta", uid: "f1" });
    expect(dashboardOf(pinned).uid).toBe("d1");
  });
});
