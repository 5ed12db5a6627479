/**
 * Which pull requests the soak gate holds: a raise of the beta (targeting turned on, a higher
 * percentage) waits for GO; a rollback or an unrelated change does not.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { promotionChange } from "../tools/gate/promotion";
import { PROJECT_DIR, withSets } from "../tools/offline/stackConfig";
import { stackConfig } from "./support/program";
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
    });
  });

  it("counts a new stack file (none on the base branch) that turns targeting on as a raise", () => {
    expect(promotionChange(undefined, beta).kind).toBe("raise");
  });
});

describe("npm run gate:promotion-change, as CI runs it", () => {
  it("prints the decision for two files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "promotion-"));
    const base = join(dir, "Pulumi.beta.yaml");
    writeFileSync(base, 'config:\n  stream5-time-crunch:targeting: "on"\n  stream5-time-crunch:rolloutPercentage: 5\n');
    const output = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [
          join(PROJECT_DIR, "tools", "run-tool.cjs"),
          "tools/promotion-change.ts",
          "--base",
          base,
          "--head",
          "Pulumi.beta.yaml",
        ],
        { cwd: PROJECT_DIR, encoding: "utf8" },
        (error, stdout, stderr) => {
          done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });
    expect(output).toEqual({
      code: 0,
      stdout: "raise: raises the beta: targeting on at 5% -> targeting on at 10%\n",
      stderr: "",
    });
  });
});
