/**
 * `npm run verify` (in process, `main`) against real local servers: stand-ins for Grafana's and
 * LaunchDarkly's APIs that record every request (test/support/grafanaApi.ts, launchDarklyApi.ts),
 * a real Prometheus scraping the stand-in preview service every second, and a recording Slack
 * webhook. One of each for the file; each case changes their state and puts it back.
 *
 * The telemetry is built in phases, and each case judges "as of" one of them with `--end`, so the
 * queries are deterministic: T1 (requests served, but no fallback yet: the fallbacks counter has
 * no series), T2 (fallbacks too: everything as declared), T3 (errors in the window).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PanelTitle } from "../components/observability/dashboardModel";
import { AlertRuleKey } from "../components/observability/alertRules";
import { grafanaIdentity } from "../components/observability/grafanaIdentity";
import { metricContract } from "../components/observability/metrics";
import { DEFAULT_FLAG_KEY } from "../components/config/schema";
import { main } from "../tools/verify/main";
import { judgeFlag, judgeNoErrors } from "../tools/verification/checks";
import { dashboardAnswer, ruleAnswer, startGrafanaApi, type GrafanaApi } from "./support/grafanaApi";
import { recorder, type Recorder } from "./support/httpRecorder";
import { flagAnswer, rolloutOf, startLaunchDarklyApi, type LaunchDarklyApi } from "./support/launchDarklyApi";
import { freePort, startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import { startPreviewService, type PreviewFaults, type PreviewService } from "./support/previewService";
import { runTool, type ToolRun } from "./support/toolRun";
import { cases } from "./support/cases";

const GRAFANA_TOKEN = "glsa_grafana-token-for-the-test";
const LD_TOKEN = "api-launchdarkly-token-for-the-test";
const PROMETHEUS_TOKEN = "prometheus-token-for-the-test";
const PREVIEW_TOKEN = "preview-token-for-the-test";
const WEBHOOK_SECRET = "T0VERIFY/B0VERIFY/webhook-secret-for-the-test";
const SECRETS = [GRAFANA_TOKEN, LD_TOKEN, PROMETHEUS_TOKEN, PREVIEW_TOKEN, WEBHOOK_SECRET];

// What beta declares (Pulumi.beta.yaml): targeting on at 10%, project athlete-ally, environment production.
const STACK = "beta";
const identity = grafanaIdentity(STACK);
const RULE_UIDS = Object.values(AlertRuleKey).map((key) => identity.ruleUid(key));
const FLAG = `athlete-ally/${DEFAULT_FLAG_KEY}`;
const metrics = metricContract();

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const faults: Mutable<PreviewFaults> = {};

let prometheus: LocalPrometheus;
let service: PreviewService;
let grafana: GrafanaApi;
let launchDarkly: LaunchDarklyApi;
let slack: Recorder;
let prometheusProxy: Recorder;
const times = { t1: 0, t2: 0, t3: 0 };
/** Every run's output, to look for tokens at the end. */
const outputs: string[] = [];

function declareAll(): void {
  grafana.dashboards.set(
    identity.dashboardUid,
    dashboardAnswer(
      identity.dashboardUid,
      { uid: identity.folderUid, title: identity.folderTitle },
      Object.values(PanelTitle),
    ),
  );
  for (const uid of RULE_UIDS) grafana.rules.set(uid, ruleAnswer(uid, identity.folderUid, identity.ruleGroupName));
  launchDarkly.flags.set(FLAG, flagAnswer(DEFAULT_FLAG_KEY, "production", true, rolloutOf(10)));
  for (const key of Object.keys(faults) as (keyof PreviewFaults)[]) Reflect.deleteProperty(faults, key);
}

async function serve(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await fetch(service.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ targetMinutes: 30 }),
    });
  }
}

/** An instant query's first value, or undefined when the answer is empty. */
async function value(query: string, time = Date.now() / 1000): Promise<number | undefined> {
  const url = new URL("/api/v1/query", prometheus.url);
  url.searchParams.set("query", query);
  url.searchParams.set("time", String(time));
  const answer = (await (await fetch(url)).json()) as { data: { result: { value: [number, string] }[] } };
  const first = answer.data.result[0];
  return first === undefined ? undefined : Number(first.value[1]);
}

