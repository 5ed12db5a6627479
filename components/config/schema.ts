/**
 * The stack config schema: every key, its default and what is allowed, and `parseStackConfig`,
 * which validates decoded values. Pure (no Pulumi): the program reads its config through
 * `pulumiConfig.ts`, the tools through `stackFile.ts`, and both validate here.
 *
 * Flat keys are what changes during a rollout (`pulumi config set rolloutPercentage 25`); objects
 * hold what rarely changes. Secrets are top-level keys read with `requireSecret`, so they stay
 * secrets end to end (a `secure:` value nested in an object would make the whole object secret).
 */
import { z } from "zod";
import { DEFAULT_ROLLOUT_LADDER, isRolloutLadder, NO_OVERRIDE } from "../rollout/guards";
import { PINNED_IMAGE } from "../workload/images";
import { canonicalQuantity, isExpressibleQuantity } from "../workload/kubernetesQuantity";
import { DEFAULT_METRIC_PREFIX, durationSeconds } from "../observability/metrics";
import { isExpressibleAsWeights, PERCENTAGE_DECIMALS, Targeting } from "../rollout/targeting";

/** The Pulumi project name, which is also the config namespace of every key below. */
export const PROJECT = "stream5-time-crunch";

/** The seed's flag key. */
export const DEFAULT_FLAG_KEY = "feature.stream5_time_crunch_mode";

/** Config keys whose values are secrets: declared `secret: true` in Pulumi.yaml. */
export const SECRET_KEYS = ["databaseUrl", "slackWebhookUrl"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Config keys read as plain strings; every other non-secret key holds JSON (numbers, booleans, lists, objects). */
const STRING_KEYS = new Set(["targeting", "flagKey", "launchdarklyProject", "launchdarklyEnvironment"]);

// LaunchDarkly keys (projects, environments, flags): a letter or digit, then letters, digits, '.', '_', '-'.
const LAUNCHDARKLY_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const launchDarklyKey = (what: string) =>
  z
    .string({ error: `a ${what} key (string)` })
    .regex(LAUNCHDARKLY_KEY, {
      error: `a ${what} key: starts with a letter or digit, then only letters, digits, '.', '_' or '-'`,
    })
    .max(256, { error: `a ${what} key of at most 256 characters` });

// Grafana uids: at most 40 characters of letters, digits, '-' and '_'.
const grafanaUid = (what: string) =>
  z
    .string({ error: `a Grafana ${what} uid (string)` })
    .regex(/^[A-Za-z0-9_-]{1,40}$/, { error: `a Grafana ${what} uid: 1 to 40 letters, digits, '-' or '_'` });

// Prometheus/Grafana durations as the alert rules use them: a positive whole number of s, m or h.
const duration = z
  .string({ error: 'a duration such as "5m"' })
  .regex(/^[1-9][0-9]*[smh]$/, { error: 'a positive duration: a whole number followed by s, m or h, e.g. "5m"' });

const ratio = z
  .number({ error: "a ratio between 0 and 1 (0.1 = 10%)" })
  .gt(0, { error: "a ratio greater than 0 and less than 1 (0.1 = 10%)" })
  .lt(1, { error: "a ratio greater than 0 and less than 1 (0.1 = 10%)" });

/**
 * A strict object of config settings: a value that is not an object, or a key it does not know, gets
 * a message that says what the object is for and which keys it takes.
 */
function section<Shape extends z.ZodRawShape>(what: string, shape: Shape) {
  const keys = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `the keys of ${what}: ${keys}` : `${what}: an object with keys ${keys}`,
  });
}

const secretPresence = (key: SecretKey) =>
  z.literal(true, {
    error: `a secret: set it with \`pulumi config set --secret ${key} <value>\` or in the stack's ESC environment`,
  });

const share = (what: string) =>
  z
    .number({ error: `${what}: a ratio between 0 and 1 (0.8 = 80%)` })
    .gt(0, { error: `${what}: a ratio greater than 0 and less than 1 (0.8 = 80%)` })
    .lt(1, { error: `${what}: a ratio greater than 0 and less than 1 (0.8 = 80%)` });
// A check without a message of its own reports the schema's (zod 4): one text per value kind.
const seconds = z.number({ error: "a number of seconds greater than 0" }).gt(0);

