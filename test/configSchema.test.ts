/**
 * The stack config schema inside its objects: every nested key's bounds and pattern, unknown keys
 * at every level, the defaults. Each rejected value names its full path and what is allowed.
 */
import { describe, expect, it, vi } from "vitest";
import { decodeConfigValue, parseStackConfig, StackConfigError } from "../components/config/schema";
import { cases } from "./support/cases";
import { valid } from "./support/validConfig";

/** `valid` with each dotted path set to its value (objects created on the way). */
function withAt(...entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const input = structuredClone(valid) as Record<string, unknown>;
  for (const [path, value] of entries) {
    const keys = path.split(".");
    let node = input;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  }
  return input;
}

function problemsOf(input: Record<string, unknown>): readonly string[] {
  try {
    parseStackConfig(input);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(StackConfigError);
    return (error as StackConfigError).problems;
  }
}

const long = (length: number, char = "a") => char.repeat(length);
const digest = (length: number) => long(length, "0");

describe("nested config values outside their bounds or pattern", () => {
  it.each(
    cases([
      ["alerts.errorRate.above", "0.1", "a ratio between 0 and 1"],
      ["alerts.errorRate.above", 0, "a ratio greater than 0 and less than 1"],
      ["alerts.errorRate.above", 1, "a ratio greater than 0 and less than 1"],
      ["alerts.errorRate.for", 5, 'a duration such as "5m"'],
      ["alerts.errorRate.for", "0m", "a positive duration"],
      ["alerts.errorRate.for", "05m", "a positive duration"],
      ["alerts.errorRate.for", "5d", "a positive duration"],
      ["alerts.errorRate.for", "x5m", "a positive duration"],
      ["alerts.errorRate.for", "5mx", "a positive duration"],
      ["alerts.responseTimeSeconds.above", 0, "a number of seconds greater than 0"],
      ["alerts.responseTimeSeconds.above", "5", "a number of seconds greater than 0"],
      ["alerts.successRate.below", 0, "a ratio greater than 0 and less than 1"],
      ["alerts.successRate.below", 1, "a ratio greater than 0 and less than 1"],
      ["alerts.zeroRequestMinutes", 0, "a whole number of minutes from 1 to 1440"],
      ["alerts.zeroRequestMinutes", 1441, "a whole number of minutes from 1 to 1440"],
      ["alerts.zeroRequestMinutes", 2.5, "a whole number of minutes from 1 to 1440"],
      ["alerts.zeroRequestMinutes", "30", "a whole number of minutes from 1 to 1440"],
      [
        "alerts.autoKill",
        "yes",
        "true or false (true: critical alerts turn the flag off through a LaunchDarkly trigger",
      ],
      ["alerts.slackChannel", 5, 'a Slack channel such as "#stream5-staging"'],
      ["alerts.slackChannel", "stream5-beta", 'a Slack channel: "#" then lowercase letters'],
      ["alerts.slackChannel", "#Stream5", 'a Slack channel: "#" then lowercase letters'],
      ["alerts.slackChannel", "#stream5 beta", 'a Slack channel: "#" then lowercase letters'],
      ["alerts.slackChannel", "#-beta", 'a Slack channel: "#" then lowercase letters'],
      ["alerts.slackChannel", "#", 'a Slack channel: "#" then lowercase letters'],
      ["alerts.slackChannel", "x#stream5", 'a Slack channel: "#" then lowercase letters'],
      ["alerts.slackChannel", `#${long(81)}`, 'a Slack channel: "#" then lowercase letters'],
      ["grafana.folderTitle", 5, "a folder title (string)"],
      ["grafana.folderTitle", "", "a non-empty folder title"],
      ["grafana.dashboardUid", 5, "a Grafana dashboard uid (string)"],
      ["grafana.dashboardUid", long(41), "a Grafana dashboard uid: 1 to 40 letters"],
      ["grafana.dashboardUid", "", "a Grafana dashboard uid: 1 to 40 letters"],
      ["grafana.folderUid", "x/y", "a Grafana folder uid: 1 to 40 letters"],
      ["grafana.prometheusDatasourceUid", 5, "a Grafana datasource uid (string)"],
      ["grafana.metricPrefix", 5, "a Prometheus metric name prefix"],
      ["grafana.metricPrefix", "1abc", "a Prometheus metric name prefix: letters"],
      ["grafana.metricPrefix", "a-b", "a Prometheus metric name prefix: letters"],
      ["grafana.timeConstraintSuccess.target", 1, "the target: a ratio greater than 0 and less than 1"],
      ["grafana.timeConstraintSuccess.target", "0.8", "the target: a ratio between 0 and 1"],
      ["grafana.timeConstraintSuccess.red", 0, "the red line: a ratio greater than 0 and less than 1"],
      ["grafana.timeConstraintSuccess.red", 0.8, "a ratio below timeConstraintSuccess.target (0.8)"],
      ["grafana.responseTimeTargetSeconds.average", 0, "a number of seconds greater than 0"],
      ["grafana.responseTimeTargetSeconds.p95", "5", "a number of seconds greater than 0"],
      ["planningEngine.namespace", 5, "a Kubernetes namespace name"],
      ["planningEngine.namespace", "Planning", "a Kubernetes namespace name (lowercase DNS label)"],
      ["planningEngine.namespace", "-planning", "a Kubernetes namespace name (lowercase DNS label)"],
      ["planningEngine.namespace", "planning-", "a Kubernetes namespace name (lowercase DNS label)"],
      ["planningEngine.namespace", "planning_engine", "a Kubernetes namespace name (lowercase DNS label)"],
      ["planningEngine.namespace", long(64), "a Kubernetes namespace name (lowercase DNS label)"],
      ["planningEngine.createNamespace", "yes", "true or false"],
      ["planningEngine.image", 5, "a container image reference (string)"],
      ["planningEngine.image", "ghcr.io/athlete-ally/planning-engine", "a pinned image"],
      ["planningEngine.image", "ghcr.io/athlete-ally/planning-engine:latest", "a pinned image"],
      ["planningEngine.image", "Ghcr.io/athlete-ally/planning-engine:1.0", "a pinned image"],
      ["planningEngine.image", "ghcr.io/athlete-ally/planning-engine:-1", "a pinned image"],
      ["planningEngine.image", `ghcr.io/athlete-ally/planning-engine@sha256:${digest(63)}`, "a pinned image"],
      ["planningEngine.image", `ghcr.io/athlete-ally/planning-engine@sha256:${digest(64)}x`, "a pinned image"],
      ["planningEngine.image", " ghcr.io/athlete-ally/planning-engine:1.0", "a pinned image"],
      ["planningEngine.replicas", 0, "a whole number from 1 to 50"],
      ["planningEngine.replicas", 1.5, "a whole number from 1 to 50"],
      ["planningEngine.replicas", "2", "a whole number from 1 to 50"],
      ["planningEngine.maxReplicas", 101, "a whole number from 1 to 100"],
      ["planningEngine.maxReplicas", 1, "a whole number at least planningEngine.replicas (2)"],
      ["planningEngine.targetCpuUtilizationPercent", 9, "a whole number from 10 to 100"],
      ["planningEngine.targetCpuUtilizationPercent", 101, "a whole number from 10 to 100"],
      ["planningEngine.resources.requests.cpu", -1, 'a Kubernetes quantity such as "500m"'],
      ["planningEngine.resources.requests.cpu", "lots", 'a Kubernetes quantity such as "500m"'],
      ["planningEngine.resources.requests.cpu", "1.", 'a Kubernetes quantity such as "500m"'],
      ["planningEngine.resources.requests.cpu", ".5", 'a Kubernetes quantity such as "500m"'],
      ["planningEngine.resources.requests.memory", "512MiB", 'a Kubernetes quantity such as "500m"'],
      ["planningEngine.resources.limits.cpu", "x1", 'a Kubernetes quantity such as "500m"'],
      ["planningEngine.resources.limits.memory", "1Gi ", 'a Kubernetes quantity such as "500m"'],
      ["planningEngine.logLevel", "trace", '"debug", "info", "warn" or "error"'],
      ["planningEngine.previewPath", 5, "an absolute URL path"],
      ["planningEngine.previewPath", "v1/plans", "an absolute URL path"],
      ["planningEngine.previewPath", "/plans?x=1", "an absolute URL path"],
      ["planningEngine.previewPath", "/a b", "an absolute URL path"],
      ["planningEngine.prometheusOperator", "no", "true or false"],
      ["rolloutPercentage", 10.0005, "(LaunchDarkly weights are thousandths of a percent)"],
      ["slackWebhookUrl", undefined, "`pulumi config set --secret slackWebhookUrl <value>`"],
      ["flagKey", long(257), "a flag key of at most 256 characters"],
      ["flagKey", 5, "a flag key (string)"],
      ["flagKey", "key!", "a flag key: starts with a letter or digit"],
      ["rolloutLadder", "1,5,100", "a list of whole percentages from 1 to 100, strictly increasing and ending at 100"],
      [
        "rolloutLadder",
        [5, 1, 100],
        "a list of whole percentages from 1 to 100, strictly increasing and ending at 100",
      ],
      ["rolloutStepOverride", -1, '"none", or the one percentage (0 to 100, at most 3 decimals)'],
      ["rolloutStepOverride", 101, '"none", or the one percentage (0 to 100, at most 3 decimals)'],
      ["rolloutStepOverride", 10.0005, '"none", or the one percentage (0 to 100, at most 3 decimals)'],
      ["rolloutStepOverride", "all", '"none", or the one percentage (0 to 100, at most 3 decimals)'],
      ["soakGate.window", 24, 'a window such as "24h"'],
      ["soakGate.window", "59m", 'a window such as "24h": a whole number followed by m, h or d, from 1h to 30d'],
      ["soakGate.window", "721h", 'a window such as "24h": a whole number followed by m, h or d, from 1h to 30d'],
      ["soakGate.window", "31d", 'a window such as "24h": a whole number followed by m, h or d, from 1h to 30d'],
      ["soakGate.window", "1w", 'a window such as "24h": a whole number followed by m, h or d, from 1h to 30d'],
      ["soakGate.successRate.above", 1, "the minimum success rate"],
      ["soakGate.errorRate.below", 0, "the maximum error rate"],
      ["soakGate.averageResponseSeconds.below", 0, "a number of seconds greater than 0"],
      ["soakGate.timeConstraintSuccess.above", "0.8", "the minimum time-constraint success"],
      ["soakGate.baseline", "30m", 'an offset such as "1w": a whole number followed by m, h, d or w, from 1h to 5w'],
      ["soakGate.baseline", "6w", 'an offset such as "1w": a whole number followed by m, h, d or w, from 1h to 5w'],
      ["soakGate.baseline", 7, 'an offset such as "1w"'],
      ["soakGate.rungSoak", "30s", 'a duration such as "24h": a whole number followed by m, h or d, from 1m to 30d'],
      ["soakGate.rungSoak", "1w", 'a duration such as "24h": a whole number followed by m, h or d, from 1m to 30d'],
      ["soakGate.regression.maxPValue", 0, "the significance level maxPValue: a ratio greater than 0 and less than 1"],
      ["soakGate.regression.minEffect", 0, "the minimum effect minEffect: a relative change greater than 0"],
      ["soakGate.regression.minSamples", 1, "minSamples: a whole number of per-minute samples from 2 to 100000"],
      ["soakGate.regression.minSamples", 60.5, "minSamples: a whole number of per-minute samples from 2 to 100000"],
      ["soakGate.regression.routes", [], "at least one route"],
      ["soakGate.regression.routes", "/v1/plans", 'a list of http_route values such as ["/v1/plans", "/v1/athletes"]'],
      ["soakGate.regression.metric", "http-duration", "a Prometheus histogram name"],
      ["soakGate.regression.pValue", 0.01, "the keys of the no-regression criterion: metric, routes, maxPValue"],
    ]),
  )("%s = %j is rejected: %s", (path, value, allowed) => {
    const problems = problemsOf(withAt([path, value]));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(`${path}: `)).toBe(true);
    expect(problems[0]).toContain(allowed);
  });
});