/** Polls (bounded) until `done`, serving `between` requests between polls; returns the time it held. */
async function until(done: (time: number) => Promise<boolean>, between = 0): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const time = Date.now() / 1000;
    if (await done(time)) return time;
    await serve(between);
    await new Promise((resume) => setTimeout(resume, 300));
  }
  throw new Error("the telemetry did not arrive in Prometheus within 15 s");
}

const sampled = async (series: string, time: number) =>
  ((await value(`count(last_over_time(${series}[15m]))`, time)) ?? 0) > 0;

beforeAll(async () => {
  service = await startPreviewService(faults);
  [prometheus, grafana, launchDarkly, slack] = await Promise.all([
    startPrometheus([], { scrapeTargets: [service.target] }),
    startGrafanaApi(GRAFANA_TOKEN),
    startLaunchDarklyApi(LD_TOKEN),
    recorder((_, response) => response.end("ok")),
  ]);
  // Prometheus behind a recorder, to see the bearer token arrive.
  prometheusProxy = await recorder(async (request, response) => {
    const answer = await fetch(`${prometheus.url}${request.path}`, {
      method: request.method,
      headers: { "content-type": request.headers["content-type"] ?? "" },
      body: request.method === "POST" ? request.body : undefined,
    });
    response.writeHead(answer.status, { "content-type": "application/json" });
    response.end(await answer.text());
  });
  declareAll();
  // T1: successful requests only, so no fallback series exists yet.
  await serve(5);
  times.t1 = await until(
    async (t) =>
      (await sampled(metrics.previewRequests, t)) &&
      (await sampled(`${metrics.previewDuration}_count`, t)) &&
      (await sampled(metrics.timeConstraint, t)),
  );
  expect(await sampled(metrics.fallbacks, times.t1)).toBe(false);
  // T2: fallbacks too (callers for whom the flag is off): every metric of the contract.
  faults.flagOff = true;
  await serve(3);
  delete faults.flagOff;
  times.t2 = await until((t) => sampled(metrics.fallbacks, t));
  // T3: errors, served across scrapes so `increase` sees the counter grow.
  faults.errorShare = 0.5;
  times.t3 = await until(
    async (t) => ((await value(`sum(increase(${metrics.previewRequests}{outcome="error"}[2h]))`, t)) ?? 0) > 0,
    2,
  );
  delete faults.errorShare;
}, 60_000);

afterAll(async () => {
  await Promise.all([
    service.stop(),
    prometheus.stop(),
    grafana.close(),
    launchDarkly.close(),
    slack.close(),
    prometheusProxy.close(),
  ]);
});

const ENV = () => ({
  GRAFANA_URL: grafana.url,
  GRAFANA_TOKEN,
  LAUNCHDARKLY_ACCESS_TOKEN: LD_TOKEN,
  PROMETHEUS_URL: prometheusProxy.url,
  PROMETHEUS_BEARER_TOKEN: PROMETHEUS_TOKEN,
  PREVIEW_TOKEN,
});

async function verify(
  extra: readonly string[] = [],
  env: Record<string, string | undefined> = ENV(),
  end: number = times.t2,
): Promise<ToolRun> {
  const run = await runTool(
    main,
    [
      "--stack",
      STACK,
      "--launchdarkly-url",
      launchDarkly.url,
      "--preview-url",
      service.url,
      "--end",
      String(end),
      ...extra,
    ],
    env,
  );
  outputs.push(run.stdout, run.stderr);
  return run;
}

interface Report {
  stack: string;
  verdict: "pass" | "fail";
  checks: { name: string; status: string; expected: string; found: string; source: string }[];
}

async function report(extra: readonly string[] = [], end?: number): Promise<{ run: ToolRun; json: Report }> {
  const run = await verify(["--format", "json", ...extra], ENV(), end);
  return { run, json: JSON.parse(run.stdout) as Report };
}

