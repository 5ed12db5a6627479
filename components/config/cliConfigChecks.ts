/**
 * The checks the Pulumi CLI runs on a stack's config before it starts the program, so the offline
 * plan refuses what `pulumi up` and `pulumi preview` refuse, with the CLI's words. Read in
 * pulumi/pulumi `sdk/go/common/workspace/config.go` (`mergeConfig`, `validateStackConfigValue`) and
 * `project.go` (`ValidateConfigValue`, `InferFullTypeName`):
 * - a project key with no default and no value is missing: all of them in one error;
 * - a key declared `secret: true` whose value is not encrypted is refused;
 * - a typed key whose value does not fit its type is refused. Scalars reach that check as text, so
 *   `string` takes any scalar, `integer` a whole number or its text, `boolean` true/false or their
 *   text; lists and objects arrive as JSON, and a list's items keep their JSON types.
 * The CLI stops at the first refused key; this lists every one. Values it cannot read offline
 * (encrypted, or from an ESC environment) are not type-checked.
 */
import type { ConfigValue } from "./stackFile";
import type { ConfigDeclaration, ConfigItems, ProjectFile, StackConfig } from "./stackFile";

/** Every refusal the Pulumi CLI would give for this config, never quoting a value. */
export function cliConfigProblems(config: StackConfig, project: ProjectFile): string[] {
  const declared = Object.entries(project.config ?? {})
    .map(([key, declaration]) => ({ key, full: `${project.name}:${key}`, declaration }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const stack = config.stack;

  const missing = declared.filter(({ full }) => config.values[full] === undefined).map(({ key }) => key);
  if (missing.length > 0) return [missingError(stack, missing, project, config.environments.length > 0)];

  return declared.flatMap(({ key, full, declaration }) => {
    const given = config.values[full];
    if (given === undefined) return [];
    if (declaration.secret === true && !given.secret) {
      return [
        `Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret: ` +
          `set it with \`pulumi config set --secret ${key} <value> -s ${stack}\` or in the stack's ESC environment (fn::secret)`,
      ];
    }
    if (declaration.type === undefined || given.secret) return [];
    return fitsType(declaration.type, declaration.items, content(given))
      ? []
      : [`Stack '${stack}' with configuration key '${key}' must be of type '${typeName(declaration)}'`];
  });
}

function missingError(stack: string, keys: readonly string[], project: ProjectFile, esc: boolean): string {
  const quoted = keys.map((key) => `'${key}'`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1) ?? ""}`;
  const commands = keys.map((key) => {
    const secret = project.config?.[key]?.secret === true ? "--secret " : "";
    return `\`pulumi config set ${secret}${key} <value> -s ${stack}\``;
  });
  const escNote = esc ? " (or in its ESC environment, which the offline plan cannot read)" : "";
  return `Stack '${stack}' is missing configuration value${keys.length === 1 ? "" : "s"} ${list}: set ${keys.length === 1 ? "it" : "them"} with ${commands.join(", ")}${escNote}`;
}

/** What the CLI's type check sees: the text of a scalar, the decoded JSON of a list or object. */
function content(given: ConfigValue): unknown {
  return given.object === true ? (JSON.parse(given.value) as unknown) : given.value;
}

function fitsType(type: string, items: ConfigItems | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      // Go's strconv.Atoi: an optional sign, then decimal digits.
      return (
        (typeof value === "number" && Number.isInteger(value)) ||
        (typeof value === "string" && /^[+-]?\d+$/.test(value))
      );
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return (
        Array.isArray(value) && items !== undefined && value.every((item) => fitsType(items.type, items.items, item))
      );
  }
}

/** `array<string>` for a list of strings, as the CLI names types. */
function typeName(declaration: Pick<ConfigDeclaration, "type" | "items">): string {
  return declaration.items === undefined ? (declaration.type ?? "") : `array<${typeName(declaration.items)}>`;
}
