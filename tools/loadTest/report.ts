/**
 * The load test's report: text, markdown and JSON from one run, and the latency chart (per second
 * of the run: the client's average and p95) drawn by the gate's Vega-Lite renderer.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChartData } from "../charts/charts";
import { mermaidChart } from "../charts/mermaid";
import { chartSvg } from "../charts/svg";
import type { ScrapeWait } from "./server";
import type { EdgeCaseResult, LoadVerdict, ServerMeasure, Thresholds } from "./verdict";
import { mean, percentile } from "./verdict";

export interface LoadRun {
  readonly stack: string | undefined;
  readonly previewUrl: string;
  readonly prometheus: string;
  readonly concurrency: number;
  readonly durationSeconds: number;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly sent: number;
  readonly responses: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly answers: Readonly<Record<string, number>>;
  readonly strategies: Readonly<Record<string, number>>;
  readonly edgeCases: readonly EdgeCaseResult[];
  readonly server: ServerMeasure | undefined;
  /** The wait for Prometheus' first scrape after the run (none when interrupted). */
  readonly scrape: ScrapeWait | undefined;
  readonly thresholds: Thresholds;
  readonly verdict: LoadVerdict;
}

function criteriaLines(run: LoadRun, mark: (pass: boolean) => string): string[] {
  return run.verdict.criteria.map(
    (c) => `${mark(c.pass)} ${c.title} [${c.key}]: ${c.measured} (required: ${c.required})`,
  );
}

function headline(run: LoadRun): string {
  const failing = run.verdict.failing.length === 0 ? "" : ` (failing: ${run.verdict.failing.join(", ")})`;
  return `Load test ${run.verdict.verdict}${run.verdict.verdict === "NO-GO" ? failing : ""}`;
}

function facts(run: LoadRun): string[] {
  const seconds = Math.max(run.end - run.start, 0.001);
  return [
    `stack: ${run.stack ?? "(defaults)"}; endpoint: ${run.previewUrl}; Prometheus: ${run.prometheus}`,
    `window: ${new Date(run.start * 1000).toISOString()} to ${new Date(run.end * 1000).toISOString()} (${Math.round(seconds)} s of ${run.durationSeconds} s planned), ${run.concurrency} in flight`,
    `requests: ${run.sent} sent, ${run.responses} answered (${Math.round(run.responses / seconds)}/s); statuses: ${
      Object.entries(run.statuses)
        .map(([s, n]) => `${s} ${n}`)
        .join(", ") || "none"
    }`,
    ...(run.scrape === undefined ? [] : [scrapeFact(run.scrape, run.end)]),
  ];
}

function scrapeFact(scrape: ScrapeWait, end: number): string {
  const waited = `waited ${scrape.waitedSeconds.toFixed(1)} s`;
  return scrape.scrapedAt === undefined
    ? `server side: no scrape after the run's end came (${waited}); measured on what Prometheus had`
    : `server side: measured at Prometheus' first scrape after the run's end, ${(scrape.scrapedAt - end).toFixed(1)} s after it (${waited})`;
}

export function renderText(run: LoadRun): string {
  return [
    headline(run),
    ...facts(run),
    ...(run.verdict.verdict === "INCOMPLETE" ? ["interrupted: the run was stopped before its end; no verdict"] : []),
    ...criteriaLines(run, (pass) => (pass ? "PASS" : "FAIL")),
  ].join("\n");
}

export function renderMarkdown(run: LoadRun, extra: readonly string[] = []): string {
  const rows = run.verdict.criteria.map(
    (c) => `| ${c.pass ? "✅" : "❌"} | ${c.title} | \`${c.key}\` | ${c.measured} | ${c.required} |`,
  );
  return [
    `## ${headline(run)}`,
    "",
    ...facts(run).map((f) => `- ${f}`),
    ...(run.verdict.verdict === "INCOMPLETE" ? ["- **interrupted**: stopped before its end; no verdict"] : []),
    "",
    "| | Criterion | Key | Measured | Required |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    ...extra,
  ].join("\n");
}

export function reportJson(run: LoadRun, charts: readonly { title: string; file: string }[] = []) {
  return {
    verdict: run.verdict.verdict,
    failing: run.verdict.failing,
    stack: run.stack ?? null,
    previewUrl: run.previewUrl,
    prometheus: run.prometheus,
    concurrency: run.concurrency,
    durationSeconds: run.durationSeconds,
    window: { start: run.start, end: run.end },
    requests: { sent: run.sent, answered: run.responses, statuses: run.statuses, answers: run.answers },
    strategies: run.strategies,
    edgeCases: run.edgeCases,
    server: run.server ?? null,
    scrape: run.scrape ?? null,
    thresholds: run.thresholds,
    criteria: run.verdict.criteria,
    charts,
  };
}

/** The latency chart: per second of the run, the average and p95 of the answers that came in it. */
export function latencyChart(
  run: Pick<LoadRun, "start" | "end" | "thresholds">,
  atMs: readonly number[],
  latencyMs: readonly number[],
): ChartData {
  const perSecond = new Map<number, number[]>();
  atMs.forEach((at, i) => {
    const second = Math.floor(at / 1000);
    const bucket = perSecond.get(second) ?? [];
    bucket.push((latencyMs[i] ?? 0) / 1000);
    perSecond.set(second, bucket);
  });
  const seconds = [...perSecond.keys()].sort((a, b) => a - b);
  const points = (f: (v: number[]) => number | undefined) =>
    seconds.map((s): [number, number] => [run.start + s, f(perSecond.get(s) ?? []) ?? NaN]);
  const length = Math.max(1, Math.ceil(run.end - run.start));
  return {
    spec: {
      file: "latency",
      title: "Response time per second of the run (client)",
      unit: "seconds",
      queries: [],
      thresholds: [
        { value: run.thresholds.averageResponseSeconds.below, label: "average limit" },
        { value: run.thresholds.p95ResponseSeconds.below, label: "p95 limit" },
      ],
    },
    window: { text: `${length}s`, start: run.start, end: run.end, seconds: length },
    step: 1,
    series: [
      { name: "average", points: points(mean) },
      { name: "p95", points: points((v) => percentile(v, 0.95)) },
    ],
  };
}

/** Writes DIR/report.md, DIR/report.json and DIR/charts/latency.svg. */
export async function writeReport(dir: string, run: LoadRun, chart: ChartData): Promise<void> {
  mkdirSync(join(dir, "charts"), { recursive: true });
  const file = `charts/${chart.spec.file}.svg`;
  writeFileSync(join(dir, file), await chartSvg(chart));
  const section = [`### ${chart.spec.title}`, "", `${mermaidChart(chart)} · [SVG](${file})`, ""];
  writeFileSync(join(dir, "report.md"), `${renderMarkdown(run, section)}\n`);
  writeFileSync(
    join(dir, "report.json"),
    `${JSON.stringify(reportJson(run, [{ title: chart.spec.title, file }]), null, 2)}\n`,
  );
}
