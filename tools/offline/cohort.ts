/**
 * Who gets the flag, context by context: the flag a stack declares (the program run offline, as
 * the plan runs it) evaluated by LaunchDarkly's own server SDK over a contexts file, streamed, and
 * compared with a baseline config (who joins, who leaves). `npm run cohort` lists the contexts;
 * `npm run promote --contexts` counts those who join at the proposed rung.
 */
import type { StackConfig } from "../../components/config/stackFile";
import { UsageError } from "../cli/runner";
import { type ContextRecord, openContexts, type InputKind } from "./contexts";
import { type ProgramLoader, runProgram } from "./engine";
import { FlagEvaluator, NotEvaluated, type Served } from "./flagEvaluator";
import type { EvaluableFlag } from "./launchDarklyFlag";
import { flagOf, planOf } from "./plan";
import { programError } from "./programError";

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

/** How a context is named to people: its key, `kind:key` for another kind than user. */
const labelOf = (record: ContextRecord) => (record.kind === "user" ? record.key : `${record.kind}:${record.key}`);
/** Who a context is, for the duplicate check (a user's key as it is: most files are users). */
const identityOf = (record: ContextRecord) =>
  record.kind === "user" ? record.key : `\u0000${record.kind}\u0000${record.key}`;

export interface CohortTally {
  total: number;
  servedTrue: number;
  /** With a baseline: served true now, not by the baseline. */
  joining: number;
  /** With a baseline: served true by the baseline, not now. */
  leaving: number;
  /** The first few who leave, named. */
  readonly leavers: string[];
}

export interface CohortRun {
  /** The stack config whose flag is evaluated. */
  readonly config: StackConfig;
  /** What it is compared with: who joins and who leaves are counted against this config's flag. */
  readonly baseline?: StackConfig | undefined;
  /** The contexts file: its path as given (named in messages), and its kind. */
  readonly contexts: string;
  readonly input: InputKind;
  /** The flag's salt in LaunchDarkly (undefined: the split is reproduced, not the exact assignment). */
  readonly salt: string | undefined;
  readonly loadProgram: ProgramLoader;
  /** Called once the flags are declared and the file is open, before any context is evaluated. */
  readonly start?: (started: CohortStart) => Promise<void>;
  /** The contexts listed, a batch at a time, in the file's order: served true, or with a baseline those joining. */
  readonly list?: (records: readonly ContextRecord[]) => Promise<void>;
  /** After each batch: the bytes read of `size`, and the contexts so far. */
  readonly progress?: { begin(size: number): { update(read: number, contexts: number): void; done(): void } };
}

export interface CohortStart {
  /** The flag's key. */
  readonly flagKey: string;
  /** The file's columns (CSV), or those a CSV of its contexts has (`key`, `kind`). */
  readonly header: readonly string[];
  /** Whether a percentage rollout is evaluated without the flag's salt: the split, not the exact assignment. */
  readonly reproducesSplit: boolean;
}

export interface Cohort extends CohortStart {
  readonly tally: CohortTally;
}

const BATCH = 2000;
const LEAVERS_NAMED = 10;

/**
 * Evaluates the flag of `run.config` (and of the baseline) for every context of the file, as
 * LaunchDarkly's SDK serves it; bad input stops it with a UsageError naming the line (a duplicate
 * key, a context LaunchDarkly cannot evaluate, and what openContexts refuses).
 */
export async function evaluateCohort(run: CohortRun): Promise<Cohort> {
  const flag = await declaredFlag(run.config, run.loadProgram, run.salt);
  const baseFlag = run.baseline && (await declaredFlag(run.baseline, run.loadProgram, run.salt));
  const file = await openContexts(run.contexts, run.input, rolloutKind(flag));
  const now = await FlagEvaluator.start(flag);
  const before = baseFlag && (await FlagEvaluator.start(baseFlag));
  const started: CohortStart = {
    flagKey: flag.key,
    header: file.header,
    reproducesSplit: run.salt === undefined && (hasRollout(flag) || hasRollout(baseFlag)),
  };
  try {
    await run.start?.(started);
    const tally: CohortTally = { total: 0, servedTrue: 0, joining: 0, leaving: 0, leavers: [] };
    // Every key seen, for the duplicate check: the one thing held per context (about 60 bytes for a
    // short key: some 60 MB for a million).
    const seen = new Set<string>();
    const bar = run.progress?.begin(file.size);
    const evaluate = async (evaluator: FlagEvaluator, record: ContextRecord): Promise<Served> => {
      try {
        return await evaluator.evaluate(record.context);
      } catch (error) {
        if (error instanceof NotEvaluated && error.isInvalidContext) {
          throw new UsageError(`${run.contexts} line ${record.line}: not a context LaunchDarkly can evaluate`);
        }
        throw error;
      }
    };
    const flush = async (batch: readonly ContextRecord[]) => {
      const served = await Promise.all(batch.map((record) => evaluate(now, record)));
      const served0 = before && (await Promise.all(batch.map((record) => evaluate(before, record))));
      const listed: ContextRecord[] = [];
      batch.forEach((record, at) => {
        const on = served[at]?.value === true;
        if (on) tally.servedTrue++;
        if (served0 === undefined) {
          if (on) listed.push(record);
          return;
        }
        const wasOn = served0[at]?.value === true;
        if (on && !wasOn) {
          tally.joining++;
          listed.push(record);
        } else if (!on && wasOn) {
          tally.leaving++;
          if (tally.leavers.length < LEAVERS_NAMED) tally.leavers.push(labelOf(record));
        }
      });
      if (listed.length > 0) await run.list?.(listed);
      bar?.update(file.bytesRead(), tally.total);
    };
    let batch: ContextRecord[] = [];
    for await (const record of file.records) {
      const identity = identityOf(record);
      if (seen.has(identity)) {
        throw new UsageError(`${run.contexts} line ${record.line}: duplicate key ${labelOf(record)} (given earlier)`);
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
    bar?.done();
    return { ...started, tally };
  } finally {
    now.close();
    before?.close();
  }
}
