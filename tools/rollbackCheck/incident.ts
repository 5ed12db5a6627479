/**
 * What `npm run rollback-check` tells: the incident record (one GitHub issue per kill, its body
 * rebuilt on every run), the Slack post, and the command line's text, markdown and JSON. Pure.
 * Nothing here holds a token or a webhook URL: sources are shown as scheme, host and path.
 */
import { acceptKillCommand } from "../../components/rollout/guards";
import { formatTime } from "../soakEvaluation/report";
import { escape, fitLines, header, section, SLACK_LIMITS, type Block, type SlackMessage } from "../services/slack";
import { describeAuthor, rollbackVerdict, type Kill, type RollbackStep } from "./rollback";

/** GitHub's limit on an issue body, in characters. */
export const ISSUE_BODY_LIMIT = 65_536;

/** Every incident record carries it, so later runs find it (with the marker) among the issues. */
export const INCIDENT_LABEL = "time-crunch-kill";

/** A Grafana alert rule's state, as its Prometheus-compatible rules API answered it. */
export interface AlertState {
  readonly uid: string;
  readonly title: string;
  /** `firing`, `pending`, `inactive`, … as Grafana says it. */
  readonly state: string;
  /** When its alert became active (Unix seconds), while it is pending or firing. */
  readonly activeAt: number | undefined;
}

/** Everything one run found about one kill. */
export interface KillReport {
  readonly stack: string;
  readonly flag: { readonly project: string; readonly environment: string; readonly key: string };
  readonly kill: Kill;
  /** The stack's config already says `targeting off`: the kill is accepted and waits for its deployment. */
  readonly acknowledged: boolean;
  readonly alerts: readonly AlertState[] | { readonly unknown: string };
  readonly steps: readonly RollbackStep[];
  readonly settleMinutes: number;
  /** When this run checked (Unix seconds). */
  readonly checkedAt: number;
  /** The soak gate's markdown report of the hour before the kill, or why there is none. */
  readonly gateReport: string;
  /** The incident record, once written. */
  readonly issue?: { readonly action: "opened" | "updated"; readonly number: number; readonly url: string };
}

/** The hidden line that identifies a kill's record: the stack and the audit log entry. */
export function incidentMarker(stack: string, kill: Pick<Kill, "id">): string {
  return `<!-- stream5-time-crunch kill: stack=${stack} entry=${kill.id} -->`;
}

/** The hidden line that keeps, across runs, when each alert was seen active (Grafana forgets once it resolves). */
const ALERTS_SEEN = /<!-- alerts-seen: (\{.*?\}) -->/;

/** Alerts seen active, by title: the earliest activeAt of this run and of the record's last version. */
export function alertsSeen(alerts: KillReport["alerts"], previousBody: string | undefined): Record<string, number> {
  let seen: Record<string, number> = {};
  const previous = previousBody === undefined ? undefined : ALERTS_SEEN.exec(previousBody)?.[1];
  if (previous !== undefined) {
    try {
      seen = JSON.parse(previous) as Record<string, number>;
    } catch {
      seen = {};
    }
  }
  if (!("unknown" in alerts)) {
    for (const alert of alerts) {
      if (alert.activeAt === undefined) continue;
      const before = seen[alert.title];
      seen[alert.title] = before === undefined ? alert.activeAt : Math.min(before, alert.activeAt);
    }
  }
  return seen;
}

const verdictText = {
  verified: "rollback verified",
  "not-verified": "rollback NOT verified",
  unknown: "rollback not checked in full",
} as const;

/** The verdict with the steps behind it: which failed, which could not be checked. */
export function verdictLine(report: Pick<KillReport, "steps">): string {
  const named = (status: RollbackStep["status"]) => report.steps.filter((s) => s.status === status).map((s) => s.name);
  const failed = named("fail");
  const unchecked = named("unknown");
  return [
    verdictText[rollbackVerdict(report.steps)],
    ...(failed.length > 0 ? [`${failed.join(", ")} failed`] : []),
    ...(unchecked.length > 0 ? [`not checked (a source could not be asked): ${unchecked.join(", ")}`] : []),
  ].join("; ");
}

