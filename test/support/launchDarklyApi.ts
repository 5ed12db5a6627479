/**
 * A stand-in for LaunchDarkly's REST API v2 on a loopback port (a real server that records every
 * request): `GET /api/v2/flags/{projectKey}/{featureFlagKey}?env=...` (`env` restricts the answer to
 * that environment), with the FeatureFlag shape of LaunchDarkly's REST API v2 docs
 * (launchdarkly.com/docs/api/feature-flags/get-feature-flag and the sample flag representation on
 * launchdarkly.com/docs/api/feature-flags, formerly apidocs.launchdarkly.com):
 * `{key, kind, variations: [{_id, value}], environments: {<env>: {on, fallthrough, offVariation,
 * targets, _version, lastModified, ...}}}`. A request without the access token as it is in
 * `Authorization` (no "Bearer") gets 401, as LaunchDarkly answers. Tests change `flags`.
 */
import { recorder, type Recorder } from "./httpRecorder";

export interface LaunchDarklyApi extends Recorder {
  /** Flags by `<projectKey>/<flagKey>`. */
  readonly flags: Map<string, unknown>;
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
  return Object.assign(server, { flags });
}
