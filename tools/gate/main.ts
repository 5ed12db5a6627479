/**
 * `npm run gate`: the soak gate's command line (`node tools/cli/launcher.cjs gate`), a tool of the
 * one runner (`tools/cli/runner.ts`): `main(argv, env, io)` returns the exit code; the tests call it
 * in process.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { timeCrunchAlertRules } from "../../components/observability/alertRules";
import { durationSeconds, metricContract, queries } from "../../components/observability/metrics";
import { gatePlan, judge, soakWindow } from "../../components/soak/soakCriteria";
import { formatOf, toolMain, UsageError, type Format, type ToolIO } from "../cli/runner";
import { budgetProblem, DEFAULT_BUDGET, runBoundSeconds, type Budget } from "./budget";
import { gateCharts, type ChartData } from "./charts";
import { chartData, measure, queryCount } from "./measure";
import { mermaidChart } from "./mermaid";
import { auth, PrometheusClient, type PrometheusAuth } from "./prometheus";
import { renderMarkdown, renderText, reportJson, type GateRun } from "./report";
import { defaultSettings, stackSettings, withWindow, type GateSettings } from "./settings";
import { postToSlack, slackMessage } from "./slack";
import { chartSvg } from "./svg";

export const HELP = `Usage: npm run gate -- --prometheus-url URL [options]

Judges the staging soak from Prometheus: every promotion criterion of the
checklist over the window, then GO or NO-GO.

  --prometheus-url URL   Prometheus' base URL (or PROMETHEUS_URL)
  --stack NAME           thresholds from Pulumi.NAME.yaml (soakGate, alerts,
                         grafana.metricPrefix); default: the checklist's
  --config-file FILE     the same from any file in the stack config format
  --window DURATION      how far back to judge, e.g. 24h (default: the stack's
                         soakGate.window, 24h)
  --end TIME             judge the window ending at TIME: RFC 3339
                         (2026-01-02T08:00:00Z) or Unix seconds; default now.
                         Rounded down to the minute
  --format FORMAT        stdout: text (default), markdown or json
  --report DIR           write DIR/report.md (with charts GitHub renders),
                         DIR/report.json and DIR/charts/*.svg
  --post-to-slack        post the summary to the incoming webhook in
                         SLACK_WEBHOOK_URL
  --dashboard-url URL    link the Grafana dashboard in the report and the post
  --report-url URL       link the full report (e.g. the CI run) in the post
  --query-timeout DUR    per request to Prometheus (default 30s)
  --deadline DUR         for all queries, retries included (default 75s)
  --help                 this text

Prometheus credentials: PROMETHEUS_BEARER_TOKEN, or PROMETHEUS_USERNAME and
PROMETHEUS_PASSWORD. Credentials and the webhook URL are never printed.

Exit codes: 0 GO; 1 NO-GO (or an unexpected failure); 2 bad usage or config,
or Prometheus (or Slack) unreachable, answering with errors or too slowly.
No data is never a pass. Progress goes to stderr when it is a terminal.`;

const FLAGS = {
  "prometheus-url": { type: "string" },
  stack: { type: "string" },
  "config-file": { type: "string" },
  window: { type: "string" },
  end: { type: "string" },
  format: { type: "string", default: "text" },
  report: { type: "string" },
  "post-to-slack": { type: "boolean", default: false },
  "dashboard-url": { type: "string" },
  "report-url": { type: "string" },
  "query-timeout": { type: "string" },
  deadline: { type: "string" },
} satisfies ParseArgsOptionsConfig;

/** The gate's I/O: the runner's (`onBound` arms the launcher's watchdog; `now` is the clock for `--end`). */
export type GateIO = ToolIO;

interface Options {
  readonly settings: GateSettings;
  readonly prometheusUrl: string;
  readonly auth: PrometheusAuth;
  readonly end: number;
  readonly format: Format;
  readonly report: string | undefined;
  readonly slackWebhookUrl: string | undefined;
  readonly dashboardUrl: string | undefined;
  readonly reportUrl: string | undefined;
  readonly budget: Budget;
}

