import { join } from "node:path";
import { defineConfig } from "vitest/config";

// The workers inherit this: node keeps the compiled bytecode of what they load (Pulumi's SDKs are
// a few thousand files) between runs of the suite, as the launcher does for the tools.
process.env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, ".plan", ".compile-cache-test");

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Processes (the forks pool), each running file after file without a fresh module registry
    // (`isolate: false`): a file then no longer pays for loading Pulumi's SDKs, vitest and the
    // components again, which was half the suite's time. Sharing a process is safe because nothing
    // a file leaves behind is read by the next: the one piece of process-wide state, Pulumi's
    // runtime, is reset by every program run (tools/offline/engine.ts: disconnect, setMocks,
    // setAllConfig), as the many runs within one file already rely on; test/support/program.ts
    // evaluates the program's modules afresh each time; and no test changes process.env, the
    // working directory or a global (test/house.test.ts keeps it so).
    // Three processes on the machines' 2 cores: many files wait on Prometheus, promtool, stand-in
    // servers and CLIs, and a third process fills that idle time.
    pool: "forks",
    isolate: false,
    maxWorkers: 3,
    testTimeout: 60_000,
  },
});
