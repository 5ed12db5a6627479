/**
 * Benchmark of `npm run gate`: a 48-hour window of a soak scraped once a minute, judged by the CLI
 * (a child process, as a user runs it) against a real local Prometheus: wall time and number of
 * queries, without and with the report (charts), and the floor of starting the process (`--help`).
 * Uses the tests' synthetic soak and local server (test/support).
 *
 *   npm run bench:gate [-- --runs 5]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { startPrometheus } from "../../test/support/localPrometheus";
import { endOf, openMetrics } from "../../test/support/soakSeries";
import { PROJECT_DIR } from "../../components/config/stackFile";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(values.runs);

/** The middle value (the lower middle for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

/** Runs the gate CLI once; returns its wall time in seconds and its JSON output. */
function gate(args: readonly string[]): { seconds: number; stdout: string } {
  const start = performance.now();
  let stdout = "";
  try {
    stdout = execFileSync(process.execPath, [join(PROJECT_DIR, "tools", "cli", "launcher.cjs"), "gate", ...args], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
  } catch (error) {
    // NO-GO (exit 1) still printed its report.
    const failed = error as { status?: number; stdout?: string };
    if (failed.status !== 1) throw error;
    stdout = failed.stdout ?? "";
  }
  return { seconds: (performance.now() - start) / 1000, stdout };
}

async function main(): Promise<void> {
  // 50 hours, one sample a minute: the 48-hour window plus the look-back before it.
  const soak = { start: Date.parse("2026-04-06T00:00:00Z") / 1000, minutes: 50 * 60 };
  process.stderr.write("bench:gate: building the TSDB blocks and starting Prometheus…\n");
  const prometheus = await startPrometheus([openMetrics(soak, 1)]);
  try {
    const common = ["--prometheus-url", prometheus.url, "--end", String(endOf(soak)), "--window", "48h"];
    const scratch = mkdtempSync(join(tmpdir(), "bench-gate-"));
    const variants = [
      { name: "start only (--help)", args: ["--help"] },
      { name: "verdict (--format json)", args: [...common, "--format", "json"] },
      { name: "verdict and report (--report)", args: [...common, "--format", "json", "--report", scratch] },
    ];
    // One unmeasured run fills Node's compile cache, as a second run on a laptop would have it.
    gate([...common, "--format", "json"]);
    const results = variants.map((variant) => {
      const runs = Array.from({ length: RUNS }, () => gate(variant.args));
      const queries = variant.args.includes("--help")
        ? "-"
        : String((JSON.parse(runs[0]?.stdout ?? "{}") as { queries: number }).queries);
      return { ...variant, seconds: median(runs.map((r) => r.seconds)), queries };
    });
    const floor = results[0]?.seconds ?? NaN;
    const cpu = cpus();
    const load = loadavg()[0]?.toFixed(1) ?? "?";
    console.log(
      `Machine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, node ${process.version}, load average ${load}; median of ${RUNS} warm runs.`,
    );
    console.log("");
    console.log("| npm run gate, 48-hour window, one sample a minute | wall time | beyond the start | queries |");
    console.log("| --- | ---: | ---: | ---: |");
    for (const r of results) {
      console.log(`| ${r.name} | ${r.seconds.toFixed(2)} s | ${(r.seconds - floor).toFixed(2)} s | ${r.queries} |`);
    }
  } finally {
    await prometheus.stop();
  }
}

void main();
