/**
 * The rollout guards through the real program under the mock engine (the stack reference and the
 * LaunchDarkly data source answered by the mocks), and through `npm run plan` as a reviewer runs it.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type DeployedState, type ProgramRun, ProgramFailed } from "../tools/offline/engine";
import { withValues, type StackConfig } from "../components/config/stackFile";
import { planCli, type CliRun } from "./support/planCli";
import { run, stackConfig } from "./support/program";

const beta = stackConfig("beta");
const STACK_TRACE_LINE = /^\s+at /m;

/** The program's run, or its refusal. */
async function attempt(config: StackConfig, deployed: DeployedState): Promise<ProgramRun | ProgramFailed> {
  try {
    return await run(config, deployed);
  } catch (error) {
    if (error instanceof ProgramFailed) return error;
    throw error;
  }
}

async function refused(config: StackConfig, deployed: DeployedState): Promise<ProgramFailed> {
  const result = await attempt(config, deployed);
  if (!(result instanceof ProgramFailed)) throw new Error("expected the deployment to be refused");
  expect(result.isRefusal).toBe(true);
  // Nothing was declared before the refusal (the stack reference is a read, not a declaration).
  expect(result.declared).toEqual([]);
  return result;
}

async function allowed(config: StackConfig, deployed: DeployedState): Promise<ProgramRun> {
  const result = await attempt(config, deployed);
  if (result instanceof ProgramFailed) throw new Error(`expected the deployment to pass: ${result.message}`);
  return result;
}

describe("no silent re-enable, through the program", () => {
  // Beta as committed (on at 10%), deployed once: its outputs are the last deployment's.
  let deployedBeta: ProgramRun;
  beforeAll(async () => {
    deployedBeta = await allowed(beta, {});
  });

  it("a first deployment records its intent and never reads the live flag (the mock would fail)", () => {
    // `since` is this run's time: "when the rung went live", below.
    const { since, ...intent } = deployedBeta.outputs.rolloutIntent as { since?: unknown };
    expect(intent).toEqual({ targeting: "on", rolloutPercentage: 10, ladderPercentage: 10 });
    expect(typeof since).toBe("string");
  });

  it("live off + last deployment on + config on: refused, naming the command that accepts the kill, cleanly", async () => {
    const failure = await refused(beta, { outputs: deployedBeta.outputs, liveOn: false });
    expect(failure.message).toContain("targeting is off in LaunchDarkly environment production");
    expect(failure.message).toContain("`pulumi config set targeting off -s beta`");
    // One message, no stack trace, and a RunError, which `pulumi up` prints without one.
    expect(failure.message).not.toMatch(STACK_TRACE_LINE);
    expect(failure.cause).toMatchObject({ name: "DeployRefused", __pulumiRunError: true });
  });

  it("after `pulumi config set targeting off`: allowed, and the next deployment may turn it back on", async () => {
    const acknowledged = await allowed(withValues(beta, { targeting: "off" }), {
      outputs: deployedBeta.outputs,
      liveOn: false,
    });
    expect(acknowledged.outputs.rolloutIntent).toMatchObject({ targeting: "off", rolloutPercentage: 10 });
    // The reviewed change from off to on, while the flag is still off in LaunchDarkly.
    const reEnabled = await allowed(beta, { outputs: acknowledged.outputs, liveOn: false });
    expect(reEnabled.outputs.rolloutIntent).toMatchObject({ targeting: "on" });
  });

  it("live on (as the last deployment left it): allowed", async () => {
    await allowed(withValues(beta, { rolloutPercentage: 25 }), { outputs: deployedBeta.outputs, liveOn: true });
  });

  it("the kill switch itself: allowed while the flag is off live", async () => {
    await allowed(withValues(beta, { targeting: "off" }), { outputs: deployedBeta.outputs, liveOn: false });
  });

  it("a first enable (no earlier deployment): allowed", async () => {
    await allowed(withValues(beta, { rolloutPercentage: 100 }), { outputs: {} });
  });
});

describe("bounded steps, through the program", () => {
  const last = { outputs: { rolloutIntent: { targeting: "on", rolloutPercentage: 10 } } };

  it("10% -> 100%: refused with the next allowed step", async () => {
    const failure = await refused(withValues(beta, { rolloutPercentage: 100 }), last);
    expect(failure.message).toContain("The next allowed step is 25%: `pulumi config set rolloutPercentage 25 -s beta`");
  });

  it("10% -> 25%: allowed", async () => {
    await allowed(withValues(beta, { rolloutPercentage: 25 }), last);
  });

  it("the override allows its one jump, and refuses to stay set afterwards", async () => {
    const jumped = await allowed(withValues(beta, { rolloutPercentage: 100, rolloutStepOverride: 100 }), last);
    const failure = await refused(withValues(beta, { rolloutPercentage: 100, rolloutStepOverride: 100 }), {
      outputs: jumped.outputs,
    });
    expect(failure.message).toContain("`pulumi config rm rolloutStepOverride -s beta`");
    await allowed(withValues(beta, { rolloutPercentage: 100 }), { outputs: jumped.outputs });
  });

  it("a custom ladder: 10% -> 15% on [10, 15, 100] passes, 10% -> 25% does not", async () => {
    const ladder = { rolloutLadder: [10, 15, 100] };
    await allowed(withValues(beta, { ...ladder, rolloutPercentage: 15 }), last);
    const failure = await refused(withValues(beta, { ...ladder, rolloutPercentage: 25 }), last);
    expect(failure.message).toContain("`pulumi config set rolloutPercentage 15 -s beta`");
  });
});

