/**
 * Turns what the program declared to the LaunchDarkly provider (a flag definition and one
 * environment's targeting) into the flag JSON that LaunchDarkly's own SDKs evaluate, so the
 * LaunchDarkly Node SDK can decide offline who gets the flag.
 *
 * The provider does not expose the flag's salt; offline evaluation reproduces the split (who is in
 * which share of contexts), not each production context's exact assignment.
 */

type Inputs = Readonly<Record<string, unknown>>;

/** The subset of LaunchDarkly's flag model that the provider inputs can express. */
export interface EvaluableFlag {
  readonly key: string;
  readonly version: number;
  readonly on: boolean;
  readonly salt: string;
  readonly variations: readonly unknown[];
  readonly offVariation: number | undefined;
  readonly fallthrough:
    | { readonly variation: number }
    | {
        readonly rollout: {
          readonly variations: readonly { readonly variation: number; readonly weight: number }[];
          readonly bucketBy?: string;
          readonly contextKind?: string;
        };
      };
  readonly targets: readonly { readonly values: readonly string[]; readonly variation: number }[];
}

/**
 * The flag JSON for one environment. `definition` are the inputs of the
 * `launchdarkly:index/featureFlag:FeatureFlag` resource (declared by the owning stack),
 * `environment` those of the `launchdarkly:index/featureFlagEnvironment:FeatureFlagEnvironment`.
 */
export function evaluableFlag(definition: Inputs, environment: Inputs, salt = "offline-plan"): EvaluableFlag {
  const variationType = definition.variationType;
  const variations = asArray(definition.variations, "variations").map((v) =>
    decodeVariation(variationType, memberOf(v, "value")),
  );
  const fallthrough = asObject(environment.fallthrough, "fallthrough");
  const weights = fallthrough.rolloutWeights;
  return {
    key: String(definition.key),
    version: 1,
    // The provider sends `on: false` when the input is omitted.
    on: environment.on === true,
    salt,
    variations,
    offVariation: typeof environment.offVariation === "number" ? environment.offVariation : undefined,
    fallthrough:
      weights === undefined
        ? { variation: Number(fallthrough.variation) }
        : {
            rollout: {
              variations: asArray(weights, "fallthrough.rolloutWeights").map((weight, variation) => ({
                variation,
                weight: Number(weight),
              })),
              ...(typeof fallthrough.bucketBy === "string" ? { bucketBy: fallthrough.bucketBy } : {}),
              ...(typeof fallthrough.contextKind === "string" ? { contextKind: fallthrough.contextKind } : {}),
            },
          },
    targets: asArray(environment.targets ?? [], "targets").map((target) => ({
      values: asArray(memberOf(target, "values"), "targets[].values").map(String),
      variation: Number(memberOf(target, "variation")),
    })),
  };
}

/** Variation values travel as strings in the provider; LaunchDarkly stores them typed. */
function decodeVariation(variationType: unknown, value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (variationType === "boolean" || variationType === "number" || variationType === "json") {
    return JSON.parse(value) as unknown;
  }
  return value;
}

function asArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected ${what} to be a list, got ${JSON.stringify(value)}`);
  return value as unknown[];
}

function asObject(value: unknown, what: string): Inputs {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`expected ${what} to be an object, got ${JSON.stringify(value)}`);
  }
  return value as Inputs;
}

/** `key` of an entry that must be an object: unlike `field`, a missing entry is an error here. */
function memberOf(value: unknown, key: string): unknown {
  return asObject(value, key)[key];
}
