/**
 * What the policies share: the type tokens they judge and the helpers that read the untyped property
 * bags the engine hands a policy (both from `components/resources.ts`), and the one shape of a
 * violation message (resource, field, allowed).
 *
 * A property bag is plain JSON: the resource's inputs for a resource policy, its outputs for a stack
 * policy (what the Pulumi engine sends), or the `inputs` of a `resources.json` entry offline.
 */

// The type tokens and property helpers are the program's (one source for shared names).
export { arrayOf, field, objectOf, ResourceType, type Props } from "../components/resources";

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
