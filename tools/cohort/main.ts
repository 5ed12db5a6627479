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
import { type ProgramLoader, runProgram } from "../offline/engine";
import { FlagEvaluator, NotEvaluated, type Served } from "../offline/flagEvaluator";
import type { EvaluableFlag } from "../offline/launchDarklyFlag";
import { flagOf, planOf } from "../offline/plan";
import { programError } from "../offline/programLoader";
import { stackConfigOf, stackOrFileConfigOf, refuseWhatPulumiRefuses } from "../offline/stackArgs";
import { type ContextRecord, type ContextsFile, contextsFileKind, type InputKind, openContexts } from "./contexts";
import { csvRow, fileSink, progress, type Sink, stdoutSink } from "./output";

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

/** The flag as the stack declares it (the program run offline, never deployed before: no guard refuses). */
async function declaredFlag(config: StackConfig, loadProgram: ProgramLoader, salt: string | undefined) {
  let flag: EvaluableFlag | undefined;
  try {
    flag = flagOf(planOf(config, await runProgram(config, {}, loadProgram)));
  } catch (error) {
    throw programError(error);
  }
  if (flag === undefined) {
    throw new UsageError(`stack ${config.stack} declares no LaunchDarkly flag targeting: no flag to evaluate`);
  }
  return salt === undefined ? flag : { ...flag, salt };
}

const hasRollout = (flag: EvaluableFlag | undefined) => flag !== undefined && "rollout" in flag.fallthrough;
const rolloutKind = (flag: EvaluableFlag) =>
  ("rollout" in flag.fallthrough ? flag.fallthrough.rollout.contextKind : undefined) ?? "user";

const count = (n: number) => n.toLocaleString("en-US");
/** "10,011 of 100,000 contexts, 10.01%" */
const share = (n: number, total: number) =>
  `${count(n)} of ${count(total)} contexts, ${total === 0 ? "0.00" : ((n / total) * 100).toFixed(2)}%`;

/** How a context is named to people: its key, `kind:key` for another kind than user. */
const labelOf = (record: ContextRecord) => (record.kind === "user" ? record.key : `${record.kind}:${record.key}`);
/** Who a context is, for the duplicate check (a user's key as it is: most files are users). */
const identityOf = (record: ContextRecord) =>
  record.kind === "user" ? record.key : `\u0000${record.kind}\u0000${record.key}`;

/** How one context is written to the list, in the chosen format. */
function rowWriter(file: ContextsFile, format: OutputFormat): { header: string; row: (r: ContextRecord) => string } {
  if (format === "json") {
    return { header: "", row: (r) => `${r.text ?? JSON.stringify(r.context)}\n` };
  }
  if (file.kind === "csv") return { header: csvRow(file.header), row: (r) => csvRow(r.fields ?? []) };
  return { header: csvRow(file.header), row: (r) => csvRow([r.key, r.kind]) };
}

interface Tally {
  total: number;
  servedTrue: number;
  joining: number;
  leaving: number;
  readonly leavers: string[];
}

const BATCH = 2000;
const LEAVERS_NAMED = 10;

/** Streams the file through the evaluators into the sink, in batches; returns the counts. */
async function stream(
  opts: Options,
  file: ContextsFile,
  now: FlagEvaluator,
  before: FlagEvaluator | undefined,
  sink: Sink,
  io: ToolIO,
): Promise<Tally> {
  const tally: Tally = { total: 0, servedTrue: 0, joining: 0, leaving: 0, leavers: [] };
  const writer = rowWriter(file, opts.format);
  if (writer.header !== "") await sink.write(writer.header);
  // Every key seen, for the duplicate check: the one thing held per context (about 60 bytes for a
  // short key: some 60 MB for a million).
  const seen = new Set<string>();
  const bar = progress(io, file.size);
  const evaluate = async (evaluator: FlagEvaluator, record: ContextRecord): Promise<Served> => {
    try {
      return await evaluator.evaluate(record.context);
    } catch (error) {
      if (error instanceof NotEvaluated && error.isInvalidContext) {
        throw new UsageError(`${opts.contexts} line ${record.line}: not a context LaunchDarkly can evaluate`);
      }
      throw error;
    }
  };
  const flush = async (batch: readonly ContextRecord[]) => {
    const served = await Promise.all(batch.map((record) => evaluate(now, record)));
    const served0 = before && (await Promise.all(batch.map((record) => evaluate(before, record))));
    let text = "";
    batch.forEach((record, at) => {
      const on = served[at]?.value === true;
      if (on) tally.servedTrue++;
      if (served0 === undefined) {
        if (on) text += writer.row(record);
        return;
      }
      const wasOn = served0[at]?.value === true;
      if (on && !wasOn) {
        tally.joining++;
        text += writer.row(record);
      } else if (!on && wasOn) {
        tally.leaving++;
        if (tally.leavers.length < LEAVERS_NAMED) tally.leavers.push(labelOf(record));
      }
    });
    if (text !== "") await sink.write(text);
    bar.update(file.bytesRead(), tally.total);
  };
  let batch: ContextRecord[] = [];
  for await (const record of file.records) {
    const identity = identityOf(record);
    if (seen.has(identity)) {
      throw new UsageError(`${opts.contexts} line ${record.line}: duplicate key ${labelOf(record)} (given earlier)`);
    }
    seen.add(identity);
    tally.total++;
    batch.push(record);
    if (batch.length >= BATCH) {
      await flush(batch);
      batch = [];
    }
  }
  await flush(batch);
  bar.done();
  return tally;
}

function baselineLabel(baseline: Baseline): string {
  return baseline.kind === "from" ? `from ${baseline.percentage}%` : `against ${baseline.config.file}`;
}

async function cohort(opts: Options, io: ToolIO, loadProgram: ProgramLoader): Promise<number> {
  const flag = await declaredFlag(opts.config, loadProgram, opts.salt);
  const baseFlag =
    opts.baseline === undefined
      ? undefined
      : await declaredFlag(
          opts.baseline.kind === "from"
            ? withValues(opts.config, { rolloutPercentage: opts.baseline.percentage })
            : opts.baseline.config,
          loadProgram,
          opts.salt,
        );
  if (opts.salt === undefined && (hasRollout(flag) || hasRollout(baseFlag))) {
    io.stderr.write(
      "note: no --salt (or LAUNCHDARKLY_FLAG_SALT): this cohort reproduces the split, not production's exact assignment (see --help: The salt)\n",
    );
  }
  const file = await openContexts(resolve(opts.contexts), opts.input, rolloutKind(flag));
  const now = await FlagEvaluator.start(flag);
  const before = baseFlag && (await FlagEvaluator.start(baseFlag));
  const sink = opts.out === undefined ? stdoutSink(io) : fileSink(opts.out);
  let tally: Tally;
  try {
    tally = await stream(opts, file, now, before, sink, io);
    await sink.commit();
  } catch (error) {
    sink.abort();
    throw error;
  } finally {
    now.close();
    before?.close();
  }
  io.stderr.write(`${share(tally.servedTrue, tally.total)} get ${flag.key} on stack ${opts.config.stack}\n`);
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
