// Compiles the command-line tools (TypeScript) into CommonJS that plain node runs. A TypeScript
// loader hook (tsx) sits on every require, and Pulumi's SDKs load a few thousand files, which costs
// about as much again as loading them. Instead, esbuild compiles the entry points into CommonJS
// files (about 0.1 s; dependencies stay external), and node keeps the compiled bytecode of the
// dependencies between runs.
//
// The offline tools run on any Node from 20 on (a newcomer's machine often has an older Node than
// the project's 22); real `pulumi` runs need 22, which this says once, on stderr.
"use strict";
const { buildSync } = require("esbuild");
const nodeModule = require("node:module");
const { rmSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const SUPPORTED_MAJOR = 22;
const major = Number(process.versions.node.split(".")[0]);

/** Compiles `entryPoints` (paths from the repository root); returns the compiled files, in order. */
exports.compile = function compile(entryPoints) {
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
};
