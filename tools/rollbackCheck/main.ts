/**
 * `npm run rollback-check -- --stack NAME`: the checklist's rollback procedure after a kill, a tool
 * of the one runner (`tools/cli/runner.ts`). It detects a flag turned off outside Pulumi, finds
 * when and by what in LaunchDarkly's audit log, verifies the rollback step by step, and records the
 * incident as one GitHub issue per kill (updated, never duplicated, on later runs), posted to
 * Slack. Decisions in `rollback.ts`, the record's text in `incident.ts`, HTTP in the sources.
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { parsedConfigOf, type ParsedConfig } from "../../components/config/schema";
import { readStackConfig, stackFilePath } from "../../components/config/stackFile";
import { AlertRuleKey, timeCrunchAlertRules, type AlertRuleSpec } from "../../components/observability/alertRules";
import { grafanaIdentity } from "../../components/observability/grafanaIdentity";
import { metricContract, queries } from "../../components/observability/metrics";
import { Targeting } from "../../components/rollout/targeting";
import { FEATURE_NOT_AVAILABLE, judgeAnswer, PreviewAnswer } from "../../components/workload/previewContract";
import { GITHUB_TIMEOUT_MS, githubSettings, type GitHubSettings } from "../services/github";
import { stackOutputsIntent } from "../cli/stackOutputs";
import {
  durationFlag,
  formatOf,
  httpUrl,
  urlFlagOrEnv,
  nonEmpty,
  Refusal,
  timeFlag,
  toolMain,
  Unreachable,
  UsageError,
  type Format,
  type ToolIO,
  writeResult,
} from "../cli/runner";
import { runBoundSeconds } from "../soakEvaluation/budget";
import { runGateInProcess } from "../soakEvaluation/inProcess";
import { auth, PrometheusClient, type PrometheusAuth } from "../services/prometheus";
import { postToSlack, SLACK_TIMEOUT_MS } from "../services/slack";
import { declaredOf, judgePreview, type Declared } from "../verification/checks";
import { GrafanaSource, LaunchDarklySource, PreviewSource, type RequestBudget } from "../services/sources";
import {
  incidentBody,
  incidentMarker,
  incidentTitle,
  renderMarkdown,
  renderText,
  reportJson,
  slackMessage,
  type AlertState,
  type KillReport,
  type RollbackRun,
} from "./incident";
import { INCIDENT_REQUESTS, IncidentIssues } from "./incidentIssue";
import {
  judgeErrorsSettled,
  judgeTrafficStopped,
  killOf,
  killState,
  rollbackVerdict,
  TRAFFIC_GRACE_SECONDS,
  turnedOff,
  type Kill,
  type RollbackStep,
} from "./rollback";

export const HELP = `Usage: npm run rollback-check -- --stack NAME [options]

After a kill: detects a flag turned off outside Pulumi (targeting off in
LaunchDarkly while the stack's intent says on: the automatic kill switch, or a
person in the LaunchDarkly UI), finds when and by what in LaunchDarkly's audit
log, verifies the rollback, and records the incident as a GitHub issue (one
per kill, updated by later runs), posted to Slack with its link.

The rollback's steps, each reported with what it found:
  flag-off          targeting is off in LaunchDarkly
  preview-endpoint  the endpoint answers feature_not_available
  traffic-stopped   no Time Crunch preview served from ${TRAFFIC_GRACE_SECONDS / 60} min after the kill,
                    and feature_not_available fallbacks appear
  errors-settled    the error rate is under its alert threshold within
                    --settle of the kill, and stays under it

  --stack NAME             the stack (required); its flag, thresholds and rules
                           from Pulumi.NAME.yaml
  --stack-outputs FILE     the intent: rolloutIntent in FILE (\`pulumi stack
                           output --json\`); default: the stack file's targeting.
                           With it, a stack file that says targeting off
                           acknowledges the kill
  --launchdarkly-url URL   LaunchDarkly's base URL (default
                           https://app.launchdarkly.com); token in
                           LAUNCHDARKLY_ACCESS_TOKEN (Reader role)
  --grafana-url URL        Grafana's base URL (or GRAFANA_URL), for the alert
                           state; token in GRAFANA_TOKEN
  --prometheus-url URL     Prometheus' base URL (or PROMETHEUS_URL)
  --preview-url URL        the preview endpoint (default: the stack's in-cluster
                           previewUrl); optional bearer token in PREVIEW_TOKEN
  --settle DURATION        how long the error rate may take to settle (default 15m)
  --end TIME               check as of TIME: RFC 3339 or Unix seconds; default now
  --no-incident            verify only: no GitHub issue (GITHUB_* not needed)
  --post-to-slack          post a kill with the issue's link to
                           SLACK_WEBHOOK_URL: when the issue is opened, and
                           when its verdict changes (not on every run)
  --format FORMAT          stdout: text (default), markdown or json
  --timeout DUR            per request (default 10s)
  --deadline DUR           for the checks' requests together (default 60s)
  --help                   this text

GitHub: GITHUB_TOKEN (issues: write), GITHUB_REPOSITORY (owner/name),
GITHUB_API_URL (default https://api.github.com). Prometheus credentials:
PROMETHEUS_BEARER_TOKEN, or PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD.
Tokens and the webhook URL are never printed.

Exit codes: 0 nothing killed (or the kill already acknowledged in config) or
the rollback verified; 1 a kill whose rollback is not verified (the failing
steps named); 2 bad usage or config, or a source (LaunchDarkly, Grafana,
Prometheus, the preview endpoint, GitHub, Slack) that cannot be reached or
answers with errors: what could be checked is still recorded.`;

const FLAGS = {
  stack: { type: "string" },
  "stack-outputs": { type: "string" },
  "launchdarkly-url": { type: "string", default: "https://app.launchdarkly.com" },
  "grafana-url": { type: "string" },
  "prometheus-url": { type: "string" },
  "preview-url": { type: "string" },
  settle: { type: "string", default: "15m" },
  end: { type: "string" },
  "no-incident": { type: "boolean", default: false },
  "post-to-slack": { type: "boolean", default: false },
  format: { type: "string", default: "text" },
  timeout: { type: "string", default: "10s" },
  deadline: { type: "string", default: "60s" },
} satisfies ParseArgsOptionsConfig;

type Values = Parameters<Parameters<typeof toolMain<typeof FLAGS>>[0]["run"]>[0]["values"];

interface Options {
  readonly stack: string;
  readonly config: ParsedConfig;
  readonly declared: Declared;
  /** The stack's alert rules: the error rate's threshold and query, and the rules whose state the record shows. */
  readonly rules: readonly AlertRuleSpec[];
  /** The stack's intent: targeting on? And whether it came from the stack outputs. */
  readonly intentOn: boolean;
  readonly intentSource: string;
  /** The stack file's targeting (with outputs: off acknowledges a kill). */
  readonly configOn: boolean;
  readonly launchDarkly: { url: string; token: string };
  readonly grafana: { url: string; token: string };
  readonly prometheus: { url: string; auth: PrometheusAuth };
  readonly preview: { url: string; token: string | undefined };
  readonly github: GitHubSettings | undefined;
  readonly slackWebhookUrl: string | undefined;
  readonly settleSeconds: number;
  readonly end: number;
  readonly format: Format;
  readonly timeoutSeconds: number;
  readonly deadlineSeconds: number;
}

