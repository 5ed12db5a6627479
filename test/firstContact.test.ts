/**
 * A newcomer's first commands: the offline plan on the oldest Node README accepts, and the plan
 * refusing what the Pulumi CLI refuses, each run through the real CLI as a user types it.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../components/config/stackFile";
import { planProcess as planCli, type CliRun } from "./support/planCli";
import { cases } from "./support/cases";

/** The oldest Node major README says the offline tools accept. */
const OLDEST_NODE_MAJOR = 20;
const STACK_TRACE = /^\s+at /m;

/**
 * A Node binary of the oldest accepted major: `STREAM5_OLDEST_NODE` (`.ci/run` and
 * `tools/toolchain.sh` bring one), or the machine's own node when it is that old.
 */
function oldestNode(): string {
  const candidates = [process.env.STREAM5_OLDEST_NODE, "/usr/bin/node", "/usr/local/bin/node"];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
      if (version.startsWith(`v${OLDEST_NODE_MAJOR}.`)) return candidate;
    } catch {
      // not there; try the next
    }
  }
  throw new Error(
    `no Node ${OLDEST_NODE_MAJOR} found: run the tests through tools/toolchain.sh (or .ci/run), or set STREAM5_OLDEST_NODE`,
  );
}

/** A fresh copy of the repository's files (no build or plan caches), sharing the installed node_modules. */
function freshCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), "fresh-clone-"));
  const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
  });
  for (const file of tracked.split("\0").filter(Boolean)) {
    mkdirSync(join(copy, dirname(file)), { recursive: true });
    cpSync(join(PROJECT_DIR, file), join(copy, file));
  }
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(copy, "node_modules"));
  return copy;
}

function runIn(dir: string, node: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(node, args, { cwd: dir, encoding: "utf8" }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("a fresh clone on the oldest Node the offline tools accept", () => {
  it(`plans the beta stack on Node ${OLDEST_NODE_MAJOR}, saying once which Node real runs need`, async () => {
    const node = oldestNode();
    const copy = freshCopy();
    const run = await runIn(copy, node, ["tools/cli/launcher.cjs", "plan", "--stack", "beta", "--out", "out"]);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("targeting on: 10% of contexts get true");
    expect(readdirSync(join(copy, "out")).sort()).toEqual([
      "dashboard.json",
      "flag.json",
      "kubernetes.yaml",
      "resources.json",
    ]);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^note: Node 20\.\S+ runs the offline plan; real pulumi runs need Node 22 \(.*nvm use/),
    ]);
  });
});

/** A stack file like beta's with `edit` applied to its text. */
function configFile(edit: (text: string) => string): string {
  const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.edited.yaml");
  writeFileSync(file, edit(readFileSync(join(PROJECT_DIR, "Pulumi.beta.yaml"), "utf8")));
  return file;
}

/** A plan run with its output folder; `written` lists what it wrote there. */
async function plan(...args: string[]): Promise<CliRun & { written: string[]; everything: string }> {
  const out = mkdtempSync(join(tmpdir(), "plan-"));
  const run = await planCli(["--out", out, ...args]);
  const written = readdirSync(out);
  const texts = written.map((name) => readFileSync(join(out, name), "utf8"));
  return { ...run, written, everything: [run.stdout, run.stderr, ...texts].join("\n") };
}

const PLANTED = "planted-value-5b1e";

