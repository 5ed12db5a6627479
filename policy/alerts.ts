/**
 * Alerting policies: a rule that calls the kill switch must not fire on a Prometheus outage. The
 * decision is `killRuleStateProblems` (components/observability/alertRules.ts), the same rule the program applies.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { KILL_RULE_STATES, killRuleStateProblems } from "../components/observability/alertRules";
import { arrayOf, field, ResourceType, violationMessage } from "./resources";

/**
 * The names of the stack's contact points that call out (a webhook integration: the LaunchDarkly
 * trigger). Offline a secret list reads `[secret]`, online it is the list: either way, present.
 */
function callingContactPoints(resources: readonly PolicyResource[]): Set<unknown> {
  const calling = resources.filter((r) => {
    if (r.type !== ResourceType.ContactPoint) return false;
    const webhooks = field(r.props, "webhooks");
    return typeof webhooks === "string" || arrayOf(webhooks).length > 0;
  });
  return new Set(calling.map((r) => field(r.props, "name")));
}

export const killRulesKeepStateOnOutage: StackValidationPolicy = {
  name: "kill-rules-keep-state-on-outage",
  description: `An alert rule routed to a contact point with a webhook (the automatic kill switch) takes execErrState ${KILL_RULE_STATES.execErrState.join(" or ")} and noDataState ${KILL_RULE_STATES.noDataState.join(" or ")}: in Grafana an evaluation error (Error) or no data (NoData) raises a DatasourceError / DatasourceNoData alert routed like the rule, so a Prometheus outage would call the LaunchDarkly trigger and turn the feature off.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const killSwitches = callingContactPoints(args.resources);
    // Stryker disable next-line MethodExpression,ConditionalExpression: equivalent, only rule groups hold rules
    for (const group of args.resources.filter((r) => r.type === ResourceType.RuleGroup)) {
      arrayOf(field(group.props, "rules")).forEach((rule, index) => {
        const contactPoint = field(rule, "notificationSettings", "contactPoint");
        const kills = killSwitches.has(contactPoint);
        const states = {
          execErrState: String(field(rule, "execErrState")),
          noDataState: String(field(rule, "noDataState")),
        };
        for (const problem of killRuleStateProblems(states, kills)) {
          reportViolation(
            violationMessage(
              group,
              `rules[${index}].${problem.setting}`,
              `is ${JSON.stringify(problem.value)} on a rule routed to the kill switch ${String(contactPoint)} (an outage would turn the flag off)`,
              problem.allowed.join(" or "),
            ),
            group.urn,
          );
        }
      });
    }
  },
};