function options(values: Values, env: NodeJS.ProcessEnv, now: number): Options {
  const format = formatOf(values.format);
  const stack = values.stack;
  if (stack === undefined || stack === "") throw new UsageError("give --stack NAME (see --help)");
  const settleSeconds = durationFlag("settle", values.settle);
  const timeoutSeconds = durationFlag("timeout", values.timeout);
  const deadlineSeconds = durationFlag("deadline", values.deadline);
  if (timeoutSeconds > deadlineSeconds) {
    throw new UsageError(`--timeout (${timeoutSeconds} s) must not exceed --deadline (${deadlineSeconds} s)`);
  }
  const end = values.end === undefined ? now : timeFlag("end", values.end);
  const config = parsedConfigOf(readStackConfig(stackFilePath(stack)));
  const declared = declaredOf(stack, config, "2h");
  const configOn = config.targeting === Targeting.On;
  const outputs = values["stack-outputs"];
  const intent = outputs === undefined ? undefined : stackOutputsIntent(outputs);
  const fromOutputs = intent === undefined ? undefined : intent.targeting === Targeting.On;
  const missing: string[] = [];
  const ldToken = nonEmpty(env.LAUNCHDARKLY_ACCESS_TOKEN);
  if (ldToken === undefined) missing.push("LAUNCHDARKLY_ACCESS_TOKEN");
  const grafanaUrl = urlFlagOrEnv("grafana-url", values["grafana-url"], "GRAFANA_URL", env);
  const grafanaToken = nonEmpty(env.GRAFANA_TOKEN);
  if (grafanaUrl === undefined) missing.push("--grafana-url URL or GRAFANA_URL");
  if (grafanaToken === undefined) missing.push("GRAFANA_TOKEN");
  const prometheusUrl = urlFlagOrEnv("prometheus-url", values["prometheus-url"], "PROMETHEUS_URL", env);
  if (prometheusUrl === undefined) missing.push("--prometheus-url URL or PROMETHEUS_URL");
  if (missing.length > 0) throw new UsageError(`give ${missing.join(", ")} (see --help)`);
  const webhook = values["post-to-slack"] ? env.SLACK_WEBHOOK_URL : undefined;
  if (values["post-to-slack"] && !webhook) throw new UsageError("--post-to-slack needs SLACK_WEBHOOK_URL");
  return {
    stack,
    config,
    declared,
    rules: timeCrunchAlertRules(config.alerts, queries(metricContract(config.grafana.metricPrefix)), stack),
    intentOn: fromOutputs ?? configOn,
    intentSource:
      fromOutputs === undefined
        ? outputs === undefined
          ? `Pulumi.${stack}.yaml`
          : `${outputs} (no rolloutIntent: Pulumi.${stack}.yaml)`
        : `rolloutIntent in ${outputs}`,
    configOn,
    launchDarkly: {
      url: httpUrl("--launchdarkly-url", values["launchdarkly-url"] ?? "https://app.launchdarkly.com"),
      token: ldToken ?? "",
    },
    grafana: { url: grafanaUrl ?? "", token: grafanaToken ?? "" },
    prometheus: { url: prometheusUrl ?? "", auth: auth(env) },
    preview: {
      url: httpUrl("--preview-url", values["preview-url"] ?? declared.preview.url),
      token: nonEmpty(env.PREVIEW_TOKEN),
    },
    github: values["no-incident"] ? undefined : githubSettings(env),
    slackWebhookUrl: webhook === undefined ? undefined : httpUrl("SLACK_WEBHOOK_URL", webhook),
    settleSeconds,
    end,
    format,
    timeoutSeconds,
    deadlineSeconds,
  };
}

