import { describe, expect, it } from "vitest";
import {
  DEFAULT_FLAG_KEY,
  parseStackConfig,
  SECRET_KEYS,
  StackConfigError,
  StackConfigSchema,
} from "../components/config/schema";
import { readProjectFile } from "../components/config/stackFile";
import { cases } from "./support/cases";
import { valid } from "./support/validConfig";

function problemsOf(input: Record<string, unknown>): readonly string[] {
  try {
    parseStackConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(StackConfigError);
    return (error as StackConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

describe("parseStackConfig", () => {
  it("applies the seed's defaults", () => {
    const config = parseStackConfig(valid);
    expect(config.flagKey).toBe(DEFAULT_FLAG_KEY);
    expect(config.alwaysOnContexts).toEqual([]);
    expect(config.ownsFlagDefinition).toBe(false);
    expect(config.alerts).toEqual({
      errorRate: { above: 0.1, for: "5m" },
      responseTimeSeconds: { above: 5, for: "5m" },
      successRate: { below: 0.9, for: "10m" },
      zeroRequestMinutes: 30,
      slackChannel: "#stream5-staging",
      autoKill: false,
    });
    expect(config.rolloutLadder).toEqual([1, 5, 10, 25, 50, 100]);
    expect(config.rolloutStepOverride).toBe("none");
    // Grafana identities are not defaulted here: they derive from the stack name (grafanaIdentity.ts).
    expect(config.grafana.dashboardUid).toBeUndefined();
  });

  it.each(
    cases([
      [
        "rolloutPercentage",
        150,
        /^rolloutPercentage: got 150; allowed: a number from 0 to 100 with at most 3 decimals/,
      ],
      ["rolloutPercentage", -5, /^rolloutPercentage: got -5; allowed: a number from 0 to 100/],
      ["rolloutPercentage", 10.0005, /^rolloutPercentage: got 10.0005; allowed: .*at most 3 decimals/],
      ["rolloutPercentage", "ten", /^rolloutPercentage: got "ten"; allowed: a number from 0 to 100/],
      ["targeting", "maybe", /^targeting: got "maybe"; allowed: "on" or "off"/],
      ["launchdarklyProject", undefined, /^launchdarklyProject: not set; allowed: a LaunchDarkly project key/],
      [
        "launchdarklyEnvironment",
        undefined,
        /^launchdarklyEnvironment: not set; allowed: a LaunchDarkly environment key/,
      ],
      [
        "flagKey",
        "feature time crunch!",
        /^flagKey: got "feature time crunch!"; allowed: a flag key: starts with a letter or digit/,
      ],
      ["flagKey", "-leading-dash", /^flagKey: got "-leading-dash"; allowed: a flag key/],
      ["alwaysOnContexts", "qa-1", /^alwaysOnContexts: got "qa-1"; allowed: a list of context keys/],
      ["alwaysOnContexts", ["qa-1", ""], /^alwaysOnContexts\.1: empty; allowed: a context key \(a non-empty string\)$/],
      ["alwaysOnContexts", [5], /^alwaysOnContexts\.0: got 5; allowed: a context key \(a non-empty string\)$/],
      ["ownsFlagDefinition", "yes", /^ownsFlagDefinition: got "yes"; allowed: true or false/],
      ["rolloutLadder", [1, 5, 10, 25, 50], /^rolloutLadder: got \[1,5,10,25,50\]; allowed: .*ending at 100/],
      ["rolloutLadder", [1, 10, 5, 100], /^rolloutLadder: got \[1,10,5,100\]; allowed: .*strictly increasing/],
      [
        "rolloutLadder",
        [0.5, 100],
        /^rolloutLadder: got \[0.5,100\]; allowed: a list of whole percentages from 1 to 100/,
      ],
      ["rolloutLadder", [1, "ten", 100], /^rolloutLadder\.1: got "ten"; allowed: a list of whole percentages/],
      ["rolloutStepOverride", 150, /^rolloutStepOverride: got 150; allowed: "none", or the one percentage/],
      ["rolloutStepOverride", "yes", /^rolloutStepOverride: got "yes"; allowed: "none", or the one percentage/],
      [
        "databaseUrl",
        undefined,
        /^databaseUrl: not set; allowed: a secret: set it with `pulumi config set --secret databaseUrl <value>`/,
      ],
    ]),
  )("rejects %s = %j, naming the key, the value and what is allowed", (key, value, message) => {
    const problems = problemsOf({ ...valid, [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it("names every bad key in one error", () => {
    const error = (() => {
      try {
        parseStackConfig({ ...valid, rolloutPercentage: 101, targeting: "enabled", launchdarklyProject: undefined });
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected the config to be rejected");
    })();
    expect(error.message).toMatch(/^Invalid stack config for stream5-time-crunch \(3 problems\):/);
    expect(error.message).toContain("  - rolloutPercentage: got 101;");
    expect(error.message).toContain('  - targeting: got "enabled";');
    expect(error.message).toContain("  - launchdarklyProject: not set;");
  });

  it("rejects a key the project does not know, listing the known ones", () => {
    expect(problemsOf({ ...valid, rolloutPercent: 10 })).toEqual([
      expect.stringMatching(
        /^rolloutPercent: not a config key of stream5-time-crunch; allowed keys: targeting, rolloutPercentage,/,
      ),
    ]);
  });

  it("accepts a ladder of whole percentages ending at 100, and an override naming a percentage", () => {
    expect(parseStackConfig({ ...valid, rolloutLadder: [10, 100] }).rolloutLadder).toEqual([10, 100]);
    expect(parseStackConfig({ ...valid, rolloutLadder: [100] }).rolloutLadder).toEqual([100]);
    expect(parseStackConfig({ ...valid, rolloutStepOverride: 12.5 }).rolloutStepOverride).toBe(12.5);
  });

  it("accepts every percentage LaunchDarkly can express", () => {
    for (const percentage of [0, 0.001, 10, 33.333, 99.999, 100]) {
      expect(parseStackConfig({ ...valid, rolloutPercentage: percentage }).rolloutPercentage).toBe(percentage);
    }
  });
});

describe("Pulumi.yaml's config declarations", () => {
  const declarations = readProjectFile().config ?? {};
  const schemaKeys = Object.keys(StackConfigSchema.shape);

  it("declare every flat key of the schema, and only those (objects and lists of objects cannot be declared)", () => {
    const objectKeys = [
      "alerts",
      "grafana",
      "planningEngine",
      "soakGate",
      "previewEndpoint",
      "loadTest",
      "signoffs",
      "feedback",
    ];
    expect(Object.keys(declarations).sort()).toEqual(schemaKeys.filter((key) => !objectKeys.includes(key)).sort());
  });

  it("declare the same defaults as the schema, so `pulumi up` and offline runs agree", () => {
    for (const [key, declaration] of Object.entries(declarations)) {
      if (declaration.default === undefined) continue;
      const withoutKey = Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key));
      expect([key, parseStackConfig(withoutKey)[key as keyof typeof valid]]).toEqual([key, declaration.default]);
    }
  });

  it("declare the secret keys secret", () => {
    for (const key of SECRET_KEYS) expect(declarations[key]?.secret).toBe(true);
  });
});

describe("Pulumi.yaml against Pulumi's project schema rules", () => {
  it("gives every declaration a type Pulumi accepts (string, integer, boolean, array with items)", () => {
    for (const [key, declaration] of Object.entries(readProjectFile().config ?? {})) {
      expect([key, ["string", "integer", "boolean", "array"].includes(declaration.type ?? "")]).toEqual([key, true]);
      if (declaration.type === "array") expect(declaration).toHaveProperty("items");
    }
  });
});

describe("every message speaks the domain", () => {
  // Every key and nested key of the schema, each given every wrong kind of value.
  const PATHS = [
    "targeting",
    "rolloutPercentage",
    "alwaysOnContexts",
    "alwaysOnContexts.0",
    "flagKey",
    "launchdarklyProject",
    "launchdarklyEnvironment",
    "ownsFlagDefinition",
    "alerts",
    "alerts.errorRate",
    "alerts.errorRate.above",
    "alerts.errorRate.for",
    "alerts.responseTimeSeconds.above",
    "alerts.successRate.below",
    "alerts.zeroRequestMinutes",
    "alerts.slackChannel",
    "alerts.unknownKey",
    "grafana",
    "grafana.folderTitle",
    "grafana.dashboardUid",
    "grafana.metricPrefix",
    "grafana.timeConstraintSuccess",
    "grafana.timeConstraintSuccess.red",
    "grafana.responseTimeTargetSeconds.p95",
    "planningEngine",
    "planningEngine.namespace",
    "planningEngine.image",
    "planningEngine.replicas",
    "planningEngine.resources",
    "planningEngine.resources.requests",
    "planningEngine.resources.requests.cpu",
    "planningEngine.resources.limits.gpu",
    "planningEngine.logLevel",
    "planningEngine.prometheusOperator",
  ];
  const WRONG = ["", null, [], {}, -5, "x y", [1], true];
  const STOCK = /Invalid input|Invalid string|Too small|Too big|expected \w+, received|Unrecognized key|Invalid option/;

  function withValueAt(path: string, value: unknown): Record<string, unknown> {
    const input = structuredClone(valid) as Record<string, unknown>;
    const parts = path.split(".");
    let at: Record<string, unknown> = input;
    parts.slice(0, -1).forEach((part, i) => {
      if (typeof at[part] !== "object" || at[part] === null) at[part] = /^\d+$/.test(parts[i + 1]!) ? [] : {};
      at = at[part] as Record<string, unknown>;
    });
    at[parts.at(-1)!] = value;
    return input;
  }

  it.each(cases(PATHS))("%s: each wrong value named by its key, with what is allowed", (path) => {
    let refused = 0;
    for (const value of WRONG) {
      let problems: readonly string[] = [];
      try {
        parseStackConfig(withValueAt(path, value));
      } catch (error) {
        problems = (error as StackConfigError).problems;
      }
      refused += problems.length > 0 ? 1 : 0;
      for (const problem of problems) {
        expect(problem).toMatch(/^[\w.]+: .*; allowed: /);
        expect(problem).not.toMatch(STOCK);
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
