/**
 * The report's chart files: SVG rendered by Vega-Lite in Node (no browser, no canvas), the gate's
 * thresholds drawn as dashed lines with their labels.
 */
import { drawnSeries, type ChartData, type ChartUnit } from "./charts";

/** Series colours, with names for legends (Vega's Tableau palette without its reds: red means "threshold"). */
export const SERIES_COLORS = [
  { hex: "#4c78a8", name: "blue" },
  { hex: "#f58518", name: "orange" },
  { hex: "#54a24b", name: "green" },
  { hex: "#72b7b2", name: "teal" },
  { hex: "#b279a2", name: "purple" },
  { hex: "#eeca3b", name: "yellow" },
  { hex: "#9d755d", name: "brown" },
  { hex: "#bab0ac", name: "grey" },
] as const;
export const THRESHOLD_COLOR = "#c8102e";

const AXIS: Record<ChartUnit, { title: string; format?: string }> = {
  reqps: { title: "requests/s" },
  ratio: { title: "share", format: ".0%" },
  seconds: { title: "seconds" },
};

/** The Vega-Lite spec of a chart (exported for tests and for anyone who wants to restyle it). */
export function vegaLiteSpec(chart: ChartData): Record<string, unknown> {
  const series = drawnSeries(chart);
  const values = series.flatMap((s) => s.points.map(([t, value]) => ({ t: t * 1000, series: s.name, value })));
  const names = series.map((s) => s.name);
  const y = { field: "value", type: "quantitative", axis: AXIS[chart.spec.unit] };
  const thresholds = chart.spec.thresholds.map((t) => ({ value: t.value, label: t.label }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: chart.spec.title, subtitle: values.length === 0 ? "no data in the window" : "UTC" },
    width: 720,
    height: 260,
    background: "white",
    layer: [
      {
        data: { values },
        mark: { type: "line", interpolate: "linear", strokeWidth: 1.5 },
        encoding: {
          x: { field: "t", type: "temporal", scale: { type: "utc" }, axis: { title: null, format: "%a %H:%M" } },
          y,
          color: {
            field: "series",
            type: "nominal",
            scale: { domain: names, range: SERIES_COLORS.slice(0, Math.max(names.length, 1)).map((c) => c.hex) },
            legend: { title: null, orient: "bottom" },
          },
        },
      },
      ...(thresholds.length === 0
        ? []
        : [
            {
              data: { values: thresholds },
              mark: { type: "rule", color: THRESHOLD_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 },
              encoding: { y },
            },
            {
              data: { values: thresholds },
              mark: { type: "text", color: THRESHOLD_COLOR, align: "left", baseline: "bottom", dx: 4, dy: -2 },
              encoding: { y, x: { value: 0 }, text: { field: "label" } },
            },
          ]),
    ],
  };
}

/** The chart as an SVG document. */
export async function chartSvg(chart: ChartData): Promise<string> {
  // Both packages are ESM-only; this project compiles to CommonJS.
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(vegaLiteSpec(chart) as unknown as Parameters<typeof vegaLite.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
