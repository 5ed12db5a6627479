// Composition root: read the stack config, pass the rollout guards, build the components, return
// the stack outputs. The program is an async function (Pulumi's Node runtime awaits a function
// exported as the module) because the guards read the last deployment and LaunchDarkly first.
import * as pulumi from "@pulumi/pulumi";
import { autoKillSlackText, timeCrunchAlertRules } from "./components/observability/alertRules";
import { TimeCrunchAlerts } from "./components/observability/timeCrunchAlerts";
import { loadStackConfig } from "./components/config/pulumiConfig";
import { TimeCrunchDashboard } from "./components/observability/timeCrunchDashboard";
import { TimeCrunchFlag } from "./components/rollout/timeCrunchFlag";
import { grafanaIdentity } from "./components/observability/grafanaIdentity";
import { ROLLOUT_INTENT_OUTPUT } from "./components/rollout/guards";
import { metricContract, queries } from "./components/observability/metrics";
import { PlanningEngine } from "./components/workload/planningEngine";
import { checkRolloutGuards } from "./components/rollout/guardsAtDeploy";

export = async () => {
  const config = loadStackConfig();
  const stack = pulumi.getStack();

  // Refuses (before anything is declared) a deploy that would re-enable a killed flag or skip a rung.
  const rolloutIntent = await checkRolloutGuards({
    projectKey: config.launchdarklyProject,
    environmentKey: config.launchdarklyEnvironment,
    flagKey: config.flagKey,
    targeting: config.targeting,
    rolloutPercentage: config.rolloutPercentage,
    rolloutLadder: config.rolloutLadder,
    rolloutStepOverride: config.rolloutStepOverride,
  });

  const flag = new TimeCrunchFlag("time-crunch", {
    projectKey: config.launchdarklyProject,
    environmentKey: config.launchdarklyEnvironment,
    flagKey: config.flagKey,
    ownsFlagDefinition: config.ownsFlagDefinition,
    targeting: config.targeting,
    rolloutPercentage: config.rolloutPercentage,
    alwaysOnContexts: config.alwaysOnContexts,
    autoKill: config.alerts.autoKill,
  });

  const promql = queries(metricContract(config.grafana.metricPrefix));
  const grafanaNames = grafanaIdentity(stack, config.grafana);

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
    rules: timeCrunchAlertRules(config.alerts, promql, stack),
    slackChannel: config.alerts.slackChannel,
    slackWebhookUrl: config.slackWebhookUrl,
    ...(flag.killSwitchTriggerUrl && {
      autoKill: {
        triggerUrl: flag.killSwitchTriggerUrl,
        slackText: autoKillSlackText(stack, config.launchdarklyEnvironment),
      },
    }),
  });

  const engine = new PlanningEngine("planning-engine", {
    ...config.planningEngine,
    flagKey: config.flagKey,
    launchdarklyProject: config.launchdarklyProject,
    launchdarklyEnvironment: config.launchdarklyEnvironment,
    databaseUrl: config.databaseUrl,
  });

  return {
    flagKey: flag.flagKey,
    launchdarklyEnvironment: flag.environmentKey,
    targetingSummary: flag.targetingSummary,
    /** For the kill switch: `pulumi up --target "$(pulumi stack output killSwitchTarget)"`. */
    killSwitchTarget: flag.environmentUrn,
    dashboardUrl: dashboard.url,
    planningEngineNamespace: engine.namespace,
    planningEngineService: engine.serviceName,
    previewUrl: engine.previewUrl,
    /**
     * What this deployment intended, and since when (`since`); the next one reads it back
     * (components/rollout/guardsAtDeploy.ts).
     */
    [ROLLOUT_INTENT_OUTPUT]: rolloutIntent,
  };
};
