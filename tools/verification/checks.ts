/**
 * `npm run verify`'s decisions: what a stack declares (from its config, through the same pure
 * rules the program uses) and, for each check, whether what was found matches it. Pure: no HTTP
 * (that is `sources.ts`), no output (that is `report.ts`).
 */
import type { ParsedConfig } from "../../components/config/schema";
import { timeCrunchAlertRules } from "../../components/observability/alertRules";
import { PanelTitle } from "../../components/observability/dashboardModel";
import { grafanaIdentity } from "../../components/observability/grafanaIdentity";
import { metricContract, queries } from "../../components/observability/metrics";
import { environmentTargeting, FLAG_VARIATION_VALUES, WEIGHT_TOTAL } from "../../components/rollout/targeting";
import {
  FEATURE_NOT_AVAILABLE,
  PreviewAnswer,
  previewRequestBody,
  type JudgedAnswer,
} from "../../components/workload/previewContract";
import { PLANNING_ENGINE_APP } from "../../components/workload/previewContract";

/** The checks, in the order they run and are reported. */
export const CHECKS = [
  "dashboard",
  "alert-rules",
  "flag-targeting",
  "telemetry",
  "preview-endpoint",
  "no-errors",
] as const;
export type CheckName = (typeof CHECKS)[number];

export type CheckStatus = "pass" | "fail" | "skipped";

/** One check's outcome: what the stack declares, what was found, and where. */
export interface CheckResult {
  readonly name: CheckName;
  readonly status: CheckStatus;
  readonly expected: string;
  readonly found: string;
  /** Where it looked (no credentials), e.g. `Grafana at https://grafana.example.com`. */
  readonly source: string;
}

/** How far back telemetry must have a sample. */
export const TELEMETRY_LOOKBACK = "15m";

/** Everything the checks compare against, derived from the stack's config. */
export interface Declared {
  readonly stack: string;
  readonly dashboard: {
    readonly uid: string;
    readonly folderUid: string;
    readonly folderTitle: string;
    readonly panelTitles: readonly string[];
  };
  readonly alertRules: { readonly uids: readonly string[]; readonly group: string; readonly folderUid: string };
  readonly flag: {
    readonly project: string;
    readonly environment: string;
    readonly key: string;
    readonly on: boolean;
    /** Rollout weights by variation index (thousandths of a percent), e.g. [10000, 90000]. */
    readonly weights: readonly [number, number];
  };
  /** Series that must have a sample in the last {@link TELEMETRY_LOOKBACK} (the histogram by its `_count`). */
  readonly telemetry: readonly string[];
  readonly preview: {
    /** The stack's in-cluster preview URL (the stack output `previewUrl`). */
    readonly url: string;
    readonly body: Record<string, unknown>;
    readonly expected: typeof PreviewAnswer.Preview | typeof PreviewAnswer.FeatureNotAvailable;
  };
  /** `sum(increase(<requests>{outcome="error"}[window]))`. */
  readonly errorsQuery: string;
  readonly window: string;
}

/** What `stack` declares, from its validated config; `window` is the no-errors window (e.g. `2h`). */
export function declaredOf(stack: string, config: ParsedConfig, window: string): Declared {
  const identity = grafanaIdentity(stack, config.grafana);
  const metrics = metricContract(config.grafana.metricPrefix);
  const q = queries(metrics);
  const targeting = environmentTargeting(config);
  const { targetMinutes } = config.previewEndpoint;
  const { namespace, previewPath } = config.planningEngine;
  return {
    stack,
    dashboard: {
      uid: identity.dashboardUid,
      folderUid: identity.folderUid,
      folderTitle: identity.folderTitle,
      panelTitles: Object.values(PanelTitle),
    },
    alertRules: {
      uids: timeCrunchAlertRules(config.alerts, q, stack).map((rule) => identity.ruleUid(rule.key)),
      group: identity.ruleGroupName,
      folderUid: identity.folderUid,
    },
    flag: {
      project: config.launchdarklyProject,
      environment: config.launchdarklyEnvironment,
      key: config.flagKey,
      on: targeting.on,
      weights:
        "variation" in targeting.fallthrough
          ? targeting.fallthrough.variation === 0
            ? [WEIGHT_TOTAL, 0]
            : [0, WEIGHT_TOTAL]
          : targeting.fallthrough.rolloutWeights,
    },
    telemetry: [metrics.previewRequests, `${metrics.previewDuration}_count`, metrics.timeConstraint, metrics.fallbacks],
    preview: {
      url: `http://${PLANNING_ENGINE_APP}.${namespace}.svc.cluster.local${previewPath}`,
      // A duration inside the range the engine accepts, so a refusal is never the request's fault.
      body: previewRequestBody(config.previewEndpoint, Math.min(targetMinutes.max, Math.max(targetMinutes.min, 30))),
      expected: targeting.on ? PreviewAnswer.Preview : PreviewAnswer.FeatureNotAvailable,
    },
    errorsQuery: q.requestsIn(window).replace(metrics.previewRequests, `${metrics.previewRequests}{outcome="error"}`),
    window,
  };
}

