/**
 * Does a pull request raise the beta? Compares `targeting` and `rolloutPercentage` of the beta
 * stack's config on the base branch and in the pull request; prints `raise: …`, `rollback: …` or
 * `unchanged: …`. CI runs the soak gate only for a raise.
 *
 *   npm run -s gate:promotion-change -- --base base/Pulumi.beta.yaml --head Pulumi.beta.yaml
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { readStackConfig, UsageError } from "./offline/stackConfig";
import { promotionChange } from "./gate/promotion";

const HELP = `Usage: npm run -s gate:promotion-change -- --base FILE --head FILE

Prints "raise: ...", "rollback: ..." or "unchanged: ..." for the change of
targeting and rolloutPercentage from the base file to the head file. A base
file that does not exist (a new stack) counts as nothing rolled out.
Exit codes: 0 decided; 2 bad usage or unreadable head file.`;

function main(argv: readonly string[]): number {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: { base: { type: "string" }, head: { type: "string" }, help: { type: "boolean", default: false } },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.base === undefined || values.head === undefined) throw new UsageError("give --base FILE and --head FILE");
  const head = resolve(values.head);
  if (!existsSync(head)) throw new UsageError(`no such file: ${values.head}`);
  const base = resolve(values.base);
  const change = promotionChange(existsSync(base) ? readStackConfig(base) : undefined, readStackConfig(head));
  process.stdout.write(`${change.kind}: ${change.reason}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `${error instanceof UsageError ? "" : "promotion-change failed: "}${(error as Error).message}\n`,
  );
  process.exitCode = 2;
}
