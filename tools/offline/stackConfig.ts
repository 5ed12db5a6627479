/**
 * Reads stack config files (`Pulumi.<stack>.yaml`) the way the Pulumi CLI hands them to the
 * program: project defaults from Pulumi.yaml applied, every value a string (objects and lists as
 * JSON), secrets flagged. What cannot be read offline renders as `[secret]`: encrypted `secure:`
 * values, and the secret keys a stack expects from its Pulumi ESC `environment:` imports.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { PROJECT } from "../../components/config";
import type { ConfigValue, OfflineConfig } from "./engine";

/** What an unreadable secret renders as, offline and in every output file. */
export const SECRET_PLACEHOLDER = "[secret]";

/** The repository root: where Pulumi.yaml and the stack files live. */
export const PROJECT_DIR = join(__dirname, "..", "..");

interface ConfigDeclaration {
  readonly type?: string;
  readonly default?: unknown;
  readonly secret?: boolean;
}

interface ProjectFile {
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
  /** Pulumi ESC environments the stack imports (their values are not readable offline). */
  readonly environments: readonly string[];
}

export function readProjectFile(dir = PROJECT_DIR): ProjectFile {
  const project = parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as ProjectFile;
  if (project.name !== PROJECT) throw new Error(`Pulumi.yaml names project ${project.name}, expected ${PROJECT}`);
  return project;
}

/** The path of a named stack's config file. */
export function stackFilePath(stack: string, dir = PROJECT_DIR): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/** Reads a stack config file; the stack name is taken from `Pulumi.<stack>.yaml` unless given. */
export function readStackConfig(file: string, stack?: string): StackConfig {
  const project = readProjectFile();
  const parsed = (parse(readFileSync(file, "utf8")) ?? {}) as StackFile;
  const name = stack ?? /^Pulumi\.(.+)\.ya?ml$/.exec(basename(file))?.[1] ?? basename(file);
  const environments = parsed.environment ?? [];
  const values: Record<string, ConfigValue> = {};

  for (const [key, raw] of Object.entries(parsed.config ?? {})) {
    values[fullKey(key)] = toConfigValue(raw);
  }
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    const full = fullKey(key);
    if (full in values) continue;
    if (declaration.default !== undefined) {
      values[full] = { value: toConfigString(declaration.default), secret: declaration.secret ?? false };
    } else if (declaration.secret && environments.length > 0) {
      // Assumed to come from the ESC environment, whose values only the Pulumi service can open.
      values[full] = { value: SECRET_PLACEHOLDER, secret: true };
    }
  }
  return { stack: name, file, environments, values };
}

function fullKey(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}

function toConfigValue(raw: unknown): ConfigValue {
  if (isSecure(raw)) return { value: SECRET_PLACEHOLDER, secret: true };
  return { value: toConfigString(raw), secret: containsSecure(raw) };
}

/** Pulumi passes scalars as their text and objects/lists as JSON. */
function toConfigString(raw: unknown): string {
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

/** The config with some project keys set to new values (as `pulumi config set` would). */
export function withValues(config: StackConfig, values: Readonly<Record<string, unknown>>): StackConfig {
  const changed = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [fullKey(key), { value: toConfigString(value), secret: false }]),
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