const list = (items: readonly string[]) => items.join(", ");

// --- dashboard ---------------------------------------------------------------------------------

/** The dashboard as Grafana answered it; `undefined` when it does not exist (404). */
export interface FoundDashboard {
  readonly folderUid?: string | undefined;
  readonly folderTitle?: string | undefined;
  readonly panelTitles: readonly string[];
}

export function judgeDashboard(declared: Declared["dashboard"], found: FoundDashboard | undefined) {
  const expected = `dashboard ${declared.uid} in folder "${declared.folderTitle}" (${declared.folderUid}) with panels: ${list(declared.panelTitles)}`;
  if (found === undefined) return { pass: false, expected, found: `no dashboard ${declared.uid} (HTTP 404)` };
  const problems: string[] = [];
  // Grafana names the folder by uid (meta.folderUid); an older one only by title.
  const inFolder =
    found.folderUid !== undefined && found.folderUid !== ""
      ? found.folderUid === declared.folderUid
      : found.folderTitle === declared.folderTitle;
  if (!inFolder) {
    problems.push(`in folder "${found.folderTitle ?? "?"}" (${found.folderUid ?? "no uid"})`);
  }
  const missing = declared.panelTitles.filter((title) => !found.panelTitles.includes(title));
  if (missing.length > 0) problems.push(`missing panels: ${list(missing)}`);
  return {
    pass: problems.length === 0,
    expected,
    found:
      problems.length === 0
        ? `dashboard ${declared.uid} in folder "${found.folderTitle ?? declared.folderTitle}" with all ${declared.panelTitles.length} panels`
        : problems.join("; "),
  };
}

// --- alert rules -------------------------------------------------------------------------------

/** One rule as Grafana's provisioning API answered it; `undefined` when it does not exist (404). */
export interface FoundRule {
  readonly ruleGroup: string;
  readonly folderUID: string;
  readonly isPaused: boolean;
}

export function judgeAlertRules(declared: Declared["alertRules"], found: ReadonlyMap<string, FoundRule | undefined>) {
  const expected = `${declared.uids.length} rules (${list(declared.uids)}) in group ${declared.group}, folder ${declared.folderUid}, not paused`;
  const problems = declared.uids.flatMap((uid) => {
    const rule = found.get(uid);
    if (rule === undefined) return [`${uid}: absent`];
    const wrong: string[] = [];
    if (rule.ruleGroup !== declared.group) wrong.push(`in group ${rule.ruleGroup}`);
    if (rule.folderUID !== declared.folderUid) wrong.push(`in folder ${rule.folderUID}`);
    if (rule.isPaused) wrong.push("paused");
    return wrong.length === 0 ? [] : [`${uid}: ${wrong.join(", ")}`];
  });
  return {
    pass: problems.length === 0,
    expected,
    found: problems.length === 0 ? `all ${declared.uids.length} rules as declared` : problems.join("; "),
  };
}

// --- flag targeting ----------------------------------------------------------------------------

/** The flag's environment as LaunchDarkly's API answered it; `undefined` when the flag is absent (404). */
export interface FoundFlag {
  readonly variations: readonly unknown[];
  /** Undefined when the flag has no such environment. */
  readonly environment?:
    | {
        readonly on: boolean;
        readonly fallthrough: {
          readonly variation?: number | undefined;
          readonly rollout?: { readonly variations: readonly { variation: number; weight: number }[] } | undefined;
        };
      }
    | undefined;
}

