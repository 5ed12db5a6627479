/**
 * How a tool run by the launcher loads the program (`index.ts`, compiled by tools/cli/launcher.cjs
 * for the tools it marks `runsProgram`), and what a failed run of it means to the user. The plan
 * and the cohort run the program this way; the tests load it through vitest instead.
 */
import { join } from "node:path";
import { PROJECT_DIR } from "../../components/config/stackFile";
import { UsageError } from "../cli/runner";
import { ProgramFailed, type ProgramLoader } from "./engine";

/**
 * The program to run: `index.ts` itself under a TypeScript loader (tests, tsx), or the bundle
 * the launcher (`tools/cli/launcher.cjs`) compiles next to the tool (see there why).
 */
const PROGRAM = process.env.STREAM5_PLAN_PROGRAM ?? join(PROJECT_DIR, "index.ts");

/** Loads the program afresh with Node's `require` (the launcher's way; the tests load it through vitest). */
export const requireProgram: ProgramLoader = () => {
  for (const module of Object.keys(require.cache)) {
    if (module === PROGRAM || module.startsWith(join(PROJECT_DIR, "components"))) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- forget the program's modules so they run again
      delete require.cache[module];
    }
  }
  // require, not import(): the program is CommonJS, and require.cache is what makes it run again.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return Promise.resolve(require(PROGRAM) as unknown);
};

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
