/**
 * The one shape of a command-line tool here (plan, policy, gate, promotion-change): a `Tool`
 * declares its flags, its help and what it does; `toolMain` turns it into
 * `main(argv, env, io) => exit code`, which the launcher runs and the tests call in process.
 *
 * The runner owns what every tool must do the same way: parse the arguments (node:util
 * `parseArgs`, strict), answer `--help`, check `--format`, map errors to the exit codes
 * (0 fine, 1 a negative verdict, 2 bad input or an unreachable dependency), and never print a
 * stack trace for a user's mistake or a dependency that cannot be reached.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { StackConfigError } from "../../components/config/schema";
import { durationSeconds } from "../../components/observability/metrics";
import { StackFileError } from "../../components/config/stackFile";

/** The exit codes every tool uses. */
export const ExitCode = { Fine: 0, Negative: 1, BadInput: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where a tool writes: results on stdout, messages and progress on stderr. */
export interface ToolIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Called once the tool knows the longest it may take, with that bound (the launcher arms a watchdog). */
  readonly onBound?: (seconds: number) => void;
  /** The clock, in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

export type ToolMain = (argv: readonly string[], env: NodeJS.ProcessEnv, io: ToolIO) => Promise<number>;

/** A mistake in how a tool was called or in what it was given (a flag, a file, a config value): exit 2. */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
}

/** A dependency that cannot be reached, answers with errors or too slowly (Prometheus, Slack): exit 2. */
export class Unreachable extends Error {
  override readonly name: string = "Unreachable";
}

/** A negative verdict told as a message rather than a report (the rollout guards refuse): exit 1. */
export class Refusal extends Error {
  override readonly name: string = "Refusal";
}

/** The output formats every tool takes with `--format`. */
export const FORMATS = ["text", "markdown", "json"] as const;
export type Format = (typeof FORMATS)[number];

/** `--format`'s value, or a usage error naming what is allowed. */
export function formatOf(value: string | undefined): Format {
  const format = FORMATS.find((f) => f === (value ?? "text"));
  if (format === undefined) throw new UsageError(`--format ${String(value)}: allowed: ${FORMATS.join(", ")}`);
  return format;
}

/**
 * The ports fetch refuses to connect to (the WHATWG Fetch standard's "bad ports": SSH, SMTP, X11,
 * IRC, …). Node's fetch (undici) fails on them without a connection, which a tool would otherwise
 * report as an outage after its retries: they are a mistake in the URL, refused before any request.
 */
const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/**
 * `value` when it is an http or https URL on a port fetch connects to, else a usage error naming
 * `what` (the flag or environment variable that gave it). The value is echoed only when `shown`
 * (a URL may carry credentials: Prometheus', a webhook's); the port always is.
 */
export function httpUrl(what: string, value: string, shown = false): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const named = `${what}${shown ? ` ${value}` : ""}`;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    const scheme = url === undefined ? "" : ` (not ${url.protocol.slice(0, -1)})`;
    throw new UsageError(`${named}: allowed: an http or https URL${scheme}`);
  }
  if (url.port !== "" && FETCH_BAD_PORTS.has(Number(url.port))) {
    throw new UsageError(
      `${named}: port ${url.port} is one fetch never connects to (a "bad port" of the WHATWG Fetch standard); allowed: an http or https URL on another port`,
    );
  }
  return value;
}

/**
 * A URL from flag `--flag` or, when the flag is absent or empty, from environment variable
 * `variable`, checked by `httpUrl` under the name of whichever gave it; undefined when neither did.
 */
export function urlFlagOrEnv(
  flag: string,
  given: string | undefined,
  variable: string,
  env: NodeJS.ProcessEnv,
  shown = false,
): string | undefined {
  const fromFlag = nonEmpty(given);
  if (fromFlag !== undefined) return httpUrl(`--${flag}`, fromFlag, shown);
  const fromEnv = nonEmpty(env[variable]);
  return fromEnv === undefined ? undefined : httpUrl(variable, fromEnv, shown);
}

/** A duration flag's value in seconds (`30s`, `15m`, `2h`), or a usage error naming the flag. */
export function durationFlag(flag: string, value: string | undefined): number {
  const parsed = value === undefined ? undefined : durationSeconds(value);
  if (parsed === undefined || parsed <= 0) {
    throw new UsageError(`--${flag} ${String(value)}: allowed: a duration such as 30s, 15m or 2h`);
  }
  return parsed;
}

