/**
 * The names and uids this stack gives its Grafana objects. Grafana keys folders, dashboards, alert
 * rules and contact points per org, so two stacks that share an org must not reuse any of them; each
 * identity is therefore derived from the stack name, and nobody has to remember to set one. Pure.
 *
 * Renaming any of these replaces the Grafana object (docs/architecture.md, "Grafana identities"): keep the
 * derivation stable.
 */
import { createHash } from "node:crypto";

/** Grafana's uid limit: at most 40 of `[A-Za-z0-9_-]` (folders, dashboards, alert rules). */
export const GRAFANA_UID_MAX_LENGTH = 40;
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;

const STEM = "stream5-time-crunch";
// Rule uids carry the rule key at the end (`-response-time`): a shorter stem leaves the stack room.
const RULE_STEM = "stream5-tc";

/** What a stack may pin instead of the derived identity (stack config `grafana.*`). */
export interface GrafanaIdentityOverrides {
  readonly folderUid?: string | undefined;
  readonly folderTitle?: string | undefined;
  readonly dashboardUid?: string | undefined;
}

/** Every org-unique identity of one stack's Grafana objects. */
export interface GrafanaIdentity {
  readonly folderUid: string;
  readonly folderTitle: string;
  readonly dashboardUid: string;
  /** The rule group's name (unique per folder; the folder is the stack's own). */
  readonly ruleGroupName: string;
  /** The name of a contact point with one purpose (`slack`, ...); Grafana identifies contact points by name. */
  readonly contactPointName: (purpose: string) => string;
  /** The uid of the rule with `key` (e.g. `error-rate`): always ends with `-<key>`. */
  readonly ruleUid: (key: string) => string;
}

/** The Grafana identity of `stack`, with the overrides the stack config pins. */
export function grafanaIdentity(stack: string, overrides: GrafanaIdentityOverrides = {}): GrafanaIdentity {
  const named = `${STEM}-${stack}`;
  return {
    folderUid: overrides.folderUid ?? boundedUid(named, "-folder"),
    folderTitle: overrides.folderTitle ?? `Stream5 Time Crunch (${stack})`,
    dashboardUid: overrides.dashboardUid ?? boundedUid(named, ""),
    ruleGroupName: named,
    contactPointName: (purpose) => `${named}-${purpose}`,
    ruleUid: (key) => boundedUid(`${RULE_STEM}-${stack}`, `-${key}`),
  };
}

/**
 * `stem + suffix` when it is a valid Grafana uid; otherwise the stem is cut to fit and made
 * unique again with a hash of the whole stem, keeping the suffix intact.
 */
export function boundedUid(stem: string, suffix: string): string {
  const whole = `${stem}${suffix}`;
  if (GRAFANA_UID.test(whole)) return whole;
  if (!/^[A-Za-z0-9_-]*$/.test(suffix) || suffix.length > GRAFANA_UID_MAX_LENGTH - 9) {
    throw new RangeError(`uid suffix ${JSON.stringify(suffix)} leaves no room for a stem`);
  }
  const hash = createHash("sha256").update(stem).digest("hex").slice(0, 8);
  const room = GRAFANA_UID_MAX_LENGTH - suffix.length - hash.length - 1;
  const slug = stem.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, room);
  return `${slug}-${hash}${suffix}`;
}
