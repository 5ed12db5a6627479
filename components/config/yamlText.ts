/**
 * YAML as the offline tools read Pulumi's config files and write manifests: js-yaml (the YAML
 * library `@pulumi/pulumi` itself loads, so a tool pays nothing more to load it) under the YAML 1.2
 * core schema, so `on` and `2026-12-06` stay strings, as they are in Pulumi's config.
 */
import { CORE_SCHEMA, dump, load, YAMLException } from "js-yaml";

/** The value `text` holds; throws `YAMLException` for text that is not YAML (or a duplicate key). */
export function parseYaml(text: string): unknown {
  return load(text, { schema: CORE_SCHEMA });
}

/**
 * What is wrong with the text, for a message: the reason and the place, never the text itself
 * (js-yaml's own message quotes the lines around the place, which may hold a secret).
 */
export function yamlProblem(error: unknown): string {
  if (!(error instanceof YAMLException)) return error instanceof Error ? error.message : String(error);
  return `${error.reason} at line ${String(error.mark.line + 1)}, column ${String(error.mark.column + 1)}`;
}

/** `value` as a YAML document: keys in their order, long strings never folded, no anchors for repeated objects. */
export function yamlText(value: unknown): string {
  return dump(value, { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true, skipInvalid: true, quotingType: '"' });
}
