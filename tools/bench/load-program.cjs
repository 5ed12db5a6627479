// Loads the program the way `pulumi up` does (Pulumi's nodejs runtime: ts-node with the project's
// TypeScript, `transpileOnly` from the tsconfig's `noCheck`), under Pulumi's mock engine, and
// prints the seconds it took. Used by tools/bench/load.ts; argv[2] is the tsconfig to use.
"use strict";
const start = performance.now();
const { join } = require("node:path");

const root = join(__dirname, "..", "..");
const tsconfig = join(root, process.argv[2]);
const pulumiDir = join(root, "node_modules", "@pulumi", "pulumi");
// As Pulumi does: the project's ts-node if it has one, else the one Pulumi vendors.
let tsnode;
try {
  tsnode = require(require.resolve("ts-node", { paths: [root] }));
} catch {
  tsnode = require(join(pulumiDir, "vendor", "ts-node@7.0.1"));
}
const ts = require(require.resolve("typescript", { paths: [root] }));
const { noCheck } = ts.parseConfigFileTextToJson(tsconfig, ts.sys.readFile(tsconfig)).config.compilerOptions ?? {};
tsnode.register({
  compiler: require.resolve("typescript", { paths: [root] }),
  transpileOnly: noCheck === true,
  project: tsconfig,
});

const pulumi = require(pulumiDir);
const mocks = {
  newResource: (args) => ({
    id: `${args.name}-id`,
    // The rollout guards' stack reference: a stack with no earlier deployment.
    state: args.type === "pulumi:pulumi:StackReference" ? { outputs: {}, secretOutputNames: [] } : args.inputs,
  }),
  call: () => ({ apiKey: "sdk-bench" }),
};
pulumi.runtime.setMocks(mocks, "stream5-time-crunch", "beta", false, "organization").then(async () => {
  const config = JSON.parse(process.env.BENCH_CONFIG);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  // The program is a function (index.ts `export =`): run it up to the point it returns its outputs.
  await require(join(root, "index.ts"))();
  process.stdout.write(`${(performance.now() - start) / 1000}\n`);
});
