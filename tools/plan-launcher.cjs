// Starts `npm run plan` fast: the plan tool and the program it runs, compiled (see compile.cjs).
"use strict";
const { compile } = require("./compile.cjs");

const [plan, program] = compile(["tools/plan.ts", "index.ts"]);
process.env.STREAM5_PLAN_PROGRAM = program;
require(plan);
