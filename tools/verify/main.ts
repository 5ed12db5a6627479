/**
 * `npm run verify`: checks that what runs is what a stack declares (the checklist's hours 0 to 2):
 * the Grafana dashboard and alert rules, the LaunchDarkly targeting, the telemetry in Prometheus,
 * the preview endpoint's answer and no errors in the window. A tool of the one runner
 * (`tools/cli/runner.ts`); the decisions are in `checks.ts`, the HTTP in `sources.ts`.
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { parsedConfigOf } from "../../components/config/schema";
import { readStackConfig, stackFilePath } from "../../components/config/stackFile";
import { judgeAnswer } from "../../components/workload/previewContract";
import {
  durationFlag,
  formatOf,
  httpUrl,
  urlFlagOrEnv,
  nonEmpty,
  timeFlag,
  toolMain,
  Unreachable,
  UsageError,
  type Format,
  type ToolIO,
  writeResult,
} from "../cli/runner";
import { auth, PrometheusClient, type PrometheusAuth } from "../services/prometheus";
import { postToSlack, SLACK_TIMEOUT_MS } from "../services/slack";
import {
  CHECKS,
  declaredOf,
  judgeAlertRules,
  judgeDashboard,
  judgeFlag,
  judgeNoErrors,
  judgePreview,
  judgeTelemetry,
  telemetryQuery,
  type CheckName,
  type CheckResult,
  type Declared,
  type FoundRule,
} from "../verification/checks";
import { renderMarkdown, renderText, reportJson, slackMessage, type VerifyRun } from "./report";
import { GrafanaSource, LaunchDarklySource, PreviewSource, type RequestBudget } from "../services/sources";

export const HELP = `Usage: npm run verify -- --stack NAME [options]

Checks that what runs is what the stack declares (Pulumi.NAME.yaml), one
named check at a time, each with what was expected and what was found:

  dashboard         the Grafana dashboard exists, in the stack's folder, with
                    its five panels
  alert-rules       every alert rule exists in the stack's rule group and
                    folder, and is not paused
  flag-targeting    LaunchDarkly serves the declared targeting (on/off) and
                    fallthrough (the rollout percentage)
  telemetry         every metric of the contract has a sample in Prometheus
                    in the last 15 minutes
  preview-endpoint  the endpoint answers preview data (targeting on), or
                    feature_not_available (targeting off)
  no-errors         no outcome="error" preview request in the window

  --stack NAME             the stack to verify (required)
  --grafana-url URL        Grafana's base URL (or GRAFANA_URL); token in
                           GRAFANA_TOKEN (a service-account token)
  --prometheus-url URL     Prometheus' base URL (or PROMETHEUS_URL)
  --launchdarkly-url URL   LaunchDarkly's base URL (default
                           https://app.launchdarkly.com; EU and federal
                           instances differ); token in LAUNCHDARKLY_ACCESS_TOKEN
  --preview-url URL        the preview endpoint (default: the stack's in-cluster
                           previewUrl; from a laptop, through kubectl
                           port-forward); optional bearer token in PREVIEW_TOKEN
  --skip CHECK             leave a check out on purpose (repeatable); its
                           source is then not needed
  --window DURATION        the no-errors window (default 2h)
  --end TIME               judge as of TIME: RFC 3339 (2026-01-02T08:00:00Z)
                           or Unix seconds; default now
  --format FORMAT          stdout: text (default), markdown or json
  --post-to-slack          post the summary to the incoming webhook in
                           SLACK_WEBHOOK_URL
  --timeout DUR            per request (default 10s)
  --deadline DUR           for all requests together (default 60s)
  --help                   this text

Prometheus credentials: PROMETHEUS_BEARER_TOKEN, or PROMETHEUS_USERNAME and
PROMETHEUS_PASSWORD. Tokens and the webhook URL are never printed.

Exit codes: 0 every check passed (or was skipped); 1 a check failed; 2 bad
usage or config, a check's source not given, or a source (Grafana,
LaunchDarkly, Prometheus, the preview endpoint, Slack) that cannot be
reached, answers with errors or too slowly: never a pass or a fail. An
endpoint answering 4xx or 5xx is a failed check.`;

const FLAGS = {
  stack: { type: "string" },
  "grafana-url": { type: "string" },
  "prometheus-url": { type: "string" },
  "launchdarkly-url": { type: "string", default: "https://app.launchdarkly.com" },
  "preview-url": { type: "string" },
  skip: { type: "string", multiple: true },
  window: { type: "string", default: "2h" },
  end: { type: "string" },
  format: { type: "string", default: "text" },
  "post-to-slack": { type: "boolean", default: false },
  timeout: { type: "string", default: "10s" },
  deadline: { type: "string", default: "60s" },
} satisfies ParseArgsOptionsConfig;

/** After the deadline: the Slack post and some slack. */
const AFTER_DEADLINE_SECONDS = 5 + SLACK_TIMEOUT_MS / 1000;

