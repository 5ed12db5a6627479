/**
 * What each soak report says, from the gate's JSON (`--format json`, the shape of `reportJson`):
 * one content per kind (hourly and four-hourly: the soak so far; the daily summary: the last 24
 * hours against the 24 before, the other routes, the recommendation so far; the final report: the
 * promotion gate's GO or NO-GO and the next step), rendered as text, markdown, JSON and a Slack
 * Block Kit message within Slack's limits. Pure: no Prometheus, no Slack, no clock.
 */
import { waitingFor, type RoleVerdict } from "../../components/rollout/signoffs";
import { feedbackLines, usageChart, usageLines, type Feedback, type Usage } from "./beta";
import { FINAL_SLOT, ReportKind, slotTime, type ReportSlot } from "../../components/soak/reportSchedule";
import { formatTime, regressionRows, type reportJson } from "../soakEvaluation/report";
import {
  criterionLine,
  escape,
  fitLines,
  header,
  linksSection,
  section,
  SLACK_LIMITS,
  type Block,
  type SlackMessage,
} from "../services/slack";

/** What one in-process gate run printed with `--format json`. */
export type GateJson = ReturnType<typeof reportJson>;

/** Where the soak's start came from, as the report names it. */
export type StartSource = "--soak-start" | "rolloutIntent.since";

export interface SoakReport {
  readonly stack: string;
  /** The slot this report fills (the schedule's, or for a run by hand the latest passed). */
  readonly slot: ReportSlot;
  readonly scheduled: boolean;
  /** Earlier slots of this run's span that were not posted (a missed run). */
  readonly missed: number;
  /** Unix seconds. */
  readonly start: number;
  readonly startSource: StartSource;
  readonly end: number;
  /** The judgement the report is about: the soak so far, the last 24 hours, or the promotion gate's. */
  readonly gate: GateJson;
  /** The daily summary: the 24 hours before. */
  readonly previousDay?: GateJson;
  /** The daily and final summaries: the beta's usage and its users' feedback since the rung began. */
  readonly usage?: Usage;
  readonly feedback?: Feedback;
  /** The final report: the promoting pull request's sign-offs (`--signoffs-pr`). */
  readonly signoffs?: SignoffsRead;
  readonly dashboardUrl: string | undefined;
  readonly reportUrl: string | undefined;
}

/** The sign-offs of the pull request that promotes, as the final report read them. */
export interface SignoffsRead {
  readonly pr: number;
  readonly roles: readonly RoleVerdict[];
}

/** The go/no-go: the gate's GO and, when they were read, every sign-off. */
export function finalGo(report: SoakReport): boolean {
  return report.gate.go && (report.signoffs === undefined || waitingFor(report.signoffs.roles).length === 0);
}

/** No report: why, and when the next one is due. */
export interface NoReport {
  readonly stack: string;
  readonly reason: string;
  readonly next: { readonly slot: ReportSlot; readonly at: number } | undefined;
}

interface CriterionRow {
  readonly title: string;
  readonly threshold: string;
  readonly observed: string;
  readonly pass: boolean;
  /** The daily summary: the same criterion over the 24 hours before. */
  readonly previousDay?: string;
}

/** A report's content, whatever it is rendered as. Lines are plain text. */
interface Content {
  readonly headline: string;
  readonly summary: string;
  readonly criteria: readonly CriterionRow[];
  readonly notes: readonly { readonly title: string; readonly lines: readonly string[] }[];
}

const KIND_NAMES: Record<ReportKind, string> = {
  [ReportKind.Hourly]: "hourly update",
  [ReportKind.FourHourly]: "four-hourly update",
  [ReportKind.DailySummary]: "daily summary",
  [ReportKind.Final]: "final report",
};

/** Whole hours since the soak's start (at the report's end). */
const soakHour = (report: Pick<SoakReport, "start" | "end">) =>
  Math.max(0, Math.floor((report.end - report.start) / 3600));

const unix = (iso: string | null) => (iso === null ? undefined : Date.parse(iso) / 1000);
const time = (iso: string | null) => {
  const at = unix(iso);
  return at === undefined ? "unknown" : formatTime(at);
};
const requests = (gate: GateJson) =>
  gate.requests === null ? "no requests" : `${Math.round(gate.requests).toLocaleString("en-US")} requests`;
