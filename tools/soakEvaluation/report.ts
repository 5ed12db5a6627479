/**
 * The gate's verdict as people and machines read it: a text table (terminal), markdown (pull
 * requests, job summaries, report.md with inline charts) and JSON (report.json, `--format json`).
 */
import type { CriterionVerdict, GateVerdict, Incident } from "../../components/soak/soakCriteria";
import {
  formatEffect,
  formatP,
  type RegressionFinding,
  type RegressionVerdict,
} from "../../components/soak/regression";

/** What a run produced, beyond the verdict. */
export interface GateRun {
  readonly verdict: GateVerdict;
  /** The stack whose thresholds were used, or undefined for the defaults. */
  readonly stack: string | undefined;
  readonly prometheus: string;
  readonly queries: number;
  readonly dashboardUrl: string | undefined;
}

/** A Unix time as the reports show it. */
export function formatTime(unix: number): string {
  return `${new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function formatSpan(incident: Incident): string {
  const from = formatTime(incident.from);
  const to = formatTime(incident.to);
  // Same day: only the time of the end.
  const end = from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to;
  return `${from.replace(/ UTC$/, "")} to ${end} (${Math.round(incident.minutes)} min)`;
}

export const verdictWord = (verdict: GateVerdict) => verdict.outcome;

const INCONCLUSIVE_TEXT =
  "INCONCLUSIVE: every other criterion passed, but the regression criterion could not tell (too few samples); not GO.";

/** What a regression row shows of a finding: a RegressionFinding, or its fields read back from report.json. */
export type FindingCells = Pick<
  RegressionFinding,
  | "scope"
  | "measure"
  | "status"
  | "baselineMedian"
  | "judgedMedian"
  | "baselineSamples"
  | "judgedSamples"
  | "effect"
  | "p"
>;

const measureValue = (f: FindingCells, value: number | null) =>
  value === null
    ? "no data"
    : f.measure === "error ratio"
      ? `${Number((value * 100).toPrecision(3))}%`
      : `${Number(value.toPrecision(3))} s`;

/** The regression criterion's rows: scope, measure, both medians (and sample counts), effect, p, verdict. */
export function regressionRows(regression: { readonly findings: readonly FindingCells[] }): string[][] {
  return [
    ["route", "measure", "baseline median (n)", "judged median (n)", "effect", "p", "verdict"],
    ...regression.findings.map((f) => [
      f.scope,
      f.measure,
      `${measureValue(f, f.baselineMedian)} (${f.baselineSamples})`,
      `${measureValue(f, f.judgedMedian)} (${f.judgedSamples})`,
      f.effect === null ? "-" : formatEffect(f.effect),
      f.p === null ? "-" : formatP(f.p),
      f.status === "pass" ? "pass" : f.status === "regression" ? "REGRESSION" : "INCONCLUSIVE",
    ]),
  ];
}

function regressionHeading(r: RegressionVerdict): string {
  const span = (s: { start: number; end: number }) => `${formatTime(s.start)} to ${formatTime(s.end)}`;
  return `${r.title}: ${r.status === "pass" ? "pass" : r.status === "regression" ? "FAIL" : "INCONCLUSIVE"} (per minute, judged ${span(r.judged)} vs baseline ${span(r.baseline)}, ${r.baselineText}; regression when one-sided Mann-Whitney p < ${r.maxPValue} and the median worse by more than ${Math.round(r.minEffect * 100)}%; at least ${r.minSamples} samples each side)`;
}

/** The PromQL of each regression query, once each. */
const regressionQueries = (r: RegressionVerdict) => [...new Set(r.findings.map((f) => f.expr))];

function textTable(rows: readonly (readonly string[])[]): string[] {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns - 1 }, (_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/** One line per incident of a stability or traffic failure: what, when and how long. */
export function incidentLines(criterion: CriterionVerdict): string[] {
  return criterion.incidents.map((i) => `${criterion.title}: ${i.what}, ${formatSpan(i)}`);
}

export function soakLine(verdict: GateVerdict): string {
  const { soak } = verdict;
  if (soak.hours === null || soak.since === null) return "Soak: no preview request counter in Prometheus yet.";
  const hours = `${soak.atLeast ? "at least " : ""}${soak.hours.toFixed(1)} hours`;
  const phase = soak.phase ? `; checklist phase: ${soak.phase.name} (${soak.phase.what})` : "";
  return `Soak: ${hours} of data (since ${formatTime(soak.since)})${phase}.`;
}

const requestsText = (verdict: GateVerdict) =>
  verdict.requests === null ? "no requests" : `${Math.round(verdict.requests).toLocaleString("en-US")} requests`;

const thresholdsOf = (run: GateRun) => (run.stack === undefined ? "the defaults" : `stack ${run.stack}`);

function heading(run: GateRun): string {
  const { window } = run.verdict;
  return `window ${window.text}: ${formatTime(window.start)} to ${formatTime(window.end)}, ${requestsText(run.verdict)}; thresholds of ${thresholdsOf(run)}`;
}

function conclusion(verdict: GateVerdict): string {
  if (verdict.outcome === "INCONCLUSIVE") return INCONCLUSIVE_TEXT;
  return verdict.go ? "GO: every criterion passed." : `NO-GO: ${verdict.failing.join(", ")} failed.`;
}

export function renderText(run: GateRun): string {
  const rows = [
    ["criterion", "threshold", "observed", "verdict"],
    ...run.verdict.criteria.map((c) => [c.title, c.threshold, c.observed, c.pass ? "pass" : "FAIL"]),
  ];
  const widths = [0, 1, 2].map((col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  const table = rows.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const incidents = run.verdict.criteria.flatMap(incidentLines).map((line) => `  - ${line}`);
  const { regression } = run.verdict;
  const regressionText = regression
    ? [
        "",
        regressionHeading(regression),
        ...textTable(regressionRows(regression)),
        ...regressionQueries(regression).map((expr) => `  PromQL: ${expr}`),
      ]
    : [];
  return [
    `Soak gate: ${verdictWord(run.verdict)} (${heading(run)})`,
    soakLine(run.verdict),
    "",
    ...table,
    ...(incidents.length > 0 ? ["", ...incidents] : []),
    ...regressionText,
    "",
    conclusion(run.verdict),
  ].join("\n");
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The verdict in markdown; `extra` (the charts) goes before the details. */
export function renderMarkdown(run: GateRun, extra: readonly string[] = []): string {
  const { verdict } = run;
  const incidents = verdict.criteria.flatMap(incidentLines);
  return [
    `## Time Crunch soak gate: ${verdict.go ? "✅" : verdict.outcome === "INCONCLUSIVE" ? "❔" : "❌"} ${verdictWord(verdict)}`,
    "",
    `${conclusion(verdict)} ${soakLine(verdict)}`,
    "",
    `Window ${verdict.window.text} (${formatTime(verdict.window.start)} to ${formatTime(verdict.window.end)}), ${requestsText(verdict)}; thresholds of ${thresholdsOf(run)}.${run.dashboardUrl ? ` [Dashboard](${run.dashboardUrl})` : ""}`,
    "",
    "| criterion | threshold | observed | verdict |",
    "| --- | --- | --- | --- |",
    ...verdict.criteria.map(
      (c) => `| ${cell(c.title)} | ${cell(c.threshold)} | ${cell(c.observed)} | ${c.pass ? "pass" : "**FAIL**"} |`,
    ),
    ...(incidents.length > 0 ? ["", "**When and how long:**", "", ...incidents.map((line) => `- ${cell(line)}`)] : []),
    ...(verdict.regression ? regressionMarkdown(verdict.regression) : []),
    ...(extra.length > 0 ? ["", ...extra] : []),
    "",
    `<sub>${run.queries} queries to ${run.prometheus}. Stability and traffic replay the alert rules' conditions at one-minute steps.</sub>`,
    "",
  ].join("\n");
}

