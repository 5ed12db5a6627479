// Starts `npm run gate` fast: the gate, compiled (see compile.cjs).
"use strict";
const { compile } = require("./compile.cjs");

const [gate] = compile(["tools/gate.ts"]);
require(gate);
