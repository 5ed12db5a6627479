/**
 * `npm run soak-report -- --stack staging`: the staging checklist's communication plan on its
 * schedule (`node tools/cli/launcher.cjs soak-report`), a tool of the one runner
 * (`tools/cli/runner.ts`). Which report is due is `components/soak/reportSchedule.ts`; what each
 * says, `report.ts`. It runs the soak gate in process (its `main`, `--format json`), once per
 * judgement the report needs, and posts the report to Slack itself.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { parsedConfigOf } from "../../components/config/schema";
import { metricContract } from "../../components/observability/metrics";
import { readStackConfig, stackFilePath } from "../../components/config/stackFile";
import { Targeting } from "../../components/rollout/targeting";
import {
  currentReport,
  dueReport,
  ReportKind,
  slotTime,
  UNKNOWN_START_REASON,
  type ReportSlot,
} from "../../components/soak/reportSchedule";
import {
  formatOf,
  httpUrl,
  nonEmpty,
  pullRequestFlag,
  urlFlagOrEnv,
  timeFlag,
  toolMain,
  UsageError,
  writeResult,
  type Format,
  type ToolIO,
} from "../cli/runner";
import { stackOutputsIntent } from "../cli/stackOutputs";
import { DEFAULT_BUDGET, runBoundSeconds } from "../soakEvaluation/budget";
import { runGateInProcess } from "../soakEvaluation/inProcess";
import { formatTime } from "../soakEvaluation/report";
import { GITHUB_TIMEOUT_MS, githubSettings, type GitHubSettings } from "../services/github";
import { FEEDBACK_PAGES, FeedbackIssues } from "../services/feedbackIssues";
import { auth, PrometheusClient } from "../services/prometheus";
import { SignoffSource } from "../services/signoffReviews";
import { postToSlack, SLACK_TIMEOUT_MS } from "../services/slack";
import {
  noReportJson,
  noReportLine,
  finalGo,
  renderJson,
  renderMarkdown,
  renderText,
  slackMessage,
  type GateJson,
  type NoReport,
  type SignoffsRead,
  type SoakReport,
  type StartSource,
} from "./report";
import { readFeedback, readUsage } from "./beta";

export const HELP = `Usage: npm run soak-report -- --stack staging [options]

The staging checklist's communication plan: hourly updates for the first 8
hours, every 4 hours through hour 48, a daily summary at hour 24, the final
go/no-go report at hour 48 (components/soak/reportSchedule.ts). Each report
runs the soak gate: hourly and four-hourly over the soak so far; the daily
summary over the last 24 hours against the 24 before; the final report as the
promotion gate judges it. Without --scheduled, the report for now, at once.

  --stack NAME           the soaking stack (default staging): thresholds from
                         Pulumi.NAME.yaml
  --soak-start TIME      the soak's start: RFC 3339 or Unix seconds
  --stack-outputs FILE   the soak's start from rolloutIntent.since in FILE
                         (\`pulumi stack output --json\`); targeting off: no soak
  --scheduled            make only the report the schedule says is due in
                         (previous run, end]; none: say so, exit 0
  --previous-run TIME    the previous scheduled run's time (default: end - 1h,
                         the hourly cron's period)
  --end TIME             the report's time: RFC 3339 or Unix seconds (default now)
  --prometheus-url URL   Prometheus' base URL (or PROMETHEUS_URL)
  --post-to-slack        post the report to the incoming webhook in
                         SLACK_WEBHOOK_URL
  --dashboard-url URL    link the Grafana dashboard
  --report-url URL       link the full report (e.g. the CI run)
  --signoffs-pr N        the final report reads the sign-offs (signoffs in
                         Pulumi.beta.yaml) of pull request N, the one that
                         promotes: GO only with the gate's GO and every role
                         signed (GITHUB_TOKEN, GITHUB_REPOSITORY, as signoffs)
  --report DIR           the gate's report (report.md, report.json, charts/)
                         plus soak-report.md and slack-message.json
  --format FORMAT        stdout: text (default), markdown or json
  --help                 this text

Prometheus credentials as for the gate. Credentials and the webhook URL are
never printed or written.

Exit codes: 0 nothing due, or a report with GO (so far); 1 a report with NO-GO
or INCONCLUSIVE (or an unexpected failure); 2 bad usage or config, the soak's
start unknown, or Prometheus or Slack unreachable.`;

const FLAGS = {
  stack: { type: "string", default: "staging" },
  "soak-start": { type: "string" },
  "stack-outputs": { type: "string" },
  scheduled: { type: "boolean", default: false },
  "previous-run": { type: "string" },
  end: { type: "string" },
  "prometheus-url": { type: "string" },
  "post-to-slack": { type: "boolean", default: false },
  "dashboard-url": { type: "string" },
  "report-url": { type: "string" },
  "signoffs-pr": { type: "string" },
  report: { type: "string" },
  format: { type: "string", default: "text" },
} satisfies ParseArgsOptionsConfig;

type Values = { readonly [K in keyof typeof FLAGS]?: (typeof FLAGS)[K] extends { type: "boolean" } ? boolean : string };

/** The cron's period: a scheduled run without --previous-run assumes the run an hour before. */
const CRON_PERIOD_SECONDS = 3600;

