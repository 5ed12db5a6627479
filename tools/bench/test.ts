/**
 * Benchmark of `npm test`: runs the suite as the README says (`vitest run`, the repository's
 * config) and prints its wall time, the number of files and tests, and the import share (the time
 * vitest spent importing the test files' modules, of its time in the files). The machine is
 * printed; compare runs of one machine only.
 *
 *   npm run bench:test [-- --runs 3]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PROJECT_DIR } from "../../components/config/stackFile";
import type { SuiteFigures } from "./suiteReporter";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`bench:test: --runs ${values.runs}: allowed: a whole number from 1`);
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), "bench-test-"));

interface Run {
  readonly seconds: number;
  readonly figures: SuiteFigures;
}

function once(index: number): Run {
  const file = join(scratch, `run-${index}.json`);
  const start = performance.now();
  execFileSync(
    process.execPath,
    [
      join(PROJECT_DIR, "node_modules", "vitest", "vitest.mjs"),
      "run",
      "--reporter=dot",
      `--reporter=${join(PROJECT_DIR, "tools", "bench", "suiteReporter.ts")}`,
    ],
    { cwd: PROJECT_DIR, env: { ...process.env, BENCH_SUITE_FILE: file }, stdio: ["ignore", "ignore", "inherit"] },
  );
  return {
    seconds: (performance.now() - start) / 1000,
    figures: JSON.parse(readFileSync(file, "utf8")) as SuiteFigures,
  };
}

const results = Array.from({ length: runs }, (_, i) => once(i));
const cpu = cpus()[0]?.model ?? "unknown CPU";
console.log(
  `Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; ${runs} run${runs === 1 ? "" : "s"}.`,
);
console.log("");
console.log("| run | wall time | files | tests | importing | in the files | import share |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
results.forEach(({ seconds, figures }, i) => {
  const importing = figures.files.reduce((sum, f) => sum + f.importMs, 0) / 1000;
  const inFiles = importing + figures.files.reduce((sum, f) => sum + f.testsMs, 0) / 1000;
  const tests = Object.entries(figures.tests)
    .map(([state, n]) => (state === "passed" ? `${n}` : `${n} ${state}`))
    .join(", ");
  console.log(
    `| ${i + 1} | ${seconds.toFixed(1)} s | ${figures.files.length} | ${tests} | ${importing.toFixed(1)} s | ${inFiles.toFixed(1)} s | ${((100 * importing) / inFiles).toFixed(0)}% |`,
  );
});