/** "10% true, 90% false" for weights by variation index. */
function describeWeights(weights: readonly number[]): string {
  const parts = weights.flatMap((weight, index) =>
    weight === 0
      ? []
      : [`${(weight * 100) / WEIGHT_TOTAL}% ${String(FLAG_VARIATION_VALUES[index] ?? `variation ${index}`)}`],
  );
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

/** The fallthrough's weights by variation index, or a description of what cannot be compared. */
export function fallthroughWeights(
  fallthrough: NonNullable<FoundFlag["environment"]>["fallthrough"],
): number[] | string {
  if (fallthrough.variation !== undefined) {
    const weights = [0, 0];
    if (fallthrough.variation !== 0 && fallthrough.variation !== 1) return `variation ${fallthrough.variation}`;
    weights[fallthrough.variation] = WEIGHT_TOTAL;
    return weights;
  }
  if (fallthrough.rollout !== undefined) {
    const weights = [0, 0];
    for (const { variation, weight } of fallthrough.rollout.variations) {
      if (variation !== 0 && variation !== 1) return `a rollout over variation ${variation}`;
      weights[variation] = (weights[variation] ?? 0) + weight;
    }
    return weights;
  }
  return "no fallthrough";
}

export function judgeFlag(declared: Declared["flag"], found: FoundFlag | undefined) {
  const where = `${declared.project}/${declared.key} in ${declared.environment}`;
  const expected = `${where}: targeting ${declared.on ? "on" : "off"}, fallthrough ${describeWeights(declared.weights)}`;
  if (found === undefined)
    return { pass: false, expected, found: `no flag ${declared.key} in ${declared.project} (HTTP 404)` };
  const values = JSON.stringify(found.variations);
  if (values !== JSON.stringify(FLAG_VARIATION_VALUES)) {
    return { pass: false, expected, found: `variations ${values}, not ${JSON.stringify(FLAG_VARIATION_VALUES)}` };
  }
  const env = found.environment;
  if (env === undefined) return { pass: false, expected, found: `no environment ${declared.environment}` };
  const weights = fallthroughWeights(env.fallthrough);
  const description = `targeting ${env.on ? "on" : "off"}, fallthrough ${typeof weights === "string" ? weights : describeWeights(weights)}`;
  const pass =
    env.on === declared.on &&
    typeof weights !== "string" &&
    weights[0] === declared.weights[0] &&
    weights[1] === declared.weights[1];
  return { pass, expected, found: description };
}

// --- telemetry ---------------------------------------------------------------------------------

/** Per series: whether it has a sample in the lookback. */
export function judgeTelemetry(declared: readonly string[], present: ReadonlyMap<string, boolean>) {
  const missing = declared.filter((series) => present.get(series) !== true);
  return {
    pass: missing.length === 0,
    expected: `a sample in the last ${TELEMETRY_LOOKBACK} of ${list(declared)}`,
    found:
      missing.length === 0
        ? `all ${declared.length} series sampled`
        : `no sample in the last ${TELEMETRY_LOOKBACK}: ${list(missing)}`,
  };
}

/** The telemetry query of one series: how many series of it have a sample in the lookback. */
export function telemetryQuery(series: string): string {
  return `count(last_over_time(${series}[${TELEMETRY_LOOKBACK}]))`;
}

// --- preview endpoint --------------------------------------------------------------------------

const ANSWER_TEXT: Record<PreviewAnswer, string> = {
  [PreviewAnswer.Preview]: "preview data",
  [PreviewAnswer.FeatureNotAvailable]: FEATURE_NOT_AVAILABLE,
  [PreviewAnswer.Refused]: "a refusal (4xx)",
  [PreviewAnswer.Error]: "an error (5xx)",
  [PreviewAnswer.Unexpected]: "an answer outside the contract",
};

export function judgePreview(declared: Declared["preview"], status: number, judged: JudgedAnswer) {
  const expected =
    declared.expected === PreviewAnswer.Preview
      ? `preview data (targeting on), not ${FEATURE_NOT_AVAILABLE}`
      : `${FEATURE_NOT_AVAILABLE} (targeting off: the kill switch holds)`;
  const strategy = judged.strategy === undefined ? "" : ` (strategy ${judged.strategy})`;
  return {
    pass: judged.answer === declared.expected,
    expected,
    found: `HTTP ${status}, ${ANSWER_TEXT[judged.answer]}${strategy}`,
  };
}

// --- no errors ---------------------------------------------------------------------------------

/** `errors`: the query's value, or undefined when it is empty (no error series in the window). */
export function judgeNoErrors(window: string, errors: number | undefined) {
  const count = errors === undefined || Number.isNaN(errors) ? 0 : errors;
  // `increase` extrapolates: a fraction still means at least one error.
  const shown = Math.max(1, Math.round(count));
  return {
    pass: count === 0,
    expected: `no outcome="error" request in the last ${window}`,
    found:
      errors === undefined
        ? `no error series in the last ${window}`
        : count === 0
          ? `0 errors in the last ${window}`
          : `about ${shown} error${shown === 1 ? "" : "s"} in the last ${window}`,
  };
}

/** The verdict: pass when no check failed (skipped checks neither pass nor fail). */
export function verdictOf(results: readonly CheckResult[]): "pass" | "fail" {
  return results.some((r) => r.status === "fail") ? "fail" : "pass";
}
