/**
 * The tools' one reader of `--stack-outputs FILE`, the JSON of `pulumi stack output --json`: the
 * last deployment's `rolloutIntent` (the gate's rung start, soak-report's soak start,
 * rollback-check's intent).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseRolloutIntent, ROLLOUT_INTENT_OUTPUT, type RolloutIntent } from "../../components/rollout/guards";
import { UsageError } from "./runner";

/**
 * `rolloutIntent` in FILE (undefined when the stack has none); a file that is not that JSON, or an
 * intent that does not parse, is bad input.
 */
export function stackOutputsIntent(file: string): RolloutIntent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolve(file), "utf8"));
  } catch (error) {
    throw new UsageError(`--stack-outputs ${file}: not the JSON of \`pulumi stack output --json\`: ${String(error)}`);
  }
  try {
    return parseRolloutIntent((json as Record<string, unknown> | null)?.[ROLLOUT_INTENT_OUTPUT]);
  } catch (error) {
    throw new UsageError(`--stack-outputs ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
