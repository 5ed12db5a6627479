/**
 * The verdict summary for Slack (`--post-to-slack`): a Block Kit message for an incoming webhook,
 * within Slack's limits. The webhook URL is a secret: it is used for the request and appears in no
 * message, output or file.
 */
import { Unreachable } from "../cli/runner";
import type { CriterionVerdict } from "../../components/soak/soakCriteria";
import { formatTime, incidentLines, soakLine, verdictWord, type GateRun } from "../soakEvaluation/report";

/** Slack's limits for messages and blocks (api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000 } as const;

/** How long the post may take. */
export const SLACK_TIMEOUT_MS = 5_000;

type TextObject = { type: "mrkdwn" | "plain_text"; text: string };
export type Block =
  | { type: "header"; text: TextObject }
  | { type: "section"; text: TextObject }
  | { type: "context"; elements: TextObject[] }
  | { type: "divider" };

export interface SlackMessage {
  /** Shown in notifications and where blocks cannot be. */
  readonly text: string;
  readonly blocks: readonly Block[];
}

/** The posting failed: the verdict stands, but nobody was told (exit 2). */
export class SlackPostFailed extends Unreachable {
  override readonly name = "SlackPostFailed";
}

/** Slack mrkdwn: `&`, `<` and `>` are control characters. */
export const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** At most `limit` characters: whole lines, then a note of how many were left out. */
export function fitLines(lines: readonly string[], limit: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const [index, line] of lines.entries()) {
    const more = `… and ${lines.length - index} more`;
    const needed = length + line.length + 1 + (index < lines.length - 1 ? more.length + 1 : 0);
    if (needed > limit) {
      kept.push(more);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join("\n").slice(0, limit);
}

/** A mrkdwn section, cut to Slack's limit. */
export const section = (text: string): Block => ({
  type: "section",
  text: { type: "mrkdwn", text: text.slice(0, SLACK_LIMITS.sectionText) },
});

/** A header block, cut to Slack's limit. */
export const header = (text: string): Block => ({
  type: "header",
  text: { type: "plain_text", text: text.slice(0, SLACK_LIMITS.headerText) },
});

/** One criterion as a line: pass or fail, what was observed, what it needs. */
export const criterionLine = (c: Pick<CriterionVerdict, "title" | "observed" | "threshold" | "pass">) =>
  `${c.pass ? ":white_check_mark:" : ":x:"} *${escape(c.title)}*: ${escape(c.observed)} (needs ${escape(c.threshold)})`;

/** The links to the dashboard and the full report, as one section (none without either). */
export function linksSection(links: {
  readonly dashboardUrl?: string | undefined;
  readonly reportUrl?: string | undefined;
}): Block[] {
  const items = [
    links.dashboardUrl ? `<${links.dashboardUrl}|Dashboard>` : undefined,
    links.reportUrl ? `<${links.reportUrl}|Full report>` : undefined,
  ].filter((item) => item !== undefined);
  return items.length > 0 ? [section(items.join("  ·  "))] : [];
}

export function slackMessage(run: GateRun, links: { readonly reportUrl?: string | undefined } = {}): SlackMessage {
  const { verdict } = run;
  const word = verdictWord(verdict);
  const summary = verdict.go
    ? "every criterion passed"
    : verdict.outcome === "INCONCLUSIVE"
      ? "the regression criterion is inconclusive (too few samples)"
      : `failing: ${verdict.failing.join(", ")}`;
  const criteria = verdict.criteria.map(criterionLine);
  const incidents = verdict.criteria.flatMap(incidentLines).map((line) => `• ${escape(line)}`);
  const blocks: Block[] = [
    header(`Time Crunch soak gate: ${word}`),
    section(`*${word}*: ${escape(summary)}.\n${escape(soakLine(verdict))}`),
    section(fitLines(criteria, SLACK_LIMITS.sectionText)),
    ...(incidents.length > 0
      ? [section(`*When and how long*\n${fitLines(incidents, SLACK_LIMITS.sectionText - 25)}`)]
      : []),
    ...linksSection({ dashboardUrl: run.dashboardUrl, reportUrl: links.reportUrl }),
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: escape(
            `Window ${verdict.window.text}, ${formatTime(verdict.window.start)} to ${formatTime(verdict.window.end)}; thresholds of ${run.stack === undefined ? "the defaults" : `stack ${run.stack}`}.`,
          ),
        },
      ],
    },
  ];
  return { text: `Time Crunch soak gate: ${word} (${summary})`, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** Posts to the incoming webhook; throws {@link SlackPostFailed} without ever showing the URL. */
export async function postToSlack(webhookUrl: string, message: SlackMessage): Promise<void> {
  let response: Response;
  try {
    response = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(SLACK_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${SLACK_TIMEOUT_MS / 1000} s`
        : (cause ?? "connection failed");
    throw new SlackPostFailed(`could not post to Slack (SLACK_WEBHOOK_URL): ${reason}`);
  }
  const answer = (await response.text()).replaceAll(webhookUrl, "[secret]").slice(0, 200);
  if (!response.ok) {
    throw new SlackPostFailed(`Slack refused the post (SLACK_WEBHOOK_URL): HTTP ${response.status} ${escape(answer)}`);
  }
}
