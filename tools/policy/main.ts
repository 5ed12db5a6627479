/**
 * `npm run policy -- RESOURCES_JSON...`: the policy pack's policies over offline plans, the files
 * `npm run plan` writes (`.plan/<stack>/resources.json`), one stack per file.
 */
import { formatOf, toolMain, UsageError } from "../cli/runner";
import { renderPolicyVerdict } from "../offline/policyReport";
import { checkPolicies, hasMandatoryViolation, type PolicyVerdict } from "../offline/policyRunner";
import { readResourcesFile } from "./resourcesFile";

const HELP = `Usage: npm run policy -- [--format text|markdown|json] RESOURCES_JSON...

Runs the policy pack's policies (policy/, the same functions \`pulumi preview
--policy-pack policy\` runs) over offline plans: resources.json files as
\`npm run plan\` writes them (.plan/<stack>/resources.json), one stack per file.
Prints each violation with its policy, level, resource and message.

  --format FORMAT   text (default), markdown or json
  --help            this text

Exit codes: 0 no mandatory violation (advisory ones are printed);
1 a mandatory violation (or an unexpected failure);
2 bad usage, or a file that cannot be read or is not a resources.json.`;

/** Judges each resources.json; returns the exit code. */
export const main = toolMain({
  name: "policy",
  help: HELP,
  flags: { format: { type: "string", default: "text" } },
  positionals: true,
  run: async ({ values, positionals }, _env, io) => {
    const format = formatOf(values.format);
    if (positionals.length === 0) throw new UsageError("give at least one resources.json file (see --help)");
    // Read every file first: a bad one is a usage error before any verdict is printed.
    const stacks = positionals.map((file) => ({ file, resources: readResourcesFile(file) }));
    const verdicts: { file: string; verdict: PolicyVerdict }[] = [];
    for (const { file, resources } of stacks) verdicts.push({ file, verdict: await checkPolicies(resources) });

    if (format === "json") {
      io.stdout.write(
        `${JSON.stringify(
          verdicts.map(({ file, verdict }) => ({ file, ...verdict })),
          null,
          2,
        )}\n`,
      );
    } else {
      const text = verdicts.map(({ file, verdict }) => renderPolicyVerdict(verdict, format, file));
      io.stdout.write(`${text.join("\n\n")}\n`);
    }
    return verdicts.some(({ verdict }) => hasMandatoryViolation(verdict)) ? 1 : 0;
  },
});