/** A pull request number flag's value (`--pr 42`), or a usage error naming the flag. */
export function pullRequestFlag(flag: string, value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value))
    throw new UsageError(`--${flag} ${value}: allowed: a pull request's number (1 or more)`);
  return Number(value);
}

/** A time flag's value in Unix seconds: RFC 3339 (`2026-01-02T08:00:00Z`) or Unix seconds, or a usage error. */
export function timeFlag(flag: string, value: string): number {
  const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i;
  const unix = /^\d+(\.\d+)?$/.test(value) ? Number(value) : rfc3339.test(value) ? Date.parse(value) / 1000 : NaN;
  if (!Number.isFinite(unix)) {
    throw new UsageError(`--${flag} ${value}: allowed: RFC 3339 (2026-01-02T08:00:00Z) or Unix seconds`);
  }
  return unix;
}

/** An environment variable or flag as given, or undefined when it is unset or empty (CI sets empty ones). */
export const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value;

/** How a tool renders its result in each `--format`: JSON from a plain object, the others as text. */
export interface Renderers<R> {
  readonly text: (result: R) => string;
  readonly markdown: (result: R) => string;
  readonly json: (result: R) => unknown;
}

/** Writes `result` to stdout in `format`. */
export function writeResult<R>(io: ToolIO, format: Format, result: R, render: Renderers<R>): void {
  const text = format === "json" ? JSON.stringify(render.json(result), null, 2) : render[format](result);
  io.stdout.write(`${text}\n`);
}

type Flags = ParseArgsOptionsConfig;

/** Each flag's value as `parseArgs` gives it: a boolean, a string, or the strings of a repeated flag. */
export type FlagValues<F extends Flags> = {
  readonly [K in keyof F]?: F[K] extends { type: "boolean" }
    ? boolean
    : F[K] extends { multiple: true }
      ? string[]
      : string;
};

/** What a tool's `run` receives: its flags' values and its other arguments. */
export interface Parsed<F extends Flags> {
  readonly values: FlagValues<F>;
  readonly positionals: readonly string[];
}

export interface Tool<F extends Flags> {
  /** The tool's name, as its unexpected failures are reported (`<name> failed: …`). */
  readonly name: string;
  /** Put before each expected error message (the gate's `gate: `); empty for the others. */
  readonly messagePrefix?: string;
  /** What `--help` prints. */
  readonly help: string;
  /** Its flags (`--help` is added); a flag not listed is a usage error. */
  readonly flags: F;
  /** Whether it takes arguments that are not flags (files). */
  readonly positionals?: boolean;
  /** Does the work; returns the exit code. Throws UsageError, Unreachable or Refusal for the expected failures. */
  run(args: Parsed<F>, env: NodeJS.ProcessEnv, io: ToolIO): Promise<number>;
}

/** The errors a tool may end with, mapped to their exit code; anything else is a bug (exit 1 with the trace). */
function expectedExitCode(error: unknown): ExitCode | undefined {
  if (
    error instanceof UsageError ||
    error instanceof Unreachable ||
    error instanceof StackConfigError ||
    error instanceof StackFileError
  ) {
    return ExitCode.BadInput;
  }
  if (error instanceof Refusal) return ExitCode.Negative;
  return undefined;
}

/** The tool as `main(argv, env, io)`: never throws, returns the exit code. */
export function toolMain<F extends Flags>(tool: Tool<F>): ToolMain {
  return async (argv, env, io) => {
    try {
      let parsed: Parsed<F>;
      try {
        const result = parseArgs({
          args: [...argv],
          options: { ...tool.flags, help: { type: "boolean", default: false } },
          allowPositionals: tool.positionals === true,
          strict: true,
        });
        parsed = { values: result.values, positionals: result.positionals };
      } catch (error) {
        throw new UsageError(`${(error as Error).message} (see --help)`);
      }
      if ((parsed.values as { readonly help?: boolean }).help === true) {
        io.stdout.write(`${tool.help}\n`);
        return ExitCode.Fine;
      }
      return await tool.run(parsed, env, io);
    } catch (error) {
      const code = expectedExitCode(error);
      if (code !== undefined) {
        io.stderr.write(`${tool.messagePrefix ?? ""}${(error as Error).message}\n`);
        return code;
      }
      io.stderr.write(
        `${tool.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return ExitCode.Negative;
    }
  };
}
