/**
 * The soak gate's evaluation, shared by the gate's command line and the tools that run the gate in
 * process (promote, soak-report, rollback-check): the gate's flags, what they mean once checked
 * ({@link gateOptions}), measuring the window in Prometheus and judging it ({@link evaluateGate}),
 * and the report folder ({@link writeReport}).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { timeCrunchAlertRules } from "../../components/observability/alertRules";
import { durationSeconds, metricContract, queries } from "../../components/observability/metrics";
import { gatePlan, judge, soakWindow, type SoakWindow } from "../../components/soak/soakCriteria";
import { regressionPlan } from "../../components/soak/regression";
import { offsetSeconds } from "../../components/config/schema";
import {
  durationFlag,
  formatOf,
  httpUrl,
  urlFlagOrEnv,
  timeFlag,
  UsageError,
  type FlagValues,
  type Format,
  type ToolIO,
} from "../cli/runner";
import { stackOutputsIntent } from "../cli/stackOutputs";
import { gateCharts, type ChartData } from "../charts/charts";
import { mermaidChart } from "../charts/mermaid";
import { chartSvg } from "../charts/svg";
import { auth, PrometheusClient, type PrometheusAuth } from "../services/prometheus";
import { budgetProblem, DEFAULT_BUDGET, type Budget } from "./budget";
import { chartData, measure, queryCount } from "./measure";
import { renderMarkdown, reportJson, type GateRun } from "./report";
import { defaultSettings, stackSettings, withWindow, type GateSettings } from "./settings";

/** The gate's flags (its --help, in tools/gate/main.ts, says what each means). */
export const GATE_FLAGS = {
  "prometheus-url": { type: "string" },
  stack: { type: "string" },
  "config-file": { type: "string" },
  window: { type: "string" },
  end: { type: "string" },
  since: { type: "string" },
  "stack-outputs": { type: "string" },
  format: { type: "string", default: "text" },
  report: { type: "string" },
  "post-to-slack": { type: "boolean", default: false },
  "dashboard-url": { type: "string" },
  "report-url": { type: "string" },
  "query-timeout": { type: "string" },
  deadline: { type: "string" },
} satisfies ParseArgsOptionsConfig;

/** A gate run's options, checked: what the flags and the environment say. */
export interface GateOptions {
  readonly settings: GateSettings;
  readonly prometheusUrl: string;
  readonly auth: PrometheusAuth;
  readonly end: number;
  /** The rung gate: the rung's start (Unix seconds), or undefined for the staging soak. */
  readonly since: number | undefined;
  readonly format: Format;
  readonly report: string | undefined;
  readonly slackWebhookUrl: string | undefined;
  readonly dashboardUrl: string | undefined;
  readonly reportUrl: string | undefined;
  readonly budget: Budget;
}

function endTime(value: string | undefined, now: number): number {
  return Math.floor((value === undefined ? now : timeFlag("end", value)) / 60) * 60;
}

/** The rung's start: --since, or rolloutIntent.since in the stack outputs; rounded up to the minute. */
function sinceTime(values: Values): number | undefined {
  const since = values.since;
  const outputs = values["stack-outputs"];
  if (since !== undefined && outputs !== undefined) {
    throw new UsageError("give at most one of --since TIME or --stack-outputs FILE (see --help)");
  }
  let unix: number | undefined;
  if (since !== undefined) unix = timeFlag("since", since);
  if (outputs !== undefined) {
    const intent = stackOutputsIntent(outputs);
    if (intent?.since === undefined) {
      throw new UsageError(
        `--stack-outputs ${outputs}: no rolloutIntent.since (a stack deployed before it existed); give the rung's start with --since TIME`,
      );
    }
    unix = Date.parse(intent.since) / 1000;
  }
  return unix === undefined ? undefined : Math.ceil(unix / 60) * 60;
}

type Values = FlagValues<typeof GATE_FLAGS>;