/** A step whose source could not be asked: `unknown`, with why. */
async function step(
  name: RollbackStep["name"],
  expected: string,
  check: () => Promise<RollbackStep>,
): Promise<RollbackStep> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    return { name, status: "unknown", expected, found: `could not be checked: ${error.message}` };
  }
}

/** The rollback's verification after `kill`, one step per source. */
async function verifySteps(opts: Options, budget: RequestBudget, kill: Kill): Promise<RollbackStep[]> {
  const { declared, config } = opts;
  const q = queries(metricContract(config.grafana.metricPrefix));
  const prometheus = new PrometheusClient({
    url: opts.prometheus.url,
    auth: opts.prometheus.auth,
    queryTimeoutMs: budget.timeoutMs,
    deadline: budget.deadline,
  });
  const errorRule = opts.rules.find((r) => r.key === AlertRuleKey.ErrorRate);
  const value = (series: Awaited<ReturnType<PrometheusClient["instant"]>>) => series[0]?.points[0]?.[1];
  const span = (from: number) => `${Math.max(60, Math.floor(opts.end - from))}s`;
  const preview = new PreviewSource(opts.preview.url, opts.preview.token, budget);
  const flagOff: RollbackStep = {
    name: "flag-off",
    status: "pass",
    expected: `targeting off in ${declared.flag.environment}`,
    found: `targeting off in LaunchDarkly since ${new Date(kill.at * 1000).toISOString()}`,
  };
  return Promise.all([
    Promise.resolve(flagOff),
    step("preview-endpoint", "feature_not_available", async () => {
      const { status, body } = await preview.ask(declared.preview.body);
      const judged = judgePreview(
        { ...declared.preview, expected: PreviewAnswer.FeatureNotAvailable },
        status,
        judgeAnswer(status, body),
      );
      return {
        name: "preview-endpoint",
        status: judged.pass ? "pass" : "fail",
        expected: judged.expected,
        found: `${judged.found} from ${preview.where}`,
      };
    }),
    step("traffic-stopped", "no preview served after the kill", async () => {
      const from = kill.at + TRAFFIC_GRACE_SECONDS;
      const served =
        opts.end > from ? value(await prometheus.instant(q.previewsComputedIn(span(from)), opts.end)) : undefined;
      const fallbacks = value(await prometheus.instant(q.fallbacksIn(FEATURE_NOT_AVAILABLE, span(kill.at)), opts.end));
      return judgeTrafficStopped(served, fallbacks, kill.at, opts.end);
    }),
    step("errors-settled", "the error rate under its threshold", async () => {
      const start = Math.ceil(kill.at / 60) * 60;
      const stop = Math.floor(opts.end / 60) * 60;
      const series = stop >= start && errorRule ? await prometheus.range(errorRule.expr, start, stop, 60) : [];
      return judgeErrorsSettled(
        series[0]?.points ?? [],
        config.alerts.errorRate.above,
        kill.at,
        opts.settleSeconds,
        opts.end,
      );
    }),
  ]);
}

