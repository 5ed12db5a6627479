/**
 * The checklist's beta execution in the daily and final summaries: usage (preview requests per
 * day, per strategy and since the rung began, from the metric contract's request counter) and
 * user feedback (GitHub issues with the feedback label opened since the rung began).
 */
import { formatPercent, queries, type MetricContract } from "../../components/observability/metrics";
import { Unreachable } from "../cli/runner";
import type { PrometheusClient } from "../services/prometheus";
import type { FeedbackIssue } from "../services/feedbackIssues";

const DAY = 24 * 3600;
/** The most days a summary lists (a long rung: its last two weeks). */
const MAX_DAYS = 14;

export interface Usage {
  /** Requests counted since the rung began. */
  readonly total: number;
  /** Each day of the rung counted from its start (day 1 its first 24 hours; the last up to the report's end). */
  readonly days: readonly { readonly day: number; readonly end: number; readonly requests: number }[];
  /** Requests by compression strategy since the rung began, most first. */
  readonly strategies: readonly { readonly strategy: string; readonly requests: number }[];
}

export type Feedback =
  | {
      readonly kind: "read";
      readonly label: string;
      readonly open: number;
      readonly closed: number;
      /** The five newest. */
      readonly newest: readonly FeedbackIssue[];
    }
  | { readonly kind: "unread"; readonly label: string; readonly why: string };

const value = (series: Awaited<ReturnType<PrometheusClient["instant"]>>) => series[0]?.points[0]?.[1] ?? 0;

/** The rung's usage from `start` to `end` (Unix seconds). */
export async function readUsage(
  client: PrometheusClient,
  metrics: MetricContract,
  start: number,
  end: number,
): Promise<Usage> {
  const q = queries(metrics);
  const since = Math.max(1, Math.round(end - start));
  const all: { day: number; start: number; end: number }[] = [];
  // A last day of less than a minute has nothing to count yet.
  for (let day = 1, from = start; end - from >= 60; day++, from += DAY) {
    all.push({ day, start: from, end: Math.min(from + DAY, end) });
  }
  const days = all.slice(-MAX_DAYS);
  const [total, byStrategy, ...perDay] = await Promise.all([
    client.instant(q.requestsCountedSince(start), end),
    client.instant(q.requestsByStrategyIn(`${since}s`), end),
    // Exact counts (the counter at the day's end less its sample at its start), which add up to the total.
    ...days.map((d) => client.instant(q.requestsCountedSince(d.start), d.end)),
  ]);
  return {
    total: Math.max(0, Math.round(value(total))),
    days: days.map((d, i) => ({ day: d.day, end: d.end, requests: Math.round(value(perDay[i] ?? [])) })),
    strategies: byStrategy
      .map((s) => ({ strategy: s.labels.strategy ?? "(none)", requests: Math.round(s.points[0]?.[1] ?? 0) }))
      .filter((s) => s.requests > 0)
      .sort((a, b) => b.requests - a.requests),
  };
}

/** The feedback issues, or why they could not be read (the summary still posts). */
export async function readFeedback(
  label: string,
  read: (() => Promise<readonly FeedbackIssue[]>) | { readonly why: string },
): Promise<Feedback> {
  if (typeof read !== "function") return { kind: "unread", label, why: read.why };
  try {
    const issues = [...(await read())].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    return {
      kind: "read",
      label,
      open: issues.filter((i) => i.state === "open").length,
      closed: issues.filter((i) => i.state === "closed").length,
      newest: issues.slice(0, 5),
    };
  } catch (error) {
    if (error instanceof Unreachable) return { kind: "unread", label, why: error.message };
    throw error;
  }
}

const count = (n: number) => n.toLocaleString("en-US");

export function usageLines(usage: Usage, time: (at: number) => string): string[] {
  const all = usage.strategies.reduce((sum, s) => sum + s.requests, 0);
  return [
    `${count(usage.total)} preview requests since the rung began.`,
    `Per day of the rung: ${usage.days.map((d) => `day ${d.day} (to ${time(d.end)}) ${count(d.requests)}`).join(", ")}.`,
    usage.strategies.length === 0
      ? "Per strategy: none counted."
      : `Per strategy: ${usage.strategies
          .map((s) => `${s.strategy} ${count(s.requests)} (${formatPercent(all === 0 ? 0 : s.requests / all)})`)
          .join(", ")}.`,
  ];
}

export function feedbackLines(feedback: Feedback): string[] {
  if (feedback.kind === "unread") {
    return [`Feedback (label ${feedback.label}) could not be read: ${feedback.why}.`];
  }
  const total = feedback.open + feedback.closed;
  return [
    total === 0
      ? `No issue labelled ${feedback.label} since the rung began.`
      : `${count(total)} issue${total === 1 ? "" : "s"} labelled ${feedback.label} since the rung began: ${count(feedback.open)} open, ${count(feedback.closed)} closed.`,
    ...feedback.newest.map((i) => `#${i.number} ${i.title} (${i.state}): ${i.url}`),
  ];
}

/**
 * The requests per day of the rung as a Mermaid bar chart (GitHub renders it in the job summary,
 * as the gate's charts); none before a day has a count.
 */
export function usageChart(usage: Usage): string | undefined {
  if (usage.days.length === 0) return undefined;
  const top = Math.max(1, ...usage.days.map((d) => d.requests));
  return [
    "```mermaid",
    "xychart-beta",
    '    title "Preview requests per day of the rung"',
    `    x-axis [${usage.days.map((d) => `"day ${d.day}"`).join(", ")}]`,
    `    y-axis "requests" 0 --> ${Math.ceil(top * 1.1)}`,
    `    bar [${usage.days.map((d) => d.requests).join(", ")}]`,
    "```",
  ].join("\n");
}
