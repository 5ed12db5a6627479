/**
 * `npm run cohort`: who is in the beta, through LaunchDarkly's real server SDK. The tool's list is
 * checked against the tests' own evaluation (test/support/launchDarkly.ts) of the same flag JSON
 * the program declares; then the comparisons (--from, --against), bad input and --out.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withValues } from "../components/config/stackFile";
import { cohortMain } from "../tools/cohort/main";
import { cases } from "./support/cases";
import { loaderOf } from "./support/planCli";
import { contextKeys, FlagEvaluator } from "./support/launchDarkly";
import { declaredFlag, stackConfig } from "./support/program";
import { runTool } from "./support/toolRun";

const loadProgram = loaderOf("index.ts");
const cohort = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => runTool(cohortMain(loadProgram), args, env);

const KEYS = contextKeys(100_000);
const dir = mkdtempSync(join(tmpdir(), "cohort-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const csvOf = (keys: readonly string[]) => `key,email\n${keys.map((key) => `${key},${key}@example.com`).join("\n")}\n`;
const CONTEXTS = file("contexts.csv", csvOf(KEYS));
/** A fifth of them, for the runs that check something else than the share (the file stays fast). */
const FEW = KEYS.slice(0, 20_000);
const FEW_CONTEXTS = file("few.csv", csvOf(FEW));
const TEN_CONTEXTS = file("ten.csv", csvOf(KEYS.slice(0, 10)));
/** The keys of a CSV list (its first column). */
const keysOf = (csv: string) =>
  csv
    .trim()
    .split("\n")
    .slice(1)
    .map((row) => row.split(",")[0]!);

let evaluator: FlagEvaluator;
let beta: Set<string>;
beforeAll(async () => {
  evaluator = await FlagEvaluator.start();
  beta = (await evaluator.evaluate(await declaredFlag(stackConfig("beta")), KEYS)).servedTrue;
});
afterAll(() => {
  evaluator.close();
});

