/**
 * The soak gate run by another tool in its own process (promote's proposal, soak-report's reports,
 * rollback-check's incident record): the gate's flags as the caller gives them, its evaluation, its
 * messages passed on to the caller's stderr, its JSON and report.md handed back.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolMain, type ToolIO } from "../cli/runner";
import { evaluateGate, GATE_FLAGS, gateOptions, writeReport } from "./gateRun";
import { reportJson } from "./report";

export interface GateInProcess {
  /** The gate's exit code: 0 GO, 1 NO-GO or INCONCLUSIVE, 2 bad input or Prometheus unreachable. */
  readonly code: number;
  /** What `--format json` wrote (empty when the gate stopped before a verdict). */
  readonly json: string;
  /** report.md (with its mermaid charts), or undefined when the gate wrote none. */
  readonly report: string | undefined;
}

/** The gate with its flags and messages (`gate: …`), JSON on stdout and the report in `--report`; it never posts. */
const gateInProcess = toolMain({
  name: "gate",
  messagePrefix: "gate: ",
  help: "the soak gate run in process: see npm run gate -- --help",
  flags: GATE_FLAGS,
  run: async ({ values }, env, io) => {
    const opts = gateOptions(values, env, (io.now ?? Date.now)() / 1000);
    const { run, charts } = await evaluateGate(opts, io);
    io.stdout.write(`${JSON.stringify(reportJson(run), null, 2)}\n`);
    if (opts.report !== undefined) await writeReport(opts.report, run, charts);
    return run.verdict.go ? 0 : 1;
  },
});

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
    const code = await gateInProcess(
      [...args, "--report", scratch],
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
