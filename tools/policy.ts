/**
 * `npm run policy -- RESOURCES_JSON...`: the policy pack's policies over offline plans, the files
 * `npm run plan` writes (`.plan/<stack>/resources.json`), one stack per file.
 */
import { parseArgs } from "node:util";
import { renderPolicyVerdict } from "./offline/policyReport";
import { checkPolicies, hasMandatoryViolation, type PolicyVerdict } from "./offline/policyRunner";
import { readResourcesFile, ResourcesFileError } from "./offline/resourcesFile";

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

const FORMATS = ["text", "markdown", "json"] as const;

/** A user's mistake: printed without a stack trace, exit 2. */
class UsageError extends Error {}

function options(argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { format: { type: "string", default: "text" }, help: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  if (parsed.values.help) return "help" as const;
  const format = FORMATS.find((f) => f === parsed.values.format);
  if (format === undefined) throw new UsageError(`--format ${parsed.values.format}: allowed: ${FORMATS.join(", ")}`);
  if (parsed.positionals.length === 0) throw new UsageError("give at least one resources.json file (see --help)");
  return { format, files: parsed.positionals };
}

async function main(argv: readonly string[]): Promise<number> {
  const opts = options(argv);
  if (opts === "help") {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // Read every file first: a bad one is a usage error before any verdict is printed.
  const stacks = opts.files.map((file) => ({ file, resources: readResourcesFile(file) }));
  const verdicts: { file: string; verdict: PolicyVerdict }[] = [];
  for (const { file, resources } of stacks) verdicts.push({ file, verdict: await checkPolicies(resources) });

  if (opts.format === "json") {
    process.stdout.write(
      `${JSON.stringify(
        verdicts.map(({ file, verdict }) => ({ file, ...verdict })),
        null,
        2,
      )}\n`,
    );
  } else {
    const format = opts.format;
    const text = verdicts.map(({ file, verdict }) => renderPolicyVerdict(verdict, format, file));
    process.stdout.write(`${text.join("\n\n")}\n`);
  }
  return verdicts.some(({ verdict }) => hasMandatoryViolation(verdict)) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ResourcesFileError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`policy failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
