/**
 * A stand-in for LaunchDarkly's REST API v2 on a loopback port (a real server that records every
 * request): `GET /api/v2/flags/{projectKey}/{featureFlagKey}?env=...` (`env` restricts the answer to
 * that environment), with the FeatureFlag shape of LaunchDarkly's REST API v2 docs
 * (launchdarkly.com/docs/api/feature-flags/get-feature-flag and the sample flag representation on
 * launchdarkly.com/docs/api/feature-flags, formerly apidocs.launchdarkly.com):
 * `{key, kind, variations: [{_id, value}], environments: {<env>: {on, fallthrough, offVariation,
 * targets, _version, lastModified, ...}}}`. A request without the access token as it is in
 * `Authorization` (no "Bearer") gets 401, as LaunchDarkly answers. Tests change `flags`.
 *
 * The audit log (launchdarkly.com/docs/api/audit-log; AuditLogEntryListingRep and AuditLogEntryRep
 * in LaunchDarkly's OpenAPI document): `GET /api/v2/auditlog?spec=&limit=` answers
 * `{items, _links}` with the entries whose `accesses` name a resource the `spec` matches (a `*`
 * matches any key), at most `limit` (1 to 20, default 10), newest first; `GET
 * /api/v2/auditlog/{id}` one entry with its `triggerBody` when an external trigger made it. Tests
 * push entries to `auditLog` (made with `auditEntry`).
 */
import { recorder, type Recorder } from "./httpRecorder";

export interface LaunchDarklyApi extends Recorder {
  /** Flags by `<projectKey>/<flagKey>`. */
  readonly flags: Map<string, unknown>;
  /** Audit log entries, in any order; `triggerBody` is left out of the listing, as LaunchDarkly does. */
  readonly auditLog: AuditEntry[];
}

export interface AuditEntry {
  readonly _id: string;
  readonly date: number;
  readonly accesses: readonly { action: string; resource: string }[];
  readonly triggerBody?: unknown;
  readonly [field: string]: unknown;
}

/** Who changed a flag, as the audit log names them. */
export type AuditAuthor =
  | { member: { email: string; firstName: string; lastName: string } }
  | { trigger: { eventName: string } }
  | { token: { name: string } };

let auditIds = 0;

/** An audit log entry: `verb` ("turned off the flag") on `flag` in `env` of project `project`, at `date` (ms). */
export function auditEntry(
  project: string,
  env: string,
  flag: string,
  verb: string,
  date: number,
  by: AuditAuthor,
  action = "updateOn",
): AuditEntry {
  const id = `6750f1a2c3d4e5f6a7b8c${String(++auditIds).padStart(3, "0")}`;
  const resource = `proj/${project}:env/${env}:flag/${flag}`;
  const who =
    "member" in by
      ? {
          member: {
            _links: { self: { href: "/api/v2/members/5f1", type: "application/json" } },
            _id: "5f1a2b3c4d5e6f7a8b9c0d1e",
            ...by.member,
          },
        }
      : "token" in by
        ? { token: { _id: "5f9", name: by.token.name, ending: "1234", serviceToken: true } }
        : { subject: { name: "Flag trigger", avatarUrl: "" }, triggerBody: by.trigger };
  const name =
    "member" in by ? `${by.member.firstName} ${by.member.lastName}` : "token" in by ? by.token.name : "Flag trigger";
  return {
    _links: { self: { href: `/api/v2/auditlog/${id}`, type: "application/json" } },
    _id: id,
    _accountId: "5e1a2b3c4d5e6f7a8b9c0d1f",
    date,
    accesses: [{ action, resource }],
    kind: "flag",
    name: "Time Crunch Mode",
    description: `${name} ${verb} Time Crunch Mode in ${env}`,
    shortDescription: `${verb} in ${env}`,
    titleVerb: verb,
    title: `${name} ${verb} Time Crunch Mode`,
    target: { name: "Time Crunch Mode", resources: [resource] },
    ...who,
  };
}

