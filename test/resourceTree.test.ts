/**
 * Every resource belongs to the component of its concern: the URNs (and `pulumi up --target`), the
 * Pulumi console's tree and `pulumi destroy` of a component all follow the parent.
 */
import { describe, expect, it } from "vitest";
import { cases } from "./support/cases";
import { run, stackConfig } from "./support/program";
import { ResourceType } from "../components/resources";

/** The component (type and name) each resource type is declared in. */
const COMPONENT_OF: Readonly<Record<string, string>> = {
  [ResourceType.Flag]: "stream5:launchdarkly:TimeCrunchFlag::time-crunch",
  [ResourceType.FlagEnvironment]: "stream5:launchdarkly:TimeCrunchFlag::time-crunch",
  [ResourceType.FlagTrigger]: "stream5:launchdarkly:TimeCrunchFlag::time-crunch",
  [ResourceType.Folder]: "stream5:grafana:TimeCrunchDashboard::time-crunch",
  [ResourceType.Dashboard]: "stream5:grafana:TimeCrunchDashboard::time-crunch",
  [ResourceType.ContactPoint]: "stream5:grafana:TimeCrunchAlerts::time-crunch-alerts",
  [ResourceType.RuleGroup]: "stream5:grafana:TimeCrunchAlerts::time-crunch-alerts",
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
