import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Program runs share Pulumi's process-wide runtime state: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
