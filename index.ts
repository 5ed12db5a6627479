// Composition root: read the stack config, build the components, export what people look at.
import * as pulumi from "@pulumi/pulumi";
import { timeCrunchAlertRules } from "./components/alertRules";
import { TimeCrunchAlerts } from "./components/alerts";
import { loadStackConfig } from "./components/config";
import { TimeCrunchDashboard } from "./components/dashboard";
import { TimeCrunchFlag } from "./components/featureFlag";
import { grafanaIdentity } from "./components/grafanaIdentity";
import { metricContract, queries } from "./components/metrics";
import { PlanningEngine } from "./components/planningEngine";

const config = loadStackConfig();

const flag = new TimeCrunchFlag("time-crunch", {
  projectKey: config.launchdarklyProject,
  environmentKey: config.launchdarklyEnvironment,
  flagKey: config.flagKey,
  ownsFlagDefinition: config.ownsFlagDefinition,
  targeting: config.targeting,
  rolloutPercentage: config.rolloutPercentage,
  alwaysOnContexts: config.alwaysOnContexts,
});

const promql = queries(metricContract(config.grafana.metricPrefix));
const grafanaNames = grafanaIdentity(pulumi.getStack(), config.grafana);

const dashboard = new TimeCrunchDashboard("time-crunch", {
  folderTitle: grafanaNames.folderTitle,
  folderUid: grafanaNames.folderUid,
  uid: grafanaNames.dashboardUid,
  title: "Stream5 Time Crunch Mode",
  prometheusDatasourceUid: config.grafana.prometheusDatasourceUid,
  queries: promql,
  timeConstraintSuccess: config.grafana.timeConstraintSuccess,
  responseTimeSeconds: {
    averageTarget: config.grafana.responseTimeTargetSeconds.average,
    p95Target: config.grafana.responseTimeTargetSeconds.p95,
    red: config.alerts.responseTimeSeconds.above,
  },
});

new TimeCrunchAlerts("time-crunch-alerts", {
  identity: grafanaNames,
  folderUid: dashboard.folderUid,
  prometheusDatasourceUid: config.grafana.prometheusDatasourceUid,
  rules: timeCrunchAlertRules(config.alerts, promql, pulumi.getStack()),
  slackChannel: config.alerts.slackChannel,
  slackWebhookUrl: config.slackWebhookUrl,
});

const engine = new PlanningEngine("planning-engine", {
  ...config.planningEngine,
  flagKey: config.flagKey,
  launchdarklyProject: config.launchdarklyProject,
  launchdarklyEnvironment: config.launchdarklyEnvironment,
  databaseUrl: config.databaseUrl,
});

export const flagKey = flag.flagKey;
export const launchdarklyEnvironment = flag.environmentKey;
export const targetingSummary = flag.targetingSummary;
/** For the kill switch: `pulumi up --target "$(pulumi stack output killSwitchTarget)"`. */
export const killSwitchTarget = flag.environmentUrn;
export const dashboardUrl = dashboard.url;
export const planningEngineNamespace = engine.namespace;
export const planningEngineService = engine.serviceName;
export const previewUrl = engine.previewUrl;
