// The one launcher of the command-line tools: `node tools/cli/launcher.cjs TOOL [args...]` (what the
// npm scripts run). It compiles the tool, runs its `main(argv, env, io)` (tools/cli/runner.ts) and
// exits with the code main returns.
//
// Why compile: a TypeScript loader hook (tsx) sits on every require, and Pulumi's SDKs load a few
// thousand files, which costs about as much again as loading them. esbuild compiles each tool,
// with the program and the SDKs it uses, into one CommonJS file instead (about 0.4 s, once per
// change of the sources), and node keeps the compiled bytecode of that file between runs.
//
// The offline tools run on any Node from 20 on (a newcomer's machine often has an older Node than
// the project's 22); real `pulumi` runs need 22, which this says once, on stderr.
"use strict";
const { execFile } = require("node:child_process");
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

/**
 * What stays a package of its own, loaded from node_modules when something asks for it: esbuild
 * (the builder), the ESM-only chart libraries (imported at run time), and what Pulumi's function
 * serialization needs (the TypeScript compiler and npm's package-tree reader, about 9 MB and
 * 0.17 s to load), which no tool uses (see DEFERRED).
 */
const EXTERNAL = ["esbuild", "vega", "vega-lite", "typescript", "@npmcli/arborist", "normalize-package-data"];

/**
 * Modules of the SDK that `require("@pulumi/pulumi")` evaluates but no tool calls, by the module
 * that requires them: in the bundle each is replaced by functions of the same names that load the
 * real module on their first call. Pulumi's runtime index loads function serialization (for
 * dynamic providers and serialized callbacks) and the computation of a program's package paths;
 * a plan uses neither, and they load the TypeScript compiler and npm's arborist at once.
 */
const DEFERRED = [
  { importer: "@pulumi/pulumi/runtime/index.js", requests: ["./closure/serializeClosure", "./closure/codePaths"] },
];

/**
 * The esbuild plugin that defers DEFERRED's modules. A module whose exports are not all functions
 * is left as it is (a function can wait for its first call; a value cannot): slower, never wrong.
 */
const deferModules = {
  name: "defer-unused-sdk-modules",
  setup(build) {
    const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const requests = [...new Set(DEFERRED.flatMap((d) => d.requests))];
    const filter = new RegExp(`^(${requests.map(escape).join("|")})$`);
    build.onResolve({ filter }, (args) => {
      const importer = args.importer.split("\\").join("/");
      const wanted = DEFERRED.some(
        (d) => importer.endsWith(`/node_modules/${d.importer}`) && d.requests.includes(args.path),
      );
      if (!wanted) return undefined;
      return { path: require.resolve(args.path, { paths: [dirname(args.importer)] }), namespace: "deferred" };
    });
    build.onLoad({ filter: /.*/, namespace: "deferred" }, async (args) => {
      const real = JSON.stringify(args.path);
      const exported = await exportsOf(args.path);
      const contents = Object.values(exported).every((kind) => kind === "function")
        ? [
            `let loaded; const load = () => (loaded ??= require(${real}));`,
            ...Object.keys(exported).map(
              (n) => `exports.${n} = function ${n}(...args) { return load().${n}(...args); };`,
            ),
          ].join("\n")
        : `module.exports = require(${real});`;
      // The real module is bundled as usual: the deferred functions' own require finds it by path.
      return { contents, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

/**
 * The sources a compiled tool may contain: the program, its components, the tools, the policies,
 * the local LaunchDarkly SDK, and (through the lock file) every package.
 */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      // A local SDK's own packages and its compiled output follow from its sources and the lock file.
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "bin") walk(path);
      } else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  for (const dir of ["components", "tools", "policy", "sdks"]) walk(dir);
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
async function compile(name, tool) {
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
  const files = [...new Set([tool.entry, ...(tool.withProgram ? [programSource()] : []), ...sourceFiles()])];
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
    await require("esbuild").build({
      absWorkingDir: root,
      stdin: { contents, resolveDir: root, sourcefile: `${name}.launcher.js`, loader: "js" },
      outfile: join(scratch, `${name}.js`),
      bundle: true,
      // The SDKs and libraries (Pulumi's and its providers', gRPC, zod, the Grafana foundation
      // SDK: about 1,500 files) are bundled into the compiled tool, which node then loads as one
      // file instead of hundreds. The program, the providers' SDKs and the engine share the one
      // copy of @pulumi/pulumi in it (its runtime state).
      external: EXTERNAL,
      plugins: [deferModules],
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

/**
 * The names a module exports and the kind of each, asked of another node process (loading the
 * module here would load what it is deferred for into the tool about to run) and kept under the
 * module file's size and modification time: asking costs about 0.4 s.
 */
async function exportsOf(path) {
  const { size, mtimeMs } = statSync(path);
  const key = createHash("sha256").update(`${path}\0${size}\0${mtimeMs}`).digest("hex").slice(0, 16);
  const known = join(root, ".plan", ".exports", `${key}.json`);
  if (existsSync(known)) return JSON.parse(readFileSync(known, "utf8"));
  const script = `const m = require(${JSON.stringify(path)}); process.stdout.write(JSON.stringify(Object.fromEntries(Object.keys(m).map((k) => [k, typeof m[k]]))));`;
  const stdout = await new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", script], { timeout: 60_000 }, (error, out) => {
      if (error) reject(error);
      else resolve(out);
    });
  });
  writeAside(known, stdout);
  return JSON.parse(stdout);
}

/** Runs the tool `name` with `args` and exits with the code its main returns. */
async function run(name, tool, args) {
  const { main } = require(await compile(name, tool));
  const code = await main(args, process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
    // Every wait inside has its own bound; this one ends the process whatever is still waiting.
    onBound: (seconds) => {
      setTimeout(() => {
        process.stderr.write(`${name}: no result within ${seconds} s; giving up\n`);
        process.exit(2);
      }, seconds * 1000).unref();
    },
  });
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
}

if (require.main === module) {
  const [, , name, ...args] = process.argv;
  const tool = Object.prototype.hasOwnProperty.call(TOOLS, name ?? "") ? TOOLS[name] : undefined;
  if (tool === undefined) {
    process.stderr.write(`usage: node tools/cli/launcher.cjs TOOL [args...]; TOOL: ${Object.keys(TOOLS).join(", ")}\n`);
    process.exitCode = 2;
  } else {
    void run(name, tool, args);
  }
} else {
  // The benchmarks compile their probes exactly as the tools are compiled.
  module.exports = { compile };
}
