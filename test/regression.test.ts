/** The no-regression criterion's decision, pure: per-minute samples in, verdicts out. */
import { describe, expect, it } from "vitest";
import { StackConfigSchema } from "../components/config/schema";
import {
  ALL_ROUTES,
  compare,
  judgeRegression,
  regressionNames,
  regressionPlan,
  type RegressionSamples,
} from "../components/soak/regression";
import { cases } from "./support/cases";

const gate = StackConfigSchema.shape.soakGate.parse(undefined);
const LIMITS = { maxPValue: 0.01, minEffect: 0.1, minSamples: 60 };
/** `n` minutes around `level`, a small deterministic wobble (±2%). */
const minutes = (n: number, level: number) => Array.from({ length: n }, (_, i) => level * (1 + 0.02 * Math.sin(i)));

describe("one comparison (compare)", () => {
  it.each(
    cases([
      ["unchanged", minutes(120, 0.2), minutes(120, 0.2), "pass"],
      ["30% slower", minutes(120, 0.26), minutes(120, 0.2), "regression"],
      ["5% slower: significant but below the minimum effect", minutes(120, 0.21), minutes(120, 0.2), "pass"],
      ["faster", minutes(120, 0.15), minutes(120, 0.2), "pass"],
      ["errors where there were none (baseline median 0)", minutes(120, 0.02), minutes(120, 0), "regression"],
      ["59 judged minutes", minutes(59, 0.5), minutes(120, 0.2), "inconclusive"],
      ["59 baseline minutes", minutes(120, 0.5), minutes(59, 0.2), "inconclusive"],
      ["no baseline at all", minutes(120, 0.2), [], "inconclusive"],
      ["60 each: enough", minutes(60, 0.3), minutes(60, 0.2), "regression"],
      [
        "unmeasured minutes (NaN) do not count",
        [...minutes(50, 0.3), ...Array<number>(70).fill(NaN)],
        minutes(120, 0.2),
        "inconclusive",
      ],
    ] as const),
  )("%s: %s", (_, judged, baseline, status) => {
    expect(compare(judged, baseline, LIMITS).status).toBe(status);
  });

  it("reports both medians, the effect and the p-value", () => {
    const result = compare(Array<number>(100).fill(0.26), Array<number>(100).fill(0.2), LIMITS);
    expect(result).toMatchObject({ judgedMedian: 0.26, baselineMedian: 0.2, judgedSamples: 100, baselineSamples: 100 });
    expect(result.effect).toBeCloseTo(0.3, 10);
    expect(result.p).toBeLessThan(1e-10);
  });

  it("needs both: p below maxPValue and the effect above minEffect", () => {
    const strict = { ...LIMITS, maxPValue: 1e-300 };
    expect(compare(minutes(120, 0.26), minutes(120, 0.2), strict).status).toBe("pass");
    expect(compare(minutes(120, 0.26), minutes(120, 0.2), { ...LIMITS, minEffect: 0.5 }).status).toBe("pass");
  });
});

