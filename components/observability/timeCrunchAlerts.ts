import * as pulumi from "@pulumi/pulumi";
// One namespace of the provider: its index loads them all (see planningEngine.ts).
import * as alerting from "@pulumiverse/grafana/alerting";
import { outageHandlingProblems, ROLLOUT_CHANNEL_TEXT, routesToKillSwitch, type AlertRuleSpec } from "./alertRules";
import { alertQueries } from "./alertQueries";
import type { GrafanaIdentity } from "./grafanaIdentity";
import { ComponentType } from "../resources";

export interface TimeCrunchAlertsArgs {
  /** The stack's Grafana names and uids (rule group, rule uids, contact point names). */
  readonly identity: Pick<GrafanaIdentity, "ruleGroupName" | "ruleUid" | "contactPointName">;
  /** The Grafana folder the rule group lives in (the dashboard's). */
  readonly folderUid: pulumi.Input<string>;
  /** The Prometheus datasource the rules query (fixed: rules cannot use dashboard variables). */
  readonly prometheusDatasourceUid: string;
  /** The rules, from `alertRules.ts`. */
  readonly rules: readonly AlertRuleSpec[];
  /** Slack channel of the rollout, e.g. `#stream5-staging`. */
  readonly slackChannel: string;
  /** The channel's incoming webhook URL (a secret). */
  readonly slackWebhookUrl: pulumi.Input<string>;
  /**
   * The automatic kill switch (absent: off). Critical rules then route to a second contact point
   * that calls `triggerUrl` (the LaunchDarkly trigger that turns the flag off) and posts
   * `slackText` to the channel; warning rules keep the Slack-only contact point.
   */
  readonly autoKill?: AutoKill;
}

export interface AutoKill {
  /** The flag trigger's URL (a secret: anyone holding it can turn the flag off). */
  readonly triggerUrl: pulumi.Input<string>;
  /** The Slack text of the kill notification (`autoKillSlackText`). */
  readonly slackText: string;
}

/** How often Grafana evaluates the rules. */
const EVALUATION_INTERVAL_SECONDS = 60;
/**
 * How long Grafana buffers a new notification group before it sends it, for the rules that kill
 * the flag (Grafana's default is 30 s). docs/operating.md, "Rollout guards", states the resulting bound.
 */
const AUTO_KILL_GROUP_WAIT = "10s";
/**
 * The checklist's alert thresholds as one Grafana rule group, and the Slack contact point of the
 * rollout channel. Each rule names its contact point in its own notification settings: the org's
 * notification policy tree is shared with other teams, so this stack never touches it. With
 * `autoKill`, the critical rules name the kill-switch contact point instead.
 */
export class TimeCrunchAlerts extends pulumi.ComponentResource {
  readonly contactPointName: pulumi.Output<string>;
  readonly ruleGroupName: pulumi.Output<string>;

  constructor(name: string, args: TimeCrunchAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before anything is declared: a rule set that could kill on an outage is a bug, never a plan.
    const outageProblems = outageHandlingProblems(args.rules, args.autoKill !== undefined);
    if (outageProblems.length > 0) {
      throw new Error(`TimeCrunchAlerts "${name}": the alert rules mishandle an outage: ${outageProblems.join("; ")}`);
    }
    super(ComponentType.TimeCrunchAlerts, name, {}, opts);

    const slack = (text: string) => ({
      url: pulumi.secret(args.slackWebhookUrl),
      recipient: args.slackChannel,
      title: '{{ template "slack.default.title" . }}',
      text,
    });
    const contactPoint = new alerting.ContactPoint(
      name,
      {
        name: args.identity.contactPointName("slack"),
        slacks: [slack(ROLLOUT_CHANNEL_TEXT)],
      },
      { parent: this },
    );
    // One contact point, two integrations: every notification routed here calls the trigger and posts to Slack.
    const killSwitch =
      args.autoKill &&
      new alerting.ContactPoint(
        `${name}-kill-switch`,
        {
          name: args.identity.contactPointName("kill-switch"),
          slacks: [slack(args.autoKill.slackText)],
          webhooks: [
            {
              url: pulumi.secret(args.autoKill.triggerUrl),
              httpMethod: "POST",
              // The trigger only turns the flag off: a resolved alert has nothing to tell it.
              disableResolveMessage: true,
            },
          ],
        },
        { parent: this },
      );

    const group = new alerting.RuleGroup(
      name,
      {
        name: args.identity.ruleGroupName,
        folderUid: args.folderUid,
        intervalSeconds: EVALUATION_INTERVAL_SECONDS,
        rules: args.rules.map((rule) => ({
          name: rule.title,
          uid: args.identity.ruleUid(rule.key),
          condition: "C",
          for: rule.for,
          noDataState: rule.noDataState,
          execErrState: rule.execErrState,
          labels: { severity: rule.severity, team: "stream5", feature: "time-crunch" },
          annotations: { summary: rule.summary, runbook: rule.runbook },
          notificationSettings:
            killSwitch && routesToKillSwitch(rule, true)
              ? { contactPoint: killSwitch.name, groupWait: AUTO_KILL_GROUP_WAIT }
              : { contactPoint: contactPoint.name },
          datas: alertQueries(rule, args.prometheusDatasourceUid),
        })),
      },
      { parent: this },
    );

    this.contactPointName = contactPoint.name;
    this.ruleGroupName = group.name;
    // Stryker disable next-line ObjectLiteral,CallExpression: a component's registered outputs reach only the state; index.ts exports the same properties
    this.registerOutputs({ contactPointName: this.contactPointName, ruleGroupName: this.ruleGroupName });
  }
}
