// Starts `npm run plan` fast: the plan tool and the program it runs, compiled (see compile.cjs).
"use strict";
const { compile } = require("./compile.cjs");

// The program: index.ts, or (tests) a module relative to the root that declares something else.
const [plan, program] = compile(["tools/plan.ts", process.env.STREAM5_PLAN_SOURCE ?? "index.ts"]);
process.env.STREAM5_PLAN_PROGRAM = program;
require(plan);
