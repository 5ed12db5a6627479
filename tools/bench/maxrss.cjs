// Preloaded (--require) by tools/bench/plan.ts into each measured process: writes the process's
// peak resident memory in KiB to the file named by BENCH_MAXRSS_FILE when it exits.
"use strict";
process.on("exit", () => {
  require("node:fs").writeFileSync(process.env.BENCH_MAXRSS_FILE, String(process.resourceUsage().maxRSS));
});
