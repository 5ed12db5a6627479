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
const { rmSync } = require("node:fs");
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
};

/** Compiles `entryPoints` (paths from the repository root); returns the compiled files, in order. */
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
  // One folder per process: tools may run side by side (CI, tests).
  const out = join(root, ".plan", ".build", String(process.pid));
  process.on("exit", () => rmSync(out, { recursive: true, force: true }));
  buildSync({
    absWorkingDir: root,
    entryPoints,
    outdir: out,
    outbase: ".",
    bundle: true,
    packages: "external",
    platform: "node",
    format: "cjs",
    target: `node${Math.min(major, SUPPORTED_MAJOR)}`,
    logLevel: "error",
  });
  return entryPoints.map((entry) => join(out, entry.replace(/\.ts$/, ".js")));
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
