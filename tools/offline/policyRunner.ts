/**
 * Runs the policy pack's policies (`policy/policies.ts`, the list `PolicyPack` registers) over what
 * the offline plan declared, calling them as the Pulumi engine does: each resource policy once per
 * resource with its inputs and options, each stack policy once with every resource. `npm run plan`
 * and `npm run policy` use it.
 *
 * What a `resources.json` entry cannot give a policy: provider-computed outputs (stack policies get
 * the inputs, which the program's Terraform-bridged resources echo as outputs), dependencies, the
 * provider, and secrets' values (`[secret]`).
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { POLICIES, POLICY_PACK_ENFORCEMENT, POLICY_PACK_NAME } from "../../policy/policies";
import type { PlannedResource } from "./plan";

/** One violation: which policy, at what level, about which resource (none: the stack). */
export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn?: string;
  readonly type?: string;
  readonly name?: string;
  readonly message: string;
}

/** What the policies said about one stack's resources. */
export interface PolicyVerdict {
  readonly pack: string;
  /** The names of the policies that ran (not disabled). */
  readonly policies: readonly string[];
  readonly resources: number;
  readonly violations: readonly Violation[];
}

/** Thrown by `notApplicable()`, as the SDK does: the policy does not apply to this resource. */
class NotApplicable extends Error {}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

function optionsOf(resource: PlannedResource): PolicyResourceOptions {
  return {
    protect: resource.protect === true,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(resource.parent === null ? {} : { parent: resource.parent }),
  };
}

/** The SDK's type test: a resource class carries its type token as `__pulumiType`. */
const isTypeOf = (type: string, resourceClass: unknown): boolean =>
  (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;

/**
 * The SDK's `asType`: the properties when the resource is of that class's type. The SDK types the
 * result after the class; the value is the plain property bag, online as here.
 */
const asTypeOf = (type: string, props: Record<string, unknown>) =>
  ((resourceClass: unknown) => (isTypeOf(type, resourceClass) ? props : undefined)) as PolicyResource["asType"] &
    ResourceValidationArgs["asType"];

/** The stack as a stack policy sees it: every resource, parents linked. */
function stackResources(resources: readonly PlannedResource[]): PolicyResource[] {
  const linked = resources.map((r) => {
    const resource: PolicyResource = {
      type: r.type,
      props: r.inputs,
      urn: r.urn,
      name: r.name,
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(r.type, resourceClass),
      asType: asTypeOf(r.type, r.inputs),
    };
    return { parentUrn: r.parent, resource };
  });
  const byUrn = new Map(linked.map(({ resource }) => [resource.urn, resource]));
  for (const { parentUrn, resource } of linked) {
    const parent = parentUrn === null ? undefined : byUrn.get(parentUrn);
    if (parent) resource.parent = parent;
  }
  return linked.map(({ resource }) => resource);
}

/** No policy of this pack takes config: each gets an empty object, as the SDK gives without config. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the SDK's signature
const noConfig = <T extends object>(): T => ({}) as T;

/** Runs `policies` (default: the pack's) over one stack's resources. */
export async function checkPolicies(
  resources: readonly PlannedResource[],
  policies: Policies = POLICIES,
): Promise<PolicyVerdict> {
  const violations: Violation[] = [];
  const ran: string[] = [];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const common = { stackTags: new Map<string, string>(), getConfig: noConfig, notApplicable };

  for (const policy of policies) {
    const configured = policy.enforcementLevel ?? POLICY_PACK_ENFORCEMENT;
    if (configured === "disabled") continue;
    // As the engine does: a remediating policy that still finds a violation reports it as mandatory.
    const enforcementLevel = configured === "remediate" ? "mandatory" : configured;
    ran.push(policy.name);
    const record = (resource: PlannedResource | undefined, message: string) => {
      violations.push({
        policy: policy.name,
        enforcementLevel,
        ...(resource ? { urn: resource.urn, type: resource.type, name: resource.name } : {}),
        message,
      });
    };
    const judge = async (validation: () => Promise<void> | void) => {
      try {
        await validation();
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    };

    if ("validateStack" in policy) {
      const args: StackValidationArgs = { ...common, resources: stackResources(resources) };
      // A stack policy names the resource by URN, or none for the stack as a whole.
      const report: ReportViolation = (message, urn) => {
        record(urn === undefined ? undefined : byUrn.get(urn), message);
      };
      await judge(() => policy.validateStack(args, report));
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) {
      const args: ResourceValidationArgs = {
        ...common,
        type: resource.type,
        props: resource.inputs,
        urn: resource.urn,
        name: resource.name,
        opts: optionsOf(resource),
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: asTypeOf(resource.type, resource.inputs),
      };
      // As in the SDK, a resource policy's violation is about the validated resource, whatever URN it passes.
      const report: ReportViolation = (message) => {
        record(resource, message);
      };
      for (const validate of validations) await judge(() => validate(args, report));
    }
  }
  return { pack: POLICY_PACK_NAME, policies: ran, resources: resources.length, violations };
}

/** Whether the verdict fails a plan or a policy run: any mandatory violation. */
export function hasMandatoryViolation(verdict: PolicyVerdict): boolean {
  return verdict.violations.some((v) => v.enforcementLevel === "mandatory");
}
