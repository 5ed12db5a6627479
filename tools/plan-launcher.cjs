// Starts `npm run plan` fast. The plan tool and the program are TypeScript; a TypeScript loader
// hook (tsx) sits on every require, and Pulumi's SDKs load a few thousand files, which costs about
// as much again as loading them. Instead, esbuild compiles the tool and the program into two
// CommonJS files (about 0.1 s; dependencies stay external) and plain node runs them.
//
// The offline plan runs on any Node from 20 on (a newcomer's machine often has an older Node than
// the project's 22); real `pulumi` runs need 22, which this says once, on stderr.
"use strict";
const { buildSync } = require("esbuild");
const nodeModule = require("node:module");
const { rmSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const SUPPORTED_MAJOR = 22;
const major = Number(process.versions.node.split(".")[0]);
if (major < SUPPORTED_MAJOR) {
  process.stderr.write(
    `note: Node ${process.versions.node} runs the offline plan; real pulumi runs need Node ${SUPPORTED_MAJOR} (.nvmrc: \`nvm use\`)\n`,
  );
}
// Node 22.1+ keeps compiled bytecode of the SDKs between runs: the second plan loads them faster.
if (typeof nodeModule.enableCompileCache === "function") {
  nodeModule.enableCompileCache(join(root, ".plan", ".compile-cache"));
}
// One folder per process: plans may run side by side (CI, tests).
const out = join(root, ".plan", ".build", String(process.pid));
process.on("exit", () => rmSync(out, { recursive: true, force: true }));
// The program: index.ts, or (tests) a module relative to the root that declares something else.
const program = process.env.STREAM5_PLAN_SOURCE ?? "index.ts";
buildSync({
  absWorkingDir: root,
  entryPoints: ["tools/plan.ts", program],
  outdir: out,
  outbase: ".",
  bundle: true,
  packages: "external",
  platform: "node",
  format: "cjs",
  target: `node${Math.min(major, SUPPORTED_MAJOR)}`,
  logLevel: "error",
});
process.env.STREAM5_PLAN_PROGRAM = join(out, program.replace(/\.ts$/, ".js"));
require(join(out, "tools", "plan.js"));
