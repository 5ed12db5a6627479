/**
 * Where `npm run cohort` writes its list, as it goes: stdout, or `--out FILE` through a temporary
 * file in the same folder renamed into place at the end (a failed run leaves no file, and never
 * half of one). Also the CSV quoting of a row and the progress bar (stderr, only on a terminal).
 */
import { once } from "node:events";
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { UsageError, type ToolIO } from "../cli/runner";

export interface Sink {
  /** Writes `text`, waiting while the destination is behind. */
  write(text: string): Promise<void>;
  /** Everything was written: the file takes its name. */
  commit(): Promise<void>;
  /** The run failed: nothing is left behind. */
  abort(): void;
}

/** A CSV row (RFC 4180): a field with a comma, a quote, a line break or outer spaces is quoted. */
export function csvRow(fields: readonly string[]): string {
  return `${fields.map((field) => (/[",\r\n]|^\s|\s$/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(",")}\n`;
}

interface Drainable {
  once(event: "drain", listener: () => void): unknown;
}
const drainable = (sink: unknown): sink is Drainable =>
  typeof sink === "object" && sink !== null && typeof (sink as { once?: unknown }).once === "function";

/** The tool's stdout, waiting for it to drain when it is a stream (a pipe into a slow reader). */
export function stdoutSink(io: ToolIO): Sink {
  return {
    write: async (text) => {
      if (io.stdout.write(text) === false && drainable(io.stdout)) await once(io.stdout as never, "drain");
    },
    commit: () => Promise.resolve(),
    abort: () => undefined,
  };
}

/** `--out FILE`: its folder must exist; written aside (`.FILE.PID.tmp`), renamed at commit. */
export function fileSink(out: string): Sink {
  const folder = dirname(out);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UsageError(`--out ${out}: no folder ${folder}`);
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out}: a folder, not a file`);
  const scratch = join(folder, `.${basename(out)}.${process.pid}.tmp`);
  const stream = createWriteStream(scratch, { flags: "w" });
  let failure: Error | undefined;
  stream.on("error", (error) => (failure = error));
  const failed = (error: unknown) => new UsageError(`--out ${out}: cannot write it (${(error as Error).message})`);
  return {
    write: async (text) => {
      if (failure !== undefined) throw failed(failure);
      if (!stream.write(text)) {
        try {
          await once(stream, "drain");
        } catch (error) {
          throw failed(error);
        }
      }
    },
    commit: async () => {
      stream.end();
      try {
        await finished(stream);
        renameSync(scratch, out);
      } catch (error) {
        rmSync(scratch, { force: true });
        throw failed(error);
      }
    },
    abort: () => {
      stream.destroy();
      rmSync(scratch, { force: true });
    },
  };
}

/** A progress bar on stderr, redrawn at most every 200 ms, when stderr is a terminal; else nothing. */
export function progress(io: ToolIO, size: number): { update(read: number, contexts: number): void; done(): void } {
  if (io.stderr.isTTY !== true) return { update: () => undefined, done: () => undefined };
  const now = io.now ?? Date.now;
  let shown = 0;
  const width = 30;
  return {
    update: (read, contexts) => {
      if (now() - shown < 200) return;
      shown = now();
      const share = size === 0 ? 1 : Math.min(read / size, 1);
      const filled = Math.round(share * width);
      const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
      io.stderr.write(
        `\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${contexts.toLocaleString("en-US")} contexts`,
      );
    },
    done: () => {
      if (shown !== 0) io.stderr.write("\r\x1b[K");
    },
  };
}
