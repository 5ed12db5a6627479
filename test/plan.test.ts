import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../components/config/stackFile";
import { planCli, policyCli, type CliRun } from "./support/planCli";
import { ResourceType } from "../components/resources";

/** The result of one `npm run plan`, with the folder it wrote its files to. */
interface PlanRun extends CliRun {
  readonly out: string;
}

async function plan(...args: string[]): Promise<PlanRun> {
  const out = mkdtempSync(join(tmpdir(), "plan-"));
  return { ...(await planCli(["--out", out, ...args])), out };
}

const files = (run: PlanRun) =>
  Object.fromEntries(readdirSync(run.out).map((name) => [name, readFileSync(join(run.out, name), "utf8")]));

interface JsonReport {
  diff: { change: string; type: string; name: string; inputs: { path: string; before: unknown; after: unknown }[] }[];
}
const diffOf = (run: PlanRun) => (JSON.parse(run.stdout) as JsonReport).diff;

const PLANTED = {
  databaseUrl: "postgres://planner:planted-db-password-7f3a@db.internal/plans",
  slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/planted-webhook-9c1d",
};

let beta: PlanRun, betaAgain: PlanRun, staging: PlanRun;
let raised: PlanRun, killed: PlanRun, stagingToBeta: PlanRun;
let planted: PlanRun, plantedBySet: PlanRun, badSet: PlanRun, badFile: PlanRun;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "config-"));
  const withSecrets = join(dir, "Pulumi.planted.yaml");
  writeFileSync(
    withSecrets,
    `${readFileSync(join(PROJECT_DIR, "Pulumi.beta.yaml"), "utf8")}  stream5-time-crunch:databaseUrl: ${PLANTED.databaseUrl}\n  stream5-time-crunch:slackWebhookUrl: ${PLANTED.slackWebhookUrl}\n`,
  );
  const invalid = join(dir, "Pulumi.invalid.yaml");
  writeFileSync(
    invalid,
    readFileSync(join(PROJECT_DIR, "Pulumi.beta.yaml"), "utf8").replace(
      "rolloutPercentage: 10",
      "rolloutPercentage: 12.34567",
    ),
  );
  [beta, betaAgain, staging, raised, killed, stagingToBeta, planted, plantedBySet, badSet, badFile] = await Promise.all(
    [
      plan("--stack", "beta"),
      plan("--stack", "beta"),
      plan("--stack", "staging"),
      plan("--stack", "beta", "--set", "rolloutPercentage=25", "--against", "beta", "--format", "json"),
      plan("--stack", "beta", "--set", "targeting=off", "--against", "beta", "--format", "json"),
      plan("--stack", "beta", "--against", "staging", "--format", "json"),
      plan("--config-file", withSecrets),
      plan(
        "--stack",
        "beta",
        "--set",
        `databaseUrl=${PLANTED.databaseUrl}`,
        "--against",
        "staging",
        "--format",
        "markdown",
      ),
      plan("--stack", "beta", "--set", "rolloutPercentage=150", "--set", "targeting=paused"),
      plan("--config-file", invalid),
    ],
  );
}, 120_000);

