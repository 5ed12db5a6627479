/**
 * The one launcher (`node tools/cli/launcher.cjs TOOL`, what every npm script runs), as a process:
 * each tool answers --help, exit codes pass through, an unknown tool is bad usage, the tools that
 * need no program (gate, promotion-change, policy) start without loading the Pulumi SDK, and a plan
 * loads nothing but its bundle (the parts of the SDK it does not use wait for a first use).
 * Everything else about the tools is tested in process, through their `main`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { PROJECT_DIR } from "../components/config/stackFile";
import { cases } from "./support/cases";
import { planProcess, type CliRun } from "./support/planCli";

const LAUNCHER = join(PROJECT_DIR, "tools", "cli", "launcher.cjs");

function launch(
  args: readonly string[],
  nodeArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...nodeArgs, LAUNCHER, ...args],
      { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * A preload that says, on exit, whether Pulumi's runtime was evaluated (its first copy sets
 * `global.asyncLocalStorage`, how Pulumi shares its state between copies; inside a bundle there is
 * no package to see being loaded) and which packages the process loaded from node_modules.
 */
const RECORDER = join(mkdtempSync(join(tmpdir(), "launcher-")), "record.cjs");
writeFileSync(
  RECORDER,
  `const Module = require("node:module");
const load = Module._load;
const packages = new Set();
Module._load = function (request, ...rest) {
  if (/^[@a-z]/i.test(request) && !Module.isBuiltin(request)) packages.add(request.split("/").slice(0, request.startsWith("@") ? 2 : 1).join("/"));
  return load.call(this, request, ...rest);
};
process.on("exit", () => {
  const runtime = globalThis.asyncLocalStorage === undefined ? "not loaded" : "loaded";
  process.stderr.write("pulumi runtime: " + runtime + "\\npackages: " + JSON.stringify([...packages].sort()) + "\\n");
});
`,
);

