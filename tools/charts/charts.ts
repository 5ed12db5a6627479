/**
 * The report's charts: one per dashboard panel, with the panel's own queries (a fixed rate window
 * instead of Grafana's `$__rate_interval`), plus the success and error rates the gate judges. The
 * gate's thresholds are drawn as lines. Rendering lives in `svg.ts` (files) and `mermaid.ts`
 * (inline in markdown).
 */
import { PanelTitle } from "../../components/observability/dashboardModel";
import type { SoakGateConfig } from "../../components/config/schema";
import type { Point } from "../../components/soak/alertReplay";
import { formatValue, type SoakWindow } from "../../components/soak/soakCriteria";
import type { Queries } from "../../components/observability/metrics";

export type ChartUnit = "reqps" | "ratio" | "seconds";

export interface ChartQuery {
  readonly expr: string;
  /** The series' name from its labels (Grafana's legend format). */
  readonly legend: (labels: Readonly<Record<string, string>>) => string;
}

export interface ChartSpec {
  /** File name of the SVG, without extension. */
  readonly file: string;
  readonly title: string;
  readonly unit: ChartUnit;
  readonly queries: readonly ChartQuery[];
  readonly thresholds: readonly { readonly value: number; readonly label: string }[];
  /** Show each series as its share of the total at each moment (the panel stacks to 100%). */
  readonly share?: boolean;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly Point[];
}

export interface ChartData {
  readonly spec: ChartSpec;
  readonly window: SoakWindow;
  /** Seconds between points, from the window's start. */
  readonly step: number;
  readonly series: readonly ChartSeries[];
}

/** About this many points per series: enough to see a 15-minute burst in a day. */
const POINTS_PER_CHART = 144;

/** At most this many series per chart; the rest are summed as "other". */
const MAX_SERIES = 8;

/** The charts' resolution: a whole number of minutes giving about {@link POINTS_PER_CHART} points. */
export function chartStepSeconds(window: SoakWindow): number {
  return Math.max(1, Math.ceil(window.seconds / POINTS_PER_CHART / 60)) * 60;
}

/** The rate window for a chart step: the step (no sample falls between two points), at least 5 minutes. */
export function chartRateWindow(window: SoakWindow): string {
  return `${Math.max(5, chartStepSeconds(window) / 60)}m`;
}

const label = (name: string) => (labels: Readonly<Record<string, string>>) => labels[name] ?? "(none)";
const fixed = (name: string) => () => name;

export function gateCharts(q: Queries, gate: SoakGateConfig, window: SoakWindow): ChartSpec[] {
  const w = chartRateWindow(window);
  const line = (value: number, unit: "ratio" | "seconds", comparison: string, what: string) => ({
    value,
    label: `${what} ${comparison} ${formatValue(value, unit)}`,
  });
  return [
    {
      file: "preview-request-rate",
      title: PanelTitle.RequestRate,
      unit: "reqps",
      queries: [
        { expr: q.requestRate(w), legend: fixed("total") },
        { expr: q.requestRateByOutcome(w), legend: label("outcome") },
      ],
      thresholds: [],
    },
    {
      file: "success-and-error-rate",
      title: "Success and error rate",
      unit: "ratio",
      queries: [
        { expr: q.successRatio(w), legend: fixed("success") },
        { expr: q.errorRatio(w), legend: fixed("error") },
      ],
      thresholds: [
        line(gate.successRate.above, "ratio", ">", "success"),
        line(gate.errorRate.below, "ratio", "<", "errors"),
      ],
    },
    {
      file: "compression-strategy-distribution",
      title: PanelTitle.StrategyDistribution,
      unit: "ratio",
      queries: [{ expr: q.strategyDistribution(w), legend: label("strategy") }],
      thresholds: [],
      share: true,
    },
    {
      file: "time-constraint-success-rate",
      title: PanelTitle.TimeConstraintSuccess,
      unit: "ratio",
      queries: [{ expr: q.timeConstraintSuccessRatio(w), legend: fixed("met") }],
      thresholds: [line(gate.timeConstraintSuccess.above, "ratio", ">", "gate")],
    },
    {
      file: "response-time",
      title: PanelTitle.ResponseTime,
      unit: "seconds",
      queries: [
        { expr: q.averageLatency(w), legend: fixed("average") },
        { expr: q.p95Latency(w), legend: fixed("p95") },
      ],
      thresholds: [
        line(gate.averageResponseSeconds.below, "seconds", "<", "average"),
        line(gate.p95ResponseSeconds.below, "seconds", "<", "p95"),
      ],
    },
    {
      file: "fallback-reasons",
      title: PanelTitle.FallbackReasons,
      unit: "reqps",
      queries: [{ expr: q.fallbackReasons(w), legend: label("reason") }],
      thresholds: [],
    },
  ];
}

/**
 * The series as drawn: shares computed for share charts, NaN (0/0) and infinite values dropped,
 * at most {@link MAX_SERIES} (the smallest folded into "other"), in a stable order.
 */
export function drawnSeries(chart: ChartData): ChartSeries[] {
  let series = chart.series.map((s) => ({
    name: s.name,
    points: s.points.filter(([, value]) => Number.isFinite(value)),
  }));
  if (chart.spec.share) {
    const totals = new Map<number, number>();
    for (const s of series) for (const [t, v] of s.points) totals.set(t, (totals.get(t) ?? 0) + v);
    series = series.map((s) => ({
      name: s.name,
      points: s.points.flatMap(([t, v]): Point[] => {
        const total = totals.get(t) ?? 0;
        return total > 0 ? [[t, v / total]] : [];
      }),
    }));
  }
  if (series.length <= MAX_SERIES) return series;
  const volume = (s: ChartSeries) => s.points.reduce((sum, [, v]) => sum + v, 0);
  const ranked = [...series].sort((a, b) => volume(b) - volume(a));
  const kept = ranked.slice(0, MAX_SERIES - 1);
  const other = new Map<number, number>();
  for (const s of ranked.slice(MAX_SERIES - 1)) for (const [t, v] of s.points) other.set(t, (other.get(t) ?? 0) + v);
  return [...kept, { name: "other", points: [...other].sort(([a], [b]) => a - b) }];
}