export function incidentTitle(report: KillReport): string {
  return `Time Crunch kill on ${report.stack}, ${formatTime(report.kill.at)}: ${verdictText[rollbackVerdict(report.steps)]}`;
}

const MARK = { pass: "✅", fail: "❌", unknown: "❔" } as const;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function timeline(report: KillReport, seen: Record<string, number>): string[] {
  const { kill, stack, flag } = report;
  const events: [number, string][] = Object.entries(seen).map(([title, at]) => [
    at,
    `Grafana alert "${title}" active (Grafana's alert state)`,
  ]);
  events.push([
    kill.at,
    `flag \`${flag.key}\` turned off in ${flag.environment} by ${describeAuthor(kill.by)} (LaunchDarkly audit log: "${kill.what}")`,
  ]);
  events.sort((a, b) => a[0] - b[0]);
  const alertsNow =
    "unknown" in report.alerts
      ? [`Grafana's alert state could not be read: ${report.alerts.unknown}`]
      : report.alerts.map(
          (a) => `\`${a.title}\`: ${a.state}${a.activeAt === undefined ? "" : ` since ${formatTime(a.activeAt)}`}`,
        );
  return [
    ...events.map(([at, what]) => `- **${formatTime(at)}**: ${what}`),
    ...(Object.keys(seen).length === 0 ? ["- No alert was seen active by any check of this kill."] : []),
    `- **${formatTime(report.checkedAt)}**: this check (${verdictLine(report)})`,
    "",
    `Alert rules at this check: ${alertsNow.join("; ")}.`,
    "",
    report.acknowledged
      ? `The kill is acknowledged: \`Pulumi.${stack}.yaml\` says \`targeting: off\`; deploy it (\`pulumi up -s ${stack}\`).`
      : `Before any re-enable the rollout guards refuse every deployment of ${stack} that keeps \`targeting: on\`, until the kill is accepted: \`${acceptKillCommand(stack)}\` (merge, deploy); turning it back on is then a reviewed change from off to on (docs/operating.md, "Re-enabling").`,
  ];
}

const POST_MORTEM = [
  "## Post-mortem",
  "",
  "_To be filled in by the incident's owner (blameless)._",
  "",
  "### Impact",
  "",
  "Who got errors or slow previews, for how long, how many requests (the gate report above).",
  "",
  "### Timeline",
  "",
  "From the first symptom to the rollback's verification (start from the timeline above).",
  "",
  "### Root cause",
  "",
  "What failed, and why nothing caught it before the flag was on.",
  "",
  "### Actions",
  "",
  "- [ ] The fix, with its issue or pull request",
  "- [ ] What would have caught it before the beta (a test, an alert, a soak criterion)",
  "- [ ] Re-enable: a reviewed pull request from `targeting: off` to `on`, after the soak gate",
];

/** The incident record's body: marker, timeline, the rollback's verification, the gate report, the post-mortem template. */
export function incidentBody(report: KillReport, previousBody: string | undefined): string {
  const seen = alertsSeen(report.alerts, previousBody);
  const head = [
    incidentMarker(report.stack, report.kill),
    `<!-- alerts-seen: ${JSON.stringify(seen)} -->`,
    `The Time Crunch flag \`${report.flag.project}/${report.flag.key}\` was turned off in LaunchDarkly environment \`${report.flag.environment}\` (stack \`${report.stack}\`) outside Pulumi. Written by \`npm run rollback-check -- --stack ${report.stack}\`; every later check of this kill updates this issue.`,
    "",
    "## Timeline (UTC)",
    "",
    ...timeline(report, seen),
    "",
    `## Rollback verification: ${verdictLine(report)}`,
    "",
    `Checked ${formatTime(report.checkedAt)}, settle time ${report.settleMinutes} min.`,
    "",
    "| step | | expected | found |",
    "| --- | --- | --- | --- |",
    ...report.steps.map((s) => `| \`${s.name}\` | ${MARK[s.status]} | ${cell(s.expected)} | ${cell(s.found)} |`),
    "",
    "## The hour before the kill: the soak gate",
    "",
  ];
  const tail = ["", ...POST_MORTEM, ""];
  const room = ISSUE_BODY_LIMIT - [...head, ...tail].join("\n").length - 100;
  const gate =
    report.gateReport.length <= room
      ? report.gateReport
      : `${report.gateReport.slice(0, room)}\n\n_(cut to GitHub's limit on an issue body)_`;
  return [...head, gate, ...tail].join("\n");
}