describe("nested config values at their bounds", () => {
  it.each(
    cases([
      [["alerts.errorRate.above", 0.001]],
      [["alerts.errorRate.above", 0.999]],
      [["alerts.errorRate.for", "10m"]],
      [["alerts.errorRate.for", "30s"]],
      [["alerts.successRate.for", "2h"]],
      [["alerts.responseTimeSeconds.above", 0.5]],
      [["alerts.zeroRequestMinutes", 1]],
      [["alerts.zeroRequestMinutes", 1440]],
      [["alerts.slackChannel", "#a"]],
      [["alerts.slackChannel", "#stream5_beta-2"]],
      [["alerts.slackChannel", `#${long(80)}`]],
      [["grafana.dashboardUid", long(40)]],
      [["grafana.folderUid", "A_z-9"]],
      [["grafana.folderTitle", "Beta"]],
      [["grafana.metricPrefix", "_stream5:tc"]],
      [
        ["grafana.timeConstraintSuccess.target", 0.999],
        ["grafana.timeConstraintSuccess.red", 0.001],
      ],
      [["planningEngine.namespace", "a"]],
      [["planningEngine.namespace", long(63)]],
      [["planningEngine.namespace", "planning-engine-2"]],
      [["planningEngine.image", "planning-engine:1"]],
      [["planningEngine.image", "localhost:5000/planning-engine:v1.2_3"]],
      [["planningEngine.image", `ghcr.io/athlete-ally/planning-engine@sha256:${digest(64)}`]],
      [["planningEngine.image", `ghcr.io/athlete-ally/planning-engine:1.0@sha256:${digest(64)}`]],
      [
        ["planningEngine.replicas", 50],
        ["planningEngine.maxReplicas", 100],
      ],
      [
        ["planningEngine.replicas", 1],
        ["planningEngine.maxReplicas", 1],
      ],
      [["planningEngine.targetCpuUtilizationPercent", 10]],
      [["planningEngine.targetCpuUtilizationPercent", 100]],
      [["planningEngine.resources.requests.cpu", "0.25"]],
      [["planningEngine.resources.requests.cpu", "500m"]],
      [["planningEngine.resources.requests.memory", "512Mi"]],
      [["planningEngine.image", "ghcr.io/athlete-ally/planning-engine-v2:1"]],
      [["planningEngine.image", "ghcr.io/athlete-ally/planning-engine:latest-2026.11"]],
      [["planningEngine.logLevel", "debug"]],
      [["planningEngine.logLevel", "info"]],
      [["planningEngine.logLevel", "warn"]],
      [["planningEngine.logLevel", "error"]],
      [["planningEngine.resources.limits.memory", "1.5Gi"]],
      [["planningEngine.resources.limits.cpu", "2"]],
      [["planningEngine.previewPath", "/"]],
      [["planningEngine.previewPath", "/v1/a.b_c~d-e"]],
      [["flagKey", long(256)]],
      [["flagKey", "9feature.x_y-z"]],
      [["rolloutLadder", [100]]],
      [["rolloutStepOverride", 0]],
      [["rolloutStepOverride", 100]],
      [["rolloutStepOverride", "none"]],
      [["soakGate.window", "1h"]],
      [["soakGate.window", "60m"]],
      [["soakGate.window", "720h"]],
      [["soakGate.window", "30d"]],
      [["soakGate.baseline", "1w"]],
      [["soakGate.baseline", "1h"]],
      [["soakGate.baseline", "5w"]],
      [["soakGate.rungSoak", "1m"]],
      [["soakGate.rungSoak", "24h"]],
      [["soakGate.regression.routes", ["/v1/plans", "/v1/athletes/{id}"]]],
      [
        ["soakGate.regression.maxPValue", 0.05],
        ["soakGate.regression.minEffect", 2],
        ["soakGate.regression.minSamples", 2],
      ],
    ]),
  )("%j is accepted", (...entries) => {
    expect(problemsOf(withAt(...entries))).toEqual([]);
  });
});

