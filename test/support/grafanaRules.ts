/**
 * Turns the Grafana alert rules the program declared into the equivalent Prometheus alerting rules:
 * the A query compared with the C threshold, the same `for`, the same labels. promtool then decides
 * when each one fires.
 */
import type { DeclaredResource } from "../../tools/offline/engine";

interface GrafanaRule {
  readonly name: string;
  readonly for: string;
  readonly condition: string;
  readonly labels: Record<string, string>;
  readonly datas: readonly { refId: string; datasourceUid: string; model: string }[];
}

export interface PrometheusRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
}

const COMPARISON = { gt: ">", lt: "<" } as const;

export function prometheusRules(ruleGroup: DeclaredResource): PrometheusRule[] {
  const rules = ruleGroup.inputs.rules as readonly GrafanaRule[];
  return rules.map((rule) => {
    const models = new Map(rule.datas.map((data) => [data.refId, JSON.parse(data.model) as Record<string, unknown>]));
    const query = models.get("A");
    const reduce = models.get("B");
    const threshold = models.get(rule.condition);
    if (!query || reduce?.expression !== "A" || threshold?.type !== "threshold" || threshold.expression !== "B") {
      throw new Error(`rule ${rule.name} is not the A (query) -> B (reduce A) -> C (threshold B) chain`);
    }
    if (query.instant !== true) throw new Error(`rule ${rule.name}: query A must be an instant query`);
    const [condition] = threshold.conditions as { evaluator: { type: keyof typeof COMPARISON; params: number[] } }[];
    const value = condition?.evaluator.params[0];
    if (!condition || value === undefined) throw new Error(`rule ${rule.name}: threshold C has no condition`);
    return {
      alert: rule.name,
      expr: `(${String(query.expr)}) ${COMPARISON[condition.evaluator.type]} ${value}`,
      for: rule.for,
      labels: rule.labels,
    };
  });
}
