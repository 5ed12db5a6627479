/**
 * A contexts file (`npm run cohort`, `npm run promote -- --contexts`), read as a stream (one record
 * at a time, never the whole file): a CSV with a header naming a `key` column (csv-parse, RFC 4180
 * quoting), or JSON lines of LaunchDarkly contexts. Every mistake in it is a UsageError naming the file and the line.
 */
import { accessSync, constants, createReadStream, statSync, type ReadStream } from "node:fs";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { CsvError, parse } from "csv-parse";
import { UsageError } from "../cli/runner";
import type { LDContext } from "./flagEvaluator";

export const INPUT_KINDS = { ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl" } as const;
export type InputKind = (typeof INPUT_KINDS)[keyof typeof INPUT_KINDS];

/** One context of the file. */
export interface ContextRecord {
  /** The line it is on (its last line, for a CSV record with a quoted line break). */
  readonly line: number;
  readonly context: LDContext;
  /**
   * Who it is: its kind and key; a multi-kind context is shown by its context of the kind the flag
   * targets (kind `multi` and every `kind:key` when it has none).
   */
  readonly kind: string;
  readonly key: string;
  /** The CSV row's fields, as given (CSV input). */
  readonly fields?: readonly string[];
  /** The JSON line, as given (JSONL input). */
  readonly text?: string;
}

/** An open contexts file: its columns (CSV), its records, and how much of it was read. */
export interface ContextsFile {
  readonly kind: InputKind;
  /** The CSV header; for JSONL the columns a CSV of its contexts has (`key`, `kind`). */
  readonly header: readonly string[];
  readonly records: AsyncIterable<ContextRecord>;
  readonly size: number;
  /** Bytes read so far. */
  bytesRead(): number;
}

/** The input kind of `file` by its extension, or a usage error; and the file must be a readable file. */
export function contextsFileKind(file: string): InputKind {
  const extension = extname(file).toLowerCase();
  const kind = Object.entries(INPUT_KINDS).find(([ext]) => ext === extension)?.[1];
  if (kind === undefined) {
    throw new UsageError(`--contexts ${file}: allowed: a .csv, .jsonl or .ndjson file (the extension tells which)`);
  }
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw new Error("not a file");
  } catch (error) {
    throw new UsageError(`--contexts ${file}: cannot read it (${(error as Error).message})`);
  }
  return kind;
}

/**
 * Opens `file` for streaming. `targetKind` is the context kind the flag targets (its rollout's
 * contextKind, else user): a multi-kind context is shown by its context of that kind.
 */
export async function openContexts(file: string, kind: InputKind, targetKind: string): Promise<ContextsFile> {
  const stream = createReadStream(file);
  const size = statSync(file).size;
  const bytesRead = () => stream.bytesRead;
  if (kind === "jsonl") {
    return { kind, header: ["key", "kind"], records: jsonLines(file, stream, targetKind), size, bytesRead };
  }
  const { header, records } = await csvRecords(file, stream);
  return { kind, header, records, size, bytesRead };
}

function readFailure(file: string, error: unknown): never {
  if (error instanceof UsageError) throw error;
  if (error instanceof CsvError) {
    const lines = (error as CsvError & { readonly lines?: number }).lines;
    throw new UsageError(`${file}${lines === undefined ? "" : ` line ${lines}`}: ${error.message}`);
  }
  if (error instanceof Error && "code" in error && typeof error.code === "string") {
    throw new UsageError(`--contexts ${file}: cannot read it (${error.message})`);
  }
  throw error;
}

