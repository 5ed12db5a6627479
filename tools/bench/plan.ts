/**
 * Benchmark of `npm run plan`: the wall time and peak memory of planning each stack, against the
 * floor of merely loading `@pulumi/pulumi` in node, reported as a ratio. Beside them, compiled as
 * the tools are compiled (one bundle, the SDK's unused function serialization deferred): loading
 * the SDK that way, and Pulumi's own share, the SDK registering the slower stack's resources (its
 * resources.json) under the mock engine and nothing else, the least a plan of those resources can
 * cost. Every run is warm (Node's compile cache filled by a first, unmeasured run), as on a laptop.
 *
 *   npm run bench:plan [-- --runs 7]
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpus, tmpdir } from "node:os";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PROJECT_DIR } from "../../components/config/stackFile";

interface Sample {
  readonly seconds: number;
  readonly maxRssMiB: number;
}

const scratch = mkdtempSync(join(tmpdir(), "bench-plan-"));
const MAXRSS = join(PROJECT_DIR, "tools", "bench", "maxrss.cjs");
const { compile } = createRequire(__filename)("../cli/launcher.cjs") as {
  compile: (name: string, tool: { entry: string }) => Promise<string>;
};

/** Runs `node --require maxrss.cjs ...args` once; returns its wall time and peak memory. */
function measure(args: readonly string[], env: Record<string, string>): Sample {
  const rssFile = join(scratch, "maxrss");
  const start = performance.now();
  execFileSync(process.execPath, ["--require", MAXRSS, ...args], {
    cwd: PROJECT_DIR,
    env: { ...process.env, ...env, BENCH_MAXRSS_FILE: rssFile },
    stdio: "ignore",
  });
  const seconds = (performance.now() - start) / 1000;
  return { seconds, maxRssMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

/** The middle value (the lower middle for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error("no samples");
  return middle;
}

function bench(label: string, args: readonly string[], env: Record<string, string>, runs: number) {
  measure(args, env); // warm-up: fills the compile cache
  const samples = Array.from({ length: runs }, () => measure(args, env));
  return {
    label,
    seconds: median(samples.map((s) => s.seconds)),
    maxRssMiB: Math.max(...samples.map((s) => s.maxRssMiB)),
  };
}

/** Measures and prints the table; the probes are the compiled SDK load and registerOnly.cjs. */
function report(sdkBundle: string, registerBundle: string): void {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
  const runs = Number(values.runs);
  const floor = bench(
    "floor: node -e 'require(\"@pulumi/pulumi\")'",
    ["-e", 'require("@pulumi/pulumi")'],
    {
      NODE_COMPILE_CACHE: join(scratch, "floor-cache"),
    },
    runs,
  );
  const sdkBundled = bench(
    "the SDK as the tools load it (one bundle, function serialization deferred)",
    [sdkBundle],
    { NODE_COMPILE_CACHE: join(scratch, "bundled-sdk-cache") },
    runs,
  );
  const plans = ["staging", "beta"].map((stack) => ({
    stack,
    ...bench(
      `npm run plan -- --stack ${stack}`,
      ["tools/cli/launcher.cjs", "plan", "--stack", stack, "--out", join(scratch, stack)],
      {},
      runs,
    ),
  }));

  const slower = plans.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const slowerResources = join(scratch, slower.stack, "resources.json");
  const registered = (JSON.parse(readFileSync(slowerResources, "utf8")) as unknown[]).length;
  const pulumiAlone = bench(
    `Pulumi alone: registering ${slower.stack}'s ${String(registered)} resources, nothing else`,
    [registerBundle, slowerResources],
    { NODE_COMPILE_CACHE: join(scratch, "register-cache") },
    runs,
  );

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(`Machine: ${cpus().length} × ${cpu}, node ${process.version}; median of ${runs} warm runs each.`);
  console.log("");
  console.log("| run | wall time | vs floor | peak memory |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const r of [floor, sdkBundled, ...plans, pulumiAlone]) {
    const ratio = (r.seconds / floor.seconds).toFixed(2);
    console.log(`| ${r.label} | ${r.seconds.toFixed(3)} s | ${ratio}× | ${r.maxRssMiB.toFixed(0)} MiB |`);
  }
  console.log("");
  console.log(
    `Pulumi's own share: ${(pulumiAlone.seconds / floor.seconds).toFixed(2)}× (no plan of these resources under the mock engine can cost less)`,
  );
  console.log(
    `against the SDK as the tools load it: ${(slower.seconds / sdkBundled.seconds).toFixed(2)}× (the slower stack's plan)`,
  );
  // The figure the goal is stated in, last, for scripts and CI logs: the slower stack's ratio.
  console.log(
    `ratio: ${(slower.seconds / floor.seconds).toFixed(2)}× (the slower stack's plan against loading @pulumi/pulumi)`,
  );
}

void Promise.all([
  compile("bench-load-sdk", { entry: "tools/bench/loadSdk.cjs" }),
  compile("bench-register-only", { entry: "tools/bench/registerOnly.cjs" }),
]).then(([sdkBundle, registerBundle]) => {
  report(sdkBundle, registerBundle);
});
