/**
 * A stand-in for Grafana's HTTP API on a loopback port (a real server that records every request):
 * the two read paths `npm run verify` uses, with the response shapes Grafana documents. The alert
 * rule: Grafana's "Alerting Provisioning HTTP API" reference (grafana/grafana
 * `docs/sources/developers/http_api/alerting_provisioning.md`, API version 1.1.0, read for this):
 * `GET /api/v1/provisioning/alert-rules/{UID}` -> 200 `ProvisionedAlertRule` `{uid, title,
 * folderUID, ruleGroup, isPaused, orgID, noDataState, …}`, 404 when absent. The dashboard: Grafana's
 * "Dashboard HTTP API" (`GET /api/dashboards/uid/{uid}` -> `{dashboard: {uid, title, panels},
 * meta: {folderUid, folderTitle, …}}`, the `DashboardFullWithMeta` model; 404 `{message: "Dashboard
 * not found"}`), not checked against `public/openapi3.json` here. A request without the
 * service-account token (`Authorization: Bearer <token>`) gets 401, as Grafana answers.
 * The tests change `dashboards` and `rules` between cases.
 *
 * The rules' states: `GET /api/prometheus/grafana/api/v1/rules` (RouteGetGrafanaRuleStatuses,
 * grafana/grafana pkg/services/ngalert/api/tooling/definitions/prom.go; built in
 * pkg/services/ngalert/api/prometheus/api_prometheus.go): `{status: "success", data: {groups:
 * [{name, file, folderUid, rules: [{uid, folderUid, name, state: "inactive"|"pending"|"firing",
 * health, type: "alerting", activeAt?, alerts: [{labels, state: "Alerting"|…, activeAt, value}],
 * …}]}]}}`; a rule's `activeAt` is its earliest firing alert's. Tests push to `ruleStates`.
 */
import { recorder, type Recorder } from "./httpRecorder";

export interface GrafanaApi extends Recorder {
  /** Dashboards by uid, as `GET /api/dashboards/uid/{uid}` answers them. */
  readonly dashboards: Map<string, unknown>;
  /** Alert rules by uid, as `GET /api/v1/provisioning/alert-rules/{uid}` answers them. */
  readonly rules: Map<string, unknown>;
  /** The rules' states, as the Prometheus-compatible rules API answers them. */
  readonly ruleStates: RuleState[];
}

export interface RuleState {
  readonly uid: string;
  readonly title: string;
  readonly group: string;
  readonly folderUid: string;
  readonly state: "inactive" | "pending" | "firing";
  /** RFC 3339, while pending or firing. */
  readonly activeAt?: string;
}

/** The rules API's answer: one group per `group`, each rule with its one alert while it is active. */
function ruleStatuses(states: readonly RuleState[]): unknown {
  const groups = [...new Set(states.map((s) => s.group))].map((group) => {
    const rules = states.filter((s) => s.group === group);
    return {
      name: group,
      file: "Stream5 Time Crunch",
      folderUid: rules[0]?.folderUid,
      interval: 60,
      lastEvaluation: "2026-12-01T10:00:00Z",
      evaluationTime: 0.01,
      rules: rules.map((r) => ({
        state: r.state,
        name: r.title,
        uid: r.uid,
        folderUid: r.folderUid,
        query: "[]",
        duration: 300,
        annotations: {},
        labels: {},
        health: "ok",
        type: "alerting",
        lastEvaluation: "2026-12-01T10:00:00Z",
        evaluationTime: 0.01,
        ...(r.activeAt !== undefined && { activeAt: r.activeAt }),
        alerts:
          r.activeAt === undefined
            ? []
            : [
                {
                  labels: { alertname: r.title, grafana_folder: "Stream5 Time Crunch" },
                  annotations: {},
                  state: r.state === "firing" ? "Alerting" : "Pending",
                  activeAt: r.activeAt,
                  value: "",
                },
              ],
        totals: r.activeAt === undefined ? { normal: 1 } : { [r.state === "firing" ? "alerting" : "pending"]: 1 },
      })),
    };
  });
  return { status: "success", data: { groups } };
}

/** A dashboard answer: `{dashboard: {uid, title, panels}, meta: {folderUid, folderTitle, ...}}`. */
export function dashboardAnswer(
  uid: string,
  folder: { uid: string; title: string },
  panelTitles: readonly string[],
): unknown {
  return {
    dashboard: {
      id: 17,
      uid,
      title: "Stream5 Time Crunch Mode",
      schemaVersion: 39,
      version: 3,
      panels: panelTitles.map((title, index) => ({ id: index + 1, type: "timeseries", title, gridPos: {} })),
    },
    meta: {
      type: "db",
      canSave: true,
      slug: "stream5-time-crunch-mode",
      url: `/d/${uid}/stream5-time-crunch-mode`,
      folderId: 5,
      folderUid: folder.uid,
      folderTitle: folder.title,
      folderUrl: `/dashboards/f/${folder.uid}/`,
      provisioned: false,
      created: "2026-11-20T10:00:00Z",
      updated: "2026-11-21T10:00:00Z",
    },
  };
}

/** An alert rule answer (ProvisionedAlertRule). */
export function ruleAnswer(uid: string, folderUID: string, ruleGroup: string, isPaused = false): unknown {
  return {
    id: 3,
    uid,
    orgID: 1,
    folderUID,
    ruleGroup,
    title: uid,
    condition: "C",
    data: [],
    updated: "2026-11-21T10:00:00Z",
    noDataState: "OK",
    execErrState: "Error",
    for: "5m",
    annotations: {},
    labels: {},
    provenance: "api",
    isPaused,
  };
}

export async function startGrafanaApi(token: string): Promise<GrafanaApi> {
  const dashboards = new Map<string, unknown>();
  const rules = new Map<string, unknown>();
  const ruleStates: RuleState[] = [];
  const server = await recorder((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${token}`) {
      send(401, { message: "Unauthorized", messageId: "auth.unauthorized", statusCode: 401, traceID: "" });
      return;
    }
    const path = new URL(request.path, "http://x").pathname;
    const dashboard = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path);
    const rule = /^\/api\/v1\/provisioning\/alert-rules\/([^/]+)$/.exec(path);
    if (request.method === "GET" && dashboard) {
      const found = dashboards.get(decodeURIComponent(dashboard[1]!));
      if (found === undefined) send(404, { message: "Dashboard not found" });
      else send(200, found);
    } else if (request.method === "GET" && rule) {
      const found = rules.get(decodeURIComponent(rule[1]!));
      // Grafana answers a missing rule with 404 and an empty body.
      if (found === undefined) {
        response.writeHead(404);
        response.end();
      } else send(200, found);
    } else if (request.method === "GET" && path === "/api/prometheus/grafana/api/v1/rules") {
      send(200, ruleStatuses(ruleStates));
    } else {
      send(404, { message: "Not found" });
    }
  });
  return Object.assign(server, { dashboards, rules, ruleStates });
}
