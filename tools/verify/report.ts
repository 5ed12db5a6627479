/**
 * `npm run verify`'s output: text, markdown, JSON (a stable shape) and the Slack summary. Pure.
 * Nothing here ever holds a token: sources are shown as scheme, host and path.
 */
import { escape, fitLines, header, section, SLACK_LIMITS, type Block, type SlackMessage } from "../services/slack";
import { verdictOf, type CheckResult } from "../verification/checks";

export interface VerifyRun {
  readonly stack: string;
  readonly results: readonly CheckResult[];
}

const MARK = { pass: "PASS", fail: "FAIL", skipped: "SKIP" } as const;
const EMOJI = { pass: ":white_check_mark:", fail: ":x:", skipped: ":heavy_minus_sign:" } as const;

function summary(run: VerifyRun): string {
  const failing = run.results.filter((r) => r.status === "fail").map((r) => r.name);
  const skipped = run.results.filter((r) => r.status === "skipped").map((r) => r.name);
  const head =
    failing.length === 0 ? `what runs is what stack ${run.stack} declares` : `failing: ${failing.join(", ")}`;
  return skipped.length === 0 ? head : `${head} (skipped: ${skipped.join(", ")})`;
}

export function renderText(run: VerifyRun): string {
  const lines = [`verify ${run.stack}: ${verdictOf(run.results).toUpperCase()}, ${summary(run)}`, ""];
  for (const r of run.results) {
    lines.push(`${MARK[r.status]}  ${r.name}  (${r.source})`);
    lines.push(`      expected: ${r.expected}`);
    lines.push(`      found:    ${r.found}`);
  }
  return lines.join("\n");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(run: VerifyRun): string {
  return [
    `## Verify ${run.stack}: ${verdictOf(run.results).toUpperCase()}`,
    "",
    `${summary(run)}.`,
    "",
    "| check | status | expected | found | source |",
    "| ----- | ------ | -------- | ----- | ------ |",
    ...run.results.map(
      (r) => `| \`${r.name}\` | ${MARK[r.status]} | ${cell(r.expected)} | ${cell(r.found)} | ${cell(r.source)} |`,
    ),
  ].join("\n");
}

/** The JSON shape: `{stack, checks: [{name, status, expected, found, source}], verdict}`. */
export function reportJson(run: VerifyRun) {
  return {
    stack: run.stack,
    checks: run.results.map(({ name, status, expected, found, source }) => ({ name, status, expected, found, source })),
    verdict: verdictOf(run.results),
  };
}

export function slackMessage(run: VerifyRun): SlackMessage {
  const verdict = verdictOf(run.results).toUpperCase();
  const lines = run.results.map((r) =>
    r.status === "fail"
      ? `${EMOJI[r.status]} *${r.name}*: found ${escape(r.found)} (expected ${escape(r.expected)})`
      : `${EMOJI[r.status]} *${r.name}*: ${escape(r.status === "skipped" ? r.found : "as declared")}`,
  );
  const blocks: Block[] = [
    header(`Time Crunch verify ${run.stack}: ${verdict}`),
    section(`*${verdict}*: ${escape(summary(run))}.`),
    section(fitLines(lines, SLACK_LIMITS.sectionText)),
  ];
  return { text: `Time Crunch verify ${run.stack}: ${verdict} (${summary(run)})`, blocks };
}
