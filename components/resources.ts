/**
 * The names the program, the offline tools, the policy pack and the tests share: the type tokens
 * of what the program declares (Pulumi's `<package>:<module>:<Type>`, as providers and the engine
 * report them) and of the functions it calls, and the helpers that read untyped property bags.
 * Pure: no Pulumi import.
 */

/** The providers' resource type tokens the program declares. */
export const ResourceType = {
  Flag: "launchdarkly:index/featureFlag:FeatureFlag",
  FlagEnvironment: "launchdarkly:index/featureFlagEnvironment:FeatureFlagEnvironment",
  FlagTrigger: "launchdarkly:index/flagTrigger:FlagTrigger",
  Folder: "grafana:oss/folder:Folder",
  Dashboard: "grafana:oss/dashboard:Dashboard",
  RuleGroup: "grafana:alerting/ruleGroup:RuleGroup",
  ContactPoint: "grafana:alerting/contactPoint:ContactPoint",
  Namespace: "kubernetes:core/v1:Namespace",
  ServiceAccount: "kubernetes:core/v1:ServiceAccount",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  KubernetesSecret: "kubernetes:core/v1:Secret",
  Service: "kubernetes:core/v1:Service",
  Deployment: "kubernetes:apps/v1:Deployment",
  Autoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  ServiceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  /** The stack's reference to its own last deployment (the rollout guards read it). */
  StackReference: "pulumi:pulumi:StackReference",
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** The providers' function (data source) tokens the program calls. */
export const FunctionToken = {
  GetEnvironment: "launchdarkly:index/getEnvironment:getEnvironment",
  GetFlagEnvironment: "launchdarkly:index/getFeatureFlagEnvironment:getFeatureFlagEnvironment",
} as const;

/** The program's own component resources, one per concern. */
export const ComponentType = {
  TimeCrunchFlag: "stream5:launchdarkly:TimeCrunchFlag",
  TimeCrunchDashboard: "stream5:grafana:TimeCrunchDashboard",
  TimeCrunchAlerts: "stream5:grafana:TimeCrunchAlerts",
  PlanningEngine: "stream5:kubernetes:PlanningEngine",
} as const;

/** A property bag as the engine hands it over: plain JSON (inputs, outputs, a `resources.json` entry's inputs). */
export type Props = Readonly<Record<string, unknown>>;

/** The value at `path` (object keys and array indexes), or undefined when any step is missing. */
export function field(value: unknown, ...path: readonly (string | number)[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

/** The value when it is an array, else no elements. */
export function arrayOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value when it is a plain object, else undefined. */
export function objectOf(value: unknown): Props | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Props) : undefined;
}
