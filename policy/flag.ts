/**
 * LaunchDarkly flag policies: rollout weights LaunchDarkly accepts, a flag definition that cannot
 * be deleted by accident, and no targeting switched on without the alerts that guard it.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { AlertRuleKey } from "../components/observability/alertRules";
import { FLAG_VARIATION_VALUES, WEIGHT_TOTAL } from "../components/rollout/targeting";
import { arrayOf, field, joinPath, objectOf, ResourceType, violationMessage } from "./resources";

/**
 * The alert rules a stack must declare while its flag targeting is on: the critical ones, whose
 * firing calls for the kill switch. A rule is found by its uid, which ends with the rule's key.
 */
export const REQUIRED_ALERT_RULE_KEYS: readonly AlertRuleKey[] = [AlertRuleKey.ErrorRate, AlertRuleKey.ResponseTime];

/** How many variations the environment's flag has: from its definition when the stack declares it. */
function variationCount(environment: PolicyResource, resources: readonly PolicyResource[]): number {
  const flagId = field(environment.props, "flagId");
  const definition = resources.find(
    (r) =>
      r.type === ResourceType.Flag &&
      `${String(field(r.props, "projectKey"))}/${String(field(r.props, "key"))}` === flagId,
  );
  const variations = definition === undefined ? undefined : field(definition.props, "variations");
  // Without the definition in the stack (another stack owns it), the flag is the boolean one.
  return Array.isArray(variations) ? variations.length : FLAG_VARIATION_VALUES.length;
}

/** Everything wrong with one rollout (the fallthrough or a rule), as violation messages. */
function rolloutProblems(
  environment: PolicyResource,
  path: string,
  rollout: Readonly<Record<string, unknown>>,
  variations: number,
): string[] {
  const weights = rollout.rolloutWeights;
  const problems: string[] = [];
  if (weights === undefined || weights === null) {
    const bucketBy = rollout.bucketBy;
    if (bucketBy !== undefined && bucketBy !== null && bucketBy !== "") {
      problems.push(
        violationMessage(
          environment,
          joinPath(path, "bucketBy"),
          "is set without rolloutWeights",
          "bucketBy only together with rolloutWeights",
        ),
      );
    }
    return problems;
  }
  const list = arrayOf(weights);
  if (list.length !== variations) {
    problems.push(
      violationMessage(
        environment,
        joinPath(path, "rolloutWeights"),
        `has ${list.length} weights for ${variations} variations`,
        `one weight per variation (${variations})`,
      ),
    );
  }
  list.forEach((weight, index) => {
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > WEIGHT_TOTAL) {
      problems.push(
        violationMessage(
          environment,
          joinPath(path, "rolloutWeights", index),
          `is ${JSON.stringify(weight)}`,
          `a whole number from 0 to ${WEIGHT_TOTAL} (thousandths of a percent)`,
        ),
      );
    }
  });
  const sum = list.reduce<number>((total, weight) => total + (typeof weight === "number" ? weight : 0), 0);
  if (sum !== WEIGHT_TOTAL) {
    problems.push(
      violationMessage(
        environment,
        joinPath(path, "rolloutWeights"),
        `sum to ${sum}`,
        `weights summing to ${WEIGHT_TOTAL} (100%)`,
      ),
    );
  }
  return problems;
}

export const flagRolloutWeights: StackValidationPolicy = {
  name: "flag-rollout-weights",
  description: `Every percentage rollout of a FeatureFlagEnvironment (the fallthrough and each rule) has one weight per variation of the flag, whole numbers summing to ${WEIGHT_TOTAL} (thousandths of a percent), and bucketBy only together with rolloutWeights. The provider checks only that each weight is within 0..${WEIGHT_TOTAL}; LaunchDarkly rejects a wrong sum at apply time, halfway through a rollout. The variation count comes from the FeatureFlag definition when the stack declares it, else the boolean flag's ${FLAG_VARIATION_VALUES.length}.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const environment of args.resources.filter((r) => r.type === ResourceType.FlagEnvironment)) {
      const variations = variationCount(environment, args.resources);
      const rollouts: [string, unknown][] = [
        ["fallthrough", field(environment.props, "fallthrough")],
        ...arrayOf(field(environment.props, "rules")).map((rule, index): [string, unknown] => [
          joinPath("rules", index),
          rule,
        ]),
      ];
      for (const [path, rollout] of rollouts) {
        const settings = objectOf(rollout);
        if (settings === undefined) continue;
        for (const message of rolloutProblems(environment, path, settings, variations)) {
          reportViolation(message, environment.urn);
        }
      }
    }
  },
};

export const flagDefinitionProtected: ResourceValidationPolicy = {
  name: "flag-definition-protected",
  description:
    "The LaunchDarkly flag definition (FeatureFlag) is declared with `protect: true`: deleting a flag deletes its targeting and history in every environment, so no code change or stack removal may do it by accident. The engine tells a policy the protect option, and the offline plan records it in resources.json.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== ResourceType.Flag || args.opts.protect) return;
    reportViolation(
      violationMessage(args, "protect (resource option)", "is false", "protect: true on the flag definition"),
    );
  },
};

/** The uids of the unpaused alert rules the stack declares, in every rule group. */
function activeRuleUids(resources: readonly PolicyResource[]): string[] {
  return resources
    .filter((r) => r.type === ResourceType.RuleGroup)
    .flatMap((group) => arrayOf(field(group.props, "rules")))
    .filter((rule) => field(rule, "isPaused") !== true)
    .map((rule) => field(rule, "uid"))
    .filter((uid): uid is string => typeof uid === "string");
}

export const alertsForEnabledFlag: StackValidationPolicy = {
  name: "alerts-for-enabled-flag",
  description: `A FeatureFlagEnvironment with targeting on (\`on: true\`) needs the stack's Grafana alert rule group with, at least, unpaused rules whose uid ends in ${REQUIRED_ALERT_RULE_KEYS.map((key) => `-${key}`).join(" and ")}: the critical alerts that call for the kill switch. A stack that serves the feature without them would fail silently.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const uids = activeRuleUids(args.resources);
    const missing = REQUIRED_ALERT_RULE_KEYS.filter((key) => !uids.some((uid) => uid.endsWith(`-${key}`)));
    if (missing.length === 0) return;
    for (const environment of args.resources.filter((r) => r.type === ResourceType.FlagEnvironment)) {
      if (field(environment.props, "on") !== true) continue;
      reportViolation(
        violationMessage(
          environment,
          "on",
          `is true, but the stack lacks an unpaused alert rule whose uid ends in ${missing.map((key) => `-${key}`).join(" and ")}`,
          "on: true only while a grafana:alerting/ruleGroup:RuleGroup of the stack holds those rules, or targeting off",
        ),
        environment.urn,
      );
    }
  },
};
