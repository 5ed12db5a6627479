// Starts `npm run plan` fast. The plan tool and the program are TypeScript; a TypeScript loader
// hook (tsx) sits on every require, and Pulumi's SDKs load a few thousand files, which costs about
// as much again as loading them. Instead, esbuild compiles the tool and the program into two
// CommonJS files (about 0.1 s; dependencies stay external) and plain node runs them.
"use strict";
const { buildSync } = require("esbuild");
const { enableCompileCache } = require("node:module");
const { rmSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
// Node keeps compiled bytecode of the SDKs between runs: the second plan loads them faster.
enableCompileCache(join(root, ".plan", ".compile-cache"));
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
  target: "node22",
  logLevel: "error",
});
process.env.STREAM5_PLAN_PROGRAM = join(out, program.replace(/\.ts$/, ".js"));
require(join(out, "tools", "plan.js"));
