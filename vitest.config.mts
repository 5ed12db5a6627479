import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each test file runs in a process of its own (the forks pool), so Pulumi's process-wide mock
    // runtime is never shared between files, and two files run side by side: the machines have 2
    // cores, and many suites spend their time waiting on child processes (promtool, Prometheus, the
    // CLIs). Vitest's default here would be one worker (cores - 1).
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
