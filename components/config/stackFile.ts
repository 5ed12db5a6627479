/**
 * The one reader of stack config files (`Pulumi.<stack>.yaml`) outside Pulumi, for the plan, the
 * gate, the promotion check and the tests: it hands the config over the way the Pulumi CLI hands
 * it to the program (project defaults from Pulumi.yaml applied, every value a string, objects and
 * lists as JSON, secrets flagged), applies `--set` overrides, and validates through the program's
 * own schema (`parsedConfigOf`). What cannot be read offline renders as `[secret]`: encrypted
 * `secure:` values, and the secret keys a stack expects from its Pulumi ESC `environment:` imports.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseYaml, yamlProblem } from "./yamlText";
import { PROJECT } from "./schema";

/** One config value as the Pulumi CLI hands it to a program. */
export interface ConfigValue {
  readonly value: string;
  /** Encrypted where it was given (`secure:`, ESC `fn::secret`, `config set --secret`): a secret to the program. */
  readonly secret: boolean;
  /** Given as a list or object, so `value` is JSON (Pulumi's `config.Value.Object()`). */
  readonly object?: boolean;
}

/** A stack's resolved config: full keys (`namespace:key`) to values. */
export interface OfflineConfig {
  readonly stack: string;
  readonly values: Readonly<Record<string, ConfigValue>>;
}

/** What an unreadable secret renders as, offline and in every output file. */
export const SECRET_PLACEHOLDER = "[secret]";

/** The repository root: where Pulumi.yaml and the stack files live (found upwards from this file). */
export const PROJECT_DIR = projectDir(__dirname);

function projectDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}

/** A `config:` declaration of Pulumi.yaml (`items` nests for lists of lists). */
export interface ConfigDeclaration {
  readonly type?: string;
  readonly items?: ConfigItems;
  readonly default?: unknown;
  readonly secret?: boolean;
}

export interface ConfigItems {
  readonly type: string;
  readonly items?: ConfigItems;
}

export interface ProjectFile {
  readonly name: string;
  readonly config?: Record<string, ConfigDeclaration>;
}

interface StackFile {
  readonly environment?: readonly string[];
  readonly config?: Record<string, unknown>;
}

/** A stack's config as the program would receive it, plus where it came from. */
export interface StackConfig extends OfflineConfig {
  readonly file: string;
  /** The `--set` overrides applied on top of the file, as given. */
  readonly overrides: readonly string[];
  /** Pulumi ESC environments the stack imports (their values are not readable offline). */
  readonly environments: readonly string[];
}

const projectFiles = new Map<string, ProjectFile>();

/** Pulumi.yaml, read once per process. */
export function readProjectFile(dir = PROJECT_DIR): ProjectFile {
  const known = projectFiles.get(dir);
  if (known) return known;
  const project = parseYaml(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as ProjectFile;
  if (project.name !== PROJECT) throw new Error(`Pulumi.yaml names project ${project.name}, expected ${PROJECT}`);
  projectFiles.set(dir, project);
  return project;
}

/** The path of a named stack's config file. */
export function stackFilePath(stack: string, dir = PROJECT_DIR): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/** Reads a stack config file; the stack name is taken from `Pulumi.<stack>.yaml` unless given. */
export function readStackConfig(file: string, stack?: string): StackConfig {
  const project = readProjectFile();
  const parsed = readYamlMapping(file) as StackFile;
  if (parsed.config !== undefined && !isMapping(parsed.config)) {
    throw new StackFileError(`${file}: \`config:\` must be a mapping of config keys to values`);
  }
  const name = stack ?? /^Pulumi\.(.+)\.ya?ml$/.exec(basename(file))?.[1] ?? basename(file);
  const environments = parsed.environment ?? [];
  const values: Record<string, ConfigValue> = {};

  // As given: a plain value of a key declared secret stays plain, and the CLI checks refuse it.
  for (const [key, raw] of Object.entries(parsed.config ?? {})) values[fullKey(key)] = toConfigValue(raw, false);
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    const full = fullKey(key);
    if (full in values) continue;
    if (declaration.default !== undefined) {
      values[full] = toConfigValue(declaration.default, false);
    } else if (declaration.secret && environments.length > 0) {
      // Assumed to come from the ESC environment, whose values only the Pulumi service can open.
      values[full] = { value: SECRET_PLACEHOLDER, secret: true };
    }
  }
  return { stack: name, file, environments, values, overrides: [] };
}