const span = (gate: GateJson) => `${time(gate.window.start)} to ${time(gate.window.end)}`;

/** The verdict in words: what passes, fails, or cannot tell yet. */
function conclusion(gate: GateJson, soFar: boolean): string {
  if (gate.go) return `every criterion passes${soFar ? " so far" : ""}`;
  if (gate.verdict === "INCONCLUSIVE") return "the regression criterion cannot tell (too few samples): not GO";
  return `failing${soFar ? " so far" : ""}: ${gate.failing.join(", ")}`;
}

/** A day without a preview request has no value to compare: "none" (no gap) or "0 h" would read as one. */
const NO_REQUESTS = "no requests";

function rows(gate: GateJson, previousDay?: GateJson): CriterionRow[] {
  const idle = previousDay !== undefined && !((previousDay.requests ?? 0) > 0);
  return gate.criteria.map((c) => {
    const before = previousDay?.criteria.find((p) => p.key === c.key);
    return {
      title: c.title,
      threshold: c.threshold,
      observed: c.observed,
      pass: c.pass,
      ...(previousDay && { previousDay: idle ? NO_REQUESTS : (before?.observed ?? "no data") }),
    };
  });
}

/** The regression criterion (the engine's other routes), one line per route and measure. */
function otherRoutes(gate: GateJson): string[] {
  const regression = gate.regression;
  if (regression === undefined) return ["not judged"];
  const findings = regression.findings.map((f) => ({
    ...f,
    // report.json writes an unbounded effect (a baseline median of 0) as a string.
    effect: f.effect === null ? null : Number(f.effect),
  }));
  const [, ...cells] = regressionRows({ findings });
  const status = regression.status === "pass" ? "pass" : regression.status === "regression" ? "FAIL" : "INCONCLUSIVE";
  return [
    `${status}: the last 24 hours against ${regression.baselineText} (${time(regression.baseline.start)} to ${time(regression.baseline.end)}), per minute`,
    ...cells.map(
      ([scope, measure, before, now, effect, p, verdict]) =>
        `${scope} ${measure}: ${before} → ${now}, effect ${effect}, p ${p}: ${verdict}`,
    ),
  ];
}

const PROMOTE_STEPS = [
  'Promote to the 10% beta (docs/operating.md, "2. Promote to the 10% beta"): a pull request turning `targeting: on` in Pulumi.beta.yaml (`pulumi config set targeting on -s beta`).',
  "The Soak gate workflow judges that pull request on this soak; merge on its GO, then approve the beta deployment.",
];

/** The slot's content, with the summaries' usage and feedback after its notes. */
function content(report: SoakReport): Content {
  const c = slotContent(report);
  const extra = [
    ...(report.usage === undefined ? [] : [{ title: "Usage", lines: usageLines(report.usage, formatTime) }]),
    ...(report.feedback === undefined ? [] : [{ title: "Feedback", lines: feedbackLines(report.feedback) }]),
  ];
  return extra.length === 0 ? c : { ...c, notes: [...c.notes.slice(0, -1), ...extra, ...c.notes.slice(-1)] };
}

