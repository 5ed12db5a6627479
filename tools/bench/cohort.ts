/**
 * Benchmark of `npm run cohort`: a million generated contexts (a CSV with a key and two attribute
 * columns) through the launcher as a user runs it, once for the beta list and once for the join
 * list of a rung (--from 5): wall time and peak memory (tools/bench/maxrss.cjs), after a small
 * unmeasured run that compiles the tool and fills Node's compile cache.
 *
 *   npm run bench:cohort [-- --contexts 1000000]
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { PROJECT_DIR } from "../../components/config/stackFile";

const scratch = mkdtempSync(join(tmpdir(), "bench-cohort-"));
const MAXRSS = join(PROJECT_DIR, "tools", "bench", "maxrss.cjs");
const LAUNCHER = join(PROJECT_DIR, "tools", "cli", "launcher.cjs");

/** Writes `count` contexts shaped like the planning engine's athletes into a CSV. */
async function generate(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write("key,email,plan\n");
  const plans = ["free", "pro", "team"];
  for (let i = 0; i < count; i++) {
    const key = `athlete-${i.toString(36).padStart(6, "0")}`;
    if (!out.write(`${key},${key}@example.com,${plans[i % 3] ?? "free"}\n`)) await once(out, "drain");
  }
  out.end();
  await finished(out);
}

interface Sample {
  readonly label: string;
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly stderr: string;
}

/** Runs `node --require maxrss.cjs launcher.cjs cohort ...args` once: wall time, peak memory, its stderr. */
function measure(label: string, args: readonly string[]): Sample {
  const rssFile = join(scratch, "maxrss");
  const start = performance.now();
  const run = spawnSync(process.execPath, ["--require", MAXRSS, LAUNCHER, "cohort", ...args], {
    cwd: PROJECT_DIR,
    env: { ...process.env, BENCH_MAXRSS_FILE: rssFile },
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0)
    throw new Error(`npm run cohort -- ${args.join(" ")}: exit ${String(run.status)}\n${run.stderr}`);
  return { label, seconds, maxRssMiB: Number(readFileSync(rssFile, "utf8")) / 1024, stderr: run.stderr };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { contexts: { type: "string", default: "1000000" } } });
  const count = Number(values.contexts);
  const contexts = join(scratch, "contexts.csv");
  const small = join(scratch, "small.csv");
  await generate(contexts, count);
  await generate(small, 1000);
  const out = join(scratch, "cohort.csv");

  measure("warm-up", ["--stack", "beta", "--contexts", small, "--out", out]);
  const samples = [
    measure(`--stack beta (${count.toLocaleString("en-US")} contexts)`, [
      "--stack",
      "beta",
      "--contexts",
      contexts,
      "--out",
      out,
    ]),
    measure("--stack beta --from 5 (the join list)", [
      "--stack",
      "beta",
      "--contexts",
      contexts,
      "--from",
      "5",
      "--out",
      out,
    ]),
  ];

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`Machine: ${cpus().length} × ${cpu}, node ${process.version}.`);
  console.log(`Input: ${count.toLocaleString("en-US")} contexts, ${mib(statSync(contexts).size)} MiB of CSV.`);
  console.log("");
  console.log("| run | wall time | peak memory | contexts a second |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const s of samples) {
    const rate = Math.round(count / s.seconds).toLocaleString("en-US");
    console.log(
      `| npm run cohort -- ${s.label} | ${s.seconds.toFixed(2)} s | ${s.maxRssMiB.toFixed(0)} MiB | ${rate} |`,
    );
  }
  console.log("");
  for (const s of samples) console.log(`${s.label}: ${s.stderr.trim().split("\n").slice(-2).join(" / ")}`);
}

void main().finally(() => {
  rmSync(scratch, { recursive: true, force: true });
});
