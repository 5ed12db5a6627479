/** The smallest valid config, as decoded from a stack file (secrets present). */
export const valid = {
  targeting: "on",
  rolloutPercentage: 10,
  launchdarklyProject: "athlete-ally",
  launchdarklyEnvironment: "production",
  grafana: { prometheusDatasourceUid: "prometheus" },
  planningEngine: { image: "ghcr.io/athlete-ally/planning-engine:1.2.3" },
  databaseUrl: true,
  slackWebhookUrl: true,
};
