/** `npm run plan` as a user runs it: the launcher, in a child process. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { PROJECT_DIR } from "../../tools/offline/stackConfig";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function planCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(PROJECT_DIR, "tools", "plan-launcher.cjs"), ...args],
      { cwd: PROJECT_DIR, encoding: "utf8" },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
