/**
 * What Grafana notifies when it cannot judge a rule, as its docs and source describe it ("State and
 * health of alerts"; grafana/grafana `pkg/services/ngalert/state`): on an evaluation error a rule
 * with `execErrState: Error` raises a `DatasourceError` alert, on no data one with `noDataState:
 * NoData` a `DatasourceNoData` alert, each with the rule's labels plus `alertname`, `rulename` and
 * `datasource_uid`, sent to the contact point the rule names; `Alerting` fires the rule itself;
 * `OK` and `KeepLast` send nothing new. Read from the rule group the program declared.
 */
import type { DeclaredResource } from "../../tools/offline/engine";

export type Outage = "error" | "no-data";

/** One alert Grafana would send because of the outage, and where. */
export interface OutageNotification {
  readonly contactPoint: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface DeclaredRule {
  readonly name: string;
  readonly execErrState: string;
  readonly noDataState: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly notificationSettings: { readonly contactPoint: string };
  readonly datas: readonly { readonly datasourceUid: string }[];
}

/** The alert an outage raises per state: a Datasource* alert by name, the rule itself, or none. */
const RAISES: Readonly<Record<Outage, Readonly<Record<string, string | null>>>> = {
  error: { Error: "DatasourceError", Alerting: "rule", OK: null, KeepLast: null },
  "no-data": { NoData: "DatasourceNoData", Alerting: "rule", OK: null, KeepLast: null },
};

/** The notifications an outage of every data source causes, rule by rule. */
export function outageNotifications(ruleGroup: DeclaredResource, outage: Outage): OutageNotification[] {
  const rules = ruleGroup.inputs.rules as readonly DeclaredRule[];
  return rules.flatMap((rule): OutageNotification[] => {
    const state = outage === "error" ? rule.execErrState : rule.noDataState;
    const raised = RAISES[outage][state];
    if (raised === undefined) throw new Error(`rule ${rule.name}: state ${state} on ${outage} is not modelled`);
    if (raised === null) return [];
    const contactPoint = rule.notificationSettings.contactPoint;
    if (raised === "rule") return [{ contactPoint, labels: { ...rule.labels, alertname: rule.name } }];
    const datasource = rule.datas.find((d) => d.datasourceUid !== "__expr__")!.datasourceUid;
    return [
      { contactPoint, labels: { ...rule.labels, alertname: raised, rulename: rule.name, datasource_uid: datasource } },
    ];
  });
}
