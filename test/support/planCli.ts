/** `npm run plan` and `npm run policy` as a user runs them, each in a child process. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { PROJECT_DIR } from "../../tools/offline/stackConfig";

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

/** A TypeScript tool under tsx, as the npm scripts that use it run it. */
const TSX = join(PROJECT_DIR, "node_modules", "tsx", "dist", "cli.mjs");

export function planCli(args: readonly string[]): Promise<CliRun> {
  return node([join(PROJECT_DIR, "tools", "plan-launcher.cjs"), ...args]);
}

/** `npm run policy -- ARGS` (`tsx tools/policy.ts`). */
export function policyCli(args: readonly string[]): Promise<CliRun> {
  return node([TSX, join(PROJECT_DIR, "tools", "policy.ts"), ...args]);
}

/** `npm run plan` on another program than index.ts: `program` is a path relative to the project. */
export function planCliWithProgram(program: string, args: readonly string[]): Promise<CliRun> {
  return node([join(PROJECT_DIR, "tools", "plan-launcher.cjs"), ...args], { STREAM5_PLAN_SOURCE: program });
}
