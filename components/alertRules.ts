/**
 * What "red" means during the rollout: the staging checklist's four alert thresholds as plain rule
 * specs (query, comparison, duration, what to do). Pure; `alerts.ts` turns them into Grafana rules
 * and the tests turn them into Prometheus rules for promtool.
 */
import type { AlertsConfig } from "./config";
import { acceptKillCommand } from "./guards";
import { formatPercent, type Queries } from "./metrics";

/** How bad a firing rule is: critical ones call for the kill switch. */
export const Severity = { Critical: "critical", Warning: "warning" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Grafana's state for a rule whose query returns nothing. */
export type NoDataState = "NoData" | "Alerting" | "OK";

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
  readonly summary: string;
  readonly runbook: string;
}

/** The window of the rate-based rules: long enough to smooth scrapes, short enough to react. */
export const ALERT_RATE_WINDOW = "5m";
const ALERT_RATE_WINDOW_SECONDS = 5 * 60;

/** The rules for one stack; `stack` names the stack whose kill switch the runbooks give. */
export function timeCrunchAlertRules(alerts: AlertsConfig, q: Queries, stack: string): AlertRuleSpec[] {
  const killSwitch = `Kill switch: \`pulumi config set targeting off -s ${stack} && pulumi up -s ${stack}\` (README, "Rollout runbook"), then post in ${alerts.slackChannel}.`;
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
      summary: `No Time Crunch preview request in the last ${alerts.zeroRequestMinutes} minutes: the endpoint, the flag or the metrics are not working.`,
      runbook: `Check that the planning engine runs and is scraped, and that the flag serves true to someone (\`pulumi stack output targetingSummary -s ${stack}\`). ${investigate}`,
    },
  ];
}

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
    '3. Re-enable only with a reviewed change from off to on (README, "Rollout guards").',
    "{{ else }}",
    "Resolved: {{ range .Alerts.Resolved }}{{ .Annotations.summary }} {{ end }}The flag stays off until a reviewed change turns it back on.",
    "{{ end }}",
  ].join("");
}