describe("unknown keys inside objects", () => {
  it.each(
    cases([
      "alerts",
      "alerts.errorRate",
      "alerts.responseTimeSeconds",
      "alerts.successRate",
      "grafana",
      "grafana.timeConstraintSuccess",
      "grafana.responseTimeTargetSeconds",
      "planningEngine",
      "soakGate.regression",
      "planningEngine.resources",
      "planningEngine.resources.requests",
      "planningEngine.resources.limits",
      "soakGate",
      "soakGate.successRate",
      "soakGate.errorRate",
      "soakGate.averageResponseSeconds",
      "soakGate.p95ResponseSeconds",
      "soakGate.timeConstraintSuccess",
    ]),
  )("%s rejects a key it does not know, naming it", (object) => {
    const problems = problemsOf(withAt([`${object}.thresholdTypo`, 1]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(
        `^${object.replaceAll(".", "\\.")}\\.thresholdTypo: not a key of ${object.replaceAll(".", "\\.")}; allowed: the keys of `,
      ),
    );
  });
});

describe("an object key given something else than an object", () => {
  it.each(
    cases([
      ["alerts", "the alert thresholds", "errorRate, responseTimeSeconds, successRate, zeroRequestMinutes"],
      ["alerts.errorRate", "the error-rate alert", "above, for"],
      ["alerts.responseTimeSeconds", "the response-time alert", "above, for"],
      ["alerts.successRate", "the success-rate alert", "below, for"],
      ["grafana", "where the dashboard and alerts live in Grafana", "prometheusDatasourceUid"],
      ["grafana.timeConstraintSuccess", "the time-constraint success lines", "target, red"],
      ["grafana.responseTimeTargetSeconds", "the response-time targets", "average, p95"],
      ["planningEngine", "the planning engine's workload", "namespace, createNamespace, image"],
      ["planningEngine.resources", "the engine's container resources", "requests, limits"],
      ["planningEngine.resources.requests", "the resource requests", "cpu, memory"],
      ["planningEngine.resources.limits", "the resource limits", "cpu, memory"],
      ["soakGate", "the soak gate's promotion criteria", "window, successRate, errorRate"],
      ["soakGate.successRate", "the success-rate criterion", "above"],
      ["soakGate.errorRate", "the error-rate criterion", "below"],
      ["soakGate.averageResponseSeconds", "the average response-time criterion", "below"],
      ["soakGate.p95ResponseSeconds", "the p95 response-time criterion", "below"],
      ["soakGate.timeConstraintSuccess", "the time-constraint criterion", "above"],
      ["soakGate.regression", "the no-regression criterion", "metric, routes, maxPValue, minEffect, minSamples"],
    ]),
  )("%s says it wants %s, an object, and lists its keys", (path, what, someKeys) => {
    const problems = problemsOf(withAt([path, "on"]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${path.replaceAll(".", "\\.")}: got "on"; allowed: `));
    expect(problems[0]).toContain(`${what}: an object with keys `);
    expect(problems[0]).toContain(someKeys);
  });
});

describe("soakGate.regression.routes", () => {
  it("names the route that is not an absolute path", () => {
    const problems = problemsOf(withAt(["soakGate.regression.routes", ["/v1/plans", "v1/athletes"]]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^soakGate\.regression\.routes\.1: /);
    expect(problems[0]).toContain('a list of http_route values such as ["/v1/plans", "/v1/athletes"]');
  });
});

describe("config values as Pulumi hands them over (strings)", () => {
  it.each(cases(["targeting", "flagKey", "launchdarklyProject", "launchdarklyEnvironment"]))(
    "%s stays the text it was, even when it reads as JSON",
    (key) => {
      for (const raw of ["123", "true", "null", '"quoted"', "[1]"]) expect(decodeConfigValue(key, raw)).toBe(raw);
    },
  );

  it.each(
    cases([
      ["rolloutPercentage", "25", 25],
      ["ownsFlagDefinition", "true", true],
      ["alwaysOnContexts", '["qa-1"]', ["qa-1"]],
      ["alerts", '{"autoKill":true}', { autoKill: true }],
      ["rolloutStepOverride", "none", "none"],
    ]),
  )("%s = %s is read as JSON (text that is not JSON stays text)", (key, raw, value) => {
    expect(decodeConfigValue(key, raw)).toEqual(value);
  });
});

describe("how a message shows the value given", () => {
  it.each(
    cases([
      ["an empty string", "flagKey", "", "flagKey: empty; allowed: a flag key: "],
      ["null (an empty YAML value)", "flagKey", null, "flagKey: empty; allowed: a flag key (string)"],
      ["nothing, for a required key", "launchdarklyProject", undefined, "launchdarklyProject: not set; allowed: "],
      ["a number, as JSON", "flagKey", 5, "flagKey: got 5; allowed: "],
      ["a string, quoted", "targeting", "maybe", 'targeting: got "maybe"; allowed: '],
    ]),
  )("%s", (_what, key, value, start) => {
    const problems = problemsOf(withAt([key, value]));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(start)).toBe(true);
  });
});

describe("parseStackConfig", () => {
  it("defaults every nested key to the checklist's values", () => {
    const config = parseStackConfig(valid);
    expect(config.grafana).toEqual({
      prometheusDatasourceUid: "prometheus",
      metricPrefix: "stream5_time_crunch",
      timeConstraintSuccess: { target: 0.8, red: 0.7 },
      responseTimeTargetSeconds: { average: 2, p95: 5 },
    });
    expect(config.planningEngine).toEqual({
      namespace: "planning-engine",
      createNamespace: false,
      image: "ghcr.io/athlete-ally/planning-engine:1.2.3",
      replicas: 2,
      maxReplicas: 6,
      targetCpuUtilizationPercent: 70,
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      logLevel: "info",
      previewPath: "/v1/plans/time-crunch/preview",
      prometheusOperator: false,
    });
  });

  it("lists unknown top-level keys sorted, after the schema's problems, counted", () => {
    const error = (() => {
      try {
        parseStackConfig({ ...valid, zeta: 1, alpha: 2, targeting: "maybe" });
      } catch (e) {
        return e as StackConfigError;
      }
      throw new Error("expected the config to be rejected");
    })();
    expect(error.problems.map((p) => p.split(":")[0])).toEqual(["targeting", "alpha", "zeta"]);
    expect(error.message.split("\n")).toEqual([
      "Invalid stack config for stream5-time-crunch (3 problems):",
      ...error.problems.map((problem) => `  - ${problem}`),
    ]);
  });

  it("counts one problem in the singular", () => {
    expect(() => parseStackConfig({ ...valid, targeting: "maybe" })).toThrow(/\(1 problem\):\n/);
  });

  it("never repeats a secret's value in a message", () => {
    const problems = problemsOf({ ...valid, databaseUrl: "postgres://planner:hunter2@db/plans" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^databaseUrl: \[secret\]; /);
    expect(problems.join("\n")).not.toContain("hunter2");
  });
});

describe("StackConfigError", () => {
  it("is known by its mark, whichever copy of the schema module made it", async () => {
    const error = new StackConfigError(["rolloutPercentage: got 101; allowed: a number from 0 to 100"]);
    expect(error).toBeInstanceOf(StackConfigError);
    expect(error.name).toBe("StackConfigError");
    vi.resetModules();
    const again = await import("../components/config/schema.js");
    expect(again.StackConfigError).not.toBe(StackConfigError);
    expect(error).toBeInstanceOf(again.StackConfigError);
    expect(new again.StackConfigError([])).toBeInstanceOf(StackConfigError);
  });

  it.each(
    cases([
      ["an Error", new Error("x")],
      ["null", null],
      ["a string", "StackConfigError"],
      ["a plain object", { name: "StackConfigError" }],
    ]),
  )("is not %s", (_case, value) => {
    expect(value).not.toBeInstanceOf(StackConfigError);
  });
});

describe("previewEndpoint and loadTest (the checklist's first eight hours)", () => {
  it("default to the engine's range (10 to 240 minutes) and the checklist's load (16 in flight for 10 minutes)", () => {
    const parsed = parseStackConfig(valid);
    expect(parsed.previewEndpoint).toEqual({ targetMinutes: { min: 10, max: 240 } });
    expect(parsed.loadTest).toEqual({ concurrency: 16, duration: "10m" });
  });

  it("take a range, extra body fields, a concurrency and a duration", () => {
    const parsed = parseStackConfig({
      ...valid,
      previewEndpoint: { targetMinutes: { min: 5, max: 90 }, requestBody: { athleteId: "qa-1" } },
      loadTest: { concurrency: 4, duration: "20s" },
    });
    expect(parsed.previewEndpoint).toEqual({ targetMinutes: { min: 5, max: 90 }, requestBody: { athleteId: "qa-1" } });
    expect(parsed.loadTest).toEqual({ concurrency: 4, duration: "20s" });
  });

  it.each(
    cases([
      [
        { previewEndpoint: { targetMinutes: { min: 240, max: 10 } } },
        "previewEndpoint.targetMinutes: ",
        "min below max",
      ],
      [
        { previewEndpoint: { targetMinutes: { min: 0 } } },
        "previewEndpoint.targetMinutes.min: got 0",
        "a whole number of minutes from 1 to 1440",
      ],
      [{ previewEndpoint: { requestBody: "x" } }, 'previewEndpoint.requestBody: got "x"', "an object"],
      [{ loadTest: { concurrency: 0 } }, "loadTest.concurrency: got 0", "from 1 to 256"],
      [{ loadTest: { duration: "5s" } }, 'loadTest.duration: got "5s"', "from 10s to 2h"],
      [{ loadTest: { rate: 5 } }, "loadTest.rate: not a key of loadTest", "concurrency, duration"],
    ] as [Record<string, unknown>, string, string][]),
  )("refuse %j, naming the key and what is allowed", (change, given, allowed) => {
    let message = "";
    try {
      parseStackConfig({ ...valid, ...change });
    } catch (error) {
      message = (error as StackConfigError).message;
    }
    expect(message).toContain(given);
    expect(message).toContain(allowed);
  });
});
