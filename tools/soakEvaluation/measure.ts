/**
 * Asks Prometheus everything a {@link GatePlan} and the report's charts need, a few queries at a
 * time, and hands back plain samples for the pure judgement in `components/soak/soakCriteria.ts`.
 */
import { CONDITION_STEP_SECONDS, type Point } from "../../components/soak/alertReplay";
import type { GatePlan, GateSamples, SoakWindow } from "../../components/soak/soakCriteria";
import {
  ALL_ROUTES,
  REGRESSION_STEP_SECONDS,
  type RegressionPlan,
  type RegressionSamples,
  type ScopedSamples,
  type Span,
} from "../../components/soak/regression";
import { chartStepSeconds, type ChartData, type ChartSpec } from "../charts/charts";
import { PrometheusUnavailable, type PrometheusClient, type Series } from "../services/prometheus";

/** Queries in flight at once: quick on a laptop, gentle on a shared Prometheus. */
const CONCURRENCY = 4;

/** Runs `tasks` with at most `limit` at a time; the first failure rejects the whole. */
export async function inBatches<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  // One iterator shared by the workers: each takes the next task when it is free.
  const queue = tasks.entries();
  const worker = async () => {
    for (const [index, task] of queue) results[index] = await task();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The samples of a query that aggregates to one series; none when Prometheus has no data. */
function onlySeries(client: PrometheusClient, query: string, series: readonly Series[]): readonly Point[] {
  if (series.length > 1) {
    throw new PrometheusUnavailable(
      `Prometheus at ${client.where} returned ${series.length} series for a query that aggregates to one: ${query}`,
    );
  }
  return series[0]?.points ?? [];
}

/** Everything the criteria need. `onQuery` is told after each answer (progress). */
export async function measure(
  client: PrometheusClient,
  plan: GatePlan,
  onQuery: () => void = () => undefined,
): Promise<GateSamples> {
  const { start, end } = plan.window;
  const instant = (query: string) => async () => {
    const value = onlySeries(client, query, await client.instant(query, end))[0]?.[1];
    onQuery();
    return value;
  };
  const range = (query: string) => async () => {
    const points = onlySeries(client, query, await client.range(query, start, end, CONDITION_STEP_SECONDS));
    onQuery();
    return points;
  };
  const [values, conditions] = await Promise.all([
    inBatches([...plan.measures.map((m) => instant(m.expr)), instant(plan.requests), instant(plan.firstSeen)], 2),
    inBatches(
      plan.conditions.map((rule) => range(rule.expr)),
      CONCURRENCY - 2,
    ),
  ]);
  const measures = Object.fromEntries(plan.measures.map((m, i) => [m.key, values[i]]));
  const regression = plan.regression ? await regressionSamples(client, plan.regression, onQuery) : undefined;
  return {
    ...(regression && { regression }),
    measures,
    requests: values[plan.measures.length],
    firstSeen: values[plan.measures.length + 1],
    conditions: Object.fromEntries(plan.conditions.map((rule, i) => [rule.key, conditions[i] ?? []])),
  };
}

/** The no-regression criterion's per-minute samples: each query over the judged and the baseline span. */
export async function regressionSamples(
  client: PrometheusClient,
  plan: RegressionPlan,
  onQuery: () => void = () => undefined,
): Promise<RegressionSamples> {
  const range = (expr: string, byRoute: boolean, span: Span) => async (): Promise<ScopedSamples> => {
    const series = await client.range(expr, span.start, span.end, REGRESSION_STEP_SECONDS);
    onQuery();
    if (!byRoute) return { [ALL_ROUTES]: onlySeries(client, expr, series).map(([, v]) => v) };
    return Object.fromEntries(
      series
        .filter((s) => s.labels.http_route !== undefined)
        .map((s) => [s.labels.http_route ?? "", s.points.map(([, v]) => v)]),
    );
  };
  const answers = await inBatches(
    plan.queries.flatMap((q) => [range(q.expr, q.byRoute, plan.judged), range(q.expr, q.byRoute, plan.baseline)]),
    CONCURRENCY,
  );
  return plan.queries.map((_, i) => ({ judged: answers[2 * i] ?? {}, baseline: answers[2 * i + 1] ?? {} }));
}

/** The charts' series over the window. */
export async function chartData(
  client: PrometheusClient,
  charts: readonly ChartSpec[],
  window: SoakWindow,
  onQuery: () => void = () => undefined,
): Promise<ChartData[]> {
  const step = chartStepSeconds(window);
  const tasks = charts.flatMap((chart) =>
    chart.queries.map((q) => async () => {
      const series = await client.range(q.expr, window.start, window.end, step);
      onQuery();
      return series.map((s) => ({ name: q.legend(s.labels), points: s.points }));
    }),
  );
  const answers = await inBatches(tasks, CONCURRENCY);
  let index = 0;
  return charts.map((spec) => ({
    spec,
    window,
    step,
    series: spec.queries.flatMap(() => answers[index++] ?? []),
  }));
}

/** How many queries a run sends: the criteria's, plus the charts' with a report. */
export function queryCount(plan: GatePlan, charts: readonly ChartSpec[]): number {
  return (
    plan.measures.length +
    2 +
    plan.conditions.length +
    (plan.regression?.queries.length ?? 0) * 2 +
    charts.reduce((n, c) => n + c.queries.length, 0)
  );
}
