// The one launcher of the command-line tools: `node tools/cli/launcher.cjs TOOL [args...]` (what the
// npm scripts run). It compiles the tool, runs its `main(argv, env, io)` (tools/cli/runner.ts) and
// exits with the code main returns.
//
// Why compile: a TypeScript loader hook (tsx) sits on every require, and Pulumi's SDKs load a few
// thousand files, which costs about as much again as loading them. esbuild compiles each tool into
// one CommonJS file instead (about 0.1 s, once per change of the sources; dependencies stay
// external), and node keeps the compiled bytecode of the dependencies between runs.
//
// The offline tools run on any Node from 20 on (a newcomer's machine often has an older Node than
// the project's 22); real `pulumi` runs need 22, which this says once, on stderr.
"use strict";
const nodeModule = require("node:module");
const { createHash } = require("node:crypto");
const {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require("node:fs");
const { dirname, join } = require("node:path");

const root = join(__dirname, "..", "..");
const SUPPORTED_MAJOR = 22;
const major = Number(process.versions.node.split(".")[0]);

/**
 * The tools, by the name the npm scripts use: their entry point and, for a tool that runs the
 * program, the export that makes its main from a program loader.
 */
const TOOLS = {
  plan: { entry: "tools/plan/main.ts", withProgram: "planMain" },
  policy: { entry: "tools/policy/main.ts" },
  gate: { entry: "tools/gate/main.ts" },
  "promotion-change": { entry: "tools/promotionChange/main.ts" },
  verify: { entry: "tools/verify/main.ts" },
  "load-test": { entry: "tools/loadTest/main.ts" },
  promote: { entry: "tools/promote/main.ts", withProgram: "promoteMain" },
  "soak-report": { entry: "tools/soakReport/main.ts" },
  "rollback-check": { entry: "tools/rollbackCheck/main.ts" },
  cohort: { entry: "tools/cohort/main.ts", withProgram: "cohortMain" },
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
 * The module the launcher compiles for `tool`. A tool that runs the program gets the program in
 * the same bundle, so the two share one copy of what both use (zod, the config schema): the
 * program's module is evaluated once, and its exported function runs once per plan.
 */
function entryModule(tool) {
  const entry = JSON.stringify(`./${tool.entry}`);
  if (tool.withProgram === undefined) return `module.exports = require(${entry});`;
  // A test's program may live outside the folders sourceFiles lists.
  const program = JSON.stringify(`./${programSource()}`);
  return [
    `const { programOfModule } = require("./tools/offline/bundledProgram.ts");`,
    `exports.main = require(${entry}).${tool.withProgram}(programOfModule(() => require(${program})));`,
  ].join("\n");
}

/** The program a tool runs: index.ts, or (tests) a module relative to the root that declares something else. */
function programSource() {
  return process.env.STREAM5_PLAN_SOURCE ?? "index.ts";
}

/**
 * Compiles the tool named `name` into one CommonJS file; returns its path. A build is kept under
 * the hash of every source it may contain and reused while none changed, so a second run neither
 * compiles nor misses node's compile cache (which goes by path). Whether anything changed is
 * first asked of the files' sizes and modification times (a stat each), and only when those moved
 * of their contents.
 */
function compile(name, tool) {
  if (major < SUPPORTED_MAJOR) {
    process.stderr.write(
      `note: Node ${process.versions.node} runs the offline plan; real pulumi runs need Node ${SUPPORTED_MAJOR} (.nvmrc: \`nvm use\`)\n`,
    );
  }
  // Node 22.1+ keeps compiled bytecode of the SDKs between runs: the second run loads them faster.
  if (typeof nodeModule.enableCompileCache === "function") {
    nodeModule.enableCompileCache(join(root, ".plan", ".compile-cache"));
  }
  const contents = entryModule(tool);
  const files = [...new Set([...(tool.withProgram ? [programSource()] : []), ...sourceFiles()])];
  const builds = join(root, ".plan", ".build");
  // The launcher itself too: a change of how it builds is a new build.
  const identity = JSON.stringify([contents, major, readFileSync(__filename, "utf8")]);
  const stamps = createHash("sha256").update(identity);
  for (const file of files) {
    const { size, mtimeMs } = statSync(join(root, file));
    stamps.update(`${file}\0${size}\0${mtimeMs}\0`);
  }
  const stampFile = join(root, ".plan", ".stamps", stamps.digest("hex").slice(0, 16));
  const known = existsSync(stampFile) ? readFileSync(stampFile, "utf8") : "";
  if (known !== "" && existsSync(join(builds, known, `${name}.js`))) return join(builds, known, `${name}.js`);

  const hash = createHash("sha256").update(identity);
  for (const file of files) hash.update(file).update(readFileSync(join(root, file)));
  const build = hash.digest("hex").slice(0, 16);
  const out = join(builds, build);
  const compiled = join(out, `${name}.js`);
  if (!existsSync(compiled)) {
    // Built aside, then moved into place: tools may run side by side (CI, tests).
    const scratch = `${out}.${process.pid}`;
    // esbuild is loaded only to build: a run that reuses a build does not pay for it.
    require("esbuild").buildSync({
      absWorkingDir: root,
      stdin: { contents, resolveDir: root, sourcefile: `${name}.launcher.js`, loader: "js" },
      outfile: join(scratch, `${name}.js`),
      bundle: true,
      // Pulumi's SDKs stay packages of their own: the program and the engine must share one
      // @pulumi/pulumi (its runtime state), and the providers' SDKs load theirs. The small pure
      // libraries (zod, yaml, the Grafana foundation SDK: about 400 files) are bundled into the
      // compiled tool, which node then loads as one file instead of hundreds.
      external: EXTERNAL,
      platform: "node",
      format: "cjs",
      target: `node${Math.min(major, SUPPORTED_MAJOR)}`,
      // Smaller to read and parse on every run (about 4% of a plan); names stay, so a stack trace
      // still names its functions.
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: "error",
    });
    mkdirSync(out, { recursive: true });
    try {
      renameSync(join(scratch, `${name}.js`), compiled);
    } catch {
      // Another run put the same build in place first.
    }
    rmSync(scratch, { recursive: true, force: true });
  }
  writeAside(stampFile, build);
  pruneOld(builds, out);
  pruneOld(dirname(stampFile), stampFile);
  return compiled;
}

/** Writes `content` to `file` through a temporary file and a rename: a reader never sees half of it. */
function writeAside(file, content) {
  mkdirSync(dirname(file), { recursive: true });
  const scratch = `${file}.${process.pid}`;
  writeFileSync(scratch, content);
  renameSync(scratch, file);
}

/** Builds (or stamps) of other sources, a day old or more, are removed (the current one and fresh ones stay). */
function pruneOld(dir, keep) {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (path !== keep && statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
  }
}

const [, , name, ...args] = process.argv;
const tool = Object.prototype.hasOwnProperty.call(TOOLS, name ?? "") ? TOOLS[name] : undefined;
if (tool === undefined) {
  process.stderr.write(`usage: node tools/cli/launcher.cjs TOOL [args...]; TOOL: ${Object.keys(TOOLS).join(", ")}\n`);
  process.exitCode = 2;
} else {
  const { main } = require(compile(name, tool));
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
    // The tool is done: exit once stdout and stderr have taken all it wrote (a pipe may be
    // asynchronous), not when node's event loop empties, which waits for V8 to finish optimizing
    // code in the background (about 20 ms after a plan here).
    let streams = 2;
    const flushed = () => {
      streams -= 1;
      if (streams === 0) process.exit(code);
    };
    process.stdout.write("", flushed);
    process.stderr.write("", flushed);
  });
}