/** Whether resource specifier `spec` (`proj/a:env/b:flag/c`, `*` any key) matches `resource`. */
function specMatches(spec: string, resource: string): boolean {
  const parts = spec.split(":");
  const have = resource.split(":");
  return (
    parts.length === have.length &&
    parts.every((part, i) => {
      const [kind, key] = part.split("/");
      const [haveKind, haveKey] = (have[i] ?? "").split("/");
      return kind === haveKind && (key === "*" || key === haveKey);
    })
  );
}

export type Fallthrough = { variation: number } | { rollout: { variations: { variation: number; weight: number }[] } };

/** A boolean flag `[true, false]` whose environment `env` is `on` with `fallthrough`. */
export function flagAnswer(key: string, env: string, on: boolean, fallthrough: Fallthrough): unknown {
  return {
    key,
    name: "Time Crunch Mode",
    kind: "boolean",
    _version: 4,
    creationDate: 1763632800000,
    variations: [
      { _id: "e432f62b-55f6-49dd-a02f-eb24acf39d05", value: true },
      { _id: "a00bf58d-d252-476c-b915-15a74becacb4", value: false },
    ],
    temporary: true,
    tags: [],
    environments: {
      [env]: {
        on,
        archived: false,
        salt: "61eddeadbeef4da1a2a7a8b4d1e4a1a0",
        sel: "810edeadbeef4d2a9f0b2f2c0e5e1b2c",
        lastModified: 1763719200000,
        version: 12,
        targets: [],
        contextTargets: [],
        rules: [],
        fallthrough,
        offVariation: 1,
        prerequisites: [],
        _site: { href: `/default/${env}/features/${key}`, type: "text/html" },
        _environmentName: env,
        trackEvents: false,
        trackEventsFallthrough: false,
        _version: 12,
      },
    },
  };
}

/** `percentage`% true as LaunchDarkly's rollout (weights in thousandths of a percent). */
export function rolloutOf(percentage: number): Fallthrough {
  const on = Math.round(percentage * 1000);
  return {
    rollout: {
      variations: [
        { variation: 0, weight: on },
        { variation: 1, weight: 100_000 - on },
      ],
    },
  };
}

export async function startLaunchDarklyApi(token: string): Promise<LaunchDarklyApi> {
  const flags = new Map<string, unknown>();
  const auditLog: AuditEntry[] = [];
  const server = await recorder((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== token) {
      send(401, { code: "unauthorized", message: "Invalid access token" });
      return;
    }
    const url = new URL(request.path, "http://x");
    if (request.method === "GET" && url.pathname === "/api/v2/auditlog") {
      const spec = url.searchParams.get("spec");
      const limit = Number(url.searchParams.get("limit") ?? "10");
      if (!Number.isInteger(limit) || limit < 1 || limit > 20) {
        send(400, { code: "invalid_request", message: "limit must be between 1 and 20" });
        return;
      }
      const items = auditLog
        .filter((e) => spec === null || e.accesses.some((a) => specMatches(spec, a.resource)))
        .sort((a, b) => b.date - a.date)
        .slice(0, limit)
        // The listing leaves `triggerBody` out: only an entry read by its id has it.
        .map((e) => Object.fromEntries(Object.entries(e).filter(([key]) => key !== "triggerBody")));
      send(200, { items, _links: { self: { href: request.path, type: "application/json" } } });
      return;
    }
    const entry = /^\/api\/v2\/auditlog\/([^/]+)$/.exec(url.pathname);
    if (request.method === "GET" && entry) {
      const found = auditLog.find((e) => e._id === decodeURIComponent(entry[1]!));
      if (found === undefined) send(404, { code: "not_found", message: "Unknown resource" });
      else send(200, found);
      return;
    }
    const flag = /^\/api\/v2\/flags\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const found = flag ? flags.get(`${decodeURIComponent(flag[1]!)}/${decodeURIComponent(flag[2]!)}`) : undefined;
    if (request.method !== "GET" || found === undefined) {
      send(404, { code: "not_found", message: "Unknown resource" });
      return;
    }
    // `env` restricts `environments` to the one asked for.
    const env = url.searchParams.get("env");
    const all = (found as { environments: Record<string, unknown> }).environments;
    send(200, {
      ...(found as object),
      environments: env === null ? all : Object.fromEntries(Object.entries(all).filter(([k]) => k === env)),
    });
  });
  return Object.assign(server, { flags, auditLog });
}
