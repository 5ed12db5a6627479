// Measured by tools/bench/plan.ts: Pulumi's own share of a plan. Registers the resources of a
// plan's resources.json (same types, names, parents and inputs) under Pulumi's mock engine, and
// nothing else: no config, no program, no files. What this costs beyond loading @pulumi/pulumi is
// the least any plan of those resources under the mock engine can cost.
//
//   node tools/bench/registerOnly.cjs .plan/beta/resources.json
"use strict";
const { readFileSync } = require("node:fs");
const pulumi = require("@pulumi/pulumi");

const planned = JSON.parse(readFileSync(process.argv[2], "utf8"));
const byUrn = new Map(planned.map((r) => [r.urn, r]));
const registered = new Map();

/** Registers the resource at `urn`, its parent first (resources.json is in URN order, not parent order). */
function register(urn) {
  if (registered.has(urn)) return registered.get(urn);
  const r = byUrn.get(urn);
  const parent = r.parent !== null && byUrn.has(r.parent) ? register(r.parent) : undefined;
  const opts = { parent, protect: r.protect === true };
  const custom = !r.type.startsWith("stream5:");
  const resource = custom
    ? new pulumi.CustomResource(r.type, r.name, r.inputs, opts)
    : new pulumi.ComponentResource(r.type, r.name, {}, opts);
  if (!custom) resource.registerOutputs({});
  registered.set(urn, resource);
  return resource;
}

const mocks = { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) };
pulumi.runtime
  .setMocks(mocks, "stream5-time-crunch", "bench", false)
  .then(() => {
    for (const r of planned) register(r.urn);
    return pulumi.runtime.disconnect();
  })
  .then(() => {
    if (registered.size !== planned.length) throw new Error(`registered ${registered.size} of ${planned.length}`);
  });