interface Options {
  readonly declared: Declared;
  readonly skip: ReadonlySet<CheckName>;
  readonly grafana?: { url: string; token: string };
  readonly launchDarkly?: { url: string; token: string };
  readonly prometheus?: { url: string; auth: PrometheusAuth };
  readonly preview?: { url: string; token: string | undefined };
  readonly end: number;
  readonly format: Format;
  readonly slackWebhookUrl: string | undefined;
  readonly timeoutSeconds: number;
  readonly deadlineSeconds: number;
}

type Values = Parameters<Parameters<typeof toolMain<typeof FLAGS>>[0]["run"]>[0]["values"];

function options(values: Values, env: NodeJS.ProcessEnv, now: number): Options {
  const format = formatOf(values.format);
  const stack = values.stack;
  if (stack === undefined || stack === "") throw new UsageError("give --stack NAME (see --help)");
  const skip = new Set<CheckName>();
  for (const name of values.skip ?? []) {
    const check = CHECKS.find((c) => c === name);
    if (check === undefined) throw new UsageError(`--skip ${name}: allowed: ${CHECKS.join(", ")}`);
    skip.add(check);
  }
  const needs = (...checks: CheckName[]) => checks.some((c) => !skip.has(c));
  const window = values.window ?? "2h";
  durationFlag("window", window);
  const timeoutSeconds = durationFlag("timeout", values.timeout);
  const deadlineSeconds = durationFlag("deadline", values.deadline);
  if (timeoutSeconds > deadlineSeconds) {
    throw new UsageError(`--timeout (${timeoutSeconds} s) must not exceed --deadline (${deadlineSeconds} s)`);
  }
  const webhook = values["post-to-slack"] ? env.SLACK_WEBHOOK_URL : undefined;
  if (values["post-to-slack"] && !webhook) throw new UsageError("--post-to-slack needs SLACK_WEBHOOK_URL");

  const declared = declaredOf(stack, parsedConfigOf(readStackConfig(stackFilePath(stack))), window);
  const missing: string[] = [];

  let grafana: Options["grafana"];
  if (needs("dashboard", "alert-rules")) {
    const url = urlFlagOrEnv("grafana-url", values["grafana-url"], "GRAFANA_URL", env);
    const token = nonEmpty(env.GRAFANA_TOKEN);
    if (url === undefined) missing.push("--grafana-url URL or GRAFANA_URL");
    if (token === undefined) missing.push("GRAFANA_TOKEN");
    if (url !== undefined && token !== undefined) grafana = { url, token };
  }
  let launchDarkly: Options["launchDarkly"];
  if (needs("flag-targeting")) {
    const token = nonEmpty(env.LAUNCHDARKLY_ACCESS_TOKEN);
    if (token === undefined) missing.push("LAUNCHDARKLY_ACCESS_TOKEN");
    else
      launchDarkly = {
        url: httpUrl("--launchdarkly-url", values["launchdarkly-url"] ?? "https://app.launchdarkly.com"),
        token,
      };
  }
  let prometheus: Options["prometheus"];
  if (needs("telemetry", "no-errors")) {
    const url = urlFlagOrEnv("prometheus-url", values["prometheus-url"], "PROMETHEUS_URL", env);
    if (url === undefined) missing.push("--prometheus-url URL or PROMETHEUS_URL");
    else prometheus = { url, auth: auth(env) };
  }
  const preview = needs("preview-endpoint")
    ? {
        url: httpUrl("--preview-url", values["preview-url"] ?? declared.preview.url),
        token: nonEmpty(env.PREVIEW_TOKEN),
      }
    : undefined;
  if (missing.length > 0) {
    throw new UsageError(`give ${missing.join(", ")}, or --skip the checks that need them (see --help)`);
  }
  return {
    declared,
    skip,
    ...(grafana && { grafana }),
    ...(launchDarkly && { launchDarkly }),
    ...(prometheus && { prometheus }),
    ...(preview && { preview }),
    end: values.end === undefined ? now : timeFlag("end", values.end),
    format,
    slackWebhookUrl: webhook === undefined ? undefined : httpUrl("SLACK_WEBHOOK_URL", webhook),
    timeoutSeconds,
    deadlineSeconds,
  };
}

type Judged = { pass: boolean; expected: string; found: string };
type Check = () => Promise<Judged & { source: string }>;

