// Composition root: read the stack config, build the components, export what people look at.
import { loadStackConfig } from "./components/config";
import { TimeCrunchFlag } from "./components/featureFlag";

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

export const flagKey = flag.flagKey;
export const launchdarklyEnvironment = flag.environmentKey;
export const targetingSummary = flag.targetingSummary;