/** Alert thresholds, defaulting to the staging checklist's values. */
const AlertsSchema = section("the alert thresholds", {
  errorRate: section("the error-rate alert", { above: ratio.default(0.1), for: duration.default("5m") }).prefault({}),
  responseTimeSeconds: section("the response-time alert", {
    above: seconds.default(5),
    for: duration.default("5m"),
  }).prefault({}),
  successRate: section("the success-rate alert", { below: ratio.default(0.9), for: duration.default("10m") }).prefault(
    {},
  ),
  zeroRequestMinutes: z
    .number({ error: "a whole number of minutes from 1 to 1440" })
    .int()
    .min(1)
    .max(1440)
    .default(30),
  slackChannel: z
    .string({ error: 'a Slack channel such as "#stream5-staging"' })
    .regex(/^#[a-z0-9][a-z0-9_-]{0,79}$/, {
      error: 'a Slack channel: "#" then lowercase letters, digits, "-" or "_"',
    })
    .default("#stream5-staging"),
  /** Whether critical alerts turn the flag off through a LaunchDarkly flag trigger (docs/operating.md, "Rollout guards"). */
  autoKill: z
    .boolean({
      error:
        "true or false (true: critical alerts turn the flag off through a LaunchDarkly trigger, which needs a plan with flag triggers)",
    })
    .default(false),
});

/** Where the dashboard lives, what it queries, and the targets it draws (the checklist's). */
const GrafanaSchema = section("where the dashboard and alerts live in Grafana", {
  // Optional pins; by default each identity derives from the stack name (grafanaIdentity.ts).
  folderTitle: z.string({ error: "a folder title (string)" }).min(1, { error: "a non-empty folder title" }).optional(),
  dashboardUid: grafanaUid("dashboard").optional(),
  folderUid: grafanaUid("folder").optional(),
  prometheusDatasourceUid: grafanaUid("datasource"),
  metricPrefix: z
    .string({ error: "a Prometheus metric name prefix" })
    .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "a Prometheus metric name prefix: letters, digits, '_' or ':'" })
    .default(DEFAULT_METRIC_PREFIX),
  timeConstraintSuccess: section("the time-constraint success lines", {
    target: share("the target").default(0.8),
    red: share("the red line").default(0.7),
  }).prefault({}),
  responseTimeTargetSeconds: section("the response-time targets", {
    average: seconds.default(2),
    p95: seconds.default(5),
  }).prefault({}),
}).superRefine((grafana, ctx) => {
  if (grafana.timeConstraintSuccess.red >= grafana.timeConstraintSuccess.target) {
    ctx.addIssue({
      // Stryker disable next-line StringLiteral: parseStackConfig reads an issue's code only to find unknown keys
      code: "custom",
      path: ["timeConstraintSuccess", "red"],
      message: `a ratio below timeConstraintSuccess.target (${grafana.timeConstraintSuccess.target})`,
    });
  }
});

const QUANTITY_ALLOWED = 'a Kubernetes quantity such as "500m", "512Mi", or a plain number (2, 0.5, 1073741824)';
/** A quantity as text (kept as written), or a plain number (written as Kubernetes writes it back). */
const quantity = z.union(
  [
    // zod reports a failed pattern or range inside a union with its branch's message, so that
    // branch carries one; a failed refinement gets the union's.
    z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, { error: QUANTITY_ALLOWED }),
    z.number().refine(isExpressibleQuantity).transform(canonicalQuantity),
  ],
  { error: QUANTITY_ALLOWED },
);

const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: `a whole number from ${min} to ${max}` })
    .int()
    .min(min)
    .max(max);

