/**
 * The policy pack over offline plans, as users run it: `npm run plan` prints the verdict and fails
 * on a mandatory violation; `npm run policy` judges resources.json files.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicies, type Violation } from "../tools/offline/policyRunner";
import { renderPolicyVerdict } from "../tools/offline/policyReport";
import type { PlannedResource } from "../tools/offline/plan";
import { readResourcesFile, ResourcesFileError } from "../tools/policy/resourcesFile";
import { planCliWithProgram, policyCli, type CliRun } from "./support/planCli";
import { cases } from "./support/cases";
import { ResourceType } from "../components/resources";

const SLACK_WEBHOOK = "https://hooks.slack.com/services/T0000/B0000/planted0policy0cli";
const scratch = mkdtempSync(join(tmpdir(), "policy-"));
const out = (name: string) => join(scratch, name);
const resourcesOf = (name: string) => join(out(name), "resources.json");
const noStackTrace = (run: CliRun) => {
  expect(run.stderr).not.toMatch(/^\s+at /m);
};

let violating: CliRun;
let broken: CliRun, brokenJson: CliRun, missing: CliRun, help: CliRun;

beforeAll(async () => {
  violating = await planCliWithProgram("test/fixtures/violatingProgram.ts", [
    "--stack",
    "beta",
    "--out",
    out("violating"),
  ]);
  // Beta's plan (the violating program's, without its debug Deployment), altered: a Slack webhook
  // in the ConfigMap and weights that do not sum to 100000. (plan.test.ts runs the clean plans.)
  const resources = (JSON.parse(readFileSync(resourcesOf("violating"), "utf8")) as PlannedResource[]).filter(
    (r) => r.name !== "debug",
  );
  for (const r of resources) {
    if (r.type === ResourceType.ConfigMap) (r.inputs.data as Record<string, string>).ALERTS = SLACK_WEBHOOK;
    if (r.type.endsWith(":FeatureFlagEnvironment")) r.inputs.fallthrough = { rolloutWeights: [10000, 80000] };
  }
  writeFileSync(out("broken.json"), JSON.stringify(resources));
  [broken, brokenJson, missing, help] = await Promise.all([
    policyCli([out("broken.json")]),
    policyCli(["--format", "json", out("broken.json")]),
    policyCli([out("broken.json"), out("missing.json")]),
    policyCli(["--help"]),
  ]);
}, 120_000);

describe("npm run plan judges what it planned", () => {
  it("exits 1 on a mandatory violation, naming policy, resource and field, and still writes the files", () => {
    expect(violating.code).toBe(1);
    expect(violating.stdout).toContain("Policy pack stream5-time-crunch: 6 violations, 6 mandatory");
    expect(violating.stdout).toContain(
      'mandatory pod-security-restricted: kubernetes:apps/v1:Deployment debug\n    Deployment "debug": spec.template.spec.containers[0].securityContext.privileged breaks the baseline control',
    );
    expect(violating.stdout).toContain(
      'mandatory pinned-images: kubernetes:apps/v1:Deployment debug\n    Deployment "debug": spec.template.spec.containers[0].image "busybox:latest" is not pinned',
    );
    expect(violating.stderr).toContain("mandatory policy violations");
    noStackTrace(violating);
    expect(readFileSync(resourcesOf("violating"), "utf8")).toContain("::debug");
    expect(existsSync(join(out("violating"), "kubernetes.yaml"))).toBe(true);
  });
});

describe("npm run policy -- RESOURCES_JSON...", () => {
  it("exits 1 on an altered plan, naming each policy, and never prints the credential", () => {
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(
      "mandatory no-plaintext-credentials: kubernetes:core/v1:ConfigMap planning-engine\n" +
        '    ConfigMap "planning-engine": data.ALERTS holds what looks like a Slack webhook URL in plain text',
    );
    expect(broken.stdout).toContain(
      "mandatory flag-rollout-weights: launchdarkly:index/featureFlagEnvironment:FeatureFlagEnvironment time-crunch-production",
    );
    for (const run of [broken, brokenJson]) expect(run.stdout + run.stderr).not.toContain("planted0policy0cli");
  });

  it("--format json: one entry per file with its violations", () => {
    expect(brokenJson.code).toBe(1);
    const [report] = JSON.parse(brokenJson.stdout) as { file: string; violations: Violation[] }[];
    expect(report?.file).toBe(out("broken.json"));
    expect(report?.violations.map((v) => [v.policy, v.enforcementLevel, v.type, v.name])).toEqual([
      ["no-plaintext-credentials", "mandatory", ResourceType.ConfigMap, "planning-engine"],
      ["flag-rollout-weights", "mandatory", ResourceType.FlagEnvironment, "time-crunch-production"],
    ]);
    expect(report?.violations[0]?.urn).toMatch(/^urn:pulumi:beta::stream5-time-crunch::.*ConfigMap::planning-engine$/);
  });

  it("exits 2 on a file it cannot read, before any verdict, with a message and no stack trace", () => {
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`${out("missing.json")}: cannot read it (ENOENT)\n`);
    expect(missing.stdout).toBe("");
  });

  it.each(
    cases([
      ["not JSON", "[{", "not JSON ("],
      ["not an array", "{}", "not a resources.json (a JSON array of {urn, type, name, parent, inputs}): the file: "],
      [
        "an entry without inputs",
        '[{"urn": "u", "type": "t", "name": "n", "parent": null}]',
        "not a resources.json (a JSON array of {urn, type, name, parent, inputs}): entry 0.inputs: ",
      ],
    ]),
  )("rejects a file that is %s, naming the file and where", (_case, content, message) => {
    const file = out(`${_case.replaceAll(" ", "-")}.json`);
    writeFileSync(file, content);
    expect(() => readResourcesFile(file)).toThrow(ResourcesFileError);
    expect(() => readResourcesFile(file)).toThrow(`${file}: ${message}`);
  });

  it("--help documents the usage and exit codes", () => {
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run policy -- [--format text|markdown|json] RESOURCES_JSON...");
    expect(help.stdout).toContain("Exit codes: 0 no mandatory violation");
  });
});

describe("the markdown verdict (pull-request comments)", () => {
  it("escapes what GitHub would read as markup", async () => {
    const resources = JSON.parse(readFileSync(resourcesOf("violating"), "utf8")) as PlannedResource[];
    const markdown = renderPolicyVerdict(await checkPolicies(resources), "markdown");
    expect(markdown).toMatch(/^### Policy pack stream5-time-crunch: 6 violations, 6 mandatory/);
    expect(markdown).toContain("- **mandatory** `pinned-images` on `kubernetes:apps/v1:Deployment debug`: ");
    expect(markdown).toContain("registry/name@sha256:\\<digest\\>");
  });
});