function slotContent(report: SoakReport): Content {
  const { gate, slot } = report;
  const hour = soakHour(report);
  const started = `The soak started ${formatTime(report.start)} (${report.startSource}), ${hour} h ago.`;
  const missed =
    report.missed > 0
      ? ` ${report.missed} earlier report${report.missed === 1 ? " was" : "s were"} due since the last scheduled run; this one replaces ${report.missed === 1 ? "it" : "them"}.`
      : "";
  switch (slot.kind) {
    case ReportKind.Hourly:
    case ReportKind.FourHourly: {
      const early =
        report.end - report.start < 3600
          ? " Under an hour old: the gate's shortest window is 1h, so coverage fails until hour 1."
          : "";
      return {
        headline: `Time Crunch soak, hour ${hour}: ${gate.verdict} so far`,
        summary: `${KIND_NAMES[slot.kind]}: ${conclusion(gate, true)}. ${started} Judged over the soak so far, ${span(gate)}, ${requests(gate)}.${early}${missed}`,
        criteria: rows(gate),
        notes: [],
      };
    }
    case ReportKind.DailySummary: {
      const previous = report.previousDay;
      const finalAt = formatTime(slotTime(report.start, FINAL_SLOT));
      const recommendation = gate.go
        ? [`On track: the final report, with the go/no-go recommendation, at ${finalAt} (hour ${FINAL_SLOT.hour}).`]
        : [
            `Not on track: ${conclusion(gate, true)}.`,
            `The final report, at ${finalAt}, cannot be GO unless that changes.`,
          ];
      return {
        headline: `Time Crunch soak, hour ${hour}: daily summary, ${gate.verdict} so far`,
        summary:
          `${started} The last 24 hours (${span(gate)}, ${requests(gate)})` +
          (previous ? ` against the 24 hours before (${span(previous)}, ${requests(previous)}).` : ".") +
          missed,
        criteria: rows(gate, previous),
        notes: [
          { title: "Performance of the engine's other routes (no regressions)", lines: otherRoutes(gate) },
          { title: "Recommendation so far", lines: recommendation },
        ],
      };
    }
    case ReportKind.Final: {
      // What keeps it from GO: each failing criterion with its numbers, a regression of the other
      // routes (named in `failing`, not a row), or a regression criterion that cannot tell.
      const failing = [
        ...gate.criteria.filter((c) => !c.pass).map((c) => `${c.title}: ${c.observed} (needs ${c.threshold})`),
        ...gate.failing.filter((title) => !gate.criteria.some((c) => c.title === title)),
        ...(gate.verdict === "INCONCLUSIVE" ? [conclusion(gate, false)] : []),
      ];
      const signoffs = report.signoffs;
      const waiting = signoffs === undefined ? [] : waitingFor(signoffs.roles);
      // The gate said GO, and a role has not signed: not NO-GO (nothing failed), not GO yet.
      const awaited = gate.go && waiting.length > 0;
      const next = awaited
        ? [
            `Each role waited for approves the head commit of pull request #${String(signoffs?.pr)} (\`npm run signoffs -- --stack beta --pr ${String(signoffs?.pr)}\`); the beta waits until then.`,
          ]
        : gate.go
          ? PROMOTE_STEPS
          : [
              "The beta must not be turned on: no pull request turning `targeting: on` in Pulumi.beta.yaml (the Soak gate workflow fails it on this soak).",
              "Fix what failed, then soak again (a new 48 hours) before promoting.",
            ];
      return {
        headline: `Time Crunch soak, hour ${hour}: final report, ${awaited ? `INCONCLUSIVE — waiting for sign-off from ${waiting.join(", ")}` : gate.go ? "GO" : "NO-GO"}`,
        summary: `${started} The promotion gate's judgement (\`npm run gate -- --stack ${report.stack}\`, window ${gate.window.duration}: ${span(gate)}, ${requests(gate)}): ${gate.verdict}.${missed}`,
        criteria: rows(gate),
        notes: [
          ...(failing.length > 0
            ? [{ title: gate.verdict === "INCONCLUSIVE" ? "Not GO" : "Failing", lines: failing }]
            : []),
          ...(signoffs === undefined || signoffs.roles.length === 0
            ? []
            : [
                {
                  title: `Sign-offs (pull request #${String(signoffs.pr)})`,
                  lines: signoffs.roles.map(
                    (r) =>
                      `${r.role} (${r.team}): ${r.status}${r.who === undefined ? "" : ` by ${r.who}, ${r.when ?? ""}, commit ${(r.commit ?? "").slice(0, 7)}`}`,
                  ),
                },
              ]),
          { title: "Next step", lines: next },
        ],
      };
    }
  }
}