/** The planning engine's workload. */
const PlanningEngineSchema = section("the planning engine's workload", {
  namespace: z
    .string({ error: "a Kubernetes namespace name" })
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "a Kubernetes namespace name (lowercase DNS label)" })
    .default("planning-engine"),
  /** Whether this stack creates the namespace (false: it exists already, owned by the platform). */
  createNamespace: z.boolean({ error: "true or false" }).default(false),
  image: z.string({ error: "a container image reference (string)" }).regex(PINNED_IMAGE, {
    error: 'a pinned image: "registry/name:tag" with a tag other than latest, or "registry/name@sha256:<digest>"',
  }),
  /** The autoscaler's minimum; the Deployment itself sets no replica count. */
  replicas: wholeNumber(1, 50).default(2),
  maxReplicas: wholeNumber(1, 100).default(6),
  targetCpuUtilizationPercent: wholeNumber(10, 100).default(70),
  resources: section("the engine's container resources", {
    requests: section("the resource requests", {
      cpu: quantity.default("250m"),
      memory: quantity.default("512Mi"),
    }).prefault({}),
    limits: section("the resource limits", { cpu: quantity.default("1"), memory: quantity.default("1Gi") }).prefault(
      {},
    ),
  }).prefault({}),
  logLevel: z.enum(["debug", "info", "warn", "error"], { error: '"debug", "info", "warn" or "error"' }).default("info"),
  /** The path of the Time Crunch preview endpoint on the engine's HTTP port. */
  previewPath: z
    .string({ error: 'an absolute URL path such as "/v1/plans/time-crunch/preview"' })
    .regex(/^\/[A-Za-z0-9._~\/-]*$/)
    .default("/v1/plans/time-crunch/preview"),
  /** Whether the cluster runs the Prometheus operator (then a ServiceMonitor, else scrape annotations). */
  prometheusOperator: z.boolean({ error: "true or false" }).default(false),
}).superRefine((engine, ctx) => {
  if (engine.maxReplicas < engine.replicas) {
    ctx.addIssue({
      // Stryker disable next-line StringLiteral: parseStackConfig reads an issue's code only to find unknown keys
      code: "custom",
      path: ["maxReplicas"],
      message: `a whole number at least planningEngine.replicas (${engine.replicas}), the autoscaler's minimum`,
    });
  }
});

const LADDER_RULE = `a list of whole percentages from 1 to 100, strictly increasing and ending at 100, e.g. ${JSON.stringify(DEFAULT_ROLLOUT_LADDER)}`;
/** The percentages a rollout climbs, one rung per deployment at most (guards.ts). */
const rolloutLadder = z
  .array(z.number({ error: LADDER_RULE }), { error: LADDER_RULE })
  .refine(isRolloutLadder)
  .default([...DEFAULT_ROLLOUT_LADDER]);

const OVERRIDE_RULE = `"${NO_OVERRIDE}", or the one percentage (0 to 100, at most ${PERCENTAGE_DECIMALS} decimals) an emergency deployment may jump to beyond rolloutLadder`;
/** One emergency jump beyond the ladder, to exactly this percentage (guards.ts). */
const rolloutStepOverride = z
  .union(
    [
      z.literal(NO_OVERRIDE),
      z
        .number()
        .min(0, { error: OVERRIDE_RULE })
        .max(100, { error: OVERRIDE_RULE })
        .refine(isExpressibleAsWeights, { error: OVERRIDE_RULE }),
    ],
    { error: OVERRIDE_RULE },
  )
  .default(NO_OVERRIDE);

// The soak gate's window: long enough for the slowest alert condition, short enough for Prometheus' retention.
const SOAK_WINDOW_ALLOWED = 'a window such as "24h": a whole number followed by m, h or d, from 1h to 30d';
const soakWindow = z.string({ error: SOAK_WINDOW_ALLOWED }).refine((window) => {
  const seconds = durationSeconds(window) ?? 0;
  return seconds >= 3600 && seconds <= 30 * 86400;
});

const BASELINE_ALLOWED = 'an offset such as "1w": a whole number followed by m, h, d or w, from 1h to 5w';
/** Seconds of a baseline offset: like the windows, plus weeks (`1w`). */
export function offsetSeconds(text: string): number | undefined {
  const week = /^([1-9][0-9]*)w$/.exec(text);
  return week ? Number(week[1]) * 7 * 86400 : durationSeconds(text);
}
const baselineOffset = z.string({ error: BASELINE_ALLOWED }).refine(
  (offset) => {
    const seconds = offsetSeconds(offset) ?? 0;
    return seconds >= 3600 && seconds <= 35 * 86400;
  },
  { error: BASELINE_ALLOWED },
);
const RUNG_SOAK_ALLOWED = 'a duration such as "24h": a whole number followed by m, h or d, from 1m to 30d';
const rungSoak = z.string({ error: RUNG_SOAK_ALLOWED }).refine(
  (text) => {
    const seconds = durationSeconds(text) ?? 0;
    return seconds >= 60 && seconds <= 30 * 86400;
  },
  { error: RUNG_SOAK_ALLOWED },
);

