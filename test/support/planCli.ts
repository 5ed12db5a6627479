/** `npm run plan` and `npm run policy` as a user runs them, each in a child process. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { PROJECT_DIR } from "../../components/config/stackFile";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs node with `argv` in the project folder. */
function node(argv: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...argv],
      { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export function planCli(args: readonly string[]): Promise<CliRun> {
  return node([join(PROJECT_DIR, "tools", "cli", "launcher.cjs"), "plan", ...args]);
}

/** `npm run policy -- ARGS` (`node tools/cli/launcher.cjs policy`). */
export function policyCli(args: readonly string[]): Promise<CliRun> {
  return node([join(PROJECT_DIR, "tools", "cli", "launcher.cjs"), "policy", ...args]);
}

/** `npm run plan` on another program than index.ts: `program` is a path relative to the project. */
export function planCliWithProgram(program: string, args: readonly string[]): Promise<CliRun> {
  return node([join(PROJECT_DIR, "tools", "cli", "launcher.cjs"), "plan", ...args], { STREAM5_PLAN_SOURCE: program });
}
