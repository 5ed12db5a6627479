/**
 * Every resource belongs to the component of its concern: the URNs (and `pulumi up --target`), the
 * Pulumi console's tree and `pulumi destroy` of a component all follow the parent.
 */
import { describe, expect, it } from "vitest";
import { cases } from "./support/cases";
import { run, stackConfig } from "./support/program";

/** The component (type and name) each resource type is declared in. */
const COMPONENT_OF: Readonly<Record<string, string>> = {
  "launchdarkly:index/featureFlag:FeatureFlag": "stream5:launchdarkly:TimeCrunchFlag::time-crunch",
  "launchdarkly:index/featureFlagEnvironment:FeatureFlagEnvironment":
    "stream5:launchdarkly:TimeCrunchFlag::time-crunch",
  "launchdarkly:index/flagTrigger:FlagTrigger": "stream5:launchdarkly:TimeCrunchFlag::time-crunch",
  "grafana:oss/folder:Folder": "stream5:grafana:TimeCrunchDashboard::time-crunch",
  "grafana:oss/dashboard:Dashboard": "stream5:grafana:TimeCrunchDashboard::time-crunch",
  "grafana:alerting/contactPoint:ContactPoint": "stream5:grafana:TimeCrunchAlerts::time-crunch-alerts",
  "grafana:alerting/ruleGroup:RuleGroup": "stream5:grafana:TimeCrunchAlerts::time-crunch-alerts",
};
const ENGINE = "stream5:kubernetes:PlanningEngine::planning-engine";

describe("the resource tree", () => {
  it.each(cases(["staging", "beta"]))("%s: every resource is a child of its component", async (stack) => {
    const declared = await run(stackConfig(stack));
    const custom = declared.resources.filter((r) => r.custom);
    expect(custom.length).toBeGreaterThan(10);
    for (const resource of custom) {
      const component = COMPONENT_OF[resource.type] ?? (resource.type.startsWith("kubernetes:") ? ENGINE : "?");
      expect([resource.type, resource.parent?.endsWith(component)]).toEqual([resource.type, true]);
    }
  });
});
