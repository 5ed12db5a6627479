/**
 * Benchmark of what `pulumi up` spends before the first resource: loading the program through
 * Pulumi's TypeScript runtime with type-checking (tsconfig.json) and without (tsconfig.pulumi.json,
 * `noCheck`, what Pulumi.yaml selects). Reported as a ratio; the machine is printed. Pulumi's
 * vendored ts-node caches compiled files between runs, so both are measured cold (first run, or any
 * run after a code change) and warm (the code unchanged since the last run).
 *
 *   npm run bench:load [-- --runs 5]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_DIR, readStackConfig, stackFilePath } from "../../components/config/stackFile";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);

const beta = readStackConfig(stackFilePath("beta"));
const config = JSON.stringify({
  values: Object.fromEntries(Object.entries(beta.values).map(([key, v]) => [key, v.value])),
  secretKeys: Object.entries(beta.values)
    .filter(([, v]) => v.secret)
    .map(([key]) => key),
});

/** Median seconds to load the program with `tsconfig`, over `runs` fresh processes. */
function loadSeconds(tsconfig: string, cache: "cold" | "warm"): number {
  const cacheDir = mkdtempSync(join(tmpdir(), "bench-ts-node-"));
  const env = {
    ...process.env,
    BENCH_CONFIG: config,
    TS_NODE_CACHE: cache === "warm" ? "true" : "false",
    TS_NODE_CACHE_DIRECTORY: cacheDir,
  };
  const once = () =>
    Number(
      execFileSync(
        process.execPath,
        ["--no-experimental-strip-types", join(PROJECT_DIR, "tools", "bench", "load-program.cjs"), tsconfig],
        { cwd: PROJECT_DIR, env, encoding: "utf8" },
      ),
    );
  if (cache === "warm") once();
  const samples = Array.from({ length: runs }, once).sort((a, b) => a - b);
  const middle = samples[Math.floor((samples.length - 1) / 2)];
  if (middle === undefined) throw new Error("no samples");
  return middle;
}

console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, node ${process.version}; median of ${runs} runs each.`,
);
console.log("");
console.log("| ts-node cache | type-checked (tsconfig.json) | transpile only (tsconfig.pulumi.json) | ratio |");
console.log("| --- | ---: | ---: | ---: |");
for (const cache of ["cold", "warm"] as const) {
  const checked = loadSeconds("tsconfig.json", cache);
  const transpiled = loadSeconds("tsconfig.pulumi.json", cache);
  console.log(
    `| ${cache} | ${checked.toFixed(2)} s | ${transpiled.toFixed(2)} s | ${(checked / transpiled).toFixed(1)}× |`,
  );
}