/** The soak gate's promotion criteria (`npm run gate`), defaulting to the staging checklist's. */
const SoakGateSchema = section("the soak gate's promotion criteria", {
  window: soakWindow.default("24h"),
  successRate: section("the success-rate criterion", {
    above: share("the minimum success rate").default(0.95),
  }).prefault({}),
  errorRate: section("the error-rate criterion", { below: share("the maximum error rate").default(0.05) }).prefault({}),
  averageResponseSeconds: section("the average response-time criterion", { below: seconds.default(2) }).prefault({}),
  p95ResponseSeconds: section("the p95 response-time criterion", { below: seconds.default(5) }).prefault({}),
  timeConstraintSuccess: section("the time-constraint criterion", {
    above: share("the minimum time-constraint success").default(0.8),
  }).prefault({}),
  /** How much earlier the regression criterion's baseline window is than the judged one (the rung gate). */
  baseline: baselineOffset.default("1w"),
  /** How old the current rung must be before the rung gate (`--since`) can say GO. */
  rungSoak: rungSoak.default("24h"),
  regression: section("the no-regression criterion", {
    metric: z
      .string({ error: 'a Prometheus histogram name such as "http_server_request_duration_seconds"' })
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, {
        error: 'a Prometheus histogram name such as "http_server_request_duration_seconds"',
      })
      .default("http_server_request_duration_seconds"),
    /** The routes compared; absent: every route but the preview endpoint's path (planningEngine.previewPath). */
    routes: z
      .array(
        z
          .string({ error: 'a list of http_route values such as ["/v1/plans", "/v1/athletes"]' })
          .regex(/^\/[A-Za-z0-9._~\/{}:-]*$/, {
            error: 'a list of http_route values such as ["/v1/plans", "/v1/athletes"]',
          }),
        { error: 'a list of http_route values such as ["/v1/plans", "/v1/athletes"]' },
      )
      .min(1, { error: "at least one route (leave routes out to compare every route but the preview endpoint's)" })
      .optional(),
    maxPValue: share("the significance level maxPValue").default(0.01),
    minEffect: z
      .number({ error: "the minimum effect minEffect: a relative change greater than 0 (0.1 = 10%)" })
      .gt(0, { error: "the minimum effect minEffect: a relative change greater than 0 (0.1 = 10%)" })
      .default(0.1),
    minSamples: z
      .number({ error: "minSamples: a whole number of per-minute samples from 2 to 100000" })
      .int({ error: "minSamples: a whole number of per-minute samples from 2 to 100000" })
      .min(2, { error: "minSamples: a whole number of per-minute samples from 2 to 100000" })
      .max(100_000, { error: "minSamples: a whole number of per-minute samples from 2 to 100000" })
      .default(60),
  }).prefault({}),
});

const MINUTES_ALLOWED = "a whole number of minutes from 1 to 1440";
const minutes = z
  .number({ error: MINUTES_ALLOWED })
  .int({ error: MINUTES_ALLOWED })
  .min(1, { error: MINUTES_ALLOWED })
  .max(1440, { error: MINUTES_ALLOWED });

/**
 * The preview endpoint the checklist's first hours exercise (`npm run verify`, `npm run load-test`;
 * the contract is in docs/architecture.md): the `targetMinutes` range the engine accepts (it must
 * match the engine's) and any extra fields of the request body.
 */
const PreviewEndpointSchema = section("the preview endpoint", {
  targetMinutes: section("the accepted targetMinutes", { min: minutes.default(10), max: minutes.default(240) })
    .prefault({})
    .refine((range) => range.min < range.max, { error: "the accepted targetMinutes: min below max" }),
  requestBody: z.record(z.string(), z.unknown(), { error: "extra fields of the request body: an object" }).optional(),
});

