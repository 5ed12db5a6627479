/** Prometheus' own rule checker, `promtool` (Debian package `prometheus`). Never skipped: missing is a failure. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

const PROMTOOL = process.env.PROMTOOL ?? "promtool";

export interface PromtoolResult {
  readonly ok: boolean;
  readonly output: string;
}

/** Writes `files` (name -> YAML document) to a fresh folder and runs `promtool <args>` there. */
export function promtool(args: readonly string[], files: Readonly<Record<string, unknown>>): PromtoolResult {
  const dir = mkdtempSync(join(tmpdir(), "promtool-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), stringify(content));
  try {
    const output = execFileSync(PROMTOOL, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { ok: true, output };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === "ENOENT") {
      throw new Error(
        `promtool not found (${PROMTOOL}): install Debian's \`prometheus\` package (apt-get install prometheus) or set PROMTOOL`,
      );
    }
    return { ok: false, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
  }
}
