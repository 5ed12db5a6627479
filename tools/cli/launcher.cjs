// The one launcher of the command-line tools: `node tools/cli/launcher.cjs TOOL [args...]` (what the
// npm scripts run). It compiles the tool, runs its `main(argv, env, io)` (tools/cli/runner.ts) and
// exits with the code main returns.
//
// Why compile: a TypeScript loader hook (tsx) sits on every require, and Pulumi's SDKs load a few
// thousand files, which costs about as much again as loading them. esbuild compiles the entry
// points into CommonJS files instead (about 0.1 s; dependencies stay external), and node keeps the
// compiled bytecode of the dependencies between runs.
//
// The offline tools run on any Node from 20 on (a newcomer's machine often has an older Node than
// the project's 22); real `pulumi` runs need 22, which this says once, on stderr.
"use strict";
const { buildSync } = require("esbuild");
const nodeModule = require("node:module");
const { createHash } = require("node:crypto");
const { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..", "..");
const SUPPORTED_MAJOR = 22;
const major = Number(process.versions.node.split(".")[0]);

/** The tools, by the name the npm scripts use: their entry point, and whether they run the program. */
const TOOLS = {
  plan: { entry: "tools/plan/main.ts", runsProgram: true },
  policy: { entry: "tools/policy/main.ts" },
  gate: { entry: "tools/gate/main.ts" },
  "promotion-change": { entry: "tools/promotionChange/main.ts" },
  verify: { entry: "tools/verify/main.ts" },
  "load-test": { entry: "tools/loadTest/main.ts" },
  promote: { entry: "tools/promote/main.ts" },
  "soak-report": { entry: "tools/soakReport/main.ts" },
  "rollback-check": { entry: "tools/rollbackCheck/main.ts" },
  cohort: { entry: "tools/cohort/main.ts", runsProgram: true },
  signoffs: { entry: "tools/signoffs/main.ts" },
};

/** What stays a package of its own (see compile); the ESM-only chart libraries are imported at run time. */
const EXTERNAL = ["@pulumi/*", "@pulumiverse/*", "@grpc/*", "esbuild", "vega", "vega-lite"];

/** The sources a compiled tool may contain: the program, its components, the tools, the policies. */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  for (const dir of ["components", "tools", "policy"]) walk(dir);
  return ["index.ts", "package-lock.json", ...files.sort()];
}

/**
 * Compiles `entryPoints` (paths from the repository root); returns the compiled files, in order.
 * A build is kept under the hash of every source it may contain and reused while none changed, so
 * a second run neither compiles nor misses node's compile cache (which goes by path).
 */
function compile(entryPoints) {
  if (major < SUPPORTED_MAJOR) {
    process.stderr.write(
      `note: Node ${process.versions.node} runs the offline plan; real pulumi runs need Node ${SUPPORTED_MAJOR} (.nvmrc: \`nvm use\`)\n`,
    );
  }
  // Node 22.1+ keeps compiled bytecode of the SDKs between runs: the second run loads them faster.
  if (typeof nodeModule.enableCompileCache === "function") {
    nodeModule.enableCompileCache(join(root, ".plan", ".compile-cache"));
  }
  const hash = createHash("sha256").update(JSON.stringify([entryPoints, major, EXTERNAL]));
  // The entry points too: a test's program may live outside the folders above.
  for (const file of new Set([...entryPoints, ...sourceFiles()]))
    hash.update(file).update(readFileSync(join(root, file)));
  const builds = join(root, ".plan", ".build");
  const out = join(builds, hash.digest("hex").slice(0, 16));
  const compiled = entryPoints.map((entry) => join(out, entry.replace(/\.ts$/, ".js")));
  if (compiled.every((file) => existsSync(file))) return compiled;
  // Built aside, then moved into place: tools may run side by side (CI, tests).
  const scratch = `${out}.${process.pid}`;
  buildSync({
    absWorkingDir: root,
    entryPoints,
    outdir: scratch,
    outbase: ".",
    bundle: true,
    // Pulumi's SDKs stay packages of their own: the program and the engine must share one
    // @pulumi/pulumi (its runtime state), and the providers' SDKs load theirs. The small pure
    // libraries (zod, yaml, the Grafana foundation SDK: about 400 files) are bundled into the
    // compiled tool, which node then loads as one file instead of hundreds.
    external: EXTERNAL,
    platform: "node",
    format: "cjs",
    target: `node${Math.min(major, SUPPORTED_MAJOR)}`,
    logLevel: "error",
  });
  try {
    renameSync(scratch, out);
  } catch {
    // Another run put the same build in place first.
    rmSync(scratch, { recursive: true, force: true });
  }
  pruneBuilds(builds, out);
  return compiled;
}

/** Builds of other sources, a day old or more, are removed (the current one and fresh ones stay). */
function pruneBuilds(builds, keep) {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(builds)) {
    const path = join(builds, entry);
    if (path !== keep && statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
  }
}

const [, , name, ...args] = process.argv;
const tool = Object.prototype.hasOwnProperty.call(TOOLS, name ?? "") ? TOOLS[name] : undefined;
if (tool === undefined) {
  process.stderr.write(`usage: node tools/cli/launcher.cjs TOOL [args...]; TOOL: ${Object.keys(TOOLS).join(", ")}\n`);
  process.exitCode = 2;
} else {
  // The plan runs the program: index.ts, or (tests) a module relative to the root that declares something else.
  const entries = tool.runsProgram ? [tool.entry, process.env.STREAM5_PLAN_SOURCE ?? "index.ts"] : [tool.entry];
  const [compiled, program] = compile(entries);
  if (program !== undefined) process.env.STREAM5_PLAN_PROGRAM = program;
  const { main } = require(compiled);
  main(args, process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
    // Every wait inside has its own bound; this one ends the process whatever is still waiting.
    onBound: (seconds) => {
      setTimeout(() => {
        process.stderr.write(`${name}: no result within ${seconds} s; giving up\n`);
        process.exit(2);
      }, seconds * 1000).unref();
    },
  }).then((code) => {
    process.exitCode = code;
  });
}