// --- the command line and Slack ----------------------------------------------------------------

/** What a run found: a kill with its report, or why there is nothing to check. */
export type RollbackRun =
  | { readonly stack: string; readonly kind: "not-watched" | "nothing-killed"; readonly why: string }
  | ({ readonly kind: "killed" } & KillReport);

export function renderText(run: RollbackRun): string {
  if (run.kind !== "killed") return `rollback-check ${run.stack}: ${run.why}`;
  const lines = [
    `rollback-check ${run.stack}: flag turned off ${formatTime(run.kill.at)} by ${describeAuthor(run.kill.by)}: ${verdictLine(run)}`,
    ...(run.acknowledged ? ["(acknowledged: the stack's config says targeting off)"] : []),
    "",
  ];
  for (const s of run.steps) {
    lines.push(`${s.status.toUpperCase().padEnd(7)}  ${s.name}`);
    lines.push(`      expected: ${s.expected}`);
    lines.push(`      found:    ${s.found}`);
  }
  if (run.issue) lines.push("", `incident record: ${run.issue.action} ${run.issue.url}`);
  return lines.join("\n");
}

export function renderMarkdown(run: RollbackRun): string {
  if (run.kind !== "killed") return `## Rollback check ${run.stack}\n\n${run.why}`;
  return [
    `## Rollback check ${run.stack}: ${verdictLine(run)}`,
    "",
    `Flag turned off ${formatTime(run.kill.at)} by ${describeAuthor(run.kill.by)}.${run.issue ? ` Incident record: [#${run.issue.number}](${run.issue.url}).` : ""}`,
    "",
    "| step | status | expected | found |",
    "| --- | --- | --- | --- |",
    ...run.steps.map((s) => `| \`${s.name}\` | ${s.status} | ${cell(s.expected)} | ${cell(s.found)} |`),
  ].join("\n");
}

export function reportJson(run: RollbackRun) {
  if (run.kind !== "killed") return { stack: run.stack, state: run.kind, why: run.why };
  return {
    stack: run.stack,
    state: run.kind,
    acknowledged: run.acknowledged,
    verdict: rollbackVerdict(run.steps),
    kill: {
      entry: run.kill.id,
      at: new Date(run.kill.at * 1000).toISOString(),
      by: run.kill.by,
      what: run.kill.what,
    },
    steps: run.steps,
    incident: run.issue ?? null,
  };
}

export function slackMessage(report: KillReport): SlackMessage {
  const title = `Time Crunch kill on ${report.stack}: ${verdictText[rollbackVerdict(report.steps)]}`;
  const lines = report.steps.map(
    (s) =>
      `${s.status === "pass" ? ":white_check_mark:" : s.status === "fail" ? ":x:" : ":grey_question:"} *${s.name}*: ${escape(s.found)}`,
  );
  const blocks: Block[] = [
    header(title),
    section(
      escape(
        `Flag ${report.flag.key} turned off in ${report.flag.environment} at ${formatTime(report.kill.at)} by ${describeAuthor(report.kill.by)}.`,
      ),
    ),
    section(fitLines(lines, SLACK_LIMITS.sectionText)),
    ...(report.issue ? [section(`<${report.issue.url}|Incident record #${report.issue.number}>`)] : []),
  ];
  return { text: `${title}${report.issue ? ` (${report.issue.url})` : ""}`, blocks };
}
