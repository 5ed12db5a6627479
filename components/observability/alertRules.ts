/**
 * What "red" means during the rollout: the staging checklist's four alert thresholds as plain rule
 * specs (query, comparison, duration, what to do). Pure; `timeCrunchAlerts.ts` turns them into Grafana rules
 * and the tests turn them into Prometheus rules for promtool.
 */
import type { AlertsConfig } from "../config/schema";
import { acceptKillCommand } from "../rollout/guards";
import { formatPercent, type Queries } from "./metrics";

/** How bad a firing rule is: critical ones call for the kill switch. */
export const Severity = { Critical: "critical", Warning: "warning" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Grafana's state for a rule whose query returns nothing (`KeepLast`: the state it had). */
export type NoDataState = "NoData" | "Alerting" | "OK" | "KeepLast";

/**
 * Grafana's state for a rule it cannot evaluate: Prometheus down, a timeout, a query error.
 * `Error` raises a separate `DatasourceError` alert, which keeps the rule's labels and is sent to
 * the contact point the rule names (grafana/grafana `pkg/services/ngalert/state`; Grafana's docs,
 * "State and health of alerts").
 */
export type ExecErrState = "Error" | "Alerting" | "OK" | "KeepLast";

/**
 * The states a rule that can kill the flag may take when Grafana cannot judge it. `Error` and
 * `NoData` raise DatasourceError / DatasourceNoData alerts routed like the rule, and `Alerting`
 * fires it: each would call the LaunchDarkly trigger and turn the feature off because Prometheus
 * blinked. Keeping the last state, or Normal, leaves the decision to real measurements.
 */
export const KILL_RULE_STATES: {
  readonly execErrState: readonly ExecErrState[];
  readonly noDataState: readonly NoDataState[];
} = { execErrState: ["KeepLast", "OK"], noDataState: ["KeepLast", "OK"] };

/** The two outage settings of a rule, as the pure rule and the policy pack read them. */
export interface OutageStates {
  readonly execErrState: string;
  readonly noDataState: string;
}

/** One outage setting of a kill rule outside {@link KILL_RULE_STATES}. */
export interface KillRuleStateProblem {
  readonly setting: keyof OutageStates;
  readonly value: string;
  readonly allowed: readonly string[];
}

/** The outage settings of a rule that routes to the kill switch that are not allowed; none for a rule that cannot kill. */
export function killRuleStateProblems(rule: OutageStates, killsFlag: boolean): KillRuleStateProblem[] {
  if (!killsFlag) return [];
  return (["execErrState", "noDataState"] as const)
    .filter((setting) => !(KILL_RULE_STATES[setting] as readonly string[]).includes(rule[setting]))
    .map((setting) => ({ setting, value: rule[setting], allowed: KILL_RULE_STATES[setting] }));
}

/**
 * The rules' stable keys. Each Grafana rule uid ends with its key, which is how the policy pack
 * finds the rules a stack must have while its flag targeting is on.
 */
export const AlertRuleKey = {
  ErrorRate: "error-rate",
  ResponseTime: "response-time",
  SuccessRate: "success-rate",
  ZeroRequests: "zero-requests",
} as const;
export type AlertRuleKey = (typeof AlertRuleKey)[keyof typeof AlertRuleKey];

export interface AlertRuleSpec {
  /** Stable identifier, also the Grafana rule uid suffix. */
  readonly key: AlertRuleKey;
  /** The rule's title, as Grafana and Slack show it. */
  readonly title: string;
  /** The instant PromQL query (Grafana's A) whose value is compared with the threshold. */
  readonly expr: string;
  /** How far back the query looks, in seconds (Grafana's relative time range). */
  readonly lookbackSeconds: number;
  /** Fires when the value is greater than (`gt`) or less than (`lt`) the threshold (Grafana's C). */
  readonly comparison: "gt" | "lt";
  readonly threshold: number;
  /** How long the condition must hold before the rule fires, e.g. `5m`. */
  readonly for: string;
  readonly severity: Severity;
  readonly noDataState: NoDataState;
  /**
   * What an evaluation error does: `KeepLast` for the critical rules (they may call the kill
   * switch, see {@link KILL_RULE_STATES}), `Error` for the warning rules, whose DatasourceError
   * alerts tell the rollout channel that Prometheus cannot be asked.
   */
  readonly execErrState: ExecErrState;
  readonly summary: string;
  readonly runbook: string;
}

/** Whether a rule calls the kill switch: the critical ones, when the stack has `alerts.autoKill`. */
export function routesToKillSwitch(rule: Pick<AlertRuleSpec, "severity">, autoKill: boolean): boolean {
  return autoKill && rule.severity === Severity.Critical;
}

/**
 * Everything that would let an outage misfire or go unheard in a set of rules: a kill rule outside
 * {@link KILL_RULE_STATES}, or no rule left that reports an evaluation error (`Error`) to Slack
 * without being able to kill. Empty when the set is safe.
 */
export function outageHandlingProblems(rules: readonly AlertRuleSpec[], autoKill: boolean): string[] {
  const problems = rules.flatMap((rule) =>
    killRuleStateProblems(rule, routesToKillSwitch(rule, autoKill)).map(
      (p) =>
        `rule ${rule.key}: ${p.setting} is ${JSON.stringify(p.value)} but the rule calls the kill switch (allowed: ${p.allowed.join(" or ")})`,
    ),
  );
  if (!rules.some((rule) => !routesToKillSwitch(rule, autoKill) && rule.execErrState === "Error")) {
    problems.push(
      'no rule reports a Prometheus outage: at least one rule that cannot kill must take execErrState "Error"',
    );
  }
  return problems;
}

/** The window of the rate-based rules: long enough to smooth scrapes, short enough to react. */
export const ALERT_RATE_WINDOW = "5m";
const ALERT_RATE_WINDOW_SECONDS = 5 * 60;

/** The rules for one stack; `stack` names the stack whose kill switch the runbooks give. */
export function timeCrunchAlertRules(alerts: AlertsConfig, q: Queries, stack: string): AlertRuleSpec[] {
  const killSwitch = `Kill switch: \`pulumi config set targeting off -s ${stack} && pulumi up -s ${stack}\` (docs/operating.md, "Rollout runbook"), then post in ${alerts.slackChannel}.`;
  const investigate = `Check the planning engine's logs and the Time Crunch dashboard; if users are affected, use the kill switch: \`pulumi config set targeting off -s ${stack} && pulumi up -s ${stack}\`.`;
  return [
    {
      key: AlertRuleKey.ErrorRate,
      title: "Time Crunch preview error rate high",
      expr: q.errorRatio(ALERT_RATE_WINDOW),
      lookbackSeconds: 2 * ALERT_RATE_WINDOW_SECONDS,
      comparison: "gt",
      threshold: alerts.errorRate.above,
      for: alerts.errorRate.for,
      severity: Severity.Critical,
      // No traffic is not an error; the zero-requests rule covers it.
      noDataState: "OK",
      // A Prometheus outage is no reason to kill: the warning rules report it.
      execErrState: "KeepLast",
      summary: `More than ${formatPercent(alerts.errorRate.above)} of Time Crunch preview requests failed for ${alerts.errorRate.for}.`,
      runbook: killSwitch,
    },
    {
      key: AlertRuleKey.ResponseTime,
      title: "Time Crunch preview response time high",
      expr: q.averageLatency(ALERT_RATE_WINDOW),
      lookbackSeconds: 2 * ALERT_RATE_WINDOW_SECONDS,
      comparison: "gt",
      threshold: alerts.responseTimeSeconds.above,
      for: alerts.responseTimeSeconds.for,
      severity: Severity.Critical,
      noDataState: "OK",
      execErrState: "KeepLast",
      summary: `Average Time Crunch preview response time above ${alerts.responseTimeSeconds.above} s for ${alerts.responseTimeSeconds.for}.`,
      runbook: killSwitch,
    },
    {
      key: AlertRuleKey.SuccessRate,
      title: "Time Crunch preview success rate low",
      expr: q.successRatio(ALERT_RATE_WINDOW),
      lookbackSeconds: 2 * ALERT_RATE_WINDOW_SECONDS,
      comparison: "lt",
      threshold: alerts.successRate.below,
      for: alerts.successRate.for,
      severity: Severity.Warning,
      noDataState: "OK",
      execErrState: "Error",
      summary: `Fewer than ${formatPercent(alerts.successRate.below)} of Time Crunch preview requests succeeded for ${alerts.successRate.for}.`,
      runbook: investigate,
    },
    {
      key: AlertRuleKey.ZeroRequests,
      title: "Time Crunch preview receives no requests",
      expr: q.requestsInLast(alerts.zeroRequestMinutes),
      lookbackSeconds: alerts.zeroRequestMinutes * 60,
      comparison: "lt",
      threshold: 1,
      // The query's window already spans the minutes; a `for` on top would double the wait.
      for: "0s",
      severity: Severity.Warning,
      // Backstop: if the query itself returns nothing, that is the same news.
      noDataState: "Alerting",
      execErrState: "Error",
      summary: `No Time Crunch preview request in the last ${alerts.zeroRequestMinutes} minutes: the endpoint, the flag or the metrics are not working.`,
      runbook: `Check that the planning engine runs and is scraped, and that the flag serves true to someone (\`pulumi stack output targetingSummary -s ${stack}\`). ${investigate}`,
    },
  ];
}

/**
 * The rollout channel's Slack text. A rule Grafana cannot evaluate (Prometheus down) raises a
 * DatasourceError alert with the rule's name in `rulename` and no summary of its own: say that the
 * rollout is unwatched rather than repeat the rule's summary as if it had fired.
 */
export const ROLLOUT_CHANNEL_TEXT = [
  "{{ range .Alerts }}",
  '{{ if eq .Labels.alertname "DatasourceError" }}',
  '{{ if eq .Status "firing" }}Grafana cannot evaluate "{{ .Labels.rulename }}": Prometheus (data source {{ .Labels.datasource_uid }}) does not answer, so the rollout is not being watched. The kill-switch rules keep their last state until it answers again.\nWhat to do: check Prometheus and its scrape of the planning engine; until it answers, watch the dashboard or use the kill switch by hand.\n',
  '{{ else }}Grafana can evaluate "{{ .Labels.rulename }}" again.\n{{ end }}',
  "{{ else }}{{ .Annotations.summary }}\nWhat to do: {{ .Annotations.runbook }}\n{{ end }}",
  "{{ end }}",
].join("");

/**
 * The Slack text of the automatic kill switch's contact point (a Grafana notification template):
 * what happened to the flag and what to do next. `environment` is the LaunchDarkly environment.
 */
export function autoKillSlackText(stack: string, environment: string): string {
  return [
    '{{ if eq .Status "firing" }}',
    `Automatic kill switch: Grafana called the LaunchDarkly trigger that turns Time Crunch Mode off in environment ${environment} (stack ${stack}); check in LaunchDarkly that it is off.\n`,
    "{{ range .Alerts.Firing }}{{ .Annotations.summary }}\n{{ end }}",
    "What to do next:\n",
    `1. Acknowledge the kill: \`${acceptKillCommand(stack)}\` in a pull request, merged and deployed. Until then every deployment of ${stack} is refused, so nothing turns the flag back on by accident.\n`,
    "2. Investigate: the Time Crunch dashboard and the planning engine's logs.\n",
    '3. Re-enable only with a reviewed change from off to on (docs/operating.md, "Rollout guards").',
    "{{ else }}",
    "Resolved: {{ range .Alerts.Resolved }}{{ .Annotations.summary }} {{ end }}The flag stays off until a reviewed change turns it back on.",
    "{{ end }}",
  ].join("");
}
