/**
 * Which soak report is due: the staging checklist's communication plan as slots by hour since the
 * soak's start. Hourly updates for the first 8 hours, monitoring every 4 hours through hour 48, a
 * daily summary after 24 hours, the final report (go/no-go) at hour 48; each slot is one kind.
 * Pure: times in, a decision out (no clock, no Prometheus, no Slack); `tools/soakReport/` runs it.
 *
 * A scheduled run posts the latest slot in (previous run, now]: the windows of consecutive runs are
 * disjoint, so no slot is ever posted twice, and a missed run's slots are not posted late one by
 * one (the latest says more than the ones it replaces).
 */
import { SOAK_HOURS } from "./soakCriteria";

export const ReportKind = {
  Hourly: "hourly",
  FourHourly: "four-hourly",
  DailySummary: "daily-summary",
  Final: "final",
} as const;
export type ReportKind = (typeof ReportKind)[keyof typeof ReportKind];

/** The checklist: hourly updates up to this hour... */
const HOURLY_UNTIL_HOUR = 8;
/** ...then monitoring every this many hours... */
const MONITORING_EVERY_HOURS = 4;
/** ...with a daily summary every day of the soak, and the final report at its end. */
const DAILY_EVERY_HOURS = 24;

export interface ReportSlot {
  /** Whole hours since the soak's start. */
  readonly hour: number;
  readonly kind: ReportKind;
}

function kindAt(hour: number): ReportKind | undefined {
  if (hour === SOAK_HOURS) return ReportKind.Final;
  if (hour <= HOURLY_UNTIL_HOUR) return ReportKind.Hourly;
  if (hour % DAILY_EVERY_HOURS === 0) return ReportKind.DailySummary;
  if (hour % MONITORING_EVERY_HOURS === 0) return ReportKind.FourHourly;
  return undefined;
}

/** Every slot of the soak, in time order: hourly 1..8, four-hourly 12..44, daily summary 24, final 48. */
export const REPORT_SLOTS: readonly ReportSlot[] = Array.from({ length: SOAK_HOURS }, (_, i) => i + 1).flatMap(
  (hour) => {
    const kind = kindAt(hour);
    return kind === undefined ? [] : [{ hour, kind }];
  },
);

/** The last slot: the go/no-go report, the promotion gate's judgement. */
export const FINAL_SLOT: ReportSlot = { hour: SOAK_HOURS, kind: ReportKind.Final };

/** When a slot falls: Unix seconds. */
export const slotTime = (start: number, slot: ReportSlot) => start + slot.hour * 3600;

export interface ScheduleTimes {
  /** The soak's start, Unix seconds; undefined when unknown (never guessed). */
  readonly start: number | undefined;
  /** This run's time, Unix seconds. */
  readonly now: number;
}

export type DueReport =
  | {
      readonly kind: "due";
      readonly slot: ReportSlot;
      /** Earlier slots in the same span, not posted (the latest replaces them). */
      readonly missed: number;
    }
  | {
      readonly kind: "none";
      readonly reason: string;
      /** The next slot and its time (Unix seconds); undefined after the last. */
      readonly next: { readonly slot: ReportSlot; readonly at: number } | undefined;
    }
  | { readonly kind: "unknown-start"; readonly reason: string };

export const UNKNOWN_START_REASON =
  "the soak's start is unknown (never guessed from Prometheus' first sample, which a restart or a scrape gap moves)";

export const REPORTS_ENDED_REASON = `the soak's reports ended at hour ${SOAK_HOURS}`;

/**
 * The report a scheduled run posts: the latest slot in (previousRun, now], or none. Every slot in
 * that span but the latest counts as `missed`.
 */
export function dueReport(times: ScheduleTimes & { readonly previousRun: number }): DueReport {
  const { start, now, previousRun } = times;
  if (start === undefined) return { kind: "unknown-start", reason: UNKNOWN_START_REASON };
  const inSpan = REPORT_SLOTS.filter((slot) => slotTime(start, slot) > previousRun && slotTime(start, slot) <= now);
  const latest = inSpan.at(-1);
  if (latest !== undefined) return { kind: "due", slot: latest, missed: inSpan.length - 1 };
  const next = REPORT_SLOTS.find((slot) => slotTime(start, slot) > now);
  if (next === undefined) return { kind: "none", reason: REPORTS_ENDED_REASON, next: undefined };
  const reason =
    next === REPORT_SLOTS[0] ? "the soak's first report is not due yet" : "no report is due between two slots";
  return { kind: "none", reason, next: { slot: next, at: slotTime(start, next) } };
}

/**
 * The report a run by hand makes, whatever the schedule: the kind of the latest slot at or before
 * `now` (before hour 1 the hourly one, after hour 48 the final one). `hour` is the slot's.
 */
export function currentReport(times: { readonly start: number; readonly now: number }): ReportSlot {
  const passed = REPORT_SLOTS.filter((slot) => slotTime(times.start, slot) <= times.now);
  return passed.at(-1) ?? { hour: 0, kind: ReportKind.Hourly };
}