describe.concurrent("the launcher", () => {
  it.each(cases(["plan", "policy", "gate", "promotion-change", "verify", "soak-report", "rollback-check", "cohort"]))(
    "runs %s --help: exit 0, its usage",
    async (tool) => {
      const run = await launch([tool, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: npm run /);
    },
  );

  it("passes a tool's exit code through: 2 for bad usage, with no stack trace", async () => {
    const run = await launch(["plan", "--stack", "beta", "--no-such-flag"]);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toMatch(/^Unknown option '--no-such-flag'.* \(see --help\)\n$/);
  });

  it("passes a negative verdict through: 1 for a program the policy pack refuses", async () => {
    const out = mkdtempSync(join(tmpdir(), "launcher-plan-"));
    const run = await planProcess(["--stack", "beta", "--out", out], {
      STREAM5_PLAN_SOURCE: "test/fixtures/violatingProgram.ts",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Policy pack stream5-time-crunch: \d+ violations/);
  });

  it("refuses an unknown tool with exit 2, naming the tools", async () => {
    const run = await launch(["deploy"]);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "usage: node tools/cli/launcher.cjs TOOL [args...]; TOOL: plan, policy, gate, promotion-change, verify, load-test, promote, soak-report, rollback-check, cohort, signoffs\n",
    });
  });

  it.each(
    cases(["gate", "promotion-change", "policy", "verify", "load-test", "promote", "soak-report", "rollback-check"]),
  )("starts %s without the Pulumi SDK", async (tool) => {
    const run = await launch([tool, "--help"], ["--require", RECORDER]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("pulumi runtime: not loaded\n");
  });

  it("the recorder sees the SDK where it is loaded: the plan runs the program (control)", async () => {
    const run = await launch(["plan", "--help"], ["--require", RECORDER]);
    expect(run.stderr).toContain("pulumi runtime: loaded\n");
  });
});

/** A program of one ConfigMap holding `value`, written under .plan/ (ignored by git) for the launcher to compile. */
function configMapProgram(file: string, value: string): void {
  writeFileSync(
    file,
    `import * as k8s from "@pulumi/kubernetes";
export = async () => {
  new k8s.core.v1.ConfigMap("probe", { metadata: { namespace: "probe" }, data: { value: ${JSON.stringify(value)} } });
  return {};
};
`,
  );
}

describe("the launcher's builds", () => {
  const programs = join(PROJECT_DIR, ".plan", "test-programs");
  mkdirSync(programs, { recursive: true });

  it("runs the program of its bundle once per plan: --against re-declares every resource", async () => {
    const out = mkdtempSync(join(tmpdir(), "launcher-against-"));
    const run = await planProcess([
      "--stack",
      "beta",
      "--set",
      "rolloutPercentage=25",
      "--against",
      "beta",
      "--format",
      "json",
      "--out",
      out,
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { resources: number; diff: { change: string; name: string }[] };
    // Both runs declared all 18: the only difference is the one the --set makes.
    expect(report.resources).toBe(18);
    expect(report.diff.map((d) => `${d.change} ${d.name}`)).toEqual(["changed time-crunch-production"]);
  });

  it("builds again when a source changes, even to the same size", async () => {
    const dir = mkdtempSync(join(programs, "changed-"));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const file = join(dir, "program.ts");
    const source = relative(PROJECT_DIR, file);
    const planned = async () => {
      const out = mkdtempSync(join(tmpdir(), "launcher-build-"));
      const run = await planProcess(["--stack", "staging", "--out", out], { STREAM5_PLAN_SOURCE: source });
      expect(run).toMatchObject({ code: 0, stderr: "" });
      return readFileSync(join(out, "kubernetes.yaml"), "utf8");
    };
    configMapProgram(file, "first");
    expect(await planned()).toContain("value: first");
    configMapProgram(file, "again");
    expect(await planned()).toContain("value: again");
  });

  it("plans with nothing loaded but its bundle: the SDK's function serialization is not loaded", async () => {
    // A first run builds (the builder is a package); the second reuses the build.
    expect((await launch(["plan", "--help"])).code).toBe(0);
    const out = mkdtempSync(join(tmpdir(), "launcher-packages-"));
    const run = await launch(["plan", "--stack", "beta", "--out", out], ["--require", RECORDER]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("pulumi runtime: loaded\npackages: []\n");
  });

  it("serializes a function through the bundle: what was deferred loads on its first use (control)", async () => {
    const dir = mkdtempSync(join(programs, "serialized-"));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const file = join(dir, "program.ts");
    writeFileSync(
      file,
      `import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
export = async () => {
  const answer = 42;
  const serialized = await pulumi.runtime.serializeFunction(() => answer);
  new k8s.core.v1.ConfigMap("probe", { metadata: { namespace: "probe" }, data: { handler: serialized.text } });
  return {};
};
`,
    );
    const env = { STREAM5_PLAN_SOURCE: relative(PROJECT_DIR, file) };
    expect((await launch(["plan", "--help"], [], env)).code).toBe(0);
    const out = mkdtempSync(join(tmpdir(), "launcher-serialized-"));
    const run = await launch(["plan", "--stack", "staging", "--out", out], ["--require", RECORDER], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('packages: ["typescript"]\n');
    // Pulumi's serialization of the closure, with the captured value.
    expect(readFileSync(join(out, "kubernetes.yaml"), "utf8")).toMatch(/exports\.handler = __f0;[^]*return \(\)=>42;/);
  });

  it("refuses a program module that exports no function: exit 1, saying what it must export", async () => {
    const dir = mkdtempSync(join(programs, "outputs-"));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const file = join(dir, "program.ts");
    writeFileSync(file, "export const answer = 42;\n");
    const out = mkdtempSync(join(tmpdir(), "launcher-outputs-"));
    const run = await planProcess(["--stack", "staging", "--out", out], {
      STREAM5_PLAN_SOURCE: relative(PROJECT_DIR, file),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the program module must export its program as a function");
  });
});