describe("npm run plan", () => {
  it("plans both stacks and writes the documented files", () => {
    for (const run of [beta, staging]) {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(Object.keys(files(run)).sort()).toEqual([
        "dashboard.json",
        "flag.json",
        "kubernetes.yaml",
        "resources.json",
      ]);
    }
    expect(beta.stdout).toContain("targeting on: 10% of contexts get true");
    expect(staging.stdout).toContain("targeting on: all contexts get true");
  });

  it("writes resources.json as docs/architecture.md fixes it: urn, type, name, parent, inputs for every resource", () => {
    const resources = JSON.parse(files(beta)["resources.json"]!) as Record<string, unknown>[];
    expect(resources.length).toBeGreaterThan(10);
    for (const resource of resources) {
      // `protect: true` only on protected resources (the flag definition, declared by staging).
      expect(Object.keys(resource).sort()).toEqual(["inputs", "name", "parent", "type", "urn"]);
      expect(resource.urn).toMatch(/^urn:pulumi:beta::stream5-time-crunch::/);
      expect(typeof resource.inputs).toBe("object");
    }
    expect(resources.map((r) => r.type)).toEqual(
      expect.arrayContaining([
        ResourceType.FlagEnvironment,
        ResourceType.RuleGroup,
        ResourceType.Dashboard,
        ResourceType.Deployment,
      ]),
    );
    const environment = resources.find((r) => r.type === ResourceType.FlagEnvironment);
    expect(environment?.parent).toMatch(/::stream5:launchdarkly:TimeCrunchFlag::time-crunch$/);
  });

  it("marks the protected flag definition in staging's resources.json: protect is true there and nowhere else", () => {
    const resources = JSON.parse(files(staging)["resources.json"]!) as Record<string, unknown>[];
    expect(resources.filter((r) => "protect" in r).map((r) => [r.type, r.protect])).toEqual([
      [ResourceType.Flag, true],
    ]);
  });

  it("prints the policy pack's verdict under the summary, and npm run policy agrees on the files", async () => {
    for (const run of [beta, staging]) {
      expect(run.stdout).toMatch(
        /\n\nPolicy pack stream5-time-crunch: no violations \(8 policies over \d+ resources\)\n/,
      );
    }
    const policy = await policyCli([join(beta.out, "resources.json"), join(staging.out, "resources.json")]);
    expect(policy.stderr).toBe("");
    expect(policy.code).toBe(0);
    expect(policy.stdout.match(/: no violations \(8 policies/g)).toHaveLength(2);
  });

  it("gives identical files on two runs", () => {
    expect(files(betaAgain)).toEqual(files(beta));
  });

  it("writes the flag as LaunchDarkly's SDK evaluates it", () => {
    expect(JSON.parse(files(beta)["flag.json"]!)).toMatchObject({
      key: "feature.stream5_time_crunch_mode",
      on: true,
      variations: [true, false],
      offVariation: 1,
      fallthrough: {
        rollout: {
          variations: [
            { variation: 0, weight: 10000 },
            { variation: 1, weight: 90000 },
          ],
        },
      },
    });
  });
});

describe("diffs", () => {
  it("raising the beta percentage changes one resource: its rollout weights", () => {
    expect(raised.code).toBe(0);
    expect(diffOf(raised)).toEqual([
      {
        change: "changed",
        type: ResourceType.FlagEnvironment,
        name: "time-crunch-production",
        key: expect.any(String) as string,
        inputs: [
          { path: "fallthrough.rolloutWeights[0]", before: 10000, after: 25000 },
          { path: "fallthrough.rolloutWeights[1]", before: 90000, after: 75000 },
        ],
      },
    ]);
    expect(files(raised)["diff.md"]).toContain("`fallthrough.rolloutWeights[0]`: `10000` → `25000`");
  });

  it("the kill switch changes one resource: `on` goes false", () => {
    expect(diffOf(killed)).toEqual([
      expect.objectContaining({
        change: "changed",
        type: ResourceType.FlagEnvironment,
        inputs: [{ path: "on", before: true, after: false }],
      }),
    ]);
  });

  it("staging -> beta lists exactly the resources and paths that differ", () => {
    const summary = diffOf(stagingToBeta).map((d) => [d.change, d.type, d.name, d.inputs.map((c) => c.path)]);
    expect(summary).toEqual([
      // Each stack has its own Grafana identities, so the two can share one org.
      ["changed", ResourceType.ContactPoint, "time-crunch-alerts", ["name"]],
      // Beta turns on the automatic kill switch: its contact point, and the critical rules (0, 1) route to it.
      ["added", ResourceType.ContactPoint, "time-crunch-alerts-kill-switch", []],
      [
        "changed",
        ResourceType.RuleGroup,
        "time-crunch-alerts",
        [
          "folderUid",
          "name",
          ...[0, 1, 2, 3].flatMap((i) => [
            `rules[${i}].annotations.runbook`,
            `rules[${i}].notificationSettings.contactPoint`,
            ...(i < 2 ? [`rules[${i}].notificationSettings.groupWait`] : []),
            `rules[${i}].uid`,
          ]),
        ],
      ],
      ["changed", ResourceType.Dashboard, "time-crunch", ["configJson.uid", "folder"]],
      ["changed", ResourceType.Folder, "time-crunch", ["title", "uid"]],
      ["changed", ResourceType.Autoscaler, "planning-engine", ["spec.maxReplicas", "spec.minReplicas"]],
      ["changed", ResourceType.ConfigMap, "planning-engine", ["data.LAUNCHDARKLY_ENVIRONMENT"]],
      ["removed", ResourceType.Flag, "time-crunch", []],
      ["added", ResourceType.FlagEnvironment, "time-crunch-production", []],
      ["removed", ResourceType.FlagEnvironment, "time-crunch-staging", []],
      ["added", ResourceType.FlagTrigger, "time-crunch-production-kill-switch", []],
    ]);
  });
});

describe("secrets", () => {
  it("a secret given with --set (pulumi config set --secret) appears in no file, nor on stdout or stderr", () => {
    expect(plantedBySet.code).toBe(0);
    const everything = [plantedBySet.stdout, plantedBySet.stderr, ...Object.values(files(plantedBySet))].join("\n");
    expect(everything).not.toContain("planted-db-password");
    expect(files(plantedBySet)["kubernetes.yaml"]).toContain('DATABASE_URL: "[secret]"');
  });

  it("a secret in plain text in a config file is refused as `pulumi up` refuses it, and never echoed", () => {
    expect(planted.code).toBe(2);
    for (const key of ["databaseUrl", "slackWebhookUrl"]) {
      expect(planted.stderr).toContain(
        `Stack 'planted' with configuration key '${key}' must be encrypted as it's secret`,
      );
    }
    const everything = [planted.stdout, planted.stderr, ...Object.values(files(planted))].join("\n");
    expect(everything).not.toContain("planted-db-password");
    expect(everything).not.toContain("planted-webhook");
    expect(Object.keys(files(planted))).toEqual([]);
  });
});

describe("bad config", () => {
  it("through --set: exit 2, every bad key named, no stack trace", () => {
    expect(badSet.code).toBe(2);
    expect(badSet.stderr).toContain("rolloutPercentage: got 150;");
    expect(badSet.stderr).toContain('targeting: got "paused";');
    expect(badSet.stderr).not.toMatch(/^\s+at /m);
    expect(badSet.stdout).toBe("");
  });

  it("through --config-file: exit 2 and the key named", () => {
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain(
      "rolloutPercentage: got 12.34567; allowed: a number from 0 to 100 with at most 3 decimals",
    );
    expect(badFile.stderr).not.toMatch(/^\s+at /m);
  });
});
