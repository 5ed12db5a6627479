/**
 * `npm run verify`'s HTTP: Grafana's HTTP API, LaunchDarkly's REST API v2, the preview endpoint
 * (Prometheus goes through the gate's `PrometheusClient`). Every request has a timeout and shares
 * the run's deadline. A source that cannot be reached, does not answer in time, refuses the token
 * or answers its API with an error is {@link Unreachable} (exit 2, never a pass or a fail); what it
 * answers is handed to the pure judges in `checks.ts`. Tokens go into headers only: messages show
 * a source as scheme, host and path.
 */
import { z } from "zod";
import { Unreachable } from "../cli/runner";
import { connectionError, displayUrl } from "./prometheus";
import type { FoundDashboard, FoundFlag, FoundRule } from "../verification/checks";

export interface RequestBudget {
  /** Per request, in milliseconds. */
  readonly timeoutMs: number;
  /** Aborts every request when the run's time is up. */
  readonly deadline: AbortSignal;
}

/** A base URL without credentials, query or fragment, ending in `/`; and how messages show it. */
export function baseUrl(raw: string): { url: URL; shown: string } {
  const url = new URL(raw);
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  return { url, shown: displayUrl(url) };
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

/** One request; connection failures, timeouts and the deadline become {@link Unreachable} naming `source`. */
async function request(
  source: string,
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string },
  budget: RequestBudget,
): Promise<Answer> {
  const timeout = AbortSignal.timeout(budget.timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.any([budget.deadline, timeout]) });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    if (budget.deadline.aborted) throw new Unreachable(`${source}: no answer before the run's deadline (--deadline)`);
    if (timeout.aborted) {
      throw new Unreachable(`${source} did not answer within ${budget.timeoutMs / 1000} s (--timeout)`);
    }
    throw new Unreachable(`${source} cannot be reached (${connectionError(error)})`);
  }
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An API's error answer as a short, token-free reason: status and the API's own `message`. */
function apiError(source: string, answer: Answer, secrets: readonly string[]): Unreachable {
  const body = json(answer.text) as { message?: unknown } | undefined;
  let message = typeof body?.message === "string" ? `: ${body.message.slice(0, 200)}` : "";
  for (const secret of secrets) if (secret !== "") message = message.replaceAll(secret, "[secret]");
  const hint = answer.status === 401 || answer.status === 403 ? " (is the token right, and may it read this?)" : "";
  return new Unreachable(`${source} answered HTTP ${answer.status}${message}${hint}`);
}

function parsed<T>(source: string, what: string, schema: z.ZodType<T>, answer: Answer): T {
  const result = schema.safeParse(json(answer.text));
  if (!result.success) {
    throw new Unreachable(
      `${source} answered HTTP ${answer.status} with something other than ${what} (is the URL right?)`,
    );
  }
  return result.data;
}

// --- Grafana -----------------------------------------------------------------------------------

// Grafana's HTTP API (its Dashboard and Alerting provisioning API docs; DashboardFullWithMeta and
// ProvisionedAlertRule in public/openapi3.json of grafana/grafana): only the fields the checks read.
interface Panel {
  title?: string | undefined;
  panels?: Panel[] | undefined;
}
const PanelSchema: z.ZodType<Panel> = z.lazy(() =>
  z.object({ title: z.string().optional(), panels: z.array(PanelSchema).optional() }),
);
const DashboardAnswer = z.object({
  dashboard: z.object({ uid: z.string().optional(), panels: z.array(PanelSchema).optional() }),
  meta: z.object({ folderUid: z.string().optional(), folderTitle: z.string().optional() }),
});
const RuleAnswer = z.object({ uid: z.string(), folderUID: z.string(), ruleGroup: z.string(), isPaused: z.boolean() });

/** Panel titles, those inside rows included (a collapsed row holds its panels). */
function titles(panels: readonly Panel[]): string[] {
  return panels.flatMap((panel) => [...(panel.title ? [panel.title] : []), ...titles(panel.panels ?? [])]);
}

export class GrafanaSource {
  readonly where: string;
  private readonly base: URL;

  constructor(
    url: string,
    private readonly token: string,
    private readonly budget: RequestBudget,
  ) {
    const { url: base, shown } = baseUrl(url);
    this.base = base;
    this.where = `Grafana at ${shown}`;
  }

  private async get(path: string): Promise<Answer> {
    return request(
      this.where,
      new URL(path, this.base),
      { method: "GET", headers: { accept: "application/json", authorization: `Bearer ${this.token}` } },
      this.budget,
    );
  }