const LOAD_DURATION_ALLOWED = 'a duration such as "10m": a whole number followed by s, m or h, from 10s to 2h';
/** The checklist's concurrent request test (`npm run load-test`), hours 2 to 8. */
const LoadTestSchema = section("the load test", {
  concurrency: z
    .number({ error: "a whole number of requests in flight from 1 to 256" })
    .int({ error: "a whole number of requests in flight from 1 to 256" })
    .min(1, { error: "a whole number of requests in flight from 1 to 256" })
    .max(256, { error: "a whole number of requests in flight from 1 to 256" })
    .default(16),
  duration: z
    .string({ error: LOAD_DURATION_ALLOWED })
    .refine(
      (value) => {
        const seconds = durationSeconds(value) ?? 0;
        return seconds >= 10 && seconds <= 7200;
      },
      { error: LOAD_DURATION_ALLOWED },
    )
    .default("10m"),
});

const SIGNOFF_ALLOWED =
  'a list of {role, team}: role a lowercase word (qa, ops, support, docs), team a GitHub team as "org/team-slug"';
/**
 * Who must sign a raise of this stack (components/rollout/signoffs.ts): each role and the GitHub
 * team whose members sign for it. No default: a stack without sign-offs says so with `[]`.
 */
const SignoffsSchema = z
  .array(
    z.strictObject(
      {
        role: z.string({ error: SIGNOFF_ALLOWED }).regex(/^[a-z][a-z0-9-]{0,39}$/, { error: SIGNOFF_ALLOWED }),
        team: z
          .string({ error: SIGNOFF_ALLOWED })
          .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { error: SIGNOFF_ALLOWED }),
      },
      { error: SIGNOFF_ALLOWED },
    ),
    { error: SIGNOFF_ALLOWED },
  )
  .refine((list) => new Set(list.map((s) => s.role)).size === list.length, {
    error: "each role once (a list of {role, team} with distinct roles)",
  });

const FEEDBACK_LABEL_ALLOWED = "a GitHub label: 1 to 50 characters, not only spaces, without a comma";
/** Where the beta's users' feedback is (soak-report's summaries): GitHub issues with this label. */
const FeedbackSchema = section("the beta's feedback", {
  label: z
    .string({ error: FEEDBACK_LABEL_ALLOWED })
    .regex(/^(?=.*\S)[^,]{1,50}$/, { error: FEEDBACK_LABEL_ALLOWED })
    .default("time-crunch-feedback"),
});

/** The whole stack config as it arrives from Pulumi (JSON-decoded), before secrets are attached. */
export const StackConfigSchema = z.object({
  targeting: z.enum([Targeting.On, Targeting.Off], { error: '"on" or "off" (off is the kill switch)' }),
  rolloutPercentage: z
    .number({ error: `a number from 0 to 100 with at most ${PERCENTAGE_DECIMALS} decimals` })
    .min(0)
    .max(100)
    .refine(isExpressibleAsWeights, {
      error: `a number from 0 to 100 with at most ${PERCENTAGE_DECIMALS} decimals (LaunchDarkly weights are thousandths of a percent)`,
    }),
  alwaysOnContexts: z
    .array(z.string({ error: "a context key (a non-empty string)" }).min(1), {
      error: "a list of context keys (non-empty strings)",
    })
    .default([]),
  flagKey: launchDarklyKey("flag").default(DEFAULT_FLAG_KEY),
  launchdarklyProject: launchDarklyKey("LaunchDarkly project"),
  launchdarklyEnvironment: launchDarklyKey("LaunchDarkly environment"),
  ownsFlagDefinition: z.boolean({ error: "true or false (exactly one stack owns the flag definition)" }).default(false),
  rolloutLadder,
  rolloutStepOverride,
  alerts: AlertsSchema.prefault({}),
  grafana: GrafanaSchema,
  planningEngine: PlanningEngineSchema,
  soakGate: SoakGateSchema.prefault({}),
  previewEndpoint: PreviewEndpointSchema.prefault({}),
  loadTest: LoadTestSchema.prefault({}),
  signoffs: SignoffsSchema.optional(),
  feedback: FeedbackSchema.prefault({}),
  databaseUrl: secretPresence("databaseUrl"),
  slackWebhookUrl: secretPresence("slackWebhookUrl"),
});

