/**
 * What the policies share: the type tokens they judge, reading fields of the untyped property bags
 * the engine hands a policy, and the one shape of a violation message (resource, field, allowed).
 *
 * A property bag is plain JSON: the resource's inputs for a resource policy, its outputs for a stack
 * policy (what the Pulumi engine sends), or the `inputs` of a `resources.json` entry offline.
 */

/** The provider type tokens the policies look for. */
export const ResourceType = {
  Flag: "launchdarkly:index/featureFlag:FeatureFlag",
  FlagEnvironment: "launchdarkly:index/featureFlagEnvironment:FeatureFlagEnvironment",
  RuleGroup: "grafana:alerting/ruleGroup:RuleGroup",
  ContactPoint: "grafana:alerting/contactPoint:ContactPoint",
  KubernetesSecret: "kubernetes:core/v1:Secret",
} as const;

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

/** `spec.template` + `containers[0]` -> `spec.template.containers[0]`. */
export function joinPath(...parts: readonly (string | number)[]): string {
  return parts
    .map((part) => (typeof part === "number" ? `[${part}]` : part))
    .filter((part) => part !== "")
    .join(".")
    .replace(/\.\[/g, "[");
}

/** The resource as a person names it: the kind from its type token and its Pulumi name. */
export function describeResource(resource: { readonly type: string; readonly name: string }): string {
  const kind = resource.type.slice(resource.type.lastIndexOf(":") + 1);
  return `${kind} "${resource.name}"`;
}

/** The one shape of a violation message: which resource, which field, what is wrong, what is allowed. */
export function violationMessage(
  resource: { readonly type: string; readonly name: string },
  path: string,
  problem: string,
  allowed: string,
): string {
  return `${describeResource(resource)}: ${path} ${problem}; allowed: ${allowed}`;
}
