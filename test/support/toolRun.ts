/**
 * Runs a tool's `main(argv, env, io)` in process, as the launcher runs it, and keeps what it wrote.
 * Tests call the tools this way; only a few spawn processes (the launcher itself, first contact on
 * the oldest Node, the documented commands).
 */
import type { ToolIO, ToolMain } from "../../tools/cli/runner";

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runTool(
  main: ToolMain,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  io: Partial<Pick<ToolIO, "now" | "onBound">> & { readonly isTTY?: boolean } = {},
): Promise<ToolRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: io.isTTY ?? false },
    ...(io.now && { now: io.now }),
    ...(io.onBound && { onBound: io.onBound }),
  });
  return { code, stdout, stderr };
}
