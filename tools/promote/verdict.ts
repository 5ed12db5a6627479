/**
 * The gate's outcome as promote reads it (exit code, `--format json` on stdout, report.md), and
 * the Slack message saying why nothing was proposed. Pure.
 */
import { escape, fitLines, SLACK_LIMITS, type SlackMessage } from "../services/slack";
import type { Step } from "./rung";

export interface GateOutcome {
  readonly code: number;
  /** GO, NO-GO, INCONCLUSIVE…: the JSON's `verdict`, or read from the exit code when there is none. */
  readonly verdict: string;
  readonly failing: readonly string[];
  /** Failing criteria as `title: observed (needs threshold)`. */
  readonly reasons: readonly string[];
  readonly report: string | undefined;
}

interface GateJson {
  readonly verdict?: unknown;
  readonly failing?: unknown;
  readonly criteria?: unknown;
}

function parseJson(stdout: string): GateJson {
  try {
    const parsed: unknown = JSON.parse(stdout);
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

export function gateOutcome(code: number, stdout: string, report: string | undefined): GateOutcome {
  const json = parseJson(stdout);
  const failing = Array.isArray(json.failing) ? json.failing.map(String) : [];
  const criteria = Array.isArray(json.criteria) ? (json.criteria as Record<string, unknown>[]) : [];
  const reasons = criteria
    .filter((c) => c.pass === false)
    .map((c) => `${String(c.title)}: ${String(c.observed)} (needs ${String(c.threshold)})`);
  const verdict =
    typeof json.verdict === "string"
      ? json.verdict
      : code === 0
        ? "GO"
        : /INCONCLUSIVE/.test(stdout)
          ? "INCONCLUSIVE"
          : "NO-GO";
  return { code, verdict, failing, reasons, report };
}

/** Slack mrkdwn: `&`, `<` and `>` are control characters. */
/** Why `step` was not proposed, for Slack's incoming webhook (Block Kit, within Slack's limits). */
export function noPromotionMessage(
  stack: string,
  step: Extract<Step, { kind: "next" }>,
  gate: GateOutcome,
  reportUrl: string | undefined,
): SlackMessage {
  const headline = `Time Crunch promotion of ${stack}: not proposed (gate ${gate.verdict})`;
  const summary =
    `*${escape(gate.verdict)}*: ${escape(stack)} stays at ${String(step.from)}%; ` +
    `${String(step.to)}% is not proposed.` +
    (gate.failing.length > 0 ? ` Failing: ${escape(gate.failing.join(", "))}.` : "");
  const reasons = gate.reasons.map((line) => `:x: ${escape(line)}`);
  return {
    text: `${headline}${gate.failing.length > 0 ? `: failing ${gate.failing.join(", ")}` : ""}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: headline.slice(0, SLACK_LIMITS.headerText) } },
      { type: "section", text: { type: "mrkdwn", text: summary.slice(0, SLACK_LIMITS.sectionText) } },
      ...(reasons.length > 0
        ? [
            {
              type: "section" as const,
              text: { type: "mrkdwn" as const, text: fitLines(reasons, SLACK_LIMITS.sectionText) },
            },
          ]
        : []),
      ...(reportUrl !== undefined
        ? [{ type: "section" as const, text: { type: "mrkdwn" as const, text: `<${reportUrl}|Full report>` } }]
        : []),
    ],
  };
}