/** The soak's start as the flags give it; never guessed (not from Prometheus' first sample). */
type SoakStart =
  | { readonly kind: "known"; readonly start: number; readonly source: StartSource }
  | { readonly kind: "unknown"; readonly why: string }
  | { readonly kind: "no-soak"; readonly why: string };

function soakStart(values: Values): SoakStart {
  const given = values["soak-start"];
  const outputs = values["stack-outputs"];
  if (given !== undefined && outputs !== undefined) {
    throw new UsageError("give at most one of --soak-start TIME or --stack-outputs FILE (see --help)");
  }
  if (given !== undefined) return { kind: "known", start: timeFlag("soak-start", given), source: "--soak-start" };
  if (outputs === undefined) return { kind: "unknown", why: "neither --soak-start nor --stack-outputs was given" };
  const intent = stackOutputsIntent(outputs);
  if (intent === undefined) return { kind: "unknown", why: `${outputs} has no rolloutIntent output` };
  if (intent.targeting === Targeting.Off) {
    return { kind: "no-soak", why: `targeting is off (rolloutIntent in ${outputs}): no soak running` };
  }
  if (intent.since === undefined) {
    return { kind: "unknown", why: `${outputs} has no rolloutIntent.since (a stack deployed before it existed)` };
  }
  return { kind: "known", start: Date.parse(intent.since) / 1000, source: "rolloutIntent.since" };
}

interface Options {
  readonly stack: string;
  /** The promoting pull request whose sign-offs the final report reads, with GitHub's settings. */
  readonly signoffs: { readonly pr: number; readonly github: GitHubSettings } | undefined;
  /** Where the summaries read the feedback issues: GitHub when GITHUB_TOKEN is set (checked at once). */
  readonly feedbackGitHub: GitHubSettings | undefined;
  readonly start: SoakStart;
  readonly scheduled: boolean;
  /** Unix seconds, as given: the schedule's spans must meet exactly, so they are not rounded. */
  readonly end: number;
  readonly previousRun: number;
  readonly format: Format;
  readonly report: string | undefined;
  readonly slackWebhookUrl: string | undefined;
  readonly dashboardUrl: string | undefined;
  readonly reportUrl: string | undefined;
  /** Passed to the gate as given (it checks it and keeps it out of its output). */
  readonly prometheusUrl: string | undefined;
}