interface CsvRow {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** The CSV's header (checked) and its records as contexts: kind user unless a `kind` column says otherwise. */
async function csvRecords(
  file: string,
  stream: ReadStream,
): Promise<{ header: readonly string[]; records: AsyncIterable<ContextRecord> }> {
  const rows = stream.pipe(parse({ bom: true, info: true, skip_empty_lines: true }));
  stream.on("error", (error) => rows.destroy(error));
  const iterator = (rows as AsyncIterable<CsvRow>)[Symbol.asyncIterator]();
  let first: IteratorResult<CsvRow>;
  try {
    first = await iterator.next();
  } catch (error) {
    readFailure(file, error);
  }
  if (first.done === true) throw new UsageError(`${file}: empty; expected a header naming a key column`);
  const header = first.value.record;
  try {
    checkHeader(file, header, first.value.info.lines);
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const keyAt = header.indexOf("key");
  const kindAt = header.indexOf("kind");
  const attributes = header.map((name, at) => (at === keyAt || at === kindAt ? undefined : name));

  async function* records(): AsyncGenerator<ContextRecord> {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        const { record, info } = next.value;
        const key = record[keyAt] ?? "";
        if (key === "") throw new UsageError(`${file} line ${info.lines}: empty key`);
        const contextKind = kindAt < 0 || record[kindAt] === "" ? "user" : (record[kindAt] ?? "user");
        const context: Record<string, string> = { kind: contextKind, key };
        for (let at = 0; at < attributes.length; at++) {
          const name = attributes[at];
          const value = record[at];
          // An empty cell is an attribute the context does not have.
          if (name !== undefined && value !== undefined && value !== "") context[name] = value;
        }
        yield { line: info.lines, context: context as LDContext, kind: contextKind, key, fields: record };
      }
    } catch (error) {
      readFailure(file, error);
    } finally {
      stream.destroy();
    }
  }
  return { header, records: records() };
}

/** The header names every column once, one of them key. */
function checkHeader(file: string, header: readonly string[], line: number): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (name === "") throw new UsageError(`${file} line ${line}: a column without a name in the header`);
    if (seen.has(name)) throw new UsageError(`${file} line ${line}: column ${name} appears twice in the header`);
    seen.add(name);
  }
  if (!seen.has("key")) {
    throw new UsageError(
      `${file} line ${line}: no key column in the header (${header.join(",")}); the first line names the columns, one of them key`,
    );
  }
}

/** JSON lines of LaunchDarkly contexts: one object a line (`{"kind":"user","key":…}` or multi-kind); blank lines skipped. */
async function* jsonLines(file: string, stream: ReadStream, targetKind: string): AsyncGenerator<ContextRecord> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      const text = raw.trim();
      if (text === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new UsageError(`${file} line ${line}: not JSON (${(error as Error).message})`);
      }
      yield { line, text, ...checkedContext(parsed, targetKind, `${file} line ${line}`) };
    }
  } catch (error) {
    readFailure(file, error);
  } finally {
    lines.close();
    stream.destroy();
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function keyOf(context: Record<string, unknown>, where: string, kind: string): string {
  const key = context.key;
  if (key === undefined) throw new UsageError(`${where}: no key (the ${kind} context)`);
  if (typeof key !== "string") throw new UsageError(`${where}: the key of the ${kind} context is not a string`);
  if (key === "") throw new UsageError(`${where}: empty key (the ${kind} context)`);
  return key;
}

/** The context checked for what the cohort needs (a key per kind), and how it is named. */
function checkedContext(
  value: unknown,
  targetKind: string,
  where: string,
): Pick<ContextRecord, "context" | "kind" | "key"> {
  if (!isObject(value)) throw new UsageError(`${where}: not a LaunchDarkly context (a JSON object with kind and key)`);
  const kind = value.kind ?? "user";
  if (typeof kind !== "string") throw new UsageError(`${where}: kind is not a string`);
  if (kind !== "multi") {
    return { context: value as LDContext, kind, key: keyOf(value, where, kind) };
  }
  const kinds = Object.keys(value)
    .filter((name) => name !== "kind")
    .sort();
  if (kinds.length === 0) throw new UsageError(`${where}: a multi-kind context with no context in it`);
  const keys = kinds.map((name) => {
    const member = value[name];
    if (!isObject(member)) throw new UsageError(`${where}: ${name} of the multi-kind context is not an object`);
    return `${name}:${keyOf(member, where, name)}`;
  });
  // Shown by its context of the kind the flag targets, when it has one (that is who gets the flag).
  const target = value[targetKind];
  return isObject(target)
    ? { context: value as LDContext, kind: targetKind, key: String(target.key) }
    : { context: value as LDContext, kind: "multi", key: keys.join(",") };
}

/** "10,011 of 100,000 contexts, 10.01%" */
export function share(n: number, total: number): string {
  const count = (value: number) => value.toLocaleString("en-US");
  return `${count(n)} of ${count(total)} contexts, ${total === 0 ? "0.00" : ((n / total) * 100).toFixed(2)}%`;
}
