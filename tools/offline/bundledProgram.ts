/**
 * How a tool run by the launcher gets the program: `index.ts`, compiled into the tool's own bundle
 * by tools/cli/launcher.cjs for the tools it runs with a program (the tests load it through vitest
 * instead). Nothing here loads the Pulumi SDK: a tool loads it when it runs the program.
 */
import type { ProgramLoader } from "./engine";

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
