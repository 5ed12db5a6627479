/**
 * The soak gate's pure judgement (components/soak/soakCriteria.ts, alertReplay.ts), its config block
 * and its time budget: samples and thresholds in, verdicts out, no server.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { timeCrunchAlertRules, type AlertRuleSpec } from "../components/observability/alertRules";
import { StackConfigSchema, type StackConfigError } from "../components/config/schema";
import { queries } from "../components/observability/metrics";
import { conditionRuns, firings, type Point } from "../components/soak/alertReplay";
import {
  Criterion,
  formatValue,
  gatePlan,
  judge,
  soakWindow,
  TRAFFIC_RULE,
  type GateSamples,
} from "../components/soak/soakCriteria";
import { ALL_ROUTES, regressionPlan, type RegressionSamples } from "../components/soak/regression";
import { budgetProblem, DEFAULT_BUDGET, runBoundSeconds } from "../tools/soakEvaluation/budget";
import { stackSettings } from "../tools/soakEvaluation/settings";
import { stackFilePath } from "../components/config/stackFile";
import { cases } from "./support/cases";

const gate = StackConfigSchema.shape.soakGate.parse(undefined);
const alerts = StackConfigSchema.shape.alerts.parse(undefined);
const q = queries();
const rules = timeCrunchAlertRules(alerts, q, "staging");
const END = Date.parse("2026-03-02T12:00:00Z") / 1000;
const plan = gatePlan(gate, rules, q, soakWindow("24h", END));
const ruleByKey = (key: string) => rules.find((r) => r.key === key)!;

/** Points every minute over the window, with `value(t)` at each. */
const everyMinute = (value: (time: number) => number): Point[] =>
  Array.from({ length: 24 * 60 + 1 }, (_, i) => plan.window.start + i * 60).map((t) => [t, value(t)]);

/** A healthy soak's samples: every criterion passes. */
const healthy: GateSamples = {
  measures: {
    [Criterion.SuccessRate]: 0.97,
    [Criterion.AverageResponse]: 0.4,
    [Criterion.P95Response]: 1.2,
    [Criterion.ErrorRate]: 0.01,
    [Criterion.TimeConstraint]: 0.9,
  },
  requests: 864_000,
  firstSeen: plan.window.start - 2 * 3600,
  conditions: {
    "error-rate": everyMinute(() => 0.01),
    "response-time": everyMinute(() => 0.4),
    "success-rate": everyMinute(() => 0.97),
    [TRAFFIC_RULE]: everyMinute(() => 18_000),
  },
};

const verdictOf = (samples: GateSamples) => judge(plan, samples);
const failing = (samples: GateSamples) => verdictOf(samples).failing;

