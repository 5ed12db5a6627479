/** `npm run gate` as a user runs it (the launcher, a child process), and in-process (`main`, the same code). */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { main } from "../../tools/gate/main";
import { PROJECT_DIR } from "../../components/config/stackFile";

export interface GateResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** When the process ended (ms since the epoch). */
  readonly endedAt: number;
}

// Only what the gate reads, so a developer's own PROMETHEUS_* or SLACK_* never leaks into a test.
const BASE_ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };

/** The CLI in a child process: exit code, stdout, stderr. */
export function gateCli(args: readonly string[], env: Record<string, string> = {}): Promise<GateResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(PROJECT_DIR, "tools", "cli", "launcher.cjs"), "gate", ...args],
      { cwd: PROJECT_DIR, encoding: "utf8", env: { ...BASE_ENV, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, endedAt: Date.now() });
      },
    );
  });
}

/** The CLI's `main` in this process. */
export async function gateMain(args: readonly string[], env: Record<string, string> = {}): Promise<GateResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr, endedAt: Date.now() };
}
