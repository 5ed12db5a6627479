/**
 * Which soak report is due (components/soak/reportSchedule.ts): the checklist's slots, and a
 * 50-hour soak run as the hourly cron runs it (late by a few minutes, sometimes not at all).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  currentReport,
  dueReport,
  REPORT_SLOTS,
  REPORTS_ENDED_REASON,
  type ReportKind,
  type ReportSlot,
} from "../components/soak/reportSchedule";
import { cases } from "./support/cases";

const START = Date.parse("2026-02-02T00:00:00Z") / 1000;
const HOUR = 3600;
const at = (hours: number) => START + hours * HOUR;

/** The cron's runs at 0..50 h, each late by 1 to 15 minutes (as GitHub's schedule is), except `skipped`. */
function cronRuns(skipped: readonly number[] = []): number[] {
  return Array.from({ length: 51 }, (_, hour) => hour)
    .filter((hour) => !skipped.includes(hour))
    .map((hour) => at(hour) + 60 * (1 + ((hour * 7) % 15)));
}

/** What each run posts, given the previous run's time (the first run's previous is an hour before it). */
function posted(runs: readonly number[]) {
  return runs.map((now, i) => ({
    hours: (now - START) / HOUR,
    due: dueReport({ start: START, now, previousRun: runs[i - 1] ?? now - HOUR }),
  }));
}

const slotsPosted = (runs: readonly number[]): ReportSlot[] =>
  posted(runs).flatMap(({ due }) => (due.kind === "due" ? [due.slot] : []));

describe("the slots", () => {
  it("are the checklist's: hourly 1-8, every 4 hours through 44, the daily summary at 24, the final report at 48", () => {
    const byKind = (kind: ReportKind) => REPORT_SLOTS.filter((s) => s.kind === kind).map((s) => s.hour);
    expect(byKind("hourly")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(byKind("four-hourly")).toEqual([12, 16, 20, 28, 32, 36, 40, 44]);
    expect(byKind("daily-summary")).toEqual([24]);
    expect(byKind("final")).toEqual([48]);
    expect(REPORT_SLOTS.map((s) => s.hour)).toEqual([...REPORT_SLOTS.map((s) => s.hour)].sort((a, b) => a - b));
  });
});

describe("a 50-hour soak, run hourly by the cron", () => {
  const runs = posted(cronRuns());

  it("posts each slot exactly once, at its hour, and nothing twice", () => {
    expect(runs.flatMap(({ hours, due }) => (due.kind === "due" ? [[Math.floor(hours), due.slot.hour]] : []))).toEqual(
      REPORT_SLOTS.map((s) => [s.hour, s.hour]),
    );
    expect(slotsPosted(cronRuns())).toEqual(REPORT_SLOTS);
    expect(runs.every(({ due }) => due.kind !== "due" || due.missed === 0)).toBe(true);
  });

  it("posts the hourly updates at hours 1-8, then nothing between the four-hourly ones, the daily summary and the final report", () => {
    const kindAt = (hour: number) => {
      const due = runs[hour]!.due;
      return due.kind === "due" ? due.slot.kind : "none";
    };
    expect([0, 1, 5, 8, 9, 11, 12, 13, 24, 25, 28, 44, 47, 48, 49, 50].map(kindAt)).toEqual([
      "none",
      "hourly",
      "hourly",
      "hourly",
      "none",
      "none",
      "four-hourly",
      "none",
      "daily-summary",
      "none",
      "four-hourly",
      "four-hourly",
      "none",
      "final",
      "none",
      "none",
    ]);
  });

  it("says when the next report is due before and between slots, and that the reports ended after hour 48", () => {
    expect(runs[0]!.due).toEqual({
      kind: "none",
      reason: "the soak's first report is not due yet",
      next: { slot: { hour: 1, kind: "hourly" }, at: at(1) },
    });
    expect(runs[9]!.due).toMatchObject({ kind: "none", next: { slot: { hour: 12, kind: "four-hourly" }, at: at(12) } });
    for (const hour of [49, 50]) {
      expect(runs[hour]!.due).toEqual({ kind: "none", reason: REPORTS_ENDED_REASON, next: undefined });
    }
    expect(REPORTS_ENDED_REASON).toBe("the soak's reports ended at hour 48");
  });

  it("after missed runs, posts only the latest slot, counting the ones it replaces", () => {
    const late = posted(cronRuns([5, 6, 13, 14, 15, 16, 48]));
    const due = late.flatMap(({ hours, due }) => (due.kind === "due" ? [{ at: Math.floor(hours), ...due }] : []));
    expect(due.find((d) => d.at === 7)).toEqual({ at: 7, kind: "due", slot: { hour: 7, kind: "hourly" }, missed: 2 });
    expect(due.find((d) => d.at === 17)).toEqual({
      at: 17,
      kind: "due",
      slot: { hour: 16, kind: "four-hourly" },
      missed: 0,
    });
    // The final report is never lost to a missed run: the next run posts it.
    expect(due.find((d) => d.at === 49)).toMatchObject({ slot: { hour: 48, kind: "final" }, missed: 0 });
    const hours = due.map((d) => d.slot.hour);
    expect(new Set(hours).size).toBe(hours.length);
  });

  it("a slot at the previous run's time belongs to that run, one at this run's time to this one", () => {
    expect(dueReport({ start: START, now: at(2), previousRun: at(1) })).toMatchObject({ slot: { hour: 2 } });
    expect(dueReport({ start: START, now: at(2) - 1, previousRun: at(1) })).toMatchObject({ kind: "none" });
    // A run at the very time of the previous one (a re-run): its slot was that run's; the next is later.
    expect(dueReport({ start: START, now: at(2), previousRun: at(2) })).toMatchObject({
      kind: "none",
      next: { slot: { hour: 3 }, at: at(3) },
    });
  });

  it("never posts a slot twice, whenever the runs happen (any increasing run times)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -2 * HOUR, max: 52 * HOUR }), { maxLength: 80 }), (offsets) => {
        const times = [...offsets].sort((a, b) => a - b).map((o) => START + o);
        const hours = slotsPosted(times).map((s) => s.hour);
        expect(new Set(hours).size).toBe(hours.length);
      }),
    );
  });
});

describe("an unknown start", () => {
  it("is said, never guessed", () => {
    expect(dueReport({ start: undefined, now: at(5), previousRun: at(4) })).toMatchObject({
      kind: "unknown-start",
      reason: expect.stringContaining("the soak's start is unknown") as string,
    });
  });
});

describe("a run by hand", () => {
  it.each(
    cases([
      [-1, { hour: 0, kind: "hourly" }],
      [0.5, { hour: 0, kind: "hourly" }],
      [5.5, { hour: 5, kind: "hourly" }],
      [10, { hour: 8, kind: "hourly" }],
      [12, { hour: 12, kind: "four-hourly" }],
      [25, { hour: 24, kind: "daily-summary" }],
      [47.9, { hour: 44, kind: "four-hourly" }],
      [48, { hour: 48, kind: "final" }],
      [60, { hour: 48, kind: "final" }],
    ] as const),
  )("at hour %s makes the report of the latest slot: %o", (hours, slot) => {
    expect(currentReport({ start: START, now: at(hours) })).toEqual(slot);
  });
});