describe("npm run cohort: who is in the beta", () => {
  it("lists exactly the contexts LaunchDarkly's SDK serves true on beta: near 10%, the input's columns", async () => {
    const run = await cohort(["--stack", "beta", "--contexts", CONTEXTS]);
    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split("\n");
    expect(rows[0]).toBe("key,email");
    expect(rows[1]).toMatch(/^athlete-\w+,athlete-\w+@example\.com$/);
    expect(new Set(keysOf(run.stdout))).toEqual(beta);
    expect(beta.size / KEYS.length).toBeGreaterThan(0.095);
    expect(beta.size / KEYS.length).toBeLessThan(0.105);
    const share = ((beta.size / KEYS.length) * 100).toFixed(2);
    expect(run.stderr).toContain(`${beta.size.toLocaleString("en-US")} of 100,000 contexts, ${share}%`);
    // No salt given: the split, not production's assignment.
    expect(run.stderr).toMatch(/^note: no --salt .* reproduces the split, not production's exact assignment/);
  });

  it("with the flag's salt, lists what the SDK serves with that salt (and says nothing about the split)", async () => {
    const salted = (await evaluator.evaluate(await declaredFlag(stackConfig("beta"), "a1b2c3"), FEW)).servedTrue;
    const run = await cohort(["--stack", "beta", "--contexts", FEW_CONTEXTS], { LAUNCHDARKLY_FLAG_SALT: "a1b2c3" });
    expect(run.code).toBe(0);
    expect(new Set(keysOf(run.stdout))).toEqual(salted);
    expect(salted).not.toEqual(new Set(FEW.filter((key) => beta.has(key))));
    expect(run.stderr).not.toContain("note:");
  });

  it("includes the always-on contexts, whatever their bucket", async () => {
    const alwaysOn = FEW.filter((key) => !beta.has(key)).slice(0, 2);
    const run = await cohort([
      "--stack",
      "beta",
      "--set",
      `alwaysOnContexts=[${alwaysOn.join(",")}]`,
      "--contexts",
      FEW_CONTEXTS,
    ]);
    expect(run.code).toBe(0);
    expect(new Set(keysOf(run.stdout))).toEqual(new Set([...FEW.filter((key) => beta.has(key)), ...alwaysOn]));
  });

  it("--from 5 on beta: only the contexts joining at 10%, and none leaving", async () => {
    const five = (
      await evaluator.evaluate(await declaredFlag(withValues(stackConfig("beta"), { rolloutPercentage: 5 })), FEW)
    ).servedTrue;
    const out = join(dir, "joining.csv");
    const run = await cohort(["--stack", "beta", "--contexts", FEW_CONTEXTS, "--from", "5", "--out", out]);
    expect(run.code).toBe(0);
    const joining = keysOf(readFileSync(out, "utf8"));
    expect(new Set(joining)).toEqual(new Set(FEW.filter((key) => beta.has(key) && !five.has(key))));
    expect(joining.length / FEW.length).toBeGreaterThan(0.045);
    expect(run.stderr).toContain(`joining (from 5%): ${joining.length.toLocaleString("en-US")} of 20,000 contexts`);
    expect(run.stderr).toContain("leaving: none\n");
  });

  it("a lowering (--from 25) exits 1, naming up to 10 of those who would leave", async () => {
    const run = await cohort(["--stack", "beta", "--contexts", FEW_CONTEXTS, "--from", "25"]);
    expect(run.code).toBe(1);
    expect(keysOf(run.stdout)).toEqual([]);
    const leaving = /leaving \(from 25%\): ([\d,]+) of 20,000 contexts, [\d.]+% would lose the flag: (.*), … \(/.exec(
      run.stderr,
    );
    expect(leaving?.[2]?.split(", ")).toHaveLength(10);
    expect(leaving?.[2]?.split(", ").every((key) => !beta.has(key))).toBe(true);
    expect(Number(leaving?.[1]?.replaceAll(",", "")) / FEW.length).toBeGreaterThan(0.14);
  });

  it("--against the same stack: nothing joins, nothing leaves", async () => {
    const run = await cohort(["--stack", "beta", "--contexts", FEW_CONTEXTS, "--against", "beta", "--format", "json"]);
    expect(run).toMatchObject({ code: 0, stdout: "" });
    expect(run.stderr).toContain("joining (against ");
    expect(run.stderr).toContain("leaving: none");
  });

  it("reads JSON lines of contexts, multi-kind ones too: key,kind in CSV, the lines as given in JSON", async () => {
    const [inBeta, outside] = [[...beta][0]!, KEYS.find((key) => !beta.has(key))!];
    const lines = [
      { kind: "user", key: inBeta, name: "In" },
      { kind: "multi", user: { key: outside }, org: { key: "acme" } },
      { kind: "multi", org: { key: "acme" }, user: { key: "qa-tester" } },
    ].map((context) => JSON.stringify(context));
    const jsonl = file("contexts.jsonl", `${lines.join("\n")}\n\n`);
    const always = ["--set", "alwaysOnContexts=[qa-tester]"];
    const csv = await cohort(["--stack", "beta", ...always, "--contexts", jsonl]);
    expect(csv).toMatchObject({ code: 0, stdout: `key,kind\n${inBeta},user\nqa-tester,user\n` });
    expect(csv.stderr).toContain("2 of 3 contexts, 66.67%");
    const json = await cohort(["--stack", "beta", ...always, "--contexts", jsonl, "--format", "json"]);
    expect(json.stdout).toBe(`${lines[0]!}\n${lines[2]!}\n`);
  });

  it("draws a progress bar on stderr only when stderr is a terminal", async () => {
    const args = ["--stack", "beta", "--contexts", TEN_CONTEXTS, "--out", join(dir, "progress.csv")];
    const terminal = await runTool(cohortMain(loadProgram), args, {}, { isTTY: true });
    expect(terminal.stderr).toMatch(/\r\[#+-*\] +\d+% +[\d,]+ contexts/);
    expect(terminal.stderr).toContain("\r\x1b[K");
    const piped = await cohort(args);
    expect(piped.stderr).not.toContain("\r");
  });

  it("--help tells the input formats, the salt and how to read it", async () => {
    const run = await cohort(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run cohort -- --stack NAME --contexts FILE/);
    expect(run.stdout).toMatch(/\.csv .*\n[\s\S]*\.jsonl, \.ndjson/);
    expect(run.stdout).toContain("flagKey.salt.contextKey");
    expect(run.stdout).toContain("/api/v2/flags/PROJECT/FLAG_KEY?env=ENV");
  });
});

describe("npm run cohort: bad input exits 2 naming the line, with no stack trace", () => {
  it.each(
    cases([
      ["no key column", "users.csv", "email,name\na@x.io,A\n", /users\.csv line 1: no key column/],
      ["an empty key", "users.csv", "key,email\nathlete-1,a@x.io\n,b@x.io\n", /users\.csv line 3: empty key/],
      [
        "a duplicate key",
        "users.csv",
        "key,email\nathlete-1,a@x.io\nathlete-2,b@x.io\nathlete-1,c@x.io\n",
        /users\.csv line 4: duplicate key athlete-1/,
      ],
      ["a row of another width", "users.csv", "key,email\nathlete-1,a@x.io,extra\n", /users\.csv line 2: .*/],
      [
        "a line that is not JSON",
        "users.jsonl",
        '{"kind":"user","key":"a"}\n{"kind":"user",\n',
        /users\.jsonl line 2: not JSON/,
      ],
      [
        "an empty key in a multi-kind context",
        "users.ndjson",
        '{"kind":"user","key":"a"}\n{"kind":"multi","user":{"key":""}}\n',
        /users\.ndjson line 2: empty key \(the user context\)/,
      ],
      [
        "a context that is not an object",
        "users.jsonl",
        '"athlete-1"\n',
        /users\.jsonl line 1: not a LaunchDarkly context/,
      ],
    ]),
  )("%s", async (_what, name, text, message) => {
    const run = await cohort(["--stack", "beta", "--contexts", file(name, text)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(
    cases([
      [
        "a file that is not there",
        ["--contexts", join(dir, "missing.csv")],
        /--contexts .*missing\.csv: cannot read it/,
      ],
      [
        "an extension it does not read",
        ["--contexts", file("users.txt", "key\n")],
        /allowed: a \.csv, \.jsonl or \.ndjson file/,
      ],
      ["an unknown option", ["--contexts", FEW_CONTEXTS, "--flag", "x"], /Unknown option '--flag'/],
      [
        "--from and --against",
        ["--contexts", FEW_CONTEXTS, "--from", "5", "--against", "beta"],
        /at most one of --from/,
      ],
      [
        "a percentage LaunchDarkly cannot express",
        ["--contexts", FEW_CONTEXTS, "--from", "5.0001"],
        /--from 5\.0001: allowed/,
      ],
    ]),
  )("%s", async (_what, args, message) => {
    const run = await cohort(["--stack", "beta", ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("a program that declares no flag targeting: exit 2, nothing to evaluate", async () => {
    const noFlag = cohortMain(() => Promise.resolve(() => ({})));
    const run = await runTool(noFlag, ["--stack", "beta", "--contexts", TEN_CONTEXTS]);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toBe("stack beta declares no LaunchDarkly flag targeting: no flag to evaluate\n");
  });

  it("--out is written aside and renamed: a failed run leaves no file, a good one only the list", async () => {
    const out = mkdtempSync(join(tmpdir(), "cohort-out-"));
    const late = file("late-duplicate.csv", `key\n${FEW.join("\n")}\n${KEYS[5]!}\n`);
    const failed = await cohort(["--stack", "beta", "--contexts", late, "--out", join(out, "beta.csv")]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`line ${FEW.length + 2}: duplicate key ${KEYS[5]!}`);
    expect(readdirSync(out)).toEqual([]);
    const good = await cohort(["--stack", "beta", "--contexts", FEW_CONTEXTS, "--out", join(out, "beta.csv")]);
    expect(good).toMatchObject({ code: 0, stdout: "" });
    expect(readdirSync(out)).toEqual(["beta.csv"]);
  });
});
