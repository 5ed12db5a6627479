/**
 * The difference between two plans: which resources a config change adds, removes or changes, and
 * for each changed one the input paths with their old and new values. JSON carried in strings (the
 * dashboard, rule models) is compared field by field.
 */
import type { Plan, PlannedResource } from "../offline/plan";

export interface InputChange {
  readonly path: string;
  /** Absent on one side: `undefined`. */
  readonly before: unknown;
  readonly after: unknown;
}

export interface ResourceDiff {
  readonly change: "added" | "removed" | "changed";
  readonly type: string;
  readonly name: string;
  /** The URN without its stack, which identifies the resource across stacks. */
  readonly key: string;
  readonly inputs: readonly InputChange[];
}

/** A resource's identity across stacks: its URN without the `urn:pulumi:<stack>::` prefix. */
export function stackFreeKey(urn: string): string {
  return urn.replace(/^urn:pulumi:[^:]+::/, "");
}

export function diffPlans(before: Plan, after: Plan): ResourceDiff[] {
  const old = new Map(before.resources.map((r) => [stackFreeKey(r.urn), r]));
  const now = new Map(after.resources.map((r) => [stackFreeKey(r.urn), r]));
  const keys = [...new Set([...old.keys(), ...now.keys()])].sort();
  const diffs: ResourceDiff[] = [];
  for (const key of keys) {
    const a = old.get(key);
    const b = now.get(key);
    if (a && b) {
      const inputs = diffInputs(a, b);
      if (inputs.length > 0) diffs.push({ change: "changed", type: b.type, name: b.name, key, inputs });
    } else if (b) {
      diffs.push({ change: "added", type: b.type, name: b.name, key, inputs: [] });
    } else if (a) {
      diffs.push({ change: "removed", type: a.type, name: a.name, key, inputs: [] });
    }
  }
  return diffs;
}

function diffInputs(a: PlannedResource, b: PlannedResource): InputChange[] {
  const before = flatten(a.inputs);
  const after = flatten(b.inputs);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths
    .filter((path) => !Object.is(before.get(path), after.get(path)))
    .map((path) => ({ path, before: before.get(path), after: after.get(path) }));
}

/** Leaf values by path (`a.b[0].c`); strings holding a JSON object or array are entered too. */
export function flatten(value: unknown, path = "", into = new Map<string, unknown>()): Map<string, unknown> {
  const nested = typeof value === "string" ? parseJsonContainer(value) : value;
  if (Array.isArray(nested)) {
    if (nested.length === 0) into.set(path, "[]");
    nested.forEach((item, i) => flatten(item, `${path}[${i}]`, into));
  } else if (typeof nested === "object" && nested !== null) {
    const entries = Object.entries(nested);
    if (entries.length === 0) into.set(path, "{}");
    for (const [key, item] of entries) flatten(item, path === "" ? key : `${path}.${key}`, into);
  } else {
    into.set(path, nested);
  }
  return into;
}

function parseJsonContainer(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
