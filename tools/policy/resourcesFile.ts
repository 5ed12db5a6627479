/** Reading a `resources.json` file as `npm run plan` writes it, for the policy runner. */
import { UsageError } from "../cli/runner";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { PlannedResource } from "../offline/plan";

/** The file cannot be read or is not a resources.json: the user's mistake (exit 2). */
export class ResourcesFileError extends UsageError {}

/** The offline plan's entry format (docs/architecture.md), plus `protect` on protected resources. */
const ResourcesFile = z.array(
  z.object({
    urn: z.string(),
    type: z.string(),
    name: z.string(),
    parent: z.string().nullable(),
    inputs: z.record(z.string(), z.unknown()),
    protect: z.boolean().optional(),
  }),
);

export function readResourcesFile(file: string): PlannedResource[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ResourcesFileError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResourcesFileError(`${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = ResourcesFile.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue?.path.length ? `entry ${issue.path.map(String).join(".")}` : "the file";
    throw new ResourcesFileError(
      `${file}: not a resources.json (a JSON array of {urn, type, name, parent, inputs}): ${where}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}