  /** `GET /api/dashboards/uid/<uid>`; undefined when Grafana has no such dashboard (404). */
  async dashboard(uid: string): Promise<FoundDashboard | undefined> {
    const answer = await this.get(`api/dashboards/uid/${encodeURIComponent(uid)}`);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw apiError(this.where, answer, [this.token]);
    const { dashboard, meta } = parsed(this.where, "a Grafana dashboard", DashboardAnswer, answer);
    return { folderUid: meta.folderUid, folderTitle: meta.folderTitle, panelTitles: titles(dashboard.panels ?? []) };
  }

  /** `GET /api/prometheus/grafana/api/v1/rules`: the states of the rules in rule group `group`. */
  async ruleStates(group: string): Promise<FoundRuleState[]> {
    const answer = await this.get("api/prometheus/grafana/api/v1/rules");
    if (answer.status !== 200) throw apiError(this.where, answer, [this.token]);
    const { data } = parsed(this.where, "Grafana's alert rule states", RuleStatuses, answer);
    return data.groups
      .filter((g) => g.name === group)
      .flatMap((g) =>
        g.rules.map((rule) => ({
          uid: rule.uid,
          name: rule.name,
          state: rule.state ?? "unknown",
          activeAt: activeSince(rule.activeAt, ...(rule.alerts ?? []).map((a) => a.activeAt)),
        })),
      );
  }

  /** `GET /api/v1/provisioning/alert-rules/<uid>`; undefined when Grafana has no such rule (404). */
  async alertRule(uid: string): Promise<FoundRule | undefined> {
    const answer = await this.get(`api/v1/provisioning/alert-rules/${encodeURIComponent(uid)}`);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw apiError(this.where, answer, [this.token]);
    return parsed(this.where, "a Grafana alert rule", RuleAnswer, answer);
  }
}

// Grafana's Prometheus-compatible rules API (RouteGetGrafanaRuleStatuses in grafana/grafana,
// pkg/services/ngalert/api/tooling/definitions/prom.go): groups of rules with their state and, while
// pending or firing, `activeAt`. Rules carry `uid` from Grafana 10 on; older ones are matched by name.
const RuleStatuses = z.object({
  status: z.literal("success"),
  data: z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        rules: z.array(
          z.object({
            uid: z.string().optional(),
            name: z.string(),
            state: z.string().optional(),
            activeAt: z.string().optional(),
            alerts: z.array(z.object({ activeAt: z.string().optional() })).optional(),
          }),
        ),
      }),
    ),
  }),
});

/** A rule's state as the rules API answered it; `activeAt` in Unix seconds (Go's zero time: none). */
export interface FoundRuleState {
  readonly uid: string | undefined;
  readonly name: string;
  readonly state: string;
  readonly activeAt: number | undefined;
}

function activeSince(...times: (string | undefined)[]): number | undefined {
  const seconds = times
    .map((time) => (time === undefined ? NaN : Date.parse(time) / 1000))
    .filter((t) => Number.isFinite(t) && t > 0);
  return seconds.length === 0 ? undefined : Math.min(...seconds);
}

// --- LaunchDarkly ------------------------------------------------------------------------------

// LaunchDarkly's REST API v2 (launchdarkly.com/docs/api/feature-flags/get-feature-flag): FeatureFlag with
// `environments.<key>` (FeatureFlagConfig); only the fields the check reads.
const Fallthrough = z.object({
  variation: z.number().int().optional(),
  rollout: z.object({ variations: z.array(z.object({ variation: z.number().int(), weight: z.number() })) }).optional(),
});
const FlagAnswer = z.object({
  variations: z.array(z.object({ value: z.unknown() })),
  environments: z.record(z.string(), z.object({ on: z.boolean(), fallthrough: Fallthrough.optional() })).optional(),
});

// The audit log (launchdarkly.com/docs/api/audit-log; AuditLogEntryListingRep and AuditLogEntryRep
// in LaunchDarkly's OpenAPI document): `date` in milliseconds; targeting on and off are both the
// action `updateOn`, told apart by `titleVerb` ("turned off the flag"); `triggerBody` only in an
// entry read by its id.
const Named = z.object({ name: z.string() });
const AuditItem = z.object({
  _id: z.string(),
  date: z.number(),
  accesses: z.array(z.object({ action: z.string(), resource: z.string() })),
  shortDescription: z.string(),
  titleVerb: z.string().optional(),
  member: z.object({ email: z.string(), firstName: z.string().optional(), lastName: z.string().optional() }).optional(),
  token: Named.optional(),
  app: Named.optional(),
  subject: Named.optional(),
});
const AuditLogAnswer = z.object({ items: z.array(AuditItem) });
const AuditEntryAnswer = AuditItem.extend({ triggerBody: z.unknown().optional() });

