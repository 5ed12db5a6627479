/** What a failed offline run of the program means to the user of a tool (the plan, the cohort, promote). */
import { UsageError } from "../cli/runner";
import { ProgramFailed } from "./engine";

/**
 * The error a tool ends with when the program failed: the program's own errors come wrapped in
 * ProgramFailed; invalid config is the user's (a UsageError: exit 2, message only), anything
 * else is what the program threw.
 */
export function programError(error: unknown): unknown {
  if (error instanceof ProgramFailed && (error.isConfigError || error.cause instanceof UsageError)) {
    return new UsageError((error.cause as Error).message);
  }
  return error instanceof ProgramFailed ? error.cause : error;
}