/** The checks that run, each asking its source and judging the answer. */
function checks(opts: Options, budget: RequestBudget): Map<CheckName, Check> {
  const { declared } = opts;
  const run = new Map<CheckName, Check>();
  // A skipped check is never asked, whichever other check shares its source.
  const add = (name: CheckName, check: Check) => {
    if (!opts.skip.has(name)) run.set(name, check);
  };
  if (opts.grafana) {
    const grafana = new GrafanaSource(opts.grafana.url, opts.grafana.token, budget);
    add("dashboard", async () => ({
      ...judgeDashboard(declared.dashboard, await grafana.dashboard(declared.dashboard.uid)),
      source: grafana.where,
    }));
    add("alert-rules", async () => {
      const found = new Map<string, FoundRule | undefined>();
      for (const uid of declared.alertRules.uids) found.set(uid, await grafana.alertRule(uid));
      return { ...judgeAlertRules(declared.alertRules, found), source: grafana.where };
    });
  }
  if (opts.launchDarkly) {
    const ld = new LaunchDarklySource(opts.launchDarkly.url, opts.launchDarkly.token, budget);
    const { project, key, environment } = declared.flag;
    add("flag-targeting", async () => ({
      ...judgeFlag(declared.flag, await ld.flag(project, key, environment)),
      source: ld.where,
    }));
  }
  if (opts.prometheus) {
    const client = new PrometheusClient({
      url: opts.prometheus.url,
      auth: opts.prometheus.auth,
      queryTimeoutMs: budget.timeoutMs,
      deadline: budget.deadline,
    });
    const source = `Prometheus at ${client.where}`;
    add("telemetry", async () => {
      const present = new Map<string, boolean>();
      for (const series of declared.telemetry) {
        const answer = await client.instant(telemetryQuery(series), opts.end);
        present.set(
          series,
          answer.some((s) => s.points.some(([, value]) => value > 0)),
        );
      }
      return { ...judgeTelemetry(declared.telemetry, present), source };
    });
    add("no-errors", async () => {
      const answer = await client.instant(declared.errorsQuery, opts.end);
      const value = answer[0]?.points[0]?.[1];
      return { ...judgeNoErrors(declared.window, value), source };
    });
  }
  if (opts.preview) {
    const preview = new PreviewSource(opts.preview.url, opts.preview.token, budget);
    add("preview-endpoint", async () => {
      const { status, body } = await preview.ask(declared.preview.body);
      return { ...judgePreview(declared.preview, status, judgeAnswer(status, body)), source: preview.where };
    });
  }
  return run;
}

async function verify(opts: Options, io: ToolIO): Promise<number> {
  const budget: RequestBudget = {
    timeoutMs: opts.timeoutSeconds * 1000,
    deadline: AbortSignal.timeout(opts.deadlineSeconds * 1000),
  };
  const run = checks(opts, budget);
  const settled = await Promise.allSettled(
    CHECKS.map(async (name): Promise<CheckResult> => {
      const check = run.get(name);
      if (check === undefined) {
        return { name, status: "skipped", expected: "-", found: "skipped (--skip)", source: "-" };
      }
      const judged = await check();
      return {
        name,
        status: judged.pass ? "pass" : "fail",
        expected: judged.expected,
        found: judged.found,
        source: judged.source,
      };
    }),
  );
  const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
  if (failures.length > 0) {
    const unexpected = failures.find((f) => !(f instanceof Unreachable));
    if (unexpected !== undefined) throw unexpected as Error;
    // One source behind several checks says it once.
    const messages = [...new Set(failures.map((f) => (f as Unreachable).message))];
    throw new Unreachable(messages.join("\n"));
  }
  const results = settled.map((s) => (s as PromiseFulfilledResult<CheckResult>).value);
  const report: VerifyRun = { stack: opts.declared.stack, results };
  writeResult(io, opts.format, report, { text: renderText, markdown: renderMarkdown, json: reportJson });
  if (opts.slackWebhookUrl !== undefined) {
    await postToSlack(opts.slackWebhookUrl, slackMessage(report));
    io.stderr.write("verify: posted the summary to Slack\n");
  }
  return results.some((r) => r.status === "fail") ? 1 : 0;
}

/** Runs the checks; returns the exit code. Never throws for a user's mistake or an unreachable source. */
export const main = toolMain({
  name: "verify",
  messagePrefix: "verify: ",
  help: HELP,
  flags: FLAGS,
  run: async ({ values }, env, io) => {
    const opts = options(values, env, (io.now ?? Date.now)() / 1000);
    io.onBound?.(opts.deadlineSeconds + AFTER_DEADLINE_SECONDS);
    return verify(opts, io);
  },
});
