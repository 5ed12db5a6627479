// Measured by tools/bench/plan.ts, compiled as the tools are (tools/cli/launcher.cjs): loading
// @pulumi/pulumi the way a tool's bundle loads it, and nothing else.
"use strict";
require("@pulumi/pulumi");
