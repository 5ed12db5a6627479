/**
 * Running pieces of the GitHub Actions workflows offline: a step's `run:` script under bash as the
 * runner starts it (with its GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP, and stand-ins for
 * `gh` and `pulumi` on PATH), and `if:` / `with:` expressions evaluated by GitHub's own expression
 * evaluator, `@actions/expressions` (from actions/languageservices).
 *
 * That evaluator has the language (operators, comparisons, truthiness, contexts) but not the status
 * functions, which need a run's state: `jobRuns` supplies them as GitHub's documentation on
 * expressions describes them for a job's `if:`: `success()` every job in `needs` succeeded and the
 * run is not cancelled, `failure()` one failed, `cancelled()` the run was cancelled, `always()`
 * true; an `if:` that calls none of them is `success() && (if)`. (GitHub also counts the needs of
 * needs; the jobs judged here need only jobs that need nothing.)
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { data as Data } from "@actions/expressions" with { "resolution-mode": "import" };

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What the script wrote to $GITHUB_OUTPUT (`key=value` and `key<<DELIMITER` forms). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly runnerTemp: string;
}

/** Parses a $GITHUB_OUTPUT file as the runner does. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      outputs[heredoc[1]!] = value.join("\n");
    } else if (line.includes("=")) {
      const at = line.indexOf("=");
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

/**
 * Runs a step's `run:` script as the runner does (`bash --noprofile --norc -eo pipefail FILE`), in
 * `cwd`, with `env` on top of this process's environment, and `bin` (a folder of stand-ins) first on
 * PATH.
 */
export function runScript(
  script: string,
  options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>>; readonly bin?: string },
): Promise<ScriptRun> {
  const dir = mkdtempSync(join(tmpdir(), "workflow-step-"));
  // Steps of one job share RUNNER_TEMP: give it in `env` to run several of them in a row.
  const runnerTemp = options.env?.RUNNER_TEMP ?? join(dir, "runner-temp");
  mkdirSync(runnerTemp, { recursive: true });
  const file = join(dir, "step.sh");
  writeFileSync(file, script);
  const output = join(dir, "output");
  const summary = join(dir, "summary");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  const path = options.bin ? `${options.bin}${delimiter}${process.env.PATH ?? ""}` : (process.env.PATH ?? "");
  const env = {
    ...process.env,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: runnerTemp,
    ...options.env,
    PATH: path,
  };
  return new Promise((done) => {
    execFile(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", file],
      { cwd: options.cwd, env, encoding: "utf8" },
      (error, stdout, stderr) => {
        done({
          code: error ? Number(error.code ?? 1) : 0,
          stdout,
          stderr,
          outputs: parseOutputs(readFileSync(output, "utf8")),
          summary: readFileSync(summary, "utf8"),
          runnerTemp,
        });
      },
    );
  });
}

/** One answer of the `gh` stand-in: a body (JSON or raw text) or an HTTP error. */
export interface GhRoute {
  readonly status?: number;
  readonly body: unknown;
}

/** A request the `gh` stand-in received, with the body it was given (`-F body=@FILE`). */
export interface GhCall {
  readonly method: string;
  readonly endpoint: string;
  readonly headers: readonly string[];
  readonly body?: string;
}

/**
 * A `gh` stand-in answering `gh api` from `routes` ("METHOD endpoint" -> answer; an endpoint with
 * no route is a 404), recording each call. On an HTTP error it behaves as gh 2.x does
 * (cli/cli pkg/cmd/api/api.go, processResponse): the error body on stdout, `gh: MESSAGE (HTTP
 * STATUS)` on stderr, exit 1. It applies only the `--jq` filters the workflows use, and fails
 * loudly on any other.
 */
