/**
 * Grafana's query chain for one alert rule — A (the Prometheus query) -> B (reduce to the last
 * value) -> C (threshold) — built with the Grafana foundation SDK's typed builders (as the dashboard
 * is) and serialized once, with sorted keys, so a preview never shows a reordered model as a diff.
 * Pure: no Pulumi, no provider.
 */
import * as alerting from "@grafana/grafana-foundation-sdk/alerting";
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as expr from "@grafana/grafana-foundation-sdk/expr";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { stringify } from "safe-stable-stringify";
import type { AlertRuleSpec } from "./alertRules";

/** Grafana's server-side expressions datasource (reduce, threshold). */
export const EXPRESSION_DATASOURCE = "__expr__";

/** One entry of a rule's `datas`, as the Grafana provider takes it (the model as a JSON string). */
export interface AlertQuery {
  readonly refId: string;
  readonly datasourceUid: string;
  readonly relativeTimeRange: { readonly from: number; readonly to: number };
  readonly model: string;
}

/** The rule's A -> B -> C chain, reading Prometheus through `datasourceUid`; its condition is `C`. */
export function alertQueries(rule: AlertRuleSpec, datasourceUid: string): AlertQuery[] {
  const expressionDatasource = { type: EXPRESSION_DATASOURCE, uid: EXPRESSION_DATASOURCE };
  return [
    query(
      new alerting.QueryBuilder("A")
        .datasourceUid(datasourceUid)
        .relativeTimeRange({ from: rule.lookbackSeconds, to: 0 })
        .model(
          new prometheus.DataqueryBuilder()
            .refId("A")
            // Grafana runs the query on datasourceUid; the model's copy is for the rule editor.
            .datasource({ type: "prometheus", uid: datasourceUid })
            .expr(rule.expr)
            .instant(),
        ),
    ),
    query(
      new alerting.QueryBuilder("B")
        .datasourceUid(EXPRESSION_DATASOURCE)
        // An expression reads no data source, so it has no time range of its own.
        // Stryker disable next-line ObjectLiteral: equivalent, a missing range reads as 0 to 0 (query())
        .relativeTimeRange({ from: 0, to: 0 })
        .model(
          new expr.TypeReduceBuilder()
            .refId("B")
            .datasource(expressionDatasource)
            .expression("A")
            .reducer("last")
            // dropNN: a ratio of no traffic (0/0 = NaN) is no data, not a breach.
            .settings({ mode: "dropNN" }),
        ),
    ),
    query(
      new alerting.QueryBuilder("C")
        .datasourceUid(EXPRESSION_DATASOURCE)
        // Stryker disable next-line ObjectLiteral: equivalent, a missing range reads as 0 to 0 (query())
        .relativeTimeRange({ from: 0, to: 0 })
        .model(
          new expr.TypeThresholdBuilder()
            .refId("C")
            .datasource(expressionDatasource)
            .expression("B")
            .conditions([{ evaluator: { type: rule.comparison, params: [rule.threshold] } }]),
        ),
    ),
  ];
}

/** The provider's shape of a built query: the model serialized (sorted keys; the builders' marker functions dropped). */
function query(builder: cog.Builder<alerting.Query>): AlertQuery {
  // The builders above set every field; the defaults only satisfy the SDK's optional types.
  // Stryker disable next-line StringLiteral: unreachable defaults (every query sets refId and datasourceUid)
  const { refId = "", datasourceUid = "", relativeTimeRange = {}, model } = builder.build();
  const { from = 0, to = 0 } = relativeTimeRange;
  // Stryker disable next-line StringLiteral: unreachable default (a built model always serializes)
  return { refId, datasourceUid, relativeTimeRange: { from, to }, model: stringify(model) ?? "" };
}
