/**
 * Which pull requests the soak gate holds: a raise of the beta (targeting turned on, a higher
 * percentage) waits for GO; a rollback or an unrelated change does not.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { promotionChange } from "../components/rollout/promotionChange";
import { PROJECT_DIR, withSets } from "../components/config/stackFile";
import { main } from "../tools/promotionChange/main";
import { stackConfig } from "./support/program";
import { runTool } from "./support/toolRun";
import { cases } from "./support/cases";

const beta = stackConfig("beta"); // targeting on at 10%
const after = (...sets: string[]) => withSets(beta, sets);

describe("promotionChange", () => {
  it.each(
    cases([
      [["rolloutPercentage=25"], "raise"],
      [["rolloutPercentage=10.5"], "raise"],
      [["rolloutPercentage=5"], "rollback"],
      [["targeting=off"], "rollback"],
      [["targeting=off", "rolloutPercentage=50"], "rollback"],
      [["alerts.errorRate.above=0.05"], "unchanged"],
      [["planningEngine.replicas=4"], "unchanged"],
    ]),
  )("beta at 10%% then %j: %s", (sets, kind) => {
    expect(promotionChange(beta, after(...sets)).kind).toBe(kind);
  });

  it("counts turning targeting back on as a raise, even at the same percentage", () => {
    const killed = after("targeting=off");
    expect(promotionChange(killed, beta)).toEqual({
      kind: "raise",
      reason: "raises the beta: targeting off at 10% -> targeting on at 10%",
      evidence: "staging-soak",
    });
  });

  it("words each decision with the change it read", () => {
    expect(promotionChange(beta, after("planningEngine.replicas=4"))).toEqual({
      kind: "unchanged",
      reason: "targeting and rolloutPercentage unchanged (targeting on at 10%)",
    });
    expect(promotionChange(beta, after("rolloutPercentage=5"))).toEqual({
      kind: "rollback",
      reason: "does not raise the beta (rollback or no-op): targeting on at 10% -> targeting on at 5%",
    });
  });

  it("judges turning the beta on on the staging soak, a raise between rungs on the current beta rung", () => {
    const killed = after("targeting=off");
    expect(promotionChange(killed, beta)).toMatchObject({ kind: "raise", evidence: "staging-soak" });
    expect(promotionChange(undefined, beta)).toMatchObject({ kind: "raise", evidence: "staging-soak" });
    expect(promotionChange(beta, after("rolloutPercentage=25"))).toMatchObject({
      kind: "raise",
      evidence: "beta-rung",
    });
    expect(promotionChange(after("rolloutPercentage=0"), beta)).toMatchObject({
      kind: "raise",
      evidence: "staging-soak",
    });
  });

  it("counts a new percentage behind the kill switch as no raise: nobody gets the feature either way", () => {
    const killed = after("targeting=off");
    expect(promotionChange(killed, withSets(killed, ["rolloutPercentage=50"])).kind).toBe("rollback");
  });

  it("counts a new stack file (none on the base branch) that turns targeting on as a raise", () => {
    expect(promotionChange(undefined, beta).kind).toBe("raise");
  });
});

describe("npm run gate:promotion-change, as CI runs it", () => {
  const scratch = mkdtempSync(join(tmpdir(), "promotion-"));
  /** The committed beta stack file with its percentage changed, as a pull request's base would hold it. */
  const betaAt = (percentage: string) => {
    const file = join(scratch, `Pulumi.beta.${percentage}.yaml`);
    const committed = readFileSync(join(PROJECT_DIR, "Pulumi.beta.yaml"), "utf8");
    writeFileSync(file, committed.replace(/rolloutPercentage: 10$/m, `rolloutPercentage: ${percentage}`));
    return file;
  };
  const head = join(PROJECT_DIR, "Pulumi.beta.yaml");

  it("prints the decision for two files", async () => {
    expect(await runTool(main, ["--base", betaAt("5"), "--head", head])).toEqual({
      code: 0,
      stdout: "raise: raises the beta: targeting on at 5% -> targeting on at 10%\n",
      stderr: "",
    });
    expect((await runTool(main, ["--base", join(scratch, "none.yaml"), "--head", head])).stdout).toBe(
      "raise: raises the beta: targeting unset at unset% -> targeting on at 10%\n",
    );
  });

  it("decides with the program's validation: an invalid percentage is bad input, not a decision", async () => {
    const run = await runTool(main, ["--base", head, "--head", betaAt("250")]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^Invalid stack config for stream5-time-crunch .*\n {2}- rolloutPercentage: got 250; allowed: /s,
    );
  });

  it("says the evidence in json, for the soak gate's workflow", async () => {
    expect(
      JSON.parse((await runTool(main, ["--base", betaAt("5"), "--head", head, "--format", "json"])).stdout),
    ).toEqual({
      kind: "raise",
      reason: "raises the beta: targeting on at 5% -> targeting on at 10%",
      evidence: "beta-rung",
    });
  });

  it("refuses bad usage with exit 2 and no stack trace", async () => {
    expect(await runTool(main, ["--head", head])).toEqual({
      code: 2,
      stdout: "",
      stderr: "give --base FILE and --head FILE\n",
    });
    const missing = await runTool(main, ["--base", head, "--head", "no/such.yaml"]);
    expect(missing).toEqual({ code: 2, stdout: "", stderr: "no such file: no/such.yaml\n" });
  });
});
