/**
 * Turns the Grafana rule group the program declared into the Prometheus rule group that behaves
 * the same, for promtool to decide when each rule fires. Everything Grafana uses to decide is
 * carried over: the A query, the B reduce step and its mode, the C threshold, `for`, the labels,
 * what happens without data (`noDataState`), and the group's evaluation interval. Settings this
 * model does not cover are an error, never silently dropped: extend the model before using them.
 */
import type { DeclaredResource } from "../../tools/offline/engine";

interface GrafanaQuery {
  readonly refId: string;
  readonly relativeTimeRange: { readonly from: number; readonly to: number };
  readonly model: string;
}

interface GrafanaRule {
  readonly name: string;
  readonly for: string;
  readonly condition: string;
  readonly noDataState: string;
  readonly labels: Record<string, string>;
  readonly datas: readonly GrafanaQuery[];
}

export interface PrometheusRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  /** How often the group is evaluated, from Grafana's `intervalSeconds`. */
  readonly interval: string;
  readonly rules: PrometheusRule[];
}

const COMPARISON: Readonly<Record<string, string>> = { gt: ">", lt: "<" };
// On an instant query (one sample per series) these reducers all give that sample.
const ONE_SAMPLE_REDUCERS = new Set(["last", "mean", "min", "max"]);

export function prometheusRuleGroup(ruleGroup: DeclaredResource): PrometheusRuleGroup {
  const { name, intervalSeconds, rules } = ruleGroup.inputs as {
    name: string;
    intervalSeconds: number;
    rules: readonly GrafanaRule[];
  };
  return { name, interval: `${intervalSeconds}s`, rules: rules.map(prometheusRule) };
}

function prometheusRule(rule: GrafanaRule): PrometheusRule {
  const fail = (why: string): never => {
    throw new Error(`rule ${rule.name}: ${why}`);
  };
  const queries = new Map(rule.datas.map((data) => [data.refId, data]));
  const model = (refId: string) => {
    const data = queries.get(refId);
    return data === undefined ? undefined : (JSON.parse(data.model) as Record<string, unknown>);
  };
  const [query, reduce, threshold] = [model("A"), model("B"), model(rule.condition)];
  if (!query || reduce?.type !== "reduce" || reduce.expression !== "A") fail("B must reduce the A query");
  if (threshold?.type !== "threshold" || threshold.expression !== "B") fail("the condition must be a threshold on B");
  // A range query would hand B one series per step: not modelled.
  if (query?.instant !== true || query.range !== false) fail("query A must be an instant query, not a range query");
  const expr = String(query?.expr);

  // Grafana evaluates the query `to` seconds in the past, over a range reaching back `from` seconds.
  const range = queries.get("A")?.relativeTimeRange;
  if (range?.to !== 0) fail(`query A is evaluated ${String(range?.to)} s in the past: not modelled`);
  const needed = Math.max(
    0,
    ...[...expr.matchAll(/\[(\d+)([smh])\]/g)].map(([, n, unit]) => seconds(Number(n), unit!)),
  );
  if ((range?.from ?? 0) < needed)
    fail(`query A's time range (${String(range?.from)} s) is shorter than its ${needed} s window`);

  const reducer = String(reduce?.reducer);
  if (!ONE_SAMPLE_REDUCERS.has(reducer)) fail(`reducer ${reducer} is not modelled`);
  const mode = (reduce?.settings as { mode?: string } | undefined)?.mode;
  // dropNN: NaN (a ratio without traffic, 0/0) is dropped, which leaves no data.
  if (mode !== "dropNN") fail(`reduce mode ${String(mode)} is not modelled`);
  const data = `((${expr}) == (${expr}))`;

  const [condition] = (threshold?.conditions ?? []) as { evaluator: { type: string; params: number[] } }[];
  const operator = COMPARISON[condition?.evaluator.type ?? ""];
  const value = condition?.evaluator.params[0];
  if (operator === undefined || value === undefined) fail(`threshold ${JSON.stringify(condition)} is not modelled`);
  const breach = `${data} ${String(operator)} ${String(value)}`;

  // What Grafana does when B has no data: fire (Alerting) or stay normal (OK). NoData would fire a
  // separate DatasourceNoData alert, which this model does not cover.
  const whenNoData: Readonly<Record<string, string>> = { Alerting: `${breach} or absent(${data})`, OK: breach };
  const full = whenNoData[rule.noDataState] ?? fail(`noDataState ${rule.noDataState} is not modelled`);
  return { alert: rule.name, expr: full, for: rule.for, labels: rule.labels };
}

function seconds(n: number, unit: string): number {
  return n * ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[unit]!;
}
