import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each test file runs in a process of its own (the forks pool), so Pulumi's process-wide mock
    // runtime is never shared between files. Three files run side by side on the machines' 2 cores:
    // most suites spend their time waiting (on Prometheus, promtool, the stand-in servers, load-test
    // runs, the CLIs), so a third worker fills the idle time (about 46 s instead of 62 s with two,
    // measured three times each). Vitest's default here would be one worker (cores - 1).
    pool: "forks",
    maxWorkers: 3,
    testTimeout: 60_000,
  },
});
