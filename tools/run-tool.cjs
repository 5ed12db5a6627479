// Runs a TypeScript command-line tool fast, compiled (see compile.cjs):
//   node tools/run-tool.cjs tools/gate.ts [args...]
"use strict";
const { compile } = require("./compile.cjs");

const [, , entry] = process.argv;
const [tool] = compile([entry]);
// The tool reads its own arguments after its name, as `node tool.js args...` would give them.
process.argv.splice(1, 2, tool);
require(tool);
