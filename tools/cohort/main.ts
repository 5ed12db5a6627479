/**
 * Who is in the beta: the contexts a stack's flag serves true, as LaunchDarkly's own server SDK
 * evaluates what the stack declares (the program run offline, as the plan runs it), streamed
 * from a contexts file to a list a notification system can take.
 *
 *   npm run cohort -- --stack beta --contexts users.csv --out beta.csv
 *   npm run cohort -- --stack beta --contexts users.csv --from 5 --out joining.csv
 */
import { resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { withSets, withValues, type StackConfig } from "../../components/config/stackFile";
import { isExpressibleAsWeights } from "../../components/rollout/targeting";
import { nonEmpty, toolMain, UsageError, type ToolIO, type ToolMain } from "../cli/runner";
import { type Cohort, evaluateCohort } from "../offline/cohort";
import { type ContextRecord, contextsFileKind, type InputKind, share } from "../offline/contexts";
import type { ProgramLoader } from "../offline/engine";
import { stackConfigOf, stackOrFileConfigOf, refuseWhatPulumiRefuses } from "../offline/stackArgs";
import { csvRow, fileSink, progress, stdoutSink } from "./output";

const HELP = `Usage: npm run cohort -- --stack NAME --contexts FILE [options]

Lists the contexts the stack's flag serves true (who is in the beta), as
LaunchDarkly's own server SDK evaluates the flag exactly as the stack declares
it: the program runs offline (as npm run plan runs it) and its flag and this
stack's targeting (percentage, bucketing attribute and context kind, always-on
contexts) are evaluated for every context of FILE.

  --stack NAME          read Pulumi.NAME.yaml
  --set KEY=VALUE       override a config key (repeatable), as npm run plan
                        does: --set 'alwaysOnContexts=[qa-1]'
  --contexts FILE       the contexts, by extension:
                          .csv             a header naming a key column; the other
                                           columns are attributes (an empty cell:
                                           none), a kind column the context kind
                                           (default user)
                          .jsonl, .ndjson  one LaunchDarkly context a line:
                                           {"kind":"user","key":"athlete-1",…} or
                                           {"kind":"multi","user":{…},"org":{…}}
  --out FILE            write the list to FILE (written aside, renamed when
                        complete: a failed run leaves no file); default stdout
  --format csv|json     csv (default): the input's columns, or key,kind for JSON
                        lines input; json: JSON lines of the contexts
  --salt SALT           the flag's salt in the stack's LaunchDarkly environment
                        (default: LAUNCHDARKLY_FLAG_SALT); see "The salt" below
  --from PERCENT        compare with the same flag at PERCENT: list only the
                        contexts that join at this rung
  --against NAME|FILE   compare with another stack config (a stack name, or a file
                        such as the committed config before the change:
                        git show HEAD~1:Pulumi.beta.yaml > /tmp/beta.before.yaml)
  --help                this text

On stderr: how many contexts get the flag ("10,011 of 100,000 contexts,
10.01%"), with --from/--against how many join and which leave (up to 10 named);
a progress bar when stderr is a terminal. Bad input stops the run naming the
line: a header without key, an empty or duplicate key, a line that is not JSON.

The salt: LaunchDarkly buckets a context by a hash of flagKey.salt.contextKey,
and the salt is LaunchDarkly's own (per flag and environment; the provider does
not expose it). Without it the list reproduces the split (the same share, with
the same stability when the percentage rises), not production's exact
assignment. Read it from LaunchDarkly's REST API (a Reader token):
  curl -s -H "Authorization: $LAUNCHDARKLY_ACCESS_TOKEN" \\
    "https://app.launchdarkly.com/api/v2/flags/PROJECT/FLAG_KEY?env=ENV" \\
    | jq -r '.environments.ENV.salt'
or from the flag JSON the server SDKs download (the environment's SDK key):
  curl -s -H "Authorization: $LAUNCHDARKLY_SDK_KEY" \\
    https://sdk.launchdarkly.com/sdk/latest-all | jq -r '.flags["FLAG_KEY"].salt'
(for beta: PROJECT athlete-ally, ENV production,
FLAG_KEY feature.stream5_time_crunch_mode).

Exit codes: 0 listed; 1 with --from/--against, contexts would leave (lose the
flag) at this rung, or another failure; 2 bad usage, bad config or bad input
(message only, naming the line).`;

const FLAGS = {
  stack: { type: "string" },
  set: { type: "string", multiple: true, default: [] as string[] },
  contexts: { type: "string" },
  out: { type: "string" },
  format: { type: "string", default: "csv" },
  salt: { type: "string" },
  from: { type: "string" },
  against: { type: "string" },
} satisfies ParseArgsOptionsConfig;

interface Values {
  readonly stack?: string;
  readonly set?: string[];
  readonly contexts?: string;
  readonly out?: string;
  readonly format?: string;
  readonly salt?: string;
  readonly from?: string;
  readonly against?: string;
}

const OUTPUT_FORMATS = ["csv", "json"] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What the list is compared with: the same flag at another percentage, or another config. */
type Baseline =
  { readonly kind: "from"; readonly percentage: number } | { readonly kind: "against"; readonly config: StackConfig };

interface Options {
  readonly config: StackConfig;
  readonly contexts: string;
  readonly input: InputKind;
  readonly out: string | undefined;
  readonly format: OutputFormat;
  readonly salt: string | undefined;
  readonly baseline: Baseline | undefined;
}

function percentageOf(value: string): number {
  const percentage = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(percentage >= 0 && percentage <= 100) || !isExpressibleAsWeights(percentage)) {
    throw new UsageError(`--from ${value}: allowed: a percentage from 0 to 100 with at most 3 decimals`);
  }
  return percentage;
}

