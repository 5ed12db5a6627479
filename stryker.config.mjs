// Mutation testing (`npm run test:mutation`; docs/development.md, "Mutation testing"). Stryker changes the code
// in small ways, one mutant at a time, and runs the tests that cover each change: a mutant no test
// notices ("survived") is behaviour nothing checks.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: {
    configFile: "vitest.mutation.config.mts",
    // Like `npm test`: one process per test file, so Pulumi's process-wide mock runtime starts clean.
    pool: "forks",
  },
  // Only the tests that executed a mutant run against it. Code run in a `beforeAll` (the shared
  // program runs) counts as "static": those mutants run every test file that imports the mutated
  // file, directly or through the program's dynamic import.
  coverageAnalysis: "perTest",
  // The deployed program, the pure modules of the tools (the gate's and the plan's), the policy
  // pack. Globs that match nothing are fine: each branch mutates what it has.
  mutate: [
    "components/**/*.ts",
    "policy/**/*.ts",
    "tools/**/*.ts",
    // Command-line entry points, the runner and benchmarks: argument parsing and process I/O.
    "!tools/*/main.ts",
    "!tools/cli/**",
    "!tools/bench/**",
    // The mock engine is the instrument the tests observe the program with, not the product.
    "!tools/offline/engine.ts",
    "!tools/offline/mocks.ts",
    // Reads stack files from disk for the tools and the tests: I/O, not a pure module.
    "!components/config/stackFile.ts",
    // Tested only through the plan CLI in a child process (test/plan.test.ts), which Stryker's
    // coverage cannot see: every mutant would read "no coverage".
    "!tools/offline/plan.ts",
    "!tools/plan/diff.ts",
    "!tools/plan/report.ts",
  ],
  ignorePatterns: [".plan", "reports", "sdks/launchdarkly/node_modules"],
  // Two workers fit a 2-core machine: each keeps one process busy, the vitest worker that runs a
  // mutant's tests. On a shared machine pass `--concurrency 1`.
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  clearTextReporter: { allowEmojis: false, logTests: false },
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // `--incremental` only, while working through survivors; not committed (docs/development.md, "Mutation testing").
  incrementalFile: "reports/stryker-incremental.json",
  thresholds: { high: 90, low: 85, break: 85 },
  // A mutant that makes the tests hang fails on vitest's own test and hook timeouts first; Stryker's
  // timeout is only a backstop. Derived from the dry run alone, it would count a slow run on a busy
  // machine as a "timeout", which Stryker scores as detected.
  timeoutMS: 60_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