/** One audit log entry about the flag in the environment, as the rollback check reads it. */
export interface FoundAuditEntry {
  readonly id: string;
  /** Unix seconds. */
  readonly at: number;
  /** Its actions on this flag in this environment, e.g. `updateOn`. */
  readonly actions: readonly string[];
  /** LaunchDarkly's words: `titleVerb` ("turned off the flag"), else the short description. */
  readonly what: string;
  readonly member: string | undefined;
  readonly token: string | undefined;
  readonly app: string | undefined;
  readonly subject: string | undefined;
}

export class LaunchDarklySource {
  readonly where: string;
  private readonly base: URL;

  constructor(
    url: string,
    private readonly token: string,
    private readonly budget: RequestBudget,
  ) {
    const { url: base, shown } = baseUrl(url);
    this.base = base;
    this.where = `LaunchDarkly at ${shown}`;
  }

  private async get(url: URL): Promise<Answer> {
    // An access token goes as it is: LaunchDarkly's API takes no "Bearer" scheme for it.
    return request(
      this.where,
      url,
      { method: "GET", headers: { accept: "application/json", authorization: this.token } },
      this.budget,
    );
  }

  /** `GET /api/v2/flags/<project>/<flag>?env=<env>`; undefined when there is no such flag (404). */
  async flag(project: string, key: string, environment: string): Promise<FoundFlag | undefined> {
    const url = new URL(`api/v2/flags/${encodeURIComponent(project)}/${encodeURIComponent(key)}`, this.base);
    url.searchParams.set("env", environment);
    const answer = await this.get(url);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw apiError(this.where, answer, [this.token]);
    const flag = parsed(this.where, "a LaunchDarkly feature flag", FlagAnswer, answer);
    const env = flag.environments?.[environment];
    return {
      variations: flag.variations.map((v) => v.value),
      environment: env === undefined ? undefined : { on: env.on, fallthrough: env.fallthrough ?? {} },
    };
  }

  /**
   * `GET /api/v2/auditlog?spec=proj/<project>:env/<env>:flag/<flag>&limit=20`: the newest entries
   * about this flag in this environment (the spec restricts them; entries naming another flag or
   * environment are dropped all the same), newest first (the API does not promise an order).
   */
  async auditLog(project: string, environment: string, key: string): Promise<FoundAuditEntry[]> {
    const resource = `proj/${project}:env/${environment}:flag/${key}`;
    const url = new URL("api/v2/auditlog", this.base);
    url.searchParams.set("spec", resource);
    url.searchParams.set("limit", "20");
    const answer = await this.get(url);
    if (answer.status !== 200) throw apiError(this.where, answer, [this.token]);
    const { items } = parsed(this.where, "LaunchDarkly's audit log", AuditLogAnswer, answer);
    return items
      .filter((item) => item.accesses.some((a) => a.resource === resource))
      .map((item) => ({
        id: item._id,
        at: item.date / 1000,
        actions: item.accesses.filter((a) => a.resource === resource).map((a) => a.action),
        what: item.titleVerb ?? item.shortDescription,
        member:
          item.member === undefined
            ? undefined
            : [item.member.firstName, item.member.lastName].filter(Boolean).join(" ") || item.member.email,
        token: item.token?.name,
        app: item.app?.name,
        subject: item.subject?.name,
      }))
      .sort((a, b) => b.at - a.at);
  }

  /** `GET /api/v2/auditlog/<id>`: whether an external trigger made the change (its `triggerBody`). */
  async madeByTrigger(id: string): Promise<boolean> {
    const answer = await this.get(new URL(`api/v2/auditlog/${encodeURIComponent(id)}`, this.base));
    if (answer.status !== 200) throw apiError(this.where, answer, [this.token]);
    const entry = parsed(this.where, "a LaunchDarkly audit log entry", AuditEntryAnswer, answer);
    return entry.triggerBody !== undefined && entry.triggerBody !== null;
  }
}

// --- the preview endpoint ----------------------------------------------------------------------

export class PreviewSource {
  readonly where: string;
  private readonly url: URL;

  constructor(
    url: string,
    private readonly token: string | undefined,
    private readonly budget: RequestBudget,
  ) {
    const parsedUrl = new URL(url);
    parsedUrl.username = "";
    parsedUrl.password = "";
    this.url = parsedUrl;
    this.where = `the preview endpoint at ${displayUrl(parsedUrl)}`;
  }

  /** `POST <url>` with the contract's body: the status and the body (undefined when not JSON). Any status is an answer. */
  async ask(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const answer = await request(
      this.where,
      this.url,
      { method: "POST", headers, body: JSON.stringify(body) },
      this.budget,
    );
    return { status: answer.status, body: json(answer.text) };
  }
}