function options(values: Values, env: NodeJS.ProcessEnv): Options {
  if (values.stack === undefined) throw new UsageError("--stack NAME is required (see --help)");
  if (values.contexts === undefined) throw new UsageError("--contexts FILE is required (see --help)");
  const format = OUTPUT_FORMATS.find((f) => f === values.format);
  if (format === undefined) {
    throw new UsageError(`--format ${String(values.format)}: allowed: ${OUTPUT_FORMATS.join(", ")}`);
  }
  if (values.from !== undefined && values.against !== undefined) {
    throw new UsageError("give at most one of --from PERCENT or --against NAME|FILE (see --help)");
  }
  const baseline: Baseline | undefined =
    values.from !== undefined
      ? { kind: "from", percentage: percentageOf(values.from) }
      : values.against !== undefined
        ? { kind: "against", config: stackOrFileConfigOf(values.against) }
        : undefined;
  const contexts = resolve(values.contexts);
  return {
    config: refuseWhatPulumiRefuses(withSets(stackConfigOf(values.stack), values.set ?? [])),
    contexts: values.contexts,
    input: contextsFileKind(contexts),
    out: values.out === undefined ? undefined : resolve(values.out),
    format,
    salt: nonEmpty(values.salt) ?? nonEmpty(env.LAUNCHDARKLY_FLAG_SALT),
    baseline,
  };
}

const count = (n: number) => n.toLocaleString("en-US");

/** How one context is written to the list, in the chosen format. */
function rowWriter(
  header: readonly string[],
  input: InputKind,
  format: OutputFormat,
): { header: string; row: (r: ContextRecord) => string } {
  if (format === "json") {
    return { header: "", row: (r) => `${r.text ?? JSON.stringify(r.context)}\n` };
  }
  if (input === "csv") return { header: csvRow(header), row: (r) => csvRow(r.fields ?? []) };
  return { header: csvRow(header), row: (r) => csvRow([r.key, r.kind]) };
}

function baselineLabel(baseline: Baseline): string {
  return baseline.kind === "from" ? `from ${baseline.percentage}%` : `against ${baseline.config.file}`;
}

async function cohort(opts: Options, io: ToolIO, loadProgram: ProgramLoader): Promise<number> {
  const sink = opts.out === undefined ? stdoutSink(io) : fileSink(opts.out);
  let row: (r: ContextRecord) => string = () => "";
  let result: Cohort;
  try {
    result = await evaluateCohort({
      config: opts.config,
      baseline:
        opts.baseline?.kind === "from"
          ? withValues(opts.config, { rolloutPercentage: opts.baseline.percentage })
          : opts.baseline?.config,
      contexts: opts.contexts,
      input: opts.input,
      salt: opts.salt,
      loadProgram,
      start: async ({ header, reproducesSplit }) => {
        if (reproducesSplit) {
          io.stderr.write(
            "note: no --salt (or LAUNCHDARKLY_FLAG_SALT): this cohort reproduces the split, not production's exact assignment (see --help: The salt)\n",
          );
        }
        const writer = rowWriter(header, opts.input, opts.format);
        row = writer.row;
        if (writer.header !== "") await sink.write(writer.header);
      },
      list: (records) => sink.write(records.map(row).join("")),
      progress: { begin: (size) => progress(io, size) },
    });
    await sink.commit();
  } catch (error) {
    sink.abort();
    throw error;
  }
  const { tally } = result;
  io.stderr.write(`${share(tally.servedTrue, tally.total)} get ${result.flagKey} on stack ${opts.config.stack}\n`);
  if (opts.baseline === undefined) return 0;
  const compared = baselineLabel(opts.baseline);
  io.stderr.write(`joining (${compared}): ${share(tally.joining, tally.total)}\n`);
  if (tally.leaving === 0) {
    io.stderr.write("leaving: none\n");
    return 0;
  }
  const more = tally.leaving > tally.leavers.length ? `, … (${count(tally.leaving - tally.leavers.length)} more)` : "";
  io.stderr.write(
    `leaving (${compared}): ${share(tally.leaving, tally.total)} would lose the flag: ${tally.leavers.join(", ")}${more}\n`,
  );
  return 1;
}

/** The cohort as `main(argv, env, io)`, running the program that `loadProgram` loads. */
export function cohortMain(loadProgram: ProgramLoader): ToolMain {
  return toolMain({
    name: "cohort",
    help: HELP,
    flags: FLAGS,
    run: async ({ values }, env, io) => cohort(options(values, env), io, loadProgram),
  });
}