describe("when the rung went live (`since`), through the program", () => {
  const EARLIER = "2026-11-30T09:15:00.000Z";
  const lastAt = (intent: Record<string, unknown>): DeployedState => ({ outputs: { rolloutIntent: intent } });
  const on10 = { targeting: "on", rolloutPercentage: 10, ladderPercentage: 10 };

  /** The run, its recorded `since` checked to be the run's own time (the program reads the clock itself). */
  async function sinceOfRunNow(config: StackConfig, deployed: DeployedState): Promise<ProgramRun> {
    const start = Date.now();
    const result = await allowed(config, deployed);
    const end = Date.now();
    const { since } = result.outputs.rolloutIntent as { since?: unknown };
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const at = Date.parse(since as string);
    expect(at).toBeGreaterThanOrEqual(start);
    expect(at).toBeLessThanOrEqual(end);
    return result;
  }

  it("nothing changed: carried over unchanged, so the output does not change", async () => {
    const again = await allowed(beta, lastAt({ ...on10, since: EARLIER }));
    expect(again.outputs.rolloutIntent).toEqual({ ...on10, since: EARLIER });
  });

  it("a first deployment sets it, and the next unchanged deployment keeps it", async () => {
    const first = await sinceOfRunNow(beta, {});
    const again = await allowed(beta, { outputs: first.outputs });
    expect(again.outputs.rolloutIntent).toEqual(first.outputs.rolloutIntent);
  });

  it("the percentage changes: set to the run's time", async () => {
    await sinceOfRunNow(withValues(beta, { rolloutPercentage: 25 }), lastAt({ ...on10, since: EARLIER }));
  });

  it("targeting changes (the kill switch): set to the run's time", async () => {
    await sinceOfRunNow(withValues(beta, { targeting: "off" }), {
      ...lastAt({ ...on10, since: EARLIER }),
      liveOn: false,
    });
  });

  it("a stack deployed before `since`, nothing changed: still unknown, no since recorded", async () => {
    const again = await allowed(beta, lastAt({ targeting: "on", rolloutPercentage: 10 }));
    expect(again.outputs.rolloutIntent).toEqual(on10);
    expect(Object.keys(again.outputs.rolloutIntent as object)).not.toContain("since");
  });

  it("a stack deployed before `since`, then a change: set to the run's time", async () => {
    await sinceOfRunNow(
      withValues(beta, { rolloutPercentage: 25 }),
      lastAt({ targeting: "on", rolloutPercentage: 10 }),
    );
  });

  it("a malformed since in the last deployment's outputs stops the program, never a pass", async () => {
    const result = await attempt(beta, lastAt({ ...on10, since: "last Tuesday" }));
    if (!(result instanceof ProgramFailed)) throw new Error("expected the program to fail");
    expect(result.isRefusal).toBe(false);
    expect(result.message).toContain('rolloutIntent is not {targeting: "on"|"off"');
    expect(result.declared).toEqual([]);
  });
});

describe("the refusals in `npm run plan`", () => {
  // README's example runs the step refusal against the committed file (readme.test.ts).
  let reEnable: CliRun, acknowledged: CliRun, stepFromFile: CliRun, out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "guard-plan-"));
    const previous = join(out, "outputs.json");
    // As `pulumi stack output --json -s beta` prints a deployment at 25%.
    writeFileSync(
      previous,
      JSON.stringify({ flagKey: "x", rolloutIntent: { targeting: "on", rolloutPercentage: 25 } }),
    );
    const at = (name: string) => ["--out", join(out, name)];
    [reEnable, acknowledged, stepFromFile] = await Promise.all([
      planCli(["--stack", "beta", "--live", "off", ...at("re-enable")]),
      planCli(["--stack", "beta", "--set", "targeting=off", "--live", "off", ...at("acknowledged")]),
      planCli(["--stack", "beta", "--set", "rolloutPercentage=100", "--previous", previous, ...at("step-file")]),
    ]);
  }, 60_000);

  it("--live off rehearses a deployment after the kill: refused with the command that accepts it; exit 1, message only", () => {
    expect(reEnable.code).toBe(1);
    expect(reEnable.stdout).toBe("");
    expect(reEnable.stderr).toContain("`pulumi config set targeting off -s beta`");
    expect(reEnable.stderr).toContain(
      "(offline plan; last deployment: Pulumi.beta.yaml (targeting on, 10%); live targeting: off)",
    );
    expect(reEnable.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(readdirSync(out)).not.toContain("re-enable");
  });

  it("the acknowledgement passes, and the plan says what it assumed", () => {
    expect(acknowledged.stderr).toBe("");
    expect(acknowledged.code).toBe(0);
    expect(acknowledged.stdout).toContain(
      "passed (last deployment: Pulumi.beta.yaml (targeting on, 10%); live targeting: off)",
    );
  });

  it("--previous with a malformed rolloutIntent is bad input: exit 2, the message, no stack trace", async () => {
    const file = join(out, "malformed-outputs.json");
    writeFileSync(
      file,
      JSON.stringify({ rolloutIntent: { targeting: "on", rolloutPercentage: 25, since: "yesterday" } }),
    );
    const run = await planCli(["--stack", "beta", "--previous", file, "--out", join(out, "malformed")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `--previous ${file}: The last deployment's stack output rolloutIntent is not {targeting: "on"|"off", rolloutPercentage: 0..100, since?: RFC 3339 time}: got {"targeting":"on","rolloutPercentage":25,"since":"yesterday"}\n`,
    );
  });

  it("--previous takes the last deployment from `pulumi stack output --json`: from 25%, the next step is 50%", () => {
    expect(stepFromFile.code).toBe(1);
    expect(stepFromFile.stderr).toContain("`pulumi config set rolloutPercentage 50 -s beta`");
  });
});
