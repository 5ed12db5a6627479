/**
 * `npm run plan` and `npm run policy`: in process (the tools' `main`, with the program loaded
 * through vitest), and, for the few suites that must see a real process (the documented commands,
 * first contact on the oldest Node), through the launcher in a child process.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { vi } from "vitest";
import { PROJECT_DIR } from "../../components/config/stackFile";
import type { ProgramLoader } from "../../tools/offline/engine";
import { planMain } from "../../tools/plan/main";
import { main as policyMain } from "../../tools/policy/main";
import { runTool, type ToolRun } from "./toolRun";

export type CliRun = ToolRun;

/** A program module (a path relative to the project) loaded afresh for each run, through vitest. */
export const loaderOf =
  (program: string): ProgramLoader =>
  async () => {
    vi.resetModules();
    return (await import(join(PROJECT_DIR, program))) as unknown;
  };

// Pulumi's mock runtime is one per process: in-process plans run one at a time.
let queue: Promise<unknown> = Promise.resolve();
function oneAtATime(run: () => Promise<CliRun>): Promise<CliRun> {
  const next = queue.then(run);
  queue = next.catch(() => undefined);
  return next;
}

/** `npm run plan -- ARGS`, in process. */
export function planCli(args: readonly string[]): Promise<CliRun> {
  return oneAtATime(() => runTool(planMain(loaderOf("index.ts")), args));
}

/** `npm run plan` on another program than index.ts (`program`: a path relative to the project), in process. */
export function planCliWithProgram(program: string, args: readonly string[]): Promise<CliRun> {
  return oneAtATime(() => runTool(planMain(loaderOf(program)), args));
}

/** `npm run policy -- ARGS`, in process. */
export function policyCli(args: readonly string[]): Promise<CliRun> {
  return runTool(policyMain, args);
}

/** `npm run plan -- ARGS` as a user runs it: the launcher in a child process. */
export function planProcess(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(PROJECT_DIR, "tools", "cli", "launcher.cjs"), "plan", ...args],
      { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