const statuses = (json: Report) => Object.fromEntries(json.checks.map((c) => [c.name, c.status]));
const check = (json: Report, name: string) => json.checks.find((c) => c.name === name)!;
const ALL_PASS = {
  dashboard: "pass",
  "alert-rules": "pass",
  "flag-targeting": "pass",
  telemetry: "pass",
  "preview-endpoint": "pass",
  "no-errors": "pass",
};

describe("npm run verify", () => {
  it("passes (exit 0) when everything runs as beta declares, asking each source with its credentials", async () => {
    declareAll();
    const [grafanaSeen, ldSeen, promSeen, previewSeen] = [
      grafana.requests.length,
      launchDarkly.requests.length,
      prometheusProxy.requests.length,
      service.requests.length,
    ];
    const { run, json } = await report();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(json).toMatchObject({ stack: STACK, verdict: "pass" });
    expect(statuses(json)).toEqual(ALL_PASS);
    expect(check(json, "flag-targeting")).toMatchObject({
      expected: expect.stringContaining("10% true, 90% false") as unknown,
      source: `LaunchDarkly at ${launchDarkly.url}`,
    });

    const grafanaAsked = grafana.requests.slice(grafanaSeen);
    expect(grafanaAsked.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        `GET /api/dashboards/uid/${identity.dashboardUid}`,
        ...RULE_UIDS.map((uid) => `GET /api/v1/provisioning/alert-rules/${uid}`),
      ].sort(),
    );
    expect(new Set(grafanaAsked.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${GRAFANA_TOKEN}`]));
    const ldAsked = launchDarkly.requests.slice(ldSeen);
    expect(ldAsked.map((r) => r.path)).toEqual([
      `/api/v2/flags/athlete-ally/${encodeURIComponent(DEFAULT_FLAG_KEY)}?env=production`,
    ]);
    expect(ldAsked[0]!.headers.authorization).toBe(LD_TOKEN);
    const promAsked = prometheusProxy.requests.slice(promSeen);
    expect(promAsked.length).toBe(5);
    expect(new Set(promAsked.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${PROMETHEUS_TOKEN}`]));
    expect(
      decodeURIComponent(
        promAsked
          .map((r) => r.body)
          .join("\n")
          .replace(/\+/g, " "),
      ),
    ).toContain(`sum(increase(${metrics.previewRequests}{outcome="error"}[2h]))`);
    const previewAsked = service.requests.slice(previewSeen);
    expect(previewAsked).toEqual([
      { path: "/api/time-crunch/preview", authorization: `Bearer ${PREVIEW_TOKEN}`, body: { targetMinutes: 30 } },
    ]);
  });

  it("prints each check with what was expected and found (text and markdown)", async () => {
    declareAll();
    const text = await verify();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^verify beta: PASS/);
    for (const name of Object.keys(ALL_PASS)) expect(text.stdout).toMatch(new RegExp(`^PASS  ${name}  \\(`, "m"));
    expect(text.stdout).toContain("expected: ");
    const markdown = await verify(["--format", "markdown"]);
    expect(markdown.stdout).toContain("| `dashboard` | PASS |");
  });

  it.each(
    cases([
      {
        broken: "dashboard",
        what: "a panel missing",
        change: () => {
          grafana.dashboards.set(
            identity.dashboardUid,
            dashboardAnswer(
              identity.dashboardUid,
              { uid: identity.folderUid, title: identity.folderTitle },
              Object.values(PanelTitle).filter((t) => t !== PanelTitle.FallbackReasons),
            ),
          );
        },
        found: `missing panels: ${PanelTitle.FallbackReasons}`,
      },
      {
        broken: "dashboard",
        what: "the dashboard in another folder",
        change: () => {
          grafana.dashboards.set(
            identity.dashboardUid,
            dashboardAnswer(identity.dashboardUid, { uid: "general", title: "General" }, Object.values(PanelTitle)),
          );
        },
        found: 'in folder "General" (general)',
      },
      {
        broken: "alert-rules",
        what: "a rule paused",
        change: () => {
          const uid = identity.ruleUid(AlertRuleKey.ErrorRate);
          grafana.rules.set(uid, ruleAnswer(uid, identity.folderUid, identity.ruleGroupName, true));
        },
        found: `${identity.ruleUid(AlertRuleKey.ErrorRate)}: paused`,
      },
      {
        broken: "alert-rules",
        what: "a rule absent",
        change: () => grafana.rules.delete(identity.ruleUid(AlertRuleKey.ZeroRequests)),
        found: `${identity.ruleUid(AlertRuleKey.ZeroRequests)}: absent`,
      },
      {
        broken: "flag-targeting",
        what: "LaunchDarkly at 25% while the stack says 10%",
        change: () => launchDarkly.flags.set(FLAG, flagAnswer(DEFAULT_FLAG_KEY, "production", true, rolloutOf(25))),
        found: "targeting on, fallthrough 25% true, 75% false",
      },
      {
        broken: "flag-targeting",
        what: "the flag killed while the stack says on",
        change: () => launchDarkly.flags.set(FLAG, flagAnswer(DEFAULT_FLAG_KEY, "production", false, rolloutOf(10))),
        found: "targeting off, fallthrough 10% true, 90% false",
      },
      {
        broken: "preview-endpoint",
        what: "the endpoint answering feature_not_available while targeting is on",
        change: () => {
          faults.flagOff = true;
        },
        found: "HTTP 200, feature_not_available",
      },
      {
        broken: "preview-endpoint",
        what: "the endpoint answering 500 (a failed check, not an unreachable source)",
        change: () => {
          faults.errorShare = 1;
        },
        found: "HTTP 500, an error (5xx)",
      },
    ]),
  )("fails (exit 1) naming $broken: $what", async ({ broken, change, found }) => {
    declareAll();
    change();
    try {
      const { run, json } = await report();
      expect(run.code).toBe(1);
      expect(json.verdict).toBe("fail");
      expect(statuses(json)).toEqual({ ...ALL_PASS, [broken]: "fail" });
      expect(check(json, broken).found).toContain(found);
    } finally {
      declareAll();
    }
  });

  it("fails (exit 1) naming telemetry when a metric of the contract has no sample (as of T1, no fallbacks yet)", async () => {
    declareAll();
    const { run, json } = await report([], times.t1);
    expect(run.code).toBe(1);
    expect(statuses(json)).toEqual({ ...ALL_PASS, telemetry: "fail" });
    expect(check(json, "telemetry").found).toBe(`no sample in the last 15m: ${metrics.fallbacks}`);
  });

  it("fails (exit 1) naming no-errors when errors were served in the window (as of T3)", async () => {
    declareAll();
    const { run, json } = await report([], times.t3);
    expect(run.code).toBe(1);
    expect(statuses(json)).toEqual({ ...ALL_PASS, "no-errors": "fail" });
    expect(check(json, "no-errors").found).toMatch(/^about \d+ errors? in the last 2h$/);
    // A window that ends before the errors holds none.
    const narrow = await report(["--window", "1s"], times.t2);
    expect(check(narrow.json, "no-errors").status).toBe("pass");
  });

  it("exits 2 naming Grafana when it cannot be reached: never a pass or a fail", async () => {
    declareAll();
    const port = await freePort();
    const run = await verify([], { ...ENV(), GRAFANA_URL: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`verify: Grafana at http://127.0.0.1:${port} cannot be reached (ECONNREFUSED)\n`);
  });

  it("exits 2 naming LaunchDarkly when it refuses the token", async () => {
    const run = await verify([], { ...ENV(), LAUNCHDARKLY_ACCESS_TOKEN: "api-wrong-token" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`verify: LaunchDarkly at ${launchDarkly.url} answered HTTP 401`);
    expect(run.stderr).not.toContain("api-wrong-token");
  });

  it("exits 2 naming the source when it does not answer in time (--timeout)", async () => {
    const silent = await recorder(() => undefined);
    try {
      const started = Date.now();
      const run = await verify(["--timeout", "1s"], { ...ENV(), GRAFANA_URL: silent.url });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Grafana at ${silent.url} did not answer within 1 s (--timeout)`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it("--skip leaves checks out on purpose, says so, and needs no source or token for them", async () => {
    declareAll();
    const withoutGrafana = { ...ENV(), GRAFANA_URL: undefined, GRAFANA_TOKEN: undefined };
    const run = await verify(["--skip", "dashboard", "--skip", "alert-rules", "--format", "json"], withoutGrafana);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as Report;
    expect(statuses(json)).toEqual({ ...ALL_PASS, dashboard: "skipped", "alert-rules": "skipped" });
    expect(check(json, "dashboard").found).toBe("skipped (--skip)");
    const text = await verify(["--skip", "dashboard", "--skip", "alert-rules"], withoutGrafana);
    expect(text.stdout).toMatch(/^SKIP {2}dashboard/m);
    expect(text.stdout).toContain("skipped (--skip)");
  });

  /** What each check asks, told from the requests its source received. */
  const asks: Record<keyof typeof ALL_PASS, (seen: () => string[]) => string[]> = {
    dashboard: (seen) => seen().filter((r) => r.includes("/api/dashboards/")),
    "alert-rules": (seen) => seen().filter((r) => r.includes("/provisioning/alert-rules/")),
    "flag-targeting": (seen) => seen().filter((r) => r.includes("/api/v2/flags/")),
    telemetry: (seen) => seen().filter((r) => r.includes("last_over_time")),
    "preview-endpoint": (seen) => seen().filter((r) => r.includes("/api/time-crunch/preview")),
    "no-errors": (seen) => seen().filter((r) => r.includes('outcome="error"')),
  };

  it.each(cases(Object.keys(ALL_PASS) as (keyof typeof ALL_PASS)[]))(
    "--skip %s never asks for it, and leaves every other check's result as it was",
    async (skipped) => {
      declareAll();
      const counts = [grafana, launchDarkly, prometheusProxy].map((r) => r.requests.length);
      const previewSeen = service.requests.length;
      const { run, json } = await report(["--skip", skipped]);
      const seen = () => [
        ...[grafana, launchDarkly, prometheusProxy].flatMap((r, i) =>
          r.requests.slice(counts[i]).map((q) => decodeURIComponent(`${q.path} ${q.body}`.replace(/\+/g, " "))),
        ),
        ...service.requests.slice(previewSeen).map((q) => q.path),
      ];
      expect(run.code).toBe(0);
      expect(statuses(json)).toEqual({ ...ALL_PASS, [skipped]: "skipped" });
      expect(asks[skipped](seen)).toEqual([]);
      for (const other of Object.keys(asks) as (keyof typeof ALL_PASS)[]) {
        if (other !== skipped) expect(asks[other](seen), other).not.toEqual([]);
      }
    },
  );

  it("--skip telemetry makes a run whose telemetry fails pass, and --skip no-errors one whose errors fail", async () => {
    declareAll();
    const telemetryFails = await report(["--skip", "telemetry"], times.t1);
    expect(telemetryFails.run.code).toBe(0);
    expect(statuses(telemetryFails.json)).toEqual({ ...ALL_PASS, telemetry: "skipped" });
    const errorsFail = await report(["--skip", "no-errors"], times.t3);
    expect(errorsFail.run.code).toBe(0);
    expect(statuses(errorsFail.json)).toEqual({ ...ALL_PASS, "no-errors": "skipped" });
  });

  it.each(
    cases([
      { unset: "GRAFANA_URL", message: "--grafana-url URL or GRAFANA_URL" },
      { unset: "GRAFANA_TOKEN", message: "GRAFANA_TOKEN" },
      { unset: "LAUNCHDARKLY_ACCESS_TOKEN", message: "LAUNCHDARKLY_ACCESS_TOKEN" },
      { unset: "PROMETHEUS_URL", message: "--prometheus-url URL or PROMETHEUS_URL" },
    ]),
  )("exits 2 when a check's source is not given ($unset), naming what to give", async ({ unset, message }) => {
    const run = await verify([], { ...ENV(), [unset]: undefined });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`give ${message}`);
  });

  it("exits 2 for bad usage: no stack, a stack with no config file, an unknown check to skip", async () => {
    expect((await runTool(main, [], ENV())).code).toBe(2);
    const noStack = await runTool(main, ["--stack", "nope"], ENV());
    expect(noStack.code).toBe(2);
    expect(noStack.stderr).toMatch(/^verify: no such config file: \S+Pulumi\.nope\.yaml\n$/);
    const run = await verify(["--skip", "dashbord"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--skip dashbord: allowed: dashboard, alert-rules");
  });

  it("posts the summary to Slack (Block Kit) with --post-to-slack", async () => {
    declareAll();
    faults.flagOff = true;
    try {
      const seen = slack.requests.length;
      const run = await verify(["--post-to-slack"], {
        ...ENV(),
        SLACK_WEBHOOK_URL: `${slack.url}/services/${WEBHOOK_SECRET}`,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe("verify: posted the summary to Slack\n");
      const [post] = slack.requests.slice(seen);
      const message = JSON.parse(post!.body) as { text: string; blocks: { type: string }[] };
      expect(message.text).toBe("Time Crunch verify beta: FAIL (failing: preview-endpoint)");
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      outputs.push(post!.body);
    } finally {
      declareAll();
    }
  });

  it("never shows a token or the webhook URL: not in any output, message or Slack post", () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const output of outputs) for (const secret of SECRETS) expect(output).not.toContain(secret);
  });

  it("answers --help", async () => {
    const run = await runTool(main, ["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run verify -- --stack NAME/);
  });

  it("bounds the run (io.onBound: the deadline plus the Slack post)", async () => {
    declareAll();
    const bounds: number[] = [];
    const run = await runTool(
      main,
      ["--stack", STACK, "--launchdarkly-url", launchDarkly.url, "--preview-url", service.url, "--deadline", "20s"],
      ENV(),
      { onBound: (seconds) => bounds.push(seconds) },
    );
    outputs.push(run.stdout, run.stderr);
    expect(bounds).toEqual([30]);
  });
});

describe("verify's judges (pure)", () => {
  const declared = { project: "p", environment: "e", key: "k" };
  const flag = (on: boolean, fallthrough: object) => ({
    variations: [true, false],
    environment: { on, fallthrough },
  });

  it("reads a fixed variation and a rollout alike: 100% is variation 0, 0% variation 1", () => {
    const all = { ...declared, on: true, weights: [100_000, 0] as const };
    expect(judgeFlag(all, flag(true, { variation: 0 })).pass).toBe(true);
    expect(
      judgeFlag(
        all,
        flag(true, {
          rollout: {
            variations: [
              { variation: 0, weight: 100_000 },
              { variation: 1, weight: 0 },
            ],
          },
        }),
      ).pass,
    ).toBe(true);
    expect(judgeFlag(all, flag(true, { variation: 1 }))).toMatchObject({
      pass: false,
      found: "targeting on, fallthrough 100% false",
    });
  });

  it("wants targeting off (the kill switch) with the fallthrough kept", () => {
    const off = { ...declared, on: false, weights: [10_000, 90_000] as const };
    expect(
      judgeFlag(
        off,
        flag(false, {
          rollout: {
            variations: [
              { variation: 0, weight: 10_000 },
              { variation: 1, weight: 90_000 },
            ],
          },
        }),
      ).pass,
    ).toBe(true);
    expect(
      judgeFlag(
        off,
        flag(true, {
          rollout: {
            variations: [
              { variation: 0, weight: 10_000 },
              { variation: 1, weight: 90_000 },
            ],
          },
        }),
      ).pass,
    ).toBe(false);
    expect(judgeFlag(off, undefined)).toMatchObject({ pass: false, found: "no flag k in p (HTTP 404)" });
  });

  it("counts an empty error query as no errors", () => {
    expect(judgeNoErrors("2h", undefined).pass).toBe(true);
    expect(judgeNoErrors("2h", 0).pass).toBe(true);
    expect(judgeNoErrors("2h", 0.4)).toMatchObject({ pass: false, found: "about 1 error in the last 2h" });
  });
});