function table(cells: readonly (readonly string[])[]): string[] {
  const widths = (cells[0] ?? []).map((_, col) => Math.max(...cells.map((r) => (r[col] ?? "").length)));
  return cells.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

const withPrevious = (c: Content) => c.criteria.some((r) => r.previousDay !== undefined);

function criteriaCells(c: Content): string[][] {
  const previous = withPrevious(c);
  return [
    ["criterion", "target", previous ? "last 24 h" : "observed", ...(previous ? ["24 h before"] : []), "verdict"],
    ...c.criteria.map((r) => [
      r.title,
      r.threshold,
      r.observed,
      ...(previous ? [r.previousDay ?? ""] : []),
      r.pass ? "pass" : "FAIL",
    ]),
  ];
}

export function renderText(report: SoakReport): string {
  const c = content(report);
  return [
    c.headline,
    c.summary,
    "",
    ...table(criteriaCells(c)),
    ...c.notes.flatMap((n) => ["", `${n.title}:`, ...n.lines.map((line) => `  - ${line}`)]),
    ...(report.dashboardUrl ? ["", `Dashboard: ${report.dashboardUrl}`] : []),
  ].join("\n");
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function renderMarkdown(report: SoakReport): string {
  const c = content(report);
  const chart = report.usage === undefined ? undefined : usageChart(report.usage);
  const [head = [], ...body] = criteriaCells(c);
  const links = [
    report.dashboardUrl ? `[Dashboard](${report.dashboardUrl})` : undefined,
    report.reportUrl ? `[Full report](${report.reportUrl})` : undefined,
  ].filter((l) => l !== undefined);
  return [
    `## ${c.headline}`,
    "",
    c.summary,
    "",
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...body.map((r) => `| ${r.map(cell).join(" | ")} |`),
    ...c.notes.flatMap((n) => ["", `**${n.title}**`, "", ...n.lines.map((line) => `- ${line}`)]),
    ...(chart === undefined ? [] : ["", chart]),
    ...(links.length > 0 ? ["", links.join(" · ")] : []),
    "",
  ].join("\n");
}

export function renderJson(report: SoakReport) {
  const iso = (at: number) => new Date(at * 1000).toISOString();
  const c = content(report);
  return {
    due: true,
    kind: report.slot.kind,
    slot: { hour: report.slot.hour, at: iso(slotTime(report.start, report.slot)) },
    hour: soakHour(report),
    scheduled: report.scheduled,
    missed: report.missed,
    stack: report.stack,
    verdict: report.gate.go && !finalGo(report) ? "INCONCLUSIVE" : report.gate.verdict,
    go: finalGo(report),
    failing: report.gate.failing,
    headline: c.headline,
    soak: { start: iso(report.start), source: report.startSource },
    end: iso(report.end),
    window: report.gate.window,
    criteria: c.criteria,
    ...(report.previousDay && {
      previousDay: { window: report.previousDay.window, verdict: report.previousDay.verdict },
    }),
    ...(report.gate.regression && { regression: report.gate.regression.status }),
    ...(report.signoffs && { signoffs: report.signoffs }),
    ...(report.usage && { usage: report.usage }),
    ...(report.feedback && { feedback: report.feedback }),
    notes: c.notes,
  };
}

/** The Block Kit message: header, summary, each criterion, the notes, the links; within Slack's limits. */
export function slackMessage(report: SoakReport): SlackMessage {
  const c = content(report);
  const criteria = c.criteria.map(
    (r) => `${criterionLine(r)}${r.previousDay === undefined ? "" : ` · 24 h before: ${escape(r.previousDay)}`}`,
  );
  const blocks: Block[] = [
    header(c.headline),
    section(escape(c.summary)),
    section(fitLines(criteria, SLACK_LIMITS.sectionText)),
    ...c.notes.map((n) => {
      const title = `*${escape(n.title)}*`;
      return section(
        `${title}\n${fitLines(
          n.lines.map((line) => `• ${escape(line)}`),
          SLACK_LIMITS.sectionText - title.length - 1,
        )}`,
      );
    }),
    ...linksSection(report),
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: escape(
            `${KIND_NAMES[report.slot.kind]} of stack ${report.stack}, ${formatTime(report.end)}; thresholds of stack ${report.gate.stack ?? report.stack}.`,
          ),
        },
      ],
    },
  ];
  return {
    text: `${c.headline}: ${conclusion(report.gate, report.slot.kind !== ReportKind.Final)}`,
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

/** Nothing to post: why, and the next report's time. */
export function noReportLine(none: NoReport): string {
  const next =
    none.next === undefined
      ? ""
      : `; next: the ${KIND_NAMES[none.next.slot.kind]} at hour ${none.next.slot.hour}, ${formatTime(none.next.at)}`;
  return `soak-report: ${none.stack}: no report due: ${none.reason}${next}.`;
}

export function noReportJson(none: NoReport) {
  return {
    due: false,
    stack: none.stack,
    reason: none.reason,
    next:
      none.next === undefined
        ? null
        : { kind: none.next.slot.kind, hour: none.next.slot.hour, at: new Date(none.next.at * 1000).toISOString() },
  };
}
