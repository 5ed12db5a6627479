import { isSecretValue } from "./mocks";
import { SECRET_PLACEHOLDER } from "../../components/config/stackFile";

/** The value with every secret (Pulumi's secret marker, at any depth) replaced by `[secret]`. */
export function redactSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return SECRET_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, redactSecrets(v)]));
  }
  return value;
}

/**
 * The value with every secret's content masked but its shape kept: each scalar inside a secret
 * becomes `[secret]`. For checks that need the object's structure (schema validation).
 */
export function maskSecrets(value: unknown, insideSecret = false): unknown {
  if (isSecretValue(value)) return maskSecrets(value.value, true);
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, insideSecret));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, maskSecrets(v, insideSecret)]));
  }
  return insideSecret ? SECRET_PLACEHOLDER : value;
}