function regressionMarkdown(r: RegressionVerdict): string[] {
  const [head = [], ...rows] = regressionRows(r);
  return [
    "",
    `**${cell(regressionHeading(r))}**`,
    "",
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
    "",
    ...regressionQueries(r).map((expr) => `- \`${expr.replace(/`/g, "'")}\``),
  ];
}

/** report.json and `--format json`: one stable shape. */
export function reportJson(run: GateRun, charts: readonly { title: string; file: string }[] = []) {
  const { verdict } = run;
  const iso = (unix: number | null) => (unix === null ? null : new Date(unix * 1000).toISOString());
  return {
    verdict: verdictWord(verdict),
    go: verdict.go,
    failing: verdict.failing,
    stack: run.stack ?? null,
    window: { duration: verdict.window.text, start: iso(verdict.window.start), end: iso(verdict.window.end) },
    soak: {
      since: iso(verdict.soak.since),
      hours: verdict.soak.hours,
      atLeast: verdict.soak.atLeast,
      phase: verdict.soak.phase?.name ?? null,
    },
    requests: verdict.requests,
    ...(verdict.regression && {
      regression: {
        title: verdict.regression.title,
        status: verdict.regression.status,
        judged: { start: iso(verdict.regression.judged.start), end: iso(verdict.regression.judged.end) },
        baseline: { start: iso(verdict.regression.baseline.start), end: iso(verdict.regression.baseline.end) },
        baselineText: verdict.regression.baselineText,
        maxPValue: verdict.regression.maxPValue,
        minEffect: verdict.regression.minEffect,
        minSamples: verdict.regression.minSamples,
        findings: verdict.regression.findings.map((f) => ({
          scope: f.scope,
          measure: f.measure,
          status: f.status,
          baselineMedian: f.baselineMedian,
          judgedMedian: f.judgedMedian,
          baselineSamples: f.baselineSamples,
          judgedSamples: f.judgedSamples,
          effect: f.effect === null || Number.isFinite(f.effect) ? f.effect : String(f.effect),
          p: f.p,
          reason: f.reason,
          query: f.expr,
        })),
      },
    }),
    criteria: verdict.criteria.map((c) => ({
      key: c.key,
      title: c.title,
      threshold: c.threshold,
      observed: c.observed,
      value: c.value,
      pass: c.pass,
      incidents: c.incidents.map((i) => ({ what: i.what, from: iso(i.from), to: iso(i.to), minutes: i.minutes })),
    })),
    charts,
    prometheus: run.prometheus,
    queries: run.queries,
    dashboardUrl: run.dashboardUrl ?? null,
  };
}