const GH_STUB = String.raw`#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const dir = process.env.WORKFLOW_GH_STUB;
const args = process.argv.slice(2);
if (args[0] !== "api") { process.stderr.write("gh stand-in: only gh api\n"); process.exit(97); }
let method = "GET", endpoint, jq, body;
const headers = [];
for (let i = 1; i < args.length; i++) {
  const a = args[i];
  if (a === "--method" || a === "-X") method = args[++i];
  else if (a === "-H" || a === "--header") headers.push(args[++i]);
  else if (a === "--jq" || a === "-q") jq = args[++i];
  else if (a === "--paginate") continue;
  else if (a === "-F" || a === "--field") {
    const field = args[++i];
    const value = field.slice(field.indexOf("=") + 1);
    if (field.startsWith("body=") && value.startsWith("@")) body = fs.readFileSync(value.slice(1), "utf8");
    else { process.stderr.write("gh stand-in: unexpected field " + field + "\n"); process.exit(97); }
  } else if (endpoint === undefined) endpoint = a;
  else { process.stderr.write("gh stand-in: unexpected argument " + a + "\n"); process.exit(97); }
}
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify({ method, endpoint, headers, body }) + "\n");
const routes = JSON.parse(fs.readFileSync(path.join(dir, "routes.json"), "utf8"));
const route = routes[method + " " + endpoint] ?? { status: 404, body: { message: "Not Found" } };
const status = route.status ?? 200;
if (status >= 400) {
  process.stdout.write(JSON.stringify(route.body));
  process.stderr.write("gh: " + route.body.message + " (HTTP " + status + ")\n");
  process.exit(1);
}
if (jq === undefined) {
  process.stdout.write(typeof route.body === "string" ? route.body : JSON.stringify(route.body));
  process.exit(0);
}
let m;
if ((m = /^((?:\.[A-Za-z_]+)+)$/.exec(jq))) {
  let v = route.body;
  for (const key of m[1].slice(1).split(".")) v = v == null ? null : v[key];
  process.stdout.write((v == null ? "null" : String(v)) + "\n");
} else if ((m = /^\.([A-Za-z_]+)\[0\]((?:\.[A-Za-z_]+)+) \/\/ empty$/.exec(jq))) {
  let v = (route.body[m[1]] ?? [])[0];
  for (const key of m[2].slice(1).split(".")) v = v == null ? null : v[key];
  if (v != null) process.stdout.write(String(v) + "\n");
} else if ((m = /^map\(select\(\.body \| startswith\("(.*)"\)\)\) \| \.\[0\]\.id \/\/ empty$/.exec(jq))) {
  const found = route.body.find((c) => c.body.startsWith(m[1]));
  if (found) process.stdout.write(String(found.id) + "\n");
} else {
  process.stderr.write("gh stand-in: unsupported --jq " + jq + "\n");
  process.exit(97);
}
`;

export interface Stubs {
  /** The folder to put first on PATH. */
  readonly bin: string;
  /** Environment the stand-ins need. */
  readonly env: Readonly<Record<string, string>>;
  /** The `gh api` calls so far. */
  ghCalls(): GhCall[];
}