/** The stack's alert rules as Grafana states them now, or why they could not be read. */
async function alertStates(opts: Options, budget: RequestBudget): Promise<KillReport["alerts"]> {
  const identity = grafanaIdentity(opts.stack, opts.config.grafana);
  try {
    const found = await new GrafanaSource(opts.grafana.url, opts.grafana.token, budget).ruleStates(
      identity.ruleGroupName,
    );
    return opts.rules.map((rule): AlertState => {
      const uid = identity.ruleUid(rule.key);
      const state = found.find((f) => f.uid === uid) ?? found.find((f) => f.uid === undefined && f.name === rule.title);
      return { uid, title: rule.title, state: state?.state ?? "absent", activeAt: state?.activeAt };
    });
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    return { unknown: error.message };
  }
}

/** The soak gate's report of the hour before the kill (markdown; its charts as mermaid). */
async function gateReport(opts: Options, kill: Kill, env: NodeJS.ProcessEnv, io: ToolIO): Promise<string> {
  const gate = await runGateInProcess(
    [
      ...["--stack", opts.stack, "--prometheus-url", opts.prometheus.url, "--window", "60m", "--end", String(kill.at)],
      ...["--query-timeout", `${opts.timeoutSeconds}s`, "--deadline", `${opts.deadlineSeconds}s`],
    ],
    env,
    io,
  );
  if (gate.report === undefined)
    return `_The soak gate could not report on the hour before the kill (exit ${gate.code})._`;
  // The SVG files stay with the gate's scratch directory: the mermaid charts render on GitHub.
  return gate.report.replace(/ · \[SVG\]\([^)]*\)/g, "");
}

