import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { StackConfigError } from "../components/config/schema";
import { ProgramFailed } from "../tools/offline/engine";
import { withoutKeys, withValues, type StackConfig } from "../components/config/stackFile";
import { onlyOfType, run, stackConfig } from "./support/program";
import { cases } from "./support/cases";
import { ResourceType } from "../components/resources";

/** Runs the program expecting it to stop on bad config; returns the failure. */
async function rejected(config: StackConfig): Promise<ProgramFailed> {
  try {
    await run(config);
  } catch (error) {
    if (error instanceof ProgramFailed) return error;
    throw error;
  }
  throw new Error("expected the program to reject the config");
}

describe("bad stack config stops the program before any resource is declared", () => {
  const beta = stackConfig("beta");

  it.each(
    cases([
      [
        "a percentage above 100",
        withValues(beta, { rolloutPercentage: 150 }),
        "rolloutPercentage: got 150; allowed: a number from 0 to 100",
      ],
      ["a negative percentage", withValues(beta, { rolloutPercentage: -1 }), "rolloutPercentage: got -1;"],
      [
        "more than 3 decimals",
        withValues(beta, { rolloutPercentage: 10.1234 }),
        "rolloutPercentage: got 10.1234; allowed: a number from 0 to 100 with at most 3 decimals",
      ],
      [
        "a percentage that is not a number",
        withValues(beta, { rolloutPercentage: "ten" }),
        'rolloutPercentage: got "ten";',
      ],
      [
        "targeting other than on/off",
        withValues(beta, { targeting: "paused" }),
        'targeting: got "paused"; allowed: "on" or "off"',
      ],
      [
        "targeting that reads as JSON, shown as typed",
        withValues(beta, { targeting: "true" }),
        'targeting: got "true"; allowed: "on" or "off"',
      ],
      [
        "no LaunchDarkly project",
        withoutKeys(beta, ["launchdarklyProject"]),
        "launchdarklyProject: not set; allowed: a LaunchDarkly project key",
      ],
      ["no database URL (a secret)", withoutKeys(beta, ["databaseUrl"]), "databaseUrl: not set; allowed: a secret"],
      [
        "no LaunchDarkly environment",
        withoutKeys(beta, ["launchdarklyEnvironment"]),
        "launchdarklyEnvironment: not set;",
      ],
      [
        "a flag key LaunchDarkly rejects",
        withValues(beta, { flagKey: "time crunch/mode" }),
        'flagKey: got "time crunch/mode"; allowed: a flag key',
      ],
      [
        "an alert ratio outside 0..1",
        withValues(beta, { alerts: { errorRate: { above: 10 } } }),
        "alerts.errorRate.above: got 10; allowed: a ratio greater than 0 and less than 1",
      ],
      [
        "an unknown key inside an object (a typo)",
        withValues(beta, { alerts: { errorRate: { abov: 0.05 } } }),
        "alerts.errorRate.abov: not a key of alerts.errorRate; allowed: the keys of the error-rate alert: above, for",
      ],
      [
        "a non-positive alert duration",
        withValues(beta, { alerts: { successRate: { for: "0m" } } }),
        'alerts.successRate.for: got "0m"; allowed: a positive duration',
      ],
      [
        "a bad dashboard uid",
        withValues(beta, { grafana: { prometheusDatasourceUid: "prometheus", dashboardUid: "time crunch!" } }),
        'grafana.dashboardUid: got "time crunch!"; allowed: a Grafana dashboard uid',
      ],
      [
        "a red line above the target",
        withValues(beta, { grafana: { prometheusDatasourceUid: "prometheus", timeConstraintSuccess: { red: 0.9 } } }),
        "grafana.timeConstraintSuccess.red: got 0.9; allowed: a ratio below timeConstraintSuccess.target (0.8)",
      ],
      [
        "no Prometheus datasource",
        withValues(beta, { grafana: {} }),
        "grafana.prometheusDatasourceUid: not set; allowed: a Grafana datasource uid",
      ],
    ]),
  )("%s", async (_case, config, message) => {
    const failure = await rejected(config);
    expect(failure.isConfigError).toBe(true);
    expect(failure.message).toContain(message);
    expect(failure.declared).toEqual([]);
  });

  it("takes LaunchDarkly keys that look like numbers as the strings they are", async () => {
    const declared = await run(
      // Another namespace's key (a provider's) is not this project's business.
      withValues(beta, {
        flagKey: "2026",
        launchdarklyProject: "1",
        launchdarklyEnvironment: "007",
        "grafana:url": "x",
      }),
    );
    expect(onlyOfType(declared, ResourceType.FlagEnvironment).inputs).toMatchObject({
      flagId: "1/2026",
      envKey: "007",
    });
  });

  it("stops as a Pulumi RunError (message, no stack trace) that the tools know as a StackConfigError", async () => {
    const { cause } = await rejected(withValues(beta, { rolloutPercentage: 101, targeting: "yes" }));
    // What `pulumi up` tests before printing the message alone.
    expect(pulumi.RunError.isInstance(cause)).toBe(true);
    expect(cause).toBeInstanceOf(StackConfigError);
    expect(cause).toMatchObject({
      name: "InvalidStackConfig",
      problems: [expect.stringMatching(/^targeting: /), expect.stringMatching(/^rolloutPercentage: /)],
    });
  });

  it("lists every bad key at once", async () => {
    const failure = await rejected(withValues(beta, { rolloutPercentage: 101, targeting: "yes", flagKey: "" }));
    expect(failure.message).toMatch(/\(3 problems\)/);
    expect(failure.declared).toEqual([]);
  });
});