/** A bin folder with a `gh` stand-in serving `routes`, and other commands as given bash scripts. */
export function stubs(
  routes: Readonly<Record<string, GhRoute>>,
  scripts: Readonly<Record<string, string>> = {},
): Stubs {
  const dir = mkdtempSync(join(tmpdir(), "workflow-stubs-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(dir, "routes.json"), JSON.stringify(routes));
  const executable = (name: string, text: string) => {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  };
  executable("gh", GH_STUB);
  for (const [name, text] of Object.entries(scripts)) executable(name, text);
  const calls = join(dir, "calls.jsonl");
  return {
    bin,
    env: { WORKFLOW_GH_STUB: dir },
    ghCalls: () =>
      existsSync(calls)
        ? readFileSync(calls, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as GhCall)
        : [],
  };
}

// ES modules, and the tests are CommonJS: loaded with import() once, in beforeAll.
const importEvaluator = () => import("@actions/expressions");
const importResult = () => import("@actions/expressions/result");
let loaded:
  | {
      readonly ex: Awaited<ReturnType<typeof importEvaluator>>;
      readonly truthy: Awaited<ReturnType<typeof importResult>>["truthy"];
    }
  | undefined;

/** Loads the evaluator. Call once, in beforeAll. */
export async function loadExpressions(): Promise<void> {
  const ex = await importEvaluator();
  const { truthy } = await importResult();
  loaded = { ex, truthy };
}

function expressions() {
  if (!loaded) throw new Error("call loadExpressions() first (beforeAll)");
  return loaded;
}

function toData(value: unknown): Data.ExpressionData {
  const { data } = expressions().ex;
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === "string") return new data.StringData(value);
  if (typeof value === "boolean") return new data.BooleanData(value);
  if (typeof value === "number") return new data.NumberData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  return new data.Dictionary(...Object.entries(value).map(([key, v]) => ({ key, value: toData(v) })));
}

/** The run's state that the status functions read. */
export interface RunState {
  /** Whether the workflow run was cancelled. */
  readonly cancelled?: boolean;
  /** The `needs` context: each job's `result` and `outputs`. */
  readonly needs?: Readonly<Record<string, { readonly result: string; readonly outputs?: Record<string, string> }>>;
}

const STATUS_FUNCTIONS = /\b(success|failure|cancelled|always)\s*\(/i;

/** The expression inside `${{ }}`, or the text itself when it is not wrapped. */
export function unwrap(expression: string): string {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expression);
  return m ? m[1]!.trim() : expression.trim();
}

/** Evaluates an expression (without `${{ }}`) with the given contexts and run state. */
export function evaluate(
  expression: string,
  contexts: Readonly<Record<string, unknown>>,
  state: RunState = {},
): Data.ExpressionData {
  const { ex } = expressions();
  const needs = Object.values(state.needs ?? {});
  const status = (name: string, value: boolean) => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new ex.data.BooleanData(value),
  });
  const functions = [
    status("success", !state.cancelled && needs.every((n) => n.result === "success")),
    status(
      "failure",
      needs.some((n) => n.result === "failure"),
    ),
    status("cancelled", state.cancelled ?? false),
    status("always", true),
  ];
  const all = { needs: state.needs ?? {}, ...contexts };
  const lexed = new ex.Lexer(expression).lex();
  const tree = new ex.Parser(lexed.tokens, Object.keys(all), functions).parse();
  return new ex.Evaluator(tree, toData(all) as Data.Dictionary, new Map(functions.map((f) => [f.name, f]))).evaluate();
}

/**
 * Whether a job with this `if:` (undefined: none) runs, as GitHub decides it. With an empty state it
 * also decides a step's `if:` after earlier steps that all succeeded (a step that failed with
 * `continue-on-error` counts as succeeded; its `outcome` is in the `steps` context).
 */
export function jobRuns(
  condition: string | boolean | undefined,
  state: RunState,
  contexts: Readonly<Record<string, unknown>> = {},
): boolean {
  const text = condition === undefined ? "success()" : unwrap(String(condition));
  const expression = STATUS_FUNCTIONS.test(text) ? text : `success() && (${text})`;
  return expressions().truthy(evaluate(expression, contexts, state));
}

/**
 * The value of a `with:`, `environment:` or `outputs:` entry: a whole-value `${{ }}` evaluates to its
 * data (a boolean stays a boolean), anything else is text with each `${{ }}` replaced by its string.
 */
export function valueOf(value: unknown, contexts: Readonly<Record<string, unknown>>, state: RunState = {}): unknown {
  if (typeof value !== "string") return value;
  const whole = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(value);
  const plain = (d: Data.ExpressionData): unknown => {
    const { data } = expressions().ex;
    if (d instanceof data.BooleanData) return d.value;
    if (d instanceof data.NumberData) return d.number();
    if (d instanceof data.Null) return "";
    return d.coerceString();
  };
  if (whole && !whole[1]!.includes("}}")) return plain(evaluate(whole[1]!.trim(), contexts, state));
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => evaluate(e.trim(), contexts, state).coerceString());
}
