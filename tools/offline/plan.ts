/**
 * What `pulumi up` would send to the providers, from one offline run of the program: every
 * resource with its inputs (secrets masked), and the readable artifacts (dashboard JSON,
 * Kubernetes manifests, the flag as LaunchDarkly's SDKs evaluate it).
 */
import { relative } from "node:path";
import { FLAG_VARIATION_VALUES } from "../../components/rollout/targeting";
import type { ProgramRun } from "./engine";
import { evaluableFlag, type EvaluableFlag } from "./launchDarklyFlag";
import { maskSecrets } from "./redact";
import { yamlText } from "../../components/config/yamlText";
import type { StackConfig } from "../../components/config/stackFile";

import { ResourceType } from "../../components/resources";

/** One entry of `resources.json` (the format docs/architecture.md fixes). */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  /** Inputs as sent to the provider; every secret value is the string `[secret]`. */
  readonly inputs: Record<string, unknown>;
  /**
   * `true` when the resource is `protect`ed; absent otherwise (as in Pulumi's own state files).
   * An addition to the entry format (docs/architecture.md), for the policy pack's protected-flag policy.
   */
  readonly protect?: boolean;
}

export interface Plan {
  readonly stack: string;
  readonly configFile: string;
  /** `--set` overrides on top of the file. */
  readonly overrides: readonly string[];
  readonly environments: readonly string[];
  /** Sorted by URN, so two runs of the same config give identical files. */
  readonly resources: readonly PlannedResource[];
  /** Stack outputs; secret ones are `[secret]`. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

export function planOf(config: StackConfig, run: ProgramRun): Plan {
  const resources = run.resources
    .map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      inputs: maskSecrets(r.inputs) as Record<string, unknown>,
      ...(r.protect ? { protect: true } : {}),
    }))
    .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return {
    stack: config.stack,
    configFile: relative(process.cwd(), config.file) || config.file,
    overrides: config.overrides,
    environments: config.environments,
    resources,
    outputs: maskSecrets(run.outputs) as Record<string, unknown>,
  };
}

export function resourcesOfType(plan: Plan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

/** The dashboard JSON as Grafana receives it, or undefined when the stack declares none. */
export function dashboardJsonOf(plan: Plan): string | undefined {
  const [dashboard] = resourcesOfType(plan, ResourceType.Dashboard);
  return dashboard === undefined ? undefined : String(dashboard.inputs.configJson);
}

/** Every Kubernetes object as one YAML stream, in URN order. */
export function kubernetesYamlOf(plan: Plan): string {
  return plan.resources
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r) => yamlText(r.inputs))
    .join("---\n");
}

/**
 * The flag targeting as LaunchDarkly's SDKs evaluate it. A stack that does not own the flag
 * definition uses the definition the program gives the owning stack (same variations).
 */
export function flagOf(plan: Plan): EvaluableFlag | undefined {
  const [environment] = resourcesOfType(plan, ResourceType.FlagEnvironment);
  if (environment === undefined) return undefined;
  const [definition] = resourcesOfType(plan, ResourceType.Flag);
  const flagKey = String(environment.inputs.flagId).split("/").slice(1).join("/");
  return evaluableFlag(
    definition?.inputs ?? {
      key: flagKey,
      variationType: "boolean",
      variations: FLAG_VARIATION_VALUES.map((value) => ({ value: String(value) })),
    },
    environment.inputs,
  );
}
