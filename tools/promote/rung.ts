/**
 * The pure decisions of `npm run promote`: what the next rung is, how the pull request is named,
 * and the one-line edit of the stack file. No I/O, no GitHub.
 */
import { parseYaml } from "../../components/config/yamlText";
import { nextRung } from "../../components/rollout/guards";
import { Targeting } from "../../components/rollout/targeting";
import { UsageError } from "../cli/runner";
import { share } from "../offline/contexts";

/** The config a promotion decides on (from `parsedConfigOf` of the stack file on the default branch). */
export interface RolloutConfig {
  readonly targeting: Targeting;
  readonly rolloutPercentage: number;
  readonly rolloutLadder: readonly number[];
}

export type Step =
  | { readonly kind: "next"; readonly from: number; readonly to: number }
  | { readonly kind: "complete"; readonly at: number }
  | { readonly kind: "off"; readonly at: number };

/** The next rung to propose, or why there is none (targeting off, or the top of the ladder). */
export function nextStep(config: RolloutConfig): Step {
  if (config.targeting === Targeting.Off) return { kind: "off", at: config.rolloutPercentage };
  const to = nextRung(config.rolloutLadder, config.rolloutPercentage);
  return to === undefined
    ? { kind: "complete", at: config.rolloutPercentage }
    : { kind: "next", from: config.rolloutPercentage, to };
}

/** The branch the proposal lives on: one per stack and rung, so a second run finds it. */
export function branchName(stack: string, to: number): string {
  return `rollout/${stack}-${String(to)}`;
}

/** The pull request's title, e.g. `beta: 10% → 25%`. */
export function pullTitle(stack: string, from: number, to: number): string {
  return `${stack}: ${String(from)}% → ${String(to)}%`;
}

/** The stack config file in the repository (at its root, next to Pulumi.yaml). */
export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** A stack file that cannot be edited safely (no or several rolloutPercentage lines, or an edit that does not re-parse): exit 2. */
export class StackEditError extends UsageError {
  override readonly name: string = "StackEditError";
}

const PROJECT_KEY = "stream5-time-crunch:rolloutPercentage";
/** `  stream5-time-crunch:rolloutPercentage: 10  # comment` (the value plain or quoted). */
const LINE = /^(\s+(?:stream5-time-crunch:)?rolloutPercentage:[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s#]+)([ \t]*(?:#.*)?)$/;

function configOf(text: string): Record<string, unknown> {
  const parsed = parseYaml(text) as { config?: Record<string, unknown> } | null;
  return { ...(parsed?.config ?? {}) };
}

/**
 * The stack file with only `rolloutPercentage` set to `to`: the one line replaced, every comment,
 * key and blank line kept. Checked by re-parsing: the result must be the same YAML with only that
 * value changed.
 */
export function withRolloutPercentage(text: string, to: number): string {
  const lines = text.split("\n");
  const at = lines.flatMap((line, index) => (LINE.test(line) ? [index] : []));
  if (at.length !== 1) {
    throw new StackEditError(`expected one rolloutPercentage line under config:, found ${String(at.length)}`);
  }
  const index = at[0] ?? 0;
  lines[index] = (lines[index] ?? "").replace(
    LINE,
    (_all, key: string, _value: string, rest: string) => `${key}${String(to)}${rest}`,
  );
  const edited = lines.join("\n");
  const before = configOf(text);
  const after = configOf(edited);
  const key = PROJECT_KEY in before ? PROJECT_KEY : "rolloutPercentage";
  if (after[key] !== to || JSON.stringify({ ...before, [key]: to }) !== JSON.stringify(after)) {
    throw new StackEditError("the edit of rolloutPercentage did not re-parse as that one change");
  }
  return edited;
}

/** GitHub's limit for a pull request body. */
export const BODY_LIMIT = 65_536;

/**
 * The gate's report.md as a pull request body: the SVG links (files next to report.md, not in the
 * pull request) removed; the Mermaid charts GitHub renders stay. Cut to GitHub's limit.
 */
export function pullBody(reportMarkdown: string, header: string): string {
  const report = reportMarkdown.replace(/ · \[SVG\]\(charts\/[^)]*\)/g, "");
  const body = `${header}\n\n${report}`;
  const note = "\n\n… (cut to GitHub's limit; the full report is the gate's report.md)";
  return body.length <= BODY_LIMIT ? body : `${body.slice(0, BODY_LIMIT - note.length)}${note}`;
}

/** Who joins at the proposed rung, counted over a contexts file (`--contexts`). */
export interface Joiners {
  /** The file's name, as the pull request names it. */
  readonly file: string;
  readonly total: number;
  readonly joining: number;
  /** Served at the current rung and not at the proposed one: none, as LaunchDarkly's buckets only grow with the percentage. */
  readonly leaving: number;
  /** Whether the count is of the split only (no flag salt given). */
  readonly reproducesSplit: boolean;
}

/**
 * The pull request's line on who joins: how many of the contexts the rung adds, and the command
 * that lists them for the notification; or, without a contexts file, that nobody counted.
 */
export function joinersLine(stack: string, step: { from: number; to: number }, joiners: Joiners | undefined): string {
  const heading = `**Who joins at ${String(step.to)}%:**`;
  if (joiners === undefined) {
    return `${heading} not counted (no contexts file: \`npm run promote -- --contexts FILE\`, in CI the \`BETA_CONTEXTS_URL\` secret).`;
  }
  const leavers = joiners.leaving === 0 ? "none leave" : `${share(joiners.leaving, joiners.total)} would leave`;
  const split = joiners.reproducesSplit
    ? " Counted without the flag's salt: the split's count, not production's exact assignment."
    : "";
  return (
    `${heading} ${share(joiners.joining, joiners.total)} (of \`${joiners.file}\`); ${leavers}.${split} ` +
    `The list to notify, once this is merged: ` +
    `\`npm run cohort -- --stack ${stack} --contexts ${joiners.file} --from ${String(step.from)} --out joining.csv\`.`
  );
}