async function rollbackCheck(opts: Options, env: NodeJS.ProcessEnv, io: ToolIO): Promise<number> {
  const budget: RequestBudget = {
    timeoutMs: opts.timeoutSeconds * 1000,
    deadline: AbortSignal.timeout(opts.deadlineSeconds * 1000),
  };
  const { flag } = opts.declared;
  const report = (run: RollbackRun) => {
    writeResult(io, opts.format, run, { text: renderText, markdown: renderMarkdown, json: reportJson });
  };
  if (!opts.intentOn) {
    report({
      stack: opts.stack,
      kind: "not-watched",
      why: `targeting is off in ${opts.intentSource}: nothing to check`,
    });
    return 0;
  }
  const launchDarkly = new LaunchDarklySource(opts.launchDarkly.url, opts.launchDarkly.token, budget);
  const live = (await launchDarkly.flag(flag.project, flag.key, flag.environment))?.environment;
  if (live === undefined) {
    throw new Unreachable(
      `${launchDarkly.where} has no flag ${flag.project}/${flag.key} with environment ${flag.environment} (is the stack deployed?)`,
    );
  }
  const state = killState(opts.intentOn, live.on, opts.configOn);
  if (state.kind !== "killed") {
    report({
      stack: opts.stack,
      kind: state.kind,
      why: `targeting is on in LaunchDarkly environment ${flag.environment}, as ${opts.intentSource} says: nothing killed`,
    });
    return 0;
  }
  const entry = turnedOff(await launchDarkly.auditLog(flag.project, flag.environment, flag.key));
  if (entry === undefined) {
    throw new Refusal(
      `targeting is off in LaunchDarkly environment ${flag.environment} while ${opts.intentSource} says on, but no entry of its ` +
        `audit log (the newest 20 for this flag there) turned it off: when, and so whether the rollback took, cannot be told`,
    );
  }
  const kill = killOf(entry, await launchDarkly.madeByTrigger(entry.id));
  const [steps, alerts] = await Promise.all([verifySteps(opts, budget, kill), alertStates(opts, budget)]);
  let killReport: KillReport = {
    stack: opts.stack,
    flag,
    kill,
    acknowledged: state.acknowledged,
    alerts,
    steps,
    settleMinutes: opts.settleSeconds / 60,
    checkedAt: opts.end,
    gateReport: await gateReport(opts, kill, env, io),
  };
  // Slack hears of a kill once, and again only when its verdict changes (the title says it), not on
  // every run of the watch.
  let news = true;
  if (opts.github !== undefined) {
    const issues = await IncidentIssues.connect(opts.github);
    const existing = await issues.find(incidentMarker(opts.stack, kill));
    const title = incidentTitle(killReport);
    const issue = await issues.record(existing, title, incidentBody(killReport, existing?.body));
    killReport = { ...killReport, issue };
    news = existing?.title !== title;
  }
  report({ kind: "killed", ...killReport });
  if (opts.slackWebhookUrl !== undefined && news) {
    await postToSlack(opts.slackWebhookUrl, slackMessage(killReport));
    io.stderr.write("rollback-check: posted to Slack\n");
  }
  const verdict = rollbackVerdict(steps);
  if (verdict === "unknown") {
    for (const s of steps.filter((s) => s.status === "unknown"))
      io.stderr.write(`rollback-check: ${s.name} ${s.found}\n`);
    return 2;
  }
  if ("unknown" in alerts) {
    io.stderr.write(`rollback-check: ${alerts.unknown}\n`);
    return 2;
  }
  return verdict === "verified" || state.acknowledged ? 0 : 1;
}

/** Runs the check; returns the exit code. Never throws for a user's mistake or an unreachable source. */
export const main = toolMain({
  name: "rollback-check",
  messagePrefix: "rollback-check: ",
  help: HELP,
  flags: FLAGS,
  run: async ({ values }, env, io) => {
    const opts = options(values, env, (io.now ?? Date.now)() / 1000);
    // The checks' deadline, then the gate's (the same), then GitHub and Slack.
    io.onBound?.(
      runBoundSeconds({ queryTimeoutSeconds: opts.timeoutSeconds, deadlineSeconds: opts.deadlineSeconds }) +
        opts.deadlineSeconds +
        (INCIDENT_REQUESTS * GITHUB_TIMEOUT_MS + SLACK_TIMEOUT_MS) / 1000 +
        10,
    );
    return rollbackCheck(opts, env, io);
  },
});