function options(values: Values, env: NodeJS.ProcessEnv, now: number): Options {
  const stack = values.stack ?? "staging";
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack ${stack}: allowed: a stack name, e.g. staging`);
  const format = formatOf(values.format);
  // Checked here as the gate checks it, before any request.
  if (urlFlagOrEnv("prometheus-url", values["prometheus-url"], "PROMETHEUS_URL", env) === undefined) {
    throw new UsageError("give --prometheus-url URL or set PROMETHEUS_URL (see --help)");
  }
  if (values["previous-run"] !== undefined && !values.scheduled) {
    throw new UsageError("--previous-run is for --scheduled runs (see --help)");
  }
  const webhook = values["post-to-slack"] ? env.SLACK_WEBHOOK_URL : undefined;
  if (values["post-to-slack"] && !webhook) throw new UsageError("--post-to-slack needs SLACK_WEBHOOK_URL");
  const end = values.end === undefined ? now : timeFlag("end", values.end);
  const previous = values["previous-run"];
  const dashboardUrl = values["dashboard-url"];
  const reportUrl = values["report-url"];
  const pr = values["signoffs-pr"];
  return {
    stack,
    signoffs: pr === undefined ? undefined : { pr: pullRequestFlag("signoffs-pr", pr), github: githubSettings(env) },
    feedbackGitHub: nonEmpty(env.GITHUB_TOKEN) === undefined ? undefined : githubSettings(env),
    start: soakStart(values),
    scheduled: values.scheduled === true,
    end,
    previousRun: previous === undefined ? end - CRON_PERIOD_SECONDS : timeFlag("previous-run", previous),
    format,
    report: values.report === undefined ? undefined : resolve(values.report),
    slackWebhookUrl: webhook === undefined ? undefined : httpUrl("SLACK_WEBHOOK_URL", webhook, false),
    dashboardUrl: dashboardUrl === undefined ? undefined : httpUrl("--dashboard-url", dashboardUrl, true),
    reportUrl: reportUrl === undefined ? undefined : httpUrl("--report-url", reportUrl, true),
    prometheusUrl: values["prometheus-url"],
  };
}

/** The gate's window for a report: the soak so far (1h at least, the gate's shortest), the last day, or the gate's own. */
function judgements(slot: ReportSlot, start: number, end: number): string[][] {
  const at = (t: number) => ["--end", String(t)];
  switch (slot.kind) {
    case ReportKind.Hourly:
    case ReportKind.FourHourly: {
      // The gate rounds its end down to the minute; the window starts at or after the soak's start.
      const minutes = Math.floor((Math.floor(end / 60) * 60 - start) / 60);
      return [["--window", `${Math.max(minutes, 60)}m`, ...at(end)]];
    }
    case ReportKind.DailySummary: {
      // The soak's first day exactly, and the day before it: a run a few minutes after the slot
      // would otherwise lend the soak's first minutes to "the day before".
      const day = slotTime(start, slot);
      return [
        ["--window", "24h", ...at(day)],
        ["--window", "24h", ...at(day - 24 * 3600)],
      ];
    }
    case ReportKind.Final:
      // Exactly as the Soak gate workflow judges the pull request that turns the beta on.
      return [at(end)];
  }
}

/**
 * Runs the gate in process (its report in `reportDir`, if given); its JSON, or its exit code when
 * it printed none (2: its message is on stderr).
 */
async function runGate(
  args: readonly string[],
  opts: Options,
  env: NodeJS.ProcessEnv,
  io: ToolIO,
  reportDir: string | undefined,
): Promise<GateJson | number> {
  const gate = await runGateInProcess(
    [
      "--stack",
      opts.stack,
      ...args,
      ...(opts.prometheusUrl === undefined ? [] : ["--prometheus-url", opts.prometheusUrl]),
      ...(opts.dashboardUrl === undefined ? [] : ["--dashboard-url", opts.dashboardUrl]),
    ],
    env,
    io,
    reportDir,
  );
  if (gate.code === 2) return gate.code;
  try {
    return JSON.parse(gate.json) as GateJson;
  } catch {
    return gate.code;
  }
}

/** Next to the gate's report: this report's markdown and its Slack message. */
function writeReport(dir: string, report: SoakReport): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "soak-report.md"), renderMarkdown(report));
  writeFileSync(join(dir, "slack-message.json"), `${JSON.stringify(slackMessage(report), null, 2)}\n`);
}

/** The stack a soak promotes into: its `signoffs` are what the final report waits for. */
const PROMOTED_STACK = "beta";

async function readSignoffs(given: NonNullable<Options["signoffs"]>): Promise<SignoffsRead> {
  const roles = parsedConfigOf(readStackConfig(stackFilePath(PROMOTED_STACK), PROMOTED_STACK)).signoffs ?? [];
  if (roles.length === 0) return { pr: given.pr, roles: [] };
  const github = await SignoffSource.connect(given.github);
  return { pr: given.pr, roles: (await github.judge(roles, given.pr)).roles };
}

/** The summaries' usage (Prometheus) and feedback (GitHub: its absence or outage is said, not fatal). */
async function betaExecution(opts: Options, env: NodeJS.ProcessEnv, start: number) {
  const config = parsedConfigOf(readStackConfig(stackFilePath(opts.stack), opts.stack));
  const client = new PrometheusClient({
    url: urlFlagOrEnv("prometheus-url", opts.prometheusUrl, "PROMETHEUS_URL", env) ?? "",
    auth: auth(env),
    queryTimeoutMs: DEFAULT_BUDGET.queryTimeoutSeconds * 1000,
    deadline: AbortSignal.timeout(DEFAULT_BUDGET.deadlineSeconds * 1000),
  });
  const usage = await readUsage(client, metricContract(config.grafana.metricPrefix), start, opts.end);
  const label = config.feedback.label;
  const settings = opts.feedbackGitHub;
  const feedback = await readFeedback(
    label,
    settings === undefined
      ? { why: "GITHUB_TOKEN is not set" }
      : async () => (await FeedbackIssues.connect(settings)).openedSince(label, start),
  );
  return { usage, feedback };
}

async function soakReport(opts: Options, env: NodeJS.ProcessEnv, io: ToolIO): Promise<number> {
  const nothing = (none: NoReport) => {
    writeResult(io, opts.format, none, { text: noReportLine, markdown: noReportLine, json: noReportJson });
    return 0;
  };
  const { start } = opts;
  if (start.kind === "no-soak") return nothing({ stack: opts.stack, reason: start.why, next: undefined });
  if (start.kind === "unknown") {
    throw new UsageError(
      `${UNKNOWN_START_REASON}: ${start.why}; give --soak-start TIME or --stack-outputs FILE (with rolloutIntent.since)`,
    );
  }
  let slot: ReportSlot;
  let missed = 0;
  if (opts.scheduled) {
    const due = dueReport({ start: start.start, now: opts.end, previousRun: opts.previousRun });
    if (due.kind !== "due")
      return nothing({ stack: opts.stack, reason: due.reason, next: due.kind === "none" ? due.next : undefined });
    ({ slot, missed } = due);
  } else {
    if (opts.end <= start.start) {
      throw new UsageError(
        `the soak starts ${formatTime(start.start)}, not before the report's end ${formatTime(opts.end)}`,
      );
    }
    slot = currentReport({ start: start.start, now: opts.end });
  }

  const runs = judgements(slot, start.start, opts.end);
  // The sign-offs: the pull request, its reviews and each team, a few pages each (at most 12 requests).
  const signoffSeconds = opts.signoffs === undefined ? 0 : (12 * GITHUB_TIMEOUT_MS) / 1000;
  // The summaries: the usage queries (one gate budget) and the feedback issues' pages.
  const summarySeconds =
    slot.kind === ReportKind.DailySummary || slot.kind === ReportKind.Final
      ? runBoundSeconds(DEFAULT_BUDGET) + (FEEDBACK_PAGES * GITHUB_TIMEOUT_MS) / 1000
      : 0;
  io.onBound?.(
    runs.length * runBoundSeconds(DEFAULT_BUDGET) + signoffSeconds + summarySeconds + SLACK_TIMEOUT_MS / 1000 + 10,
  );
  // One after the other: each run has the gate's budget, and the bound above is their sum. The
  // gate's full report (charts included) kept in --report is the first judgement's: the one the
  // report is about.
  const judged: GateJson[] = [];
  for (const [index, args] of runs.entries()) {
    const result = await runGate(args, opts, env, io, index === 0 ? opts.report : undefined);
    if (typeof result === "number") return result;
    judged.push(result);
  }
  const [gate, previousDay] = judged as [GateJson, ...GateJson[]];
  const signoffs =
    slot.kind === ReportKind.Final && opts.signoffs !== undefined ? await readSignoffs(opts.signoffs) : undefined;
  const summary = slot.kind === ReportKind.DailySummary || slot.kind === ReportKind.Final;
  const beta = summary ? await betaExecution(opts, env, start.start) : undefined;
  const report: SoakReport = {
    stack: opts.stack,
    slot,
    scheduled: opts.scheduled,
    missed,
    start: start.start,
    startSource: start.source,
    end: opts.end,
    gate,
    ...(previousDay && { previousDay }),
    ...(signoffs && { signoffs }),
    ...beta,
    dashboardUrl: opts.dashboardUrl,
    reportUrl: opts.reportUrl,
  };
  writeResult(io, opts.format, report, { text: renderText, markdown: renderMarkdown, json: renderJson });
  if (opts.report !== undefined) writeReport(opts.report, report);
  if (opts.slackWebhookUrl !== undefined) {
    await postToSlack(opts.slackWebhookUrl, slackMessage(report));
    io.stderr.write(`soak-report: posted the ${slot.kind} report to Slack\n`);
  }
  return finalGo(report) ? 0 : 1;
}

/** Makes the report that is due (or the one for now); returns the exit code. Never throws for a user's mistake. */
export const main = toolMain({
  name: "soak-report",
  messagePrefix: "soak-report: ",
  help: HELP,
  flags: FLAGS,
  run: ({ values }, env, io) => soakReport(options(values, env, (io.now ?? Date.now)() / 1000), env, io),
});
