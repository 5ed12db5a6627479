/** Runs the real program (index.ts) under Pulumi's mock engine, as `npm run plan` does. */
import { vi } from "vitest";
import { runProgram, type DeclaredResource, type DeployedState, type ProgramRun } from "../../tools/offline/engine";
import { readStackConfig, stackFilePath, type StackConfig } from "../../components/config/stackFile";

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
