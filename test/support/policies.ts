/**
 * The program's declared resources as the policy pack's policies receive them, and a way to alter
 * one and ask a policy (through the functions the pack registers) what it thinks.
 */
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { ProgramRun } from "../../tools/offline/engine";
import { isSecretValue } from "../../tools/offline/mocks";
import type { PlannedResource } from "../../tools/offline/plan";
import { checkPolicies } from "../../tools/offline/policyRunner";
import { maskSecrets } from "../../tools/offline/redact";

/**
 * The value with every secret unwrapped and unmarked: what the Pulumi engine hands a policy online
 * (`@pulumi/policy` deserializes a resource's properties without keeping secretness).
 */
function revealSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return revealSecrets(value.value);
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, revealSecrets(v)]));
  }
  return value;
}

/**
 * The resources a program run declared, with their inputs as a policy gets them: `offline` as
 * `npm run plan` writes them (secrets `[secret]`), `online` as the engine sends them (secrets in
 * plain text).
 */
export function policyInputs(run: ProgramRun, view: "offline" | "online"): PlannedResource[] {
  return run.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    inputs: (view === "offline" ? maskSecrets(r.inputs) : revealSecrets(r.inputs)) as Record<string, unknown>,
    ...(r.protect ? { protect: true } : {}),
  }));
}

type Inputs = Record<string, unknown>;

/** A copy of `resources` with each resource of `type` replaced by `replace(copy of it)`. */
export function replaced(
  resources: readonly PlannedResource[],
  type: string,
  replace: (resource: PlannedResource) => PlannedResource,
): PlannedResource[] {
  if (!resources.some((r) => r.type === type)) throw new Error(`no ${type} to alter`);
  return resources.map((r) => (r.type === type ? replace(structuredClone(r)) : r));
}

/** A copy of `resources` with `change` applied to (a copy of) the inputs of each resource of `type`. */
export function altered(
  resources: readonly PlannedResource[],
  type: string,
  change: (inputs: Inputs) => void,
): PlannedResource[] {
  return replaced(resources, type, (resource) => {
    change(resource.inputs);
    return resource;
  });
}

/** The messages one policy reports about `resources`, run as the pack registers it. */
export async function violationsOf(
  policy: Policy & (ResourceValidationPolicy | StackValidationPolicy),
  resources: readonly PlannedResource[],
): Promise<string[]> {
  const verdict = await checkPolicies(resources, [policy]);
  return verdict.violations.map((v) => v.message);
}