describe("the gate's config block (soakGate)", () => {
  it("defaults to the checklist's criteria and a 24-hour window", () => {
    expect(gate).toEqual({
      window: "24h",
      successRate: { above: 0.95 },
      errorRate: { below: 0.05 },
      averageResponseSeconds: { below: 2 },
      p95ResponseSeconds: { below: 5 },
      timeConstraintSuccess: { above: 0.8 },
      baseline: "1w",
      rungSoak: "24h",
      regression: {
        metric: "http_server_request_duration_seconds",
        maxPValue: 0.01,
        minEffect: 0.1,
        minSamples: 60,
      },
    });
  });

  it.each(
    cases([
      [{ window: "90s" }, /^soakGate\.window: got "90s"; allowed: a window such as "24h".*from 1h to 30d/],
      [{ window: "31d" }, /^soakGate\.window: got "31d"; allowed: a window such as "24h"/],
      [
        { successRate: { above: 95 } },
        /^soakGate\.successRate\.above: got 95; allowed: the minimum success rate: a ratio/,
      ],
      [
        { averageResponseSeconds: { below: 0 } },
        /^soakGate\.averageResponseSeconds\.below: got 0; allowed: a number of seconds/,
      ],
      [{ p95: 5 }, /^soakGate\.p95: not a key of soakGate; allowed: the keys of .*p95ResponseSeconds/],
    ]),
  )("rejects soakGate %j in a stack file, naming the key and what is allowed", (soakGate, message) => {
    const file = join(mkdtempSync(join(tmpdir(), "soak-gate-")), "Pulumi.staging.yaml");
    const staging = parse(readFileSync(stackFilePath("staging"), "utf8")) as { config: Record<string, unknown> };
    staging.config["stream5-time-crunch:soakGate"] = soakGate;
    writeFileSync(file, stringify(staging));
    let problems: readonly string[] = [];
    try {
      stackSettings({ configFile: file });
    } catch (error) {
      problems = (error as StackConfigError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

describe("what the gate asks Prometheus", () => {
  it("measures over the window with the dashboard's builders", () => {
    expect(plan.measures.map((m) => [m.key, m.expr])).toEqual([
      [Criterion.SuccessRate, q.successRatio("24h")],
      [Criterion.AverageResponse, q.averageLatency("24h")],
      [Criterion.P95Response, q.p95Latency("24h")],
      [Criterion.ErrorRate, q.errorRatio("24h")],
      [Criterion.TimeConstraint, q.timeConstraintSuccessRatio("24h")],
    ]);
    expect(plan.requests).toBe(q.requestsIn("24h"));
    // The checklist's direction and unit of each criterion, which the report's charts draw too.
    expect(plan.measures.map((m) => [m.key, m.comparison, m.threshold, m.unit])).toEqual([
      [Criterion.SuccessRate, "above", 0.95, "ratio"],
      [Criterion.AverageResponse, "below", 2, "seconds"],
      [Criterion.P95Response, "below", 5, "seconds"],
      [Criterion.ErrorRate, "below", 0.05, "ratio"],
      [Criterion.TimeConstraint, "above", 0.8, "ratio"],
    ]);
  });

  it("writes values as the tables show them; what is not a number stays as Prometheus wrote it", () => {
    expect(formatValue(0.975, "ratio")).toBe("97.5%");
    expect(formatValue(1.23456, "seconds")).toBe("1.23 s");
    expect(formatValue(Number.POSITIVE_INFINITY, "seconds")).toBe("Infinity");
    expect(formatValue(Number.NaN, "ratio")).toBe("NaN");
  });

  it("replays exactly the alert rules (their queries, thresholds and durations from the alerts config)", () => {
    expect(plan.conditions).toBe(rules);
  });

  it("refuses a window that is not a positive duration, quoting it", () => {
    for (const text of ["24x", "0h", ""]) {
      expect(() => soakWindow(text, END)).toThrow(new RangeError(`window ${JSON.stringify(text)} is not a duration`));
    }
  });

  it("refuses alert rules without the zero-requests rule: traffic would go unjudged", () => {
    const message = 'the alert rules have no "zero-requests" rule, whose condition is the traffic criterion';
    const withoutTraffic = rules.filter((rule) => rule.key !== "zero-requests");
    expect(() => gatePlan(gate, withoutTraffic, q, plan.window)).toThrow(message);
    expect(() => judge({ ...plan, conditions: withoutTraffic }, healthy)).toThrow(
      'no "zero-requests" rule in the plan',
    );
  });

  it("looks back for the soak's start over the checklist's 48 hours, or the window if longer", () => {
    expect(plan.firstSeen).toBe(q.requestsFirstSeen("2880m"));
    expect(gatePlan(gate, rules, q, soakWindow("72h", END)).firstSeen).toBe(q.requestsFirstSeen("4320m"));
  });
});

describe("judge", () => {
  it("says GO for a healthy soak", () => {
    const verdict = verdictOf(healthy);
    expect(verdict.failing).toEqual([]);
    expect(verdict.go).toBe(true);
    expect(verdict.requests).toBe(864_000);
    expect(verdict.soak.phase?.name).toBe("hours 8-48");
  });

  it("says each criterion's threshold and what it observed, as the report's table shows them", () => {
    expect(verdictOf(healthy).criteria.map((c) => [c.key, c.threshold, c.observed, c.pass])).toEqual([
      [Criterion.SuccessRate, "> 95%", "97%", true],
      [Criterion.AverageResponse, "< 2 s", "0.4 s", true],
      [Criterion.P95Response, "< 5 s", "1.2 s", true],
      [Criterion.ErrorRate, "< 5%", "1%", true],
      [Criterion.TimeConstraint, "> 80%", "90%", true],
      [Criterion.Traffic, "no 30-minute span without a request", "none", true],
      [Criterion.Stability, "no alert would have fired (error-rate, response-time, success-rate)", "none", true],
      [Criterion.Coverage, "data for the whole 24h window", "data for the last 26 h", true],
    ]);
  });

  it("lists the incidents of every alert in time order, counted in words", () => {
    const burst = (from: number, to: number, high: number, low: number) =>
      everyMinute((t) => {
        const minute = (t - plan.window.start) / 60;
        return minute >= from && minute < to ? high : low;
      });
    const stabilityOf = (conditions: GateSamples["conditions"]) =>
      verdictOf({ ...healthy, conditions: { ...healthy.conditions, ...conditions } }).criteria.find(
        (c) => c.key === Criterion.Stability,
      )!;
    // The error-rate burst comes later in the window than the slow responses, but is listed second.
    const two = stabilityOf({ "error-rate": burst(600, 620, 0.5, 0.01), "response-time": burst(100, 120, 9, 0.4) });
    expect(two.observed).toBe("2 alerts would have fired");
    expect(two.incidents.map((i) => [i.what, (i.from - plan.window.start) / 60, i.minutes])).toEqual([
      [ruleByKey("response-time").title, 100, 19],
      [ruleByKey("error-rate").title, 600, 19],
    ]);
    expect(stabilityOf({ "error-rate": burst(600, 620, 0.5, 0.01) }).observed).toBe("1 alert would have fired");
  });

  it("spans each traffic gap from its last request, counted in words", () => {
    const quiet = (ranges: [number, number][]) =>
      everyMinute((t) => {
        const minute = (t - plan.window.start) / 60;
        return ranges.some(([from, to]) => minute >= from && minute < to) ? 0 : 5_000;
      });
    const traffic = (ranges: [number, number][]) =>
      verdictOf({ ...healthy, conditions: { ...healthy.conditions, [TRAFFIC_RULE]: quiet(ranges) } }).criteria.find(
        (c) => c.key === Criterion.Traffic,
      )!;
    // The zero-requests value at minute m counts the 30 minutes before it: zero from 330 to 359
    // means no request from minute 300 on.
    const one = traffic([[330, 360]]);
    expect(one.observed).toBe("1 gap");
    expect(one.incidents).toEqual([
      { what: "no request", from: plan.window.start + 300 * 60, to: plan.window.start + 359 * 60, minutes: 59 },
    ]);
    expect(
      traffic([
        [330, 360],
        [900, 905],
      ]).observed,
    ).toBe("2 gaps");
  });

  it("says how old the soak is and which phase of the checklist it is in", () => {
    const soakOf = (hoursOld: number) => verdictOf({ ...healthy, firstSeen: END - hoursOld * 3600 }).soak;
    expect(soakOf(1)).toMatchObject({ hours: 1, atLeast: false, phase: { name: "hours 0-2" } });
    expect(soakOf(2)).toMatchObject({ hours: 2, phase: { name: "hours 2-8" } });
    expect(soakOf(8)).toMatchObject({ hours: 8, phase: { name: "hours 8-48" } });
    expect(soakOf(48)).toMatchObject({
      since: END - 48 * 3600,
      hours: 48,
      atLeast: true,
      phase: { name: "after hour 48" },
    });
    // A counter that already existed a minute after the look-back began: at least that old.
    expect(verdictOf({ ...healthy, firstSeen: END - 48 * 3600 + 60 }).soak.atLeast).toBe(true);
    expect(verdictOf({ ...healthy, firstSeen: END - 48 * 3600 + 61 }).soak.atLeast).toBe(false);
  });

  it("judges traffic from the moment the zero-requests window first spans only the soak", () => {
    const firstSeen = plan.window.start + 3600;
    const span = ruleByKey(TRAFFIC_RULE).lookbackSeconds;
    const quietAt = (at: number) =>
      verdictOf({
        ...healthy,
        firstSeen,
        conditions: { ...healthy.conditions, [TRAFFIC_RULE]: everyMinute((t) => (t === at ? 0 : 5_000)) },
      }).criteria.find((c) => c.key === Criterion.Traffic)!;
    expect(quietAt(firstSeen + span - 60).pass).toBe(true);
    expect(quietAt(firstSeen + span)).toMatchObject({ pass: false, observed: "1 gap" });
  });

  it.each(
    cases([
      [Criterion.SuccessRate, 0.95, "success rate"],
      [Criterion.AverageResponse, 2, "average response time"],
      [Criterion.P95Response, 5, "p95 response time"],
      [Criterion.ErrorRate, 0.05, "error rate"],
      [Criterion.TimeConstraint, 0.8, "time-constraint success"],
    ]),
  )("fails %s at its threshold (the comparison is strict)", (key, value, title) => {
    expect(failing({ ...healthy, measures: { ...healthy.measures, [key]: value } })).toEqual([title]);
  });

  it.each(cases(plan.measures.map((m) => m.key)))("fails %s when Prometheus has no data or only NaN (0/0)", (key) => {
    for (const value of [undefined, NaN]) {
      const verdict = verdictOf({ ...healthy, measures: { ...healthy.measures, [key]: value } });
      const criterion = verdict.criteria.find((c) => c.key === key)!;
      expect([criterion.pass, verdict.go]).toEqual([false, false]);
      expect(criterion.observed).toMatch(/no data|cannot compute/);
    }
  });

  it("fails stability when an alert condition held for its duration, saying when and for how long", () => {
    const burstFrom = plan.window.start + 600 * 60;
    const errorRate = everyMinute((t) => (t >= burstFrom && t < burstFrom + 12 * 60 ? 0.4 : 0.01));
    const verdict = verdictOf({ ...healthy, conditions: { ...healthy.conditions, "error-rate": errorRate } });
    expect(verdict.failing).toEqual(["stability"]);
    const stability = verdict.criteria.find((c) => c.key === Criterion.Stability)!;
    expect(stability.incidents).toEqual([
      { what: "Time Crunch preview error rate high", from: burstFrom, to: burstFrom + 11 * 60, minutes: 11 },
    ]);
  });

  it("passes stability when a condition held for less than its duration (the alert would not have fired)", () => {
    const from = plan.window.start + 60 * 60;
    const success = everyMinute((t) => (t >= from && t < from + 10 * 60 ? 0.5 : 0.97)); // 9 minutes < 10m
    expect(failing({ ...healthy, conditions: { ...healthy.conditions, "success-rate": success } })).toEqual([]);
  });

  it("fails traffic for a gap of the zero-requests rule's 30 minutes, spanning the whole gap", () => {
    const gapFrom = plan.window.start + 300 * 60;
    // Requests in the last 30 minutes: none while the window lies inside the 45-minute gap.
    const inLast30 = everyMinute((t) => (t - 30 * 60 >= gapFrom && t <= gapFrom + 45 * 60 ? 0 : 5_000));
    const verdict = verdictOf({ ...healthy, conditions: { ...healthy.conditions, [TRAFFIC_RULE]: inLast30 } });
    expect(verdict.failing).toEqual(["traffic"]);
    expect(verdict.criteria.find((c) => c.key === Criterion.Traffic)!.incidents).toEqual([
      { what: "no request", from: gapFrom, to: gapFrom + 45 * 60, minutes: 45 },
    ]);
  });

  it("fails coverage for a soak younger than the window, within a tolerance of a few scrapes", () => {
    expect(failing({ ...healthy, firstSeen: plan.window.start + 5 * 60 })).toEqual([]);
    expect(failing({ ...healthy, firstSeen: plan.window.start + 6 * 60 })).toEqual(["coverage"]);
    // A young soak: the zero-requests condition held until 30 minutes after its first request.
    const firstSeen = END - 10 * 3600;
    const young = verdictOf({
      ...healthy,
      firstSeen,
      conditions: { ...healthy.conditions, [TRAFFIC_RULE]: everyMinute((t) => (t < firstSeen + 30 * 60 ? 0 : 5_000)) },
    });
    expect(young.failing).toEqual(["coverage"]);
    expect(young.soak).toMatchObject({ hours: 10, phase: { name: "hours 8-48" } });
  });

  it("fails everything that needs data when Prometheus has none", () => {
    const verdict = verdictOf({ measures: {}, requests: undefined, firstSeen: undefined, conditions: {} });
    expect(verdict.failing).toEqual([
      "success rate",
      "average response time",
      "p95 response time",
      "error rate",
      "time-constraint success",
      "traffic",
      "stability",
      "coverage",
    ]);
    for (const criterion of verdict.criteria) {
      expect(criterion).toMatchObject({ observed: "no data", value: null, pass: false, incidents: [] });
    }
    expect(verdict.go).toBe(false);
    expect(verdict.requests).toBeNull();
    expect(verdict.soak).toEqual({ since: null, hours: null, atLeast: false, phase: null });
  });

  it("fails stability when any one alert condition has no data", () => {
    const others = Object.fromEntries(Object.entries(healthy.conditions).filter(([key]) => key !== "error-rate"));
    const verdict = verdictOf({ ...healthy, conditions: others });
    expect(verdict.failing).toEqual(["stability"]);
    expect(verdict.criteria.find((c) => c.key === Criterion.Stability)?.observed).toBe("no data");
  });

  it("fails stability and traffic without data for their conditions, even when every measure has data", () => {
    const verdict = verdictOf({ ...healthy, conditions: {} });
    expect(verdict.failing).toEqual(["traffic", "stability"]);
    for (const key of [Criterion.Traffic, Criterion.Stability]) {
      expect(verdict.criteria.find((c) => c.key === key)).toMatchObject({
        observed: "no data",
        value: null,
        pass: false,
        incidents: [],
      });
    }
  });

  it("is GO exactly when every criterion passes (any sample set)", () => {
    const maybe = fc.option(fc.oneof(fc.double({ min: 0, max: 10 }), fc.constant(NaN)), { nil: undefined });
    fc.assert(
      fc.property(maybe, maybe, maybe, maybe, maybe, (success, average, p95, errors, met) => {
        const verdict = verdictOf({
          ...healthy,
          measures: {
            [Criterion.SuccessRate]: success,
            [Criterion.AverageResponse]: average,
            [Criterion.P95Response]: p95,
            [Criterion.ErrorRate]: errors,
            [Criterion.TimeConstraint]: met,
          },
        });
        expect(verdict.go).toBe(verdict.criteria.every((c) => c.pass));
        if ([success, average, p95, errors, met].some((v) => v === undefined || Number.isNaN(v))) {
          expect(verdict.go).toBe(false);
        }
      }),
    );
  });
});

describe("replaying an alert condition", () => {
  const rule: AlertRuleSpec = ruleByKey("error-rate"); // > 10% for 5m

  it("fires exactly when the condition held for at least the rule's duration, minute by minute", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 60 }), (steps, offset) => {
        const points = everyMinute((t) => {
          const minute = (t - plan.window.start) / 60;
          return minute >= offset && minute < offset + steps ? 0.5 : 0.01;
        });
        expect(firings(rule, points).length).toBe((steps - 1) * 60 >= 300 ? 1 : 0);
      }),
    );
  });

  it("holds strictly above a `gt` threshold and strictly below a `lt` one, as Grafana's threshold does", () => {
    const t0 = plan.window.start;
    const steady = (value: number): Point[] => Array.from({ length: 11 }, (_, m) => [t0 + m * 60, value]);
    const above = ruleByKey("error-rate");
    const below = ruleByKey("success-rate");
    expect([above.comparison, below.comparison]).toEqual(["gt", "lt"]);
    expect(conditionRuns(above, steady(above.threshold))).toEqual([]);
    expect(conditionRuns(above, steady(above.threshold + 0.001))).toEqual([{ from: t0, to: t0 + 600 }]);
    expect(conditionRuns(below, steady(below.threshold))).toEqual([]);
    expect(conditionRuns(below, steady(below.threshold - 0.001))).toEqual([{ from: t0, to: t0 + 600 }]);
  });

  it("refuses a rule whose duration it cannot read, naming the rule", () => {
    expect(() => firings({ ...rule, for: "5 minutes" }, [])).toThrow(
      new RangeError('rule error-rate: "for" 5 minutes is not a duration'),
    );
  });

  it("treats a missing step (no data) and NaN as an interruption, as Grafana resets a pending alert", () => {
    const t0 = plan.window.start;
    const points: Point[] = [0, 1, 2, 4, 5, 6, 7, 8].map((m) => [t0 + m * 60, 0.5]);
    expect(conditionRuns(rule, points)).toEqual([
      { from: t0, to: t0 + 120 },
      { from: t0 + 240, to: t0 + 480 },
    ]);
    expect(firings(rule, points)).toEqual([]);
    expect(
      conditionRuns(rule, [
        [t0, 0.5],
        [t0 + 60, NaN],
        [t0 + 120, 0.5],
      ]),
    ).toHaveLength(2);
  });
});

describe("the run's time budget", () => {
  it("by default ends a run against a silent Prometheus within 90 seconds, with room to start the process", () => {
    expect(DEFAULT_BUDGET).toEqual({ queryTimeoutSeconds: 30, deadlineSeconds: 75 });
    expect(runBoundSeconds(DEFAULT_BUDGET)).toBeLessThanOrEqual(85);
    expect(budgetProblem(DEFAULT_BUDGET)).toBeUndefined();
  });

  it("refuses a per-query timeout longer than the run's deadline", () => {
    expect(budgetProblem({ queryTimeoutSeconds: 60, deadlineSeconds: 30 })).toMatch(/must not exceed --deadline/);
  });
});

describe("judge, with the no-regression criterion and a rung's minimum age", () => {
  const regression = regressionPlan(gate, "/preview", plan.window, plan.window.seconds, "the window before");
  const withRegression = { ...plan, regression };
  const steady = (level: number) => Array.from({ length: 100 }, () => level);
  const regressionSamples = (p95: number): RegressionSamples =>
    regression.queries.map((rq): RegressionSamples[number] =>
      rq.byRoute
        ? { judged: {}, baseline: {} }
        : rq.measure === "p95 latency"
          ? { judged: { [ALL_ROUTES]: steady(p95) }, baseline: { [ALL_ROUTES]: steady(0.2) } }
          : { judged: { [ALL_ROUTES]: steady(0.01) }, baseline: { [ALL_ROUTES]: steady(0.01) } },
    );

  it("says GO when nothing regressed, outcome GO", () => {
    const verdict = judge(withRegression, { ...healthy, regression: regressionSamples(0.2) });
    expect([verdict.go, verdict.outcome, verdict.regression?.status]).toEqual([true, "GO", "pass"]);
  });

  it("says INCONCLUSIVE (not GO) without regression samples, and NO-GO wins over it", () => {
    const inconclusive = judge(withRegression, healthy);
    expect([inconclusive.go, inconclusive.outcome, inconclusive.failing]).toEqual([false, "INCONCLUSIVE", []]);
    const noGo = judge(withRegression, { ...healthy, firstSeen: undefined });
    expect([noGo.go, noGo.outcome, noGo.regression?.status]).toEqual([false, "NO-GO", "inconclusive"]);
  });

  it("says NO-GO naming the route set and the measure on a regression", () => {
    const verdict = judge(withRegression, { ...healthy, regression: regressionSamples(0.26) });
    expect([verdict.outcome, verdict.failing]).toEqual([
      "NO-GO",
      ["no regressions in existing functionality (all routes: p95 latency)"],
    ]);
  });

  it("fails coverage for a rung younger than its minimum age, whatever the data", () => {
    const young = { ...plan, minimumSeconds: 2 * 86_400, minimumText: "48h" };
    const verdict = judge(young, healthy);
    expect(verdict.failing).toEqual(["coverage"]);
    expect(verdict.criteria.find((c) => c.key === Criterion.Coverage)).toMatchObject({
      threshold: "the rung at least 48h old",
      observed: "the rung is 24 h old",
    });
  });

  it("leaves the verdict as before without the criterion (no regression key)", () => {
    const verdict = judge(plan, healthy);
    expect([verdict.outcome, "regression" in verdict]).toEqual(["GO", false]);
  });
});