/** A YAML file holding a mapping (or nothing); a syntax error names the file and the place, not the text. */
function readYamlMapping(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    // A stack name or file given wrong is the user's mistake: one message, for every tool alike.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new StackFileError(`no such config file: ${file}`);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new StackFileError(`${file}: not valid YAML: ${yamlProblem(error)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isMapping(parsed))
    throw new StackFileError(`${file}: a stack config file is a YAML mapping (config:, environment:)`);
  return parsed;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fullKey(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** Keys Pulumi.yaml declares `secret: true` stay secret offline even when given in plain text. */
function declaredSecret(key: string): boolean {
  const full = fullKey(key);
  return Object.entries(readProjectFile().config ?? {}).some(([k, d]) => fullKey(k) === full && d.secret === true);
}

function toConfigValue(raw: unknown, secret: boolean): ConfigValue {
  if (isSecure(raw)) return { value: SECRET_PLACEHOLDER, secret: true };
  return {
    value: toConfigString(raw),
    secret: secret || containsSecure(raw),
    object: typeof raw === "object" && raw !== null,
  };
}

/** Pulumi passes scalars as their text and objects/lists as JSON; a key left empty is the empty string. */
function toConfigString(raw: unknown): string {
  if (raw === null || raw === undefined) return "";
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return JSON.stringify(raw, (_key, value: unknown) => (isSecure(value) ? SECRET_PLACEHOLDER : value));
}

function isSecure(raw: unknown): boolean {
  return (
    typeof raw === "object" && raw !== null && !Array.isArray(raw) && "secure" in raw && Object.keys(raw).length === 1
  );
}

function containsSecure(raw: unknown): boolean {
  if (isSecure(raw)) return true;
  if (typeof raw !== "object" || raw === null) return false;
  return Object.values(raw).some(containsSecure);
}

/**
 * The config with some project keys set to new values (as `pulumi config set` would; for a key
 * Pulumi.yaml declares secret, as `pulumi config set --secret` would).
 */
export function withValues(config: StackConfig, values: Readonly<Record<string, unknown>>): StackConfig {
  const changed = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [fullKey(key), toConfigValue(value, declaredSecret(key))]),
  );
  return { ...config, values: { ...config.values, ...changed } };
}

/** The config without some project keys (as `pulumi config rm` would). */
export function withoutKeys(config: StackConfig, keys: readonly string[]): StackConfig {
  const removed = new Set(keys.map(fullKey));
  return { ...config, values: Object.fromEntries(Object.entries(config.values).filter(([key]) => !removed.has(key))) };
}

/** The config with a project key set to a secret value (as `pulumi config set --secret` would). */
export function withSecret(config: StackConfig, key: string, value: string): StackConfig {
  return { ...config, values: { ...config.values, [fullKey(key)]: { value, secret: true } } };
}

/**
 * Applies `--set key=value` overrides: the value is read as a YAML scalar (`25` is a number, `on`
 * a string), and a dotted key sets a field inside an object key (`alerts.errorRate.above=0.05`).
 */
export function withSets(config: StackConfig, sets: readonly string[]): StackConfig {
  // Recorded for people to read (the plan's heading), so a secret's value is not.
  const shown = sets.map((set) => {
    const key = set.slice(0, Math.max(set.indexOf("="), 0));
    return declaredSecret(key.split(".")[0] ?? "") ? `${key}=${SECRET_PLACEHOLDER}` : set;
  });
  let result: StackConfig = { ...config, overrides: [...config.overrides, ...shown] };
  for (const set of sets) {
    const at = set.indexOf("=");
    if (at <= 0) throw new StackFileError('--set takes KEY=VALUE (an argument had no key or no "=")');
    const [key = "", ...path] = set.slice(0, at).split(".");
    let value: unknown;
    try {
      value = parseYaml(set.slice(at + 1));
    } catch {
      throw new StackFileError(`--set ${key}: the value is not a YAML scalar, list or mapping (quote it)`);
    }
    if (path.length === 0) {
      result = withValues(result, { [key]: value });
      continue;
    }
    const current = result.values[fullKey(key)];
    const object: unknown = current === undefined ? {} : JSON.parse(current.value);
    if (typeof object !== "object" || object === null || Array.isArray(object)) {
      throw new StackFileError(`--set ${set}: ${key} is not an object key`);
    }
    result = withValues(result, { [key]: setPath(object as Record<string, unknown>, path, value) });
  }
  return result;
}

function setPath(object: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head = "", ...rest] = path;
  if (rest.length === 0) return { ...object, [head]: value };
  const inner = object[head];
  const child =
    typeof inner === "object" && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ...object, [head]: setPath(child, rest, value) };
}

/** A stack file or a `--set` that cannot be read (not YAML, not a mapping, no `=`): exit 2 with the message. */
export class StackFileError extends Error {
  override readonly name = "StackFileError";
}
