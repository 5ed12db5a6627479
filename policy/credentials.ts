/**
 * No credential in plain text in any resource input. What a credential looks like is a list of
 * patterns; where one may appear is a list of the fields that providers always keep secret.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { joinPath, violationMessage } from "./resources";

/** What a credential looks like, by kind. Each pattern is searched for inside every input string. */
export const CREDENTIAL_PATTERNS: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  {
    // scheme://user:password@host; a password that only references an environment variable
    // (Kubernetes `$(VAR)` or shell `${VAR}`) is not a credential itself.
    kind: "URL with a password",
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]+:(?!\$\([A-Za-z_]\w*\)@|\$\{[A-Za-z_]\w*\}@)[^\s/?#@]+@/i,
  },
  { kind: "Slack webhook URL", pattern: /\bhooks\.slack\.com\/(?:services|workflows|triggers)\/[\w/-]+/i },
  {
    kind: "LaunchDarkly SDK key, mobile key or API access token",
    pattern: /\b(?:sdk|mob|api)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i,
  },
  { kind: "bearer token", pattern: /\bBearer\s+[\w.~+/-]{16,}=*/i },
];

/**
 * Fields where a credential belongs, because the provider stores them as secrets whatever the
 * program passes: a Kubernetes Secret's data, a Grafana contact point's Slack webhook URL, and the
 * configuration of a provider resource (its credentials, e.g. `launchdarkly:accessToken`).
 */
const SECRET_FIELDS: readonly { readonly type: RegExp; readonly path: RegExp }[] = [
  { type: /^kubernetes:core\/v1:Secret$/, path: /^(?:data|stringData)(?:[.[]|$)/ },
  { type: /^grafana:alerting\/contactPoint:ContactPoint$/, path: /^slacks\[\d+\]\.url$/ },
  { type: /^pulumi:providers:/, path: /^/ },
];

const ALLOWED =
  "credentials only as Pulumi secrets (config set --secret, requireSecret, pulumi.secret) in a field the provider keeps secret: Kubernetes Secret data/stringData, Grafana contact point slacks[].url, provider configuration";

/**
 * Every string inside `value`, with its path. It reads own properties raw (the SDK's preview proxy
 * traps only `get`): a value unknown during preview is then its sentinel string, which matches no
 * credential pattern, instead of an error that would turn the whole check advisory.
 */
function stringsIn(value: unknown, path: readonly (string | number)[] = []): [string, string][] {
  if (typeof value === "string") return [[joinPath(...path), value]];
  if (typeof value !== "object" || value === null) return [];
  const isArray = Array.isArray(value);
  return Object.keys(value).flatMap((key) =>
    stringsIn(Object.getOwnPropertyDescriptor(value, key)?.value, [...path, isArray ? Number(key) : key]),
  );
}

export const noPlaintextCredentials: ResourceValidationPolicy = {
  name: "no-plaintext-credentials",
  description:
    "No resource input holds what looks like a credential (a URL with a password, a Slack webhook URL, a LaunchDarkly SDK, mobile or API key, a bearer token) except in a field its provider keeps secret: Kubernetes Secret data/stringData, Grafana contact point slacks[].url, provider configuration. Elsewhere it would show in previews, logs and state. The Pulumi engine hands policies secret values unwrapped and unmarked, so a policy cannot tell a pulumi.secret from plain text: online the check therefore allows credentials only in those fields. Offline plans show secrets as [secret], which is never flagged. Violation messages name the field, never the value.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const secretFields = SECRET_FIELDS.filter((f) => f.type.test(args.type));
    for (const [path, text] of stringsIn(args.props)) {
      if (secretFields.some((f) => f.path.test(path))) continue;
      const credential = CREDENTIAL_PATTERNS.find(({ pattern }) => pattern.test(text));
      if (credential === undefined) continue;
      reportViolation(
        violationMessage(args, path, `holds what looks like a ${credential.kind} in plain text`, ALLOWED),
      );
    }
  },
};
