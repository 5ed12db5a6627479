/**
 * How a tool run by the launcher gets the program (`index.ts`, compiled into the tool's own bundle
 * by tools/cli/launcher.cjs for the tools it runs with a program), and what a failed run of it
 * means to the user. The plan and the cohort run the program this way; the tests load it through
 * vitest instead.
 */
import { UsageError } from "../cli/runner";
import { ProgramFailed, type ProgramLoader } from "./engine";

/**
 * The program in the launcher's bundle: `requireModule` evaluates its module (once: the bundle
 * keeps it), and its exported function is what runs, once per plan. A module that declares its
 * resources at the top instead would declare them only on its first evaluation, so it is refused.
 */
export function programOfModule(requireModule: () => unknown): ProgramLoader {
  return () => {
    const exports = requireModule();
    const program = typeof exports === "function" ? exports : (exports as { default?: unknown } | null)?.default;
    if (typeof program !== "function") {
      return Promise.reject(
        new Error(
          "the program module must export its program as a function (export = async () => …), as index.ts does",
        ),
      );
    }
    return Promise.resolve(program);
  };
}

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
