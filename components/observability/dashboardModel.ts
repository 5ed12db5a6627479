/**
 * The Time Crunch dashboard as Grafana dashboard JSON: the staging checklist's five key metrics,
 * each with its target and red line drawn in. Pure: built with the Grafana foundation SDK's typed
 * builders and serialized canonically (sorted keys, no `id`/`version` that Grafana rewrites), so
 * the same config always gives the same bytes and previews show no false diffs.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { configure } from "safe-stable-stringify";
import { DASHBOARD_WINDOW, formatPercent, type Queries } from "./metrics";

/** Panel titles: the checklist's five key metrics, top-down. */
export const PanelTitle = {
  RequestRate: "Preview request rate",
  StrategyDistribution: "Compression strategy distribution",
  TimeConstraintSuccess: "Time constraint success rate",
  ResponseTime: "Response time (average and p95)",
  FallbackReasons: "Fallback reasons",
} as const;

export interface DashboardSettings {
  readonly uid: string;
  readonly title: string;
  /** The Prometheus datasource the dashboard's variable selects by default. */
  readonly prometheusDatasourceUid: string;
  readonly queries: Queries;
  /** Time constraint success: target above, red below (ratios). */
  readonly timeConstraintSuccess: { readonly target: number; readonly red: number };
  /** Response time targets in seconds, and the red line (the latency alert's threshold). */
  readonly responseTimeSeconds: { readonly averageTarget: number; readonly p95Target: number; readonly red: number };
}

// Panels query whatever Prometheus the `datasource` variable selects.
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
// Targets and red lines drawn as dashed lines on the graph.
const DRAWN_THRESHOLDS = new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed);
const GRID_WIDTH = 24;
const PANEL_HEIGHT = 8;

// Stryker disable next-line ObjectLiteral: deterministic (sorted keys) is also safe-stable-stringify's default
const stringify = configure({ deterministic: true });

/** The dashboard JSON, canonical: sorted keys, two-space indent, trailing newline. */
export function dashboardJson(settings: DashboardSettings): string {
  return `${stringify(dashboardModel(settings), null, 2)}\n`;
}

// The classic (v1) dashboard model is deliberate: it is what Grafana's dashboard API and the
// provider's `configJson` take; the SDK's v2 model is for Grafana's newer resource API.
/* eslint-disable @typescript-eslint/no-deprecated */

/** The dashboard model (what Grafana stores), without the fields Grafana owns. */
export function dashboardModel(settings: DashboardSettings): dashboard.Dashboard {
  const q = settings.queries;
  const w = DASHBOARD_WINDOW;
  const { timeConstraintSuccess: tc, responseTimeSeconds: rt } = settings;
  const panels = [
    // Row 1: is traffic arriving, and how is it being compressed?
    panel(1, PanelTitle.RequestRate, { x: 0, y: 0, w: GRID_WIDTH / 2 })
      .description("Preview requests per second to the Time Crunch preview endpoint, by outcome.")
      .unit("reqps")
      .withTarget(query("A", q.requestRate(w), "total"))
      .withTarget(query("B", q.requestRateByOutcome(w), "{{outcome}}")),
    panel(2, PanelTitle.StrategyDistribution, { x: GRID_WIDTH / 2, y: 0, w: GRID_WIDTH / 2 })
      .description("Share of preview requests by compression strategy.")
      .unit("percentunit")
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Percent))
      .fillOpacity(60)
      .withTarget(query("A", q.strategyDistribution(w), "{{strategy}}")),
    // Row 2: is it good enough? Targets in green, red lines in red.
    panel(3, PanelTitle.TimeConstraintSuccess, { x: 0, y: PANEL_HEIGHT, w: GRID_WIDTH / 2 })
      .description(
        `Share of compressed plans that fit the athlete's time budget. Target above ${formatPercent(tc.target)}, red below ${formatPercent(tc.red)}.`,
      )
      .unit("percentunit")
      .min(0)
      .max(1)
      .thresholds(steps(["red", null], ["yellow", tc.red], ["green", tc.target]))
      .thresholdsStyle(DRAWN_THRESHOLDS)
      .withTarget(query("A", q.timeConstraintSuccessRatio(w), "met")),
    panel(4, PanelTitle.ResponseTime, { x: GRID_WIDTH / 2, y: PANEL_HEIGHT, w: GRID_WIDTH / 2 })
      .description(
        `Preview latency. Targets: average below ${rt.averageTarget} s, p95 below ${rt.p95Target} s; red above ${rt.red} s.`,
      )
      .unit("s")
      .min(0)
      .thresholds(steps(["green", null], ["yellow", rt.averageTarget], ["red", rt.red]))
      .thresholdsStyle(DRAWN_THRESHOLDS)
      .withTarget(query("A", q.averageLatency(w), "average"))
      .withTarget(query("B", q.p95Latency(w), "p95")),
    // Row 3: why requests fell back to the normal planner.
    panel(5, PanelTitle.FallbackReasons, { x: 0, y: 2 * PANEL_HEIGHT, w: GRID_WIDTH })
      .description("Fallbacks to the regular planner per second, by reason.")
      .unit("reqps")
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
      .fillOpacity(30)
      .withTarget(query("A", q.fallbackReasons(w), "{{reason}}")),
  ];

  const builder = new dashboard.DashboardBuilder(settings.title)
    .uid(settings.uid)
    .tags(["stream5", "time-crunch"])
    .description("Stream5 Time Crunch Mode rollout: the five key metrics of the staging checklist.")
    .timezone("browser")
    .refresh("1m")
    .time({ from: "now-6h", to: "now" })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .annotation(
      new dashboard.AnnotationQueryBuilder()
        .name("Annotations & Alerts")
        .datasource({ type: "grafana", uid: "-- Grafana --" })
        .enable(true)
        .hide(true)
        .iconColor("rgba(0, 211, 255, 1)")
        .type("dashboard")
        .builtIn(1),
    )
    .withVariable(
      new dashboard.DatasourceVariableBuilder("datasource")
        .label("Prometheus")
        .type("prometheus")
        .current({ text: settings.prometheusDatasourceUid, value: settings.prometheusDatasourceUid }),
    );
  for (const p of panels) builder.withPanel(p);
  return builder.build();
}
/* eslint-enable @typescript-eslint/no-deprecated */

function panel(id: number, title: string, at: { x: number; y: number; w: number }): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .id(id)
    .title(title)
    .datasource(DATASOURCE)
    .gridPos({ ...at, h: PANEL_HEIGHT })
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.None));
}

function query(refId: string, expr: string, legend: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().refId(refId).datasource(DATASOURCE).expr(expr).legendFormat(legend).range();
}

/** Threshold steps, lowest first; `null` is Grafana's "from minus infinity". */
function steps(...colored: [color: string, from: number | null][]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(colored.map(([color, value]) => ({ color, value })));
}
