/**
 * The soak gate run by another tool in its own process (promote's proposal, soak-report's reports,
 * rollback-check's incident record): the gate's `main` with the caller's arguments plus `--format json --report`,
 * its messages passed on to the caller's stderr, its JSON and report.md handed back.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ToolIO } from "../cli/runner";
import { main as gateMain } from "./main";

export interface GateInProcess {
  /** The gate's exit code: 0 GO, 1 NO-GO or INCONCLUSIVE, 2 bad input or Prometheus unreachable. */
  readonly code: number;
  /** What `--format json` wrote (empty when the gate stopped before a verdict). */
  readonly json: string;
  /** report.md (with its mermaid charts), or undefined when the gate wrote none. */
  readonly report: string | undefined;
}

// The gate reads neither GitHub's token nor the webhook: the calling tool posts itself.
const NOT_FOR_THE_GATE = new Set(["GITHUB_TOKEN", "SLACK_WEBHOOK_URL"]);

/**
 * Runs the gate. Its report goes to `reportDir` when the caller keeps it (charts included), else to
 * a scratch folder removed afterwards.
 */
export async function runGateInProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ToolIO,
  reportDir?: string,
): Promise<GateInProcess> {
  const scratch = reportDir ?? mkdtempSync(join(tmpdir(), "gate-in-process-"));
  try {
    let json = "";
    const code = await gateMain(
      [...args, "--format", "json", "--report", scratch],
      Object.fromEntries(Object.entries(env).filter(([key]) => !NOT_FOR_THE_GATE.has(key))),
      { stdout: { write: (text: string) => (json += text) }, stderr: io.stderr, ...(io.now && { now: io.now }) },
    );
    let report: string | undefined;
    try {
      report = readFileSync(join(scratch, "report.md"), "utf8");
    } catch {
      report = undefined;
    }
    return { code, json, report };
  } finally {
    if (reportDir === undefined) rmSync(scratch, { recursive: true, force: true });
  }
}