function httpUrl(what: string, value: string, shown: boolean): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new UsageError(`${what}${shown ? ` ${value}` : ""}: allowed: an http or https URL`);
  }
  return value;
}

function seconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = durationSeconds(value);
  if (parsed === undefined || parsed <= 0)
    throw new UsageError(`--${flag} ${value}: allowed: a duration such as 30s or 2m`);
  return parsed;
}

function endTime(value: string | undefined, now: number): number {
  let unix = now;
  if (value !== undefined) {
    const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;
    unix = /^\d+(\.\d+)?$/.test(value) ? Number(value) : rfc3339.test(value) ? Date.parse(value) / 1000 : NaN;
    if (!Number.isFinite(unix)) {
      throw new UsageError(`--end ${value}: allowed: RFC 3339 (2026-01-02T08:00:00Z) or Unix seconds`);
    }
  }
  return Math.floor(unix / 60) * 60;
}

type Values = { readonly [K in keyof typeof FLAGS]?: (typeof FLAGS)[K] extends { type: "boolean" } ? boolean : string };

function options(values: Values, env: NodeJS.ProcessEnv, now: number): Options {
  if (values.stack !== undefined && values["config-file"] !== undefined) {
    throw new UsageError("give at most one of --stack NAME or --config-file FILE (see --help)");
  }
  const format = formatOf(values.format);
  const url = values["prometheus-url"] ?? env.PROMETHEUS_URL;
  if (url === undefined || url === "") {
    throw new UsageError("give --prometheus-url URL or set PROMETHEUS_URL (see --help)");
  }
  const budget = {
    queryTimeoutSeconds: seconds("query-timeout", values["query-timeout"], DEFAULT_BUDGET.queryTimeoutSeconds),
    deadlineSeconds: seconds("deadline", values.deadline, DEFAULT_BUDGET.deadlineSeconds),
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
  const dashboardUrl = values["dashboard-url"];
  const reportUrl = values["report-url"];
  return {
    settings,
    // The Prometheus URL may carry credentials: never shown whole.
    prometheusUrl: httpUrl("--prometheus-url", url, false),
    auth: auth(env),
    end: endTime(values.end, now),
    format,
    report: values.report === undefined ? undefined : resolve(values.report),
    slackWebhookUrl: webhook === undefined ? undefined : httpUrl("SLACK_WEBHOOK_URL", webhook, false),
    dashboardUrl: dashboardUrl === undefined ? undefined : httpUrl("--dashboard-url", dashboardUrl, true),
    reportUrl: reportUrl === undefined ? undefined : httpUrl("--report-url", reportUrl, true),
    budget,
  };
}

/** Writes report.md, report.json and one SVG per chart. */
async function writeReport(dir: string, run: GateRun, charts: readonly ChartData[]): Promise<void> {
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

async function gate(opts: Options, io: GateIO): Promise<number> {
  const { settings } = opts;
  const q = queries(metricContract(settings.metricPrefix));
  const window = soakWindow(settings.gate.window, opts.end);
  const plan = gatePlan(
    settings.gate,
    timeCrunchAlertRules(settings.alerts, q, settings.stack ?? "staging"),
    q,
    window,
  );
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
  const stdout = {
    text: () => renderText(run),
    markdown: () => renderMarkdown(run),
    json: () => JSON.stringify(reportJson(run), null, 2),
  }[opts.format]();
  io.stdout.write(`${stdout}\n`);
  if (opts.report !== undefined) await writeReport(opts.report, run, data);
  if (opts.slackWebhookUrl !== undefined) {
    await postToSlack(opts.slackWebhookUrl, slackMessage(run, { reportUrl: opts.reportUrl }));
    io.stderr.write("gate: posted the summary to Slack\n");
  }
  return run.verdict.go ? 0 : 1;
}

/** Runs the gate; returns the exit code. Never throws for a user's mistake or an unreachable dependency. */
export const main = toolMain({
  name: "gate",
  messagePrefix: "gate: ",
  help: HELP,
  flags: FLAGS,
  run: async ({ values }, env, io) => {
    const opts = options(values, env, (io.now ?? Date.now)() / 1000);
    io.onBound?.(runBoundSeconds(opts.budget));
    return gate(opts, io);
  },
});