/** The validated stack config, secrets as their presence (`true`). */
export type ParsedConfig = z.output<typeof StackConfigSchema>;
export type AlertsConfig = ParsedConfig["alerts"];
export type PlanningEngineConfig = ParsedConfig["planningEngine"];
export type SoakGateConfig = ParsedConfig["soakGate"];
export type PreviewEndpointConfig = ParsedConfig["previewEndpoint"];
export type LoadTestConfig = ParsedConfig["loadTest"];

/** Marks a {@link StackConfigError}, whichever copy of this module made it, and the program's `InvalidStackConfig`. */
// Stryker disable next-line StringLiteral: equivalent, every copy of this module registers the same key
export const STACK_CONFIG_ERROR = Symbol.for("stream5-time-crunch.StackConfigError");

/**
 * Invalid stack config: one message that names every bad key, the value given and what is allowed.
 * Recognised by a registered symbol, not by class identity: the offline plan and the tests load
 * the program's modules afresh for each run, so the same error may come from another copy of this
 * module. The program reports it as a `RunError` (`pulumiConfig.ts`).
 */
export class StackConfigError extends Error {
  readonly [STACK_CONFIG_ERROR] = true;
  override readonly name = "StackConfigError";

  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid stack config for ${PROJECT} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (value as Partial<Record<symbol, unknown>> | null | undefined)?.[STACK_CONFIG_ERROR] === true;
  }
}

/** The config value as Pulumi hands it to the program (a string), decoded for validation. */
export function decodeConfigValue(key: string, raw: string): unknown {
  if (STRING_KEYS.has(key)) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The full config key (`stream5-time-crunch:<key>`) of one of this project's keys. */
export function projectKey(key: string): string {
  return `${PROJECT}:${key}`;
}

/**
 * The input of {@link parseStackConfig} from config as Pulumi hands it to a program: full keys
 * (`stream5-time-crunch:rolloutPercentage`) to their text. Keys of other namespaces (providers')
 * are skipped; a secret key only counts as present (`true`): its value never leaves its secret.
 */
export function configInput(values: Readonly<Record<string, string>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const prefix = projectKey("");
  for (const [fullKey, raw] of Object.entries(values)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    input[key] = (SECRET_KEYS as readonly string[]).includes(key) ? true : decodeConfigValue(key, raw);
  }
  return input;
}

/**
 * A stack's config (full keys to the values the Pulumi CLI would hand over: `stackFile.ts` reads
 * them offline) validated as the program validates it, secret keys as their presence: what the
 * tools decide with. Throws {@link StackConfigError} as the program would.
 */
export function parsedConfigOf(config: {
  readonly values: Readonly<Record<string, { readonly value: string }>>;
}): ParsedConfig {
  return parseStackConfig(
    configInput(Object.fromEntries(Object.entries(config.values).map(([key, { value }]) => [key, value]))),
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: zod reports an issue at the first value of the wrong type, so no issue path runs through null or a primitive
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function describeGiven(key: string, value: unknown): string {
  if (value === undefined) return "not set";
  if (value === null || value === "") return "empty";
  if ((SECRET_KEYS as readonly string[]).includes(key)) return "[secret]";
  return `got ${JSON.stringify(value)}`;
}

/**
 * Validates decoded config values (`{ key: value }`, secrets given as `true` when present) and
 * applies the defaults. Pure; throws {@link StackConfigError} listing every problem.
 */
export function parseStackConfig(input: Record<string, unknown>): ParsedConfig {
  const known = new Set(Object.keys(StackConfigSchema.shape));
  const unknownKeys = Object.keys(input)
    .filter((key) => !known.has(key))
    .sort()
    .map((key) => `${key}: not a config key of ${PROJECT}; allowed keys: ${[...known].join(", ")}`);
  const result = StackConfigSchema.safeParse(input);
  const problems = result.success
    ? []
    : result.error.issues.flatMap((issue) => {
        const key = issue.path.map(String).join(".");
        if (issue.code === "unrecognized_keys") {
          return issue.keys.map((unknown) => `${key}.${unknown}: not a key of ${key}; allowed: ${issue.message}`);
        }
        return [`${key}: ${describeGiven(key, valueAt(input, issue.path))}; allowed: ${issue.message}`];
      });
  if (unknownKeys.length > 0 || !result.success) throw new StackConfigError([...problems, ...unknownKeys]);
  return result.data;
}