/** The flags' values checked (usage errors name the flag), with the clock's `now` in Unix seconds. */
export function gateOptions(values: Values, env: NodeJS.ProcessEnv, now: number): GateOptions {
  if (values.stack !== undefined && values["config-file"] !== undefined) {
    throw new UsageError("give at most one of --stack NAME or --config-file FILE (see --help)");
  }
  const format = formatOf(values.format);
  // The Prometheus URL may carry credentials: never shown whole.
  const url = urlFlagOrEnv("prometheus-url", values["prometheus-url"], "PROMETHEUS_URL", env);
  if (url === undefined) {
    throw new UsageError("give --prometheus-url URL or set PROMETHEUS_URL (see --help)");
  }
  const budget = {
    queryTimeoutSeconds:
      values["query-timeout"] === undefined
        ? DEFAULT_BUDGET.queryTimeoutSeconds
        : durationFlag("query-timeout", values["query-timeout"]),
    deadlineSeconds:
      values.deadline === undefined ? DEFAULT_BUDGET.deadlineSeconds : durationFlag("deadline", values.deadline),
  };
  const problem = budgetProblem(budget);
  if (problem) throw new UsageError(problem);
  const webhook = values["post-to-slack"] ? env.SLACK_WEBHOOK_URL : undefined;
  if (values["post-to-slack"] && !webhook) throw new UsageError("--post-to-slack needs SLACK_WEBHOOK_URL");
  let settings =
    values.stack !== undefined
      ? stackSettings({ stack: values.stack })
      : values["config-file"] !== undefined
        ? stackSettings({ configFile: values["config-file"] })
        : defaultSettings();
  if (values.window !== undefined) settings = withWindow(settings, values.window);
  const since = sinceTime(values);
  const end = endTime(values.end, now);
  if (since !== undefined && values.window !== undefined) {
    throw new UsageError(
      "give at most one of --window DURATION or --since/--stack-outputs: the rung's window is [since, end]",
    );
  }
  if (since !== undefined && since >= end) {
    throw new UsageError(`the rung's start (${new Date(since * 1000).toISOString()}) is not before the window's end`);
  }
  const dashboardUrl = values["dashboard-url"];
  const reportUrl = values["report-url"];
  return {
    settings,
    prometheusUrl: url,
    auth: auth(env),
    end,
    since,
    format,
    report: values.report === undefined ? undefined : resolve(values.report),
    slackWebhookUrl: webhook === undefined ? undefined : httpUrl("SLACK_WEBHOOK_URL", webhook, false),
    dashboardUrl: dashboardUrl === undefined ? undefined : httpUrl("--dashboard-url", dashboardUrl, true),
    reportUrl: reportUrl === undefined ? undefined : httpUrl("--report-url", reportUrl, true),
    budget,
  };
}

/** Writes report.md, report.json and one SVG per chart. */
export async function writeReport(dir: string, run: GateRun, charts: readonly ChartData[]): Promise<void> {
  mkdirSync(join(dir, "charts"), { recursive: true });
  const files: { title: string; file: string }[] = [];
  const sections: string[] = [];
  for (const chart of charts) {
    const file = `charts/${chart.spec.file}.svg`;
    writeFileSync(join(dir, file), await chartSvg(chart));
    files.push({ title: chart.spec.title, file });
    sections.push(`#### ${chart.spec.title}\n\n${mermaidChart(chart)} · [SVG](${file})\n`);
  }
  writeFileSync(join(dir, "report.md"), renderMarkdown(run, ["### Charts (UTC)", "", ...sections]));
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(reportJson(run, files), null, 2)}\n`);
}

/** What a gate run found: the verdict with its context, and the charts' data (none without `--report`). */
export interface GateEvaluation {
  readonly run: GateRun;
  readonly charts: readonly ChartData[];
}

/** Measures the window in Prometheus and judges it; progress on stderr when it is a terminal. */
export async function evaluateGate(opts: GateOptions, io: ToolIO): Promise<GateEvaluation> {
  const { settings } = opts;
  const q = queries(metricContract(settings.metricPrefix));
  const window =
    opts.since === undefined ? soakWindow(settings.gate.window, opts.end) : rungWindow(opts.since, opts.end);
  const base = gatePlan(
    settings.gate,
    timeCrunchAlertRules(settings.alerts, q, settings.stack ?? "staging"),
    q,
    window,
  );
  // The staging soak's baseline is the window before it; a rung's, soakGate.baseline earlier.
  const baselineOffset =
    opts.since === undefined ? window.seconds : (offsetSeconds(settings.gate.baseline) ?? window.seconds);
  const plan = {
    ...base,
    regression: regressionPlan(
      settings.gate,
      settings.previewPath,
      window,
      baselineOffset,
      opts.since === undefined ? "the window before" : `${settings.gate.baseline} earlier`,
    ),
    ...(opts.since !== undefined && {
      minimumSeconds: durationSeconds(settings.gate.rungSoak) ?? 0,
      minimumText: settings.gate.rungSoak,
    }),
  };
  const charts = opts.report === undefined ? [] : gateCharts(q, settings.gate, window);
  const client = new PrometheusClient({
    url: opts.prometheusUrl,
    auth: opts.auth,
    queryTimeoutMs: opts.budget.queryTimeoutSeconds * 1000,
    deadline: AbortSignal.timeout(opts.budget.deadlineSeconds * 1000),
  });
  const total = queryCount(plan, charts);
  let answered = 0;
  const progress = () => {
    answered++;
    if (io.stderr.isTTY) io.stderr.write(`\rgate: ${answered}/${total} queries answered by ${client.where}`);
  };
  const samples = await measure(client, plan, progress);
  const data = await chartData(client, charts, window, progress);
  if (io.stderr.isTTY) io.stderr.write("\n");

  const run: GateRun = {
    verdict: judge(plan, samples),
    stack: settings.stack,
    prometheus: client.where,
    queries: client.queries.length,
    dashboardUrl: opts.dashboardUrl,
  };
  return { run, charts: data };
}

/** The rung's window [since, end], named by its length (whole minutes). */
function rungWindow(since: number, end: number): SoakWindow {
  const seconds = end - since;
  const minutes = seconds / 60;
  const text = minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
  return { text, start: since, end, seconds };
}
