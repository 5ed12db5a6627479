/** Runs the real program (index.ts) under Pulumi's mock engine, as `npm run plan` does. */
import { vi } from "vitest";
import { runProgram, type DeclaredResource, type DeployedState, type ProgramRun } from "../../tools/offline/engine";
import { readStackConfig, stackFilePath, type StackConfig } from "../../components/config/stackFile";
import type { EvaluableFlag } from "../../tools/offline/launchDarklyFlag";
import { flagOf, planOf } from "../../tools/offline/plan";

/** The committed config of a stack (`Pulumi.<stack>.yaml`). */
export function stackConfig(stack: string): StackConfig {
  return readStackConfig(stackFilePath(stack));
}

/**
 * Runs the program with `config`; every run evaluates index.ts afresh. `deployed` is the stack's
 * last deployment and the live flag as the mock engine answers them (default: never deployed).
 */
export function run(config: StackConfig, deployed: DeployedState = {}): Promise<ProgramRun> {
  return runProgram(config, deployed, async () => {
    vi.resetModules();
    return await import("../../index.js");
  });
}

/** The one declared resource of a type; fails when there is none or more than one. */
export function onlyOfType(run: ProgramRun, type: string): DeclaredResource {
  const found = run.resources.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as DeclaredResource;
}

/** The flag JSON the program declares for `config`, as the plan writes it to flag.json; with `salt` when given. */
export async function declaredFlag(config: StackConfig, salt?: string): Promise<EvaluableFlag> {
  const flag = flagOf(planOf(config, await run(config)));
  if (flag === undefined) throw new Error(`${config.stack} declares no flag`);
  return salt === undefined ? flag : { ...flag, salt };
}
