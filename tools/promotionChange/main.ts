/**
 * Does a pull request raise the beta? Compares `targeting` and `rolloutPercentage` of the beta
 * stack's config on the base branch and in the pull request; prints `raise: …`, `rollback: …` or
 * `unchanged: …`. CI runs the soak gate only for a raise.
 *
 *   npm run -s gate:promotion-change -- --base base/Pulumi.beta.yaml --head Pulumi.beta.yaml
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readStackConfig } from "../../components/config/stackFile";
import { ExitCode, formatOf, toolMain, UsageError } from "../cli/runner";
import { promotionChange } from "../../components/rollout/promotionChange";

const HELP = `Usage: npm run -s gate:promotion-change -- --base FILE --head FILE

Prints "raise: ...", "rollback: ..." or "unchanged: ..." for the change of
targeting and rolloutPercentage from the base file to the head file. A base
file that does not exist (a new stack) counts as nothing rolled out.

  --format FORMAT   text (default); json adds, for a raise, the evidence it is
                    judged on: "staging-soak" (turning the beta on) or
                    "beta-rung" (from one rung to the next: the current rung)
  --help            this text

Exit codes: 0 decided; 2 bad usage or unreadable head file.`;

/** Prints the decision; returns the exit code. */
export const main = toolMain({
  name: "promotion-change",
  help: HELP,
  flags: { base: { type: "string" }, head: { type: "string" }, format: { type: "string", default: "text" } },
  run: ({ values }, _env, io) => {
    if (values.base === undefined || values.head === undefined)
      throw new UsageError("give --base FILE and --head FILE");
    const head = resolve(values.head);
    if (!existsSync(head)) throw new UsageError(`no such file: ${values.head}`);
    const base = resolve(values.base);
    const change = promotionChange(existsSync(base) ? readStackConfig(base) : undefined, readStackConfig(head));
    io.stdout.write(
      formatOf(values.format) === "json" ? `${JSON.stringify(change)}\n` : `${change.kind}: ${change.reason}\n`,
    );
    return Promise.resolve(ExitCode.Fine);
  },
});
