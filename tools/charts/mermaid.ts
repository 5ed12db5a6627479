/**
 * The charts inline in markdown, as Mermaid `xychart-beta` blocks: GitHub renders them in
 * pull-request comments and job summaries, where a local image cannot be shown. Coarser than the
 * SVG files (about 24 points; xychart has no time axis, dashes or legend, so the legend is a line
 * of text under the chart).
 */
import { drawnSeries, type ChartData } from "./charts";
import { SERIES_COLORS, THRESHOLD_COLOR } from "./svg";

/** At most this many points per line: readable x-axis labels. */
const MAX_POINTS = 24;

/** An x-axis label: weekday and UTC time (unique within a week, unlike the time alone). */
function timeLabel(unix: number): string {
  const at = new Date(unix * 1000);
  return `${at.toLocaleDateString("en-US", { weekday: "short", timeZone: "UTC" })} ${at.toISOString().slice(11, 16)}`;
}

/** Three significant digits: enough for a chart, short in the markdown. */
const round = (value: number) => Number(value.toPrecision(3));

/** A Mermaid string literal: xychart titles cannot contain a double quote. */
const quoted = (text: string) => `"${text.replace(/"/g, "'")}"`;

/** The chart as a fenced `mermaid` block plus its legend. */
export function mermaidChart(chart: ChartData): string {
  const series = drawnSeries(chart);
  // The query's grid (from the window's start, every step), thinned to every few steps, keeping
  // the newest point: the end of the window matters most.
  const last = Math.floor(chart.window.seconds / chart.step);
  const every = Math.max(1, Math.ceil(last / MAX_POINTS));
  const shown: number[] = [];
  for (let i = last; i > 0; i -= every) shown.unshift(chart.window.start + i * chart.step);
  const ratio = chart.spec.unit === "ratio";
  const scale = (value: number) => round(ratio ? value * 100 : value);
  const sampled = series.map((s) => {
    const byTime = new Map(s.points);
    return shown.map((t) => byTime.get(t));
  });
  const gaps = sampled.some((values) => values.includes(undefined));
  const lines = sampled.map((values) => values.map((value) => scale(value ?? 0)));
  const thresholdLines = chart.spec.thresholds.map((t) => shown.map(() => scale(t.value)));
  const all = [...lines, ...thresholdLines].flat();
  const top = ratio ? 100 : round(Math.max(0, ...all) * 1.1) || 1;
  const palette = [
    ...SERIES_COLORS.slice(0, series.length).map((c) => c.hex),
    ...chart.spec.thresholds.map(() => THRESHOLD_COLOR),
  ];
  const init = { themeVariables: { xyChart: { plotColorPalette: palette.join(", ") } } };
  const unit = { reqps: "requests/s", ratio: "%", seconds: "seconds" }[chart.spec.unit];

  const legend =
    series.length === 0
      ? "_No data in the window._"
      : [
          ...series.map((s, i) => `${SERIES_COLORS[i]?.name ?? "grey"}: ${s.name}`),
          ...chart.spec.thresholds.map((t) => `red: ${t.label}`),
        ]
          .map((item) => `\`${item}\``)
          .join(" · ") + (gaps ? " (no data drawn as 0)" : "");
  const body = [
    `%%{init: ${JSON.stringify(init)}}%%`,
    "xychart-beta",
    `    title ${quoted(chart.spec.title)}`,
    `    x-axis [${shown.map((t) => quoted(timeLabel(t))).join(", ")}]`,
    `    y-axis ${quoted(unit)} 0 --> ${top}`,
    ...[...lines, ...thresholdLines].map((values) => `    line [${values.join(", ")}]`),
  ];
  // xychart needs at least one line.
  if (lines.length + thresholdLines.length === 0) body.push(`    line [${shown.map(() => 0).join(", ")}]`);
  return ["```mermaid", ...body, "```", "", legend].join("\n");
}
