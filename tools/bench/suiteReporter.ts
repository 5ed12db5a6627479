/**
 * A vitest reporter for `npm run bench:test`: at the end of the run it writes, to the file named
 * by BENCH_SUITE_FILE, each test file's time as vitest measured it (importing the file's modules,
 * then running its tests) and the number of tests by state.
 */
import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node" with { "resolution-mode": "import" };

export interface SuiteFigures {
  readonly files: { readonly path: string; readonly importMs: number; readonly testsMs: number }[];
  readonly tests: Record<string, number>;
}

export default class SuiteReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const tests: Record<string, number> = {};
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        tests[state] = (tests[state] ?? 0) + 1;
      }
    }
    const figures: SuiteFigures = {
      files: modules.map((module) => {
        const d = module.diagnostic();
        return { path: module.moduleId, importMs: d.collectDuration, testsMs: d.duration };
      }),
      tests,
    };
    const file = process.env.BENCH_SUITE_FILE;
    if (file !== undefined) writeFileSync(file, JSON.stringify(figures));
  }
}