describe("the plan's PromQL", () => {
  const judged = { start: 1_000_000, end: 1_000_000 + 86_400 };
  it("compares every route but the preview endpoint's by default, at 5m rates, one rate window into each span", () => {
    const plan = regressionPlan(gate, "/v1/plans/time-crunch/preview", judged, 7 * 86_400, "1w earlier");
    expect(plan.selector).toBe('http_route!="/v1/plans/time-crunch/preview"');
    expect(plan.judged).toEqual({ start: judged.start + 300, end: judged.end });
    expect(plan.baseline).toEqual({ start: judged.start - 7 * 86_400 + 300, end: judged.end - 7 * 86_400 });
    expect(plan.queries.map((q) => q.expr)).toEqual([
      '(sum (rate(http_server_request_duration_seconds_count{http_route!="/v1/plans/time-crunch/preview",http_response_status_code=~"5.."}[5m])) or 0 * sum (rate(http_server_request_duration_seconds_count{http_route!="/v1/plans/time-crunch/preview"}[5m]))) / sum (rate(http_server_request_duration_seconds_count{http_route!="/v1/plans/time-crunch/preview"}[5m]))',
      '(sum by (http_route) (rate(http_server_request_duration_seconds_count{http_route!="/v1/plans/time-crunch/preview",http_response_status_code=~"5.."}[5m])) or 0 * sum by (http_route) (rate(http_server_request_duration_seconds_count{http_route!="/v1/plans/time-crunch/preview"}[5m]))) / sum by (http_route) (rate(http_server_request_duration_seconds_count{http_route!="/v1/plans/time-crunch/preview"}[5m]))',
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{http_route!="/v1/plans/time-crunch/preview"}[5m])))',
      'histogram_quantile(0.95, sum by (http_route, le) (rate(http_server_request_duration_seconds_bucket{http_route!="/v1/plans/time-crunch/preview"}[5m])))',
    ]);
  });

  it("matches exactly the routes given, escaped", () => {
    const routes = { ...gate, regression: { ...gate.regression, routes: ["/v1/plans", "/v1/a.b"] } };
    expect(regressionPlan(routes, "/p", judged, 86_400, "").selector).toBe(
      String.raw`http_route=~"/v1/plans|/v1/a\\.b"`,
    );
  });
});

describe("the verdict (judgeRegression)", () => {
  const plan = regressionPlan(gate, "/preview", { start: 0, end: 7200 }, 7200, "the window before");
  const steady = (level: number) => minutes(100, level);
  /** Samples for the four queries: error ratio (set, by route), p95 (set, by route). */
  const samples = (judged: { plans: number; athletes: number; all: number }, errors = 1): RegressionSamples => [
    { judged: { [ALL_ROUTES]: steady(0.01 * errors) }, baseline: { [ALL_ROUTES]: steady(0.01) } },
    {
      judged: { "/v1/plans": steady(0.01 * errors), "/v1/athletes": steady(0.01) },
      baseline: { "/v1/plans": steady(0.01), "/v1/athletes": steady(0.01) },
    },
    { judged: { [ALL_ROUTES]: steady(judged.all) }, baseline: { [ALL_ROUTES]: steady(0.2) } },
    {
      judged: { "/v1/plans": steady(judged.plans), "/v1/athletes": steady(judged.athletes) },
      baseline: { "/v1/plans": steady(0.2), "/v1/athletes": steady(0.2) },
    },
  ];

  it("passes when nothing changed, with a finding per route and for the set, per measure", () => {
    const verdict = judgeRegression(plan, samples({ plans: 0.2, athletes: 0.2, all: 0.2 }));
    expect(verdict.status).toBe("pass");
    expect(verdict.findings.map((f) => `${f.scope}: ${f.measure}`)).toEqual([
      "all routes: error ratio",
      "/v1/athletes: error ratio",
      "/v1/plans: error ratio",
      "all routes: p95 latency",
      "/v1/athletes: p95 latency",
      "/v1/plans: p95 latency",
    ]);
  });

  it("names each regressed route and measure", () => {
    const verdict = judgeRegression(plan, samples({ plans: 0.26, athletes: 0.2, all: 0.24 }, 2));
    expect(verdict.status).toBe("regression");
    expect(regressionNames(verdict)).toEqual([
      "all routes: error ratio",
      "/v1/plans: error ratio",
      "all routes: p95 latency",
      "/v1/plans: p95 latency",
    ]);
  });

  it("is inconclusive without any data, and a regression wins over an inconclusive comparison", () => {
    expect(judgeRegression(plan, []).status).toBe("inconclusive");
    const partial = samples({ plans: 0.3, athletes: 0.2, all: 0.3 });
    const withNewRoute: RegressionSamples = partial.map((s, i) =>
      i === 3 ? { ...s, judged: { ...s.judged, "/v1/new": steady(0.2) } } : s,
    );
    const verdict = judgeRegression(plan, withNewRoute);
    expect(verdict.findings.find((f) => f.scope === "/v1/new")?.status).toBe("inconclusive");
    expect(verdict.status).toBe("regression");
  });
});