// Each case is a child process of its own: they run side by side.
describe.concurrent("the offline plan refuses what the Pulumi CLI refuses, before running the program", () => {
  const refusals: [string, () => string[], string][] = [
    [
      "a secret key in plain text in a stack file",
      () => [
        "--config-file",
        configFile((t) => `${t}  stream5-time-crunch:databaseUrl: postgres://u:${PLANTED}@db/x\n`),
      ],
      "Stack 'edited' with configuration key 'databaseUrl' must be encrypted as it's secret: set it with `pulumi config set --secret databaseUrl <value> -s edited`",
    ],
    [
      "a boolean key given another word",
      () => ["--stack", "beta", "--set", `ownsFlagDefinition=${PLANTED}`],
      "Stack 'beta' with configuration key 'ownsFlagDefinition' must be of type 'boolean'",
    ],
    [
      "a list of strings given a scalar",
      () => ["--stack", "beta", "--set", `alwaysOnContexts=${PLANTED}`],
      "Stack 'beta' with configuration key 'alwaysOnContexts' must be of type 'array<string>'",
    ],
    [
      "a list of strings given numbers in a stack file",
      () => ["--config-file", configFile((t) => `${t}  stream5-time-crunch:alwaysOnContexts: [1, 2]\n`)],
      "Stack 'edited' with configuration key 'alwaysOnContexts' must be of type 'array<string>'",
    ],
    [
      "a required key missing",
      () => ["--config-file", configFile((t) => t.replace(/^.*launchdarklyProject.*\n/m, ""))],
      "Stack 'edited' is missing configuration value 'launchdarklyProject': set it with `pulumi config set launchdarklyProject <value> -s edited`",
    ],
  ];

  it.each(cases(refusals))("%s: exit 2, the key named, the value shown nowhere", async (_case, args, message) => {
    const run = await plan(...args());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe("");
    expect(run.written).toEqual([]);
    expect(run.everything).not.toContain(PLANTED);
  });

  it("takes what the CLI takes: any scalar for a string key, a secret through --set", async () => {
    const run = await plan("--stack", "beta", "--set", "rolloutPercentage=12.5", "--set", `databaseUrl=${PLANTED}`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code).toBe(0);
    expect(run.everything).not.toContain(PLANTED);
  });
});

describe.concurrent("bad values, through npm run plan", () => {
  it.each(
    cases([
      ["--set flagKey=", ["--stack", "beta", "--set", "flagKey="]],
      ["flagKey: left empty in a stack file", ["--config-file", "EMPTY_FLAG_KEY"]],
    ]),
  )("an empty value is refused naming the key: %s", async (_case, args) => {
    const file = configFile((t) => `${t}  stream5-time-crunch:flagKey:\n`);
    const run = await plan(...args.map((a) => (a === "EMPTY_FLAG_KEY" ? file : a)));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("flagKey: empty; allowed: a flag key");
    expect(run.everything).not.toContain("null");
  });

  it("takes Kubernetes quantities as plain numbers and writes them as Kubernetes does", async () => {
    const run = await plan(
      "--stack",
      "beta",
      "--set",
      "planningEngine.resources.requests.cpu=0.5",
      "--set",
      "planningEngine.resources.requests.memory=1073741824",
      "--set",
      "planningEngine.resources.limits.cpu=2",
      "--set",
      "planningEngine.resources.limits.memory=2000000000",
    );
    expect(run.code).toBe(0);
    const manifests = run.everything;
    expect(manifests).toMatch(
      /limits:\n\s+cpu: "2"\n\s+memory: 2G\n\s+requests:\n\s+cpu: 500m\n\s+memory: "1073741824"/,
    );
  });

  it("speaks the domain, never the validator's stock phrases", async () => {
    const run = await plan(
      "--stack",
      "beta",
      "--set",
      "alerts=[]",
      "--set",
      "alwaysOnContexts=['']",
      "--set",
      "planningEngine.resources.requests.cpu=lots",
      "--set",
      "planningEngine.resources.limits.gpu=1",
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "alerts: got []; allowed: the alert thresholds: an object with keys errorRate, responseTimeSeconds",
    );
    expect(run.stderr).toContain("alwaysOnContexts.0: empty; allowed: a context key (a non-empty string)");
    expect(run.stderr).toContain('planningEngine.resources.requests.cpu: got "lots"; allowed: a Kubernetes quantity');
    expect(run.stderr).toContain(
      "planningEngine.resources.limits.gpu: not a key of planningEngine.resources.limits; allowed: the keys of the resource limits: cpu, memory",
    );
    expect(run.stderr).not.toMatch(/Invalid input|Too small|Too big|expected \w+, received|Unrecognized key/);
  });

  it.each(
    cases([
      ["a stack file that is not YAML", ["--config-file", "BROKEN"], "not valid YAML"],
      ["a stack that does not exist", ["--stack", "nosuch"], "no such config file"],
      ["a flag that does not exist", ["--stack", "beta", "--frobnicate"], "see --help"],
    ]),
  )("%s: exit 2, a message, no stack trace", async (_case, args, message) => {
    const broken = configFile((t) => `${t}  stream5-time-crunch:databaseUrl: [${PLANTED}\n`);
    const run = await plan(...args.map((a) => (a === "BROKEN" ? broken : a)));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.everything).not.toContain(PLANTED);
  });
});
