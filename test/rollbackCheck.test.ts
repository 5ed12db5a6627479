/**
 * `npm run rollback-check` (tools/rollbackCheck): the pure decisions as plain functions, and the
 * tool in process against a real Prometheus holding kill scenarios (errors rise, the flag goes off
 * at T, feature_not_available fallbacks appear, errors fall, or do not), the stand-in preview
 * endpoint, and real local HTTP servers answering LaunchDarkly's (flag, audit log), Grafana's
 * (rule states) and GitHub's (issues) documented paths, plus a recording Slack webhook.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsedConfigOf } from "../components/config/schema";
import { readStackConfig, stackFilePath } from "../components/config/stackFile";
import { timeCrunchAlertRules } from "../components/observability/alertRules";
import { grafanaIdentity } from "../components/observability/grafanaIdentity";
import { queries } from "../components/observability/metrics";
import {
  alertsSeen,
  incidentBody,
  ISSUE_BODY_LIMIT,
  renderMarkdown,
  renderText,
  reportJson,
  slackMessage,
  type KillReport,
} from "../tools/rollbackCheck/incident";
import { main } from "../tools/rollbackCheck/main";
import {
  describeAuthor,
  judgeErrorsSettled,
  judgeTrafficStopped,
  killOf,
  killState,
  turnedOff,
} from "../tools/rollbackCheck/rollback";
import type { FoundAuditEntry } from "../tools/services/sources";
import { cases } from "./support/cases";
import { startGitHubApi, type GitHubApi } from "./support/githubApi";
import { startGrafanaApi, type GrafanaApi } from "./support/grafanaApi";
import { recorder, type Recorder } from "./support/httpRecorder";
import {
  auditEntry,
  flagAnswer,
  rolloutOf,
  startLaunchDarklyApi,
  type LaunchDarklyApi,
} from "./support/launchDarklyApi";
import { freePort, startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import { startPreviewService, type PreviewService } from "./support/previewService";
import { openMetrics, type Soak } from "./support/soakSeries";
import { runTool, type ToolRun } from "./support/toolRun";

const entry = (at: number, what: string, extra: Partial<FoundAuditEntry> = {}): FoundAuditEntry => ({
  id: `e${at}`,
  at,
  actions: ["updateOn"],
  what,
  member: undefined,
  token: undefined,
  app: undefined,
  subject: undefined,
  ...extra,
});

describe("the decisions", () => {
  it("a kill is the guards' condition: intent on, LaunchDarkly off; acknowledged when the config says off", () => {
    expect(killState(false, false, false)).toEqual({ kind: "not-watched" });
    expect(killState(true, true, true)).toEqual({ kind: "nothing-killed" });
    expect(killState(true, false, true)).toEqual({ kind: "killed", acknowledged: false });
    expect(killState(true, false, false)).toEqual({ kind: "killed", acknowledged: true });
  });

  it("the kill is the newest entry that turned targeting off; turning on, other actions and older kills are not", () => {
    const entries = [
      entry(100, "turned off the flag"),
      entry(300, "turned on the flag"),
      entry(400, "turned off the flag", { actions: ["updateFallthrough"] }),
      entry(200, "turned off the flag"),
    ];
    expect(turnedOff(entries)?.at).toBe(200);
    expect(turnedOff([entry(1, "turned on the flag")])).toBeUndefined();
  });

  it("names the author: a trigger, a member, a token", () => {
    expect(killOf(entry(1, "turned off the flag", { subject: "Grafana kill" }), true).by).toEqual({
      kind: "trigger",
      name: "Grafana kill",
    });
    expect(killOf(entry(1, "turned off the flag", { member: "Ana Ortiz" }), false).by).toEqual({
      kind: "member",
      name: "Ana Ortiz",
    });
    expect(killOf(entry(1, "turned off the flag", { token: "ci" }), false).by).toEqual({ kind: "token", name: "ci" });
    expect(killOf(entry(1, "turned off the flag", { subject: "Some app" }), false).by).toEqual({
      kind: "unknown",
      name: "Some app",
    });
    expect(killOf(entry(1, "turned off the flag"), false).by.name).toBe("someone LaunchDarkly does not name");
  });

  const KILL = Date.parse("2026-03-01T02:20:00Z") / 1000;

  it.each(
    cases([
      [0, 40, 600, "pass: no preview served after the grace; about 40 feature_not_available fallbacks since the kill"],
      [
        undefined,
        40,
        600,
        "pass: no preview served after the grace; about 40 feature_not_available fallbacks since the kill",
      ],
      [0.4, 40, 600, "fail: about 1 preview requests served after the grace"],
      [
        1234.6,
        0,
        600,
        "fail: about 1,235 preview requests served after the grace; no feature_not_available fallback since the kill (is anyone calling?)",
      ],
      [0, undefined, 600, "fail: no feature_not_available fallback since the kill (is anyone calling?)"],
      [0, 40, 120, "fail: too early: the grace ends at 2026-03-01 02:22 UTC"],
      [0, 40, 121, "pass: no preview served after the grace; about 40 feature_not_available fallbacks since the kill"],
    ] as const),
  )(
    "traffic: %s served after the grace, %s fallbacks, checked %s s after the kill: %s",
    (served, fallbacks, after, said) => {
      const step = judgeTrafficStopped(served, fallbacks, KILL, KILL + after);
      expect(`${step.status}: ${step.found}`).toBe(said);
      expect(step.expected).toBe(
        "no Time Crunch preview served from 2026-03-01 02:22 UTC (the kill + 2 min), and feature_not_available fallbacks since the kill",
      );
    },
  );

  const at = (minute: number, value: number): [number, number] => [KILL + minute * 60, value];
  const falling = [at(0, 0.3), at(5, 0.2), at(10, 0.05), at(15, 0), at(20, 0)];

  it.each(
    cases([
      ["falling", falling, 15, 20, "pass: under the threshold from 2026-03-01 02:30 UTC (10 min after the kill)"],
      [
        "falling, 5 min to settle",
        falling,
        5,
        20,
        "fail: under the threshold only from 2026-03-01 02:30 UTC, after the settle time; 20% at 2026-03-01 02:25 UTC",
      ],
      [
        "a relapse",
        [...falling, at(25, 0.4)],
        15,
        25,
        "fail: still 40% at 2026-03-01 02:45 UTC, after the settle time (2026-03-01 02:35 UTC)",
      ],
      [
        "still high, early",
        [at(1, 0.3)],
        15,
        2,
        "fail: still 30% at 2026-03-01 02:21 UTC; the settle time ends at 2026-03-01 02:35 UTC",
      ],
      [
        "still high at the settle time",
        [at(15, 0.3)],
        15,
        15,
        "fail: still 30% at 2026-03-01 02:35 UTC, after the settle time (2026-03-01 02:35 UTC)",
      ],
      [
        "settled at the settle time",
        [at(0, 0.3), at(15, 0.05)],
        15,
        20,
        "pass: under the threshold from 2026-03-01 02:35 UTC (15 min after the kill)",
      ],
      ["at the threshold", [at(0, 0.1), at(1, 0.1)], 15, 20, "pass: under the threshold since the kill"],
      [
        "high only outside [kill, end]",
        [at(-1, 0.9), at(0, 0.05), at(30, 0.9)],
        15,
        20,
        "pass: under the threshold since the kill",
      ],
      ["no request (0/0)", [at(1, NaN), at(2, NaN)], 15, 20, "pass: under the threshold since the kill"],
      ["no point", [], 15, 20, "pass: no preview request since the kill"],
    ] as const),
  )("errors: %s", (_, points, settleMinutes, endMinute, said) => {
    const step = judgeErrorsSettled(points, 0.1, KILL, settleMinutes * 60, KILL + endMinute * 60);
    expect(`${step.status}: ${step.found}`).toBe(said);
    expect(step.expected).toBe(
      `the error rate at or under 10% by ${settleMinutes === 15 ? "2026-03-01 02:35 UTC (the kill + 15 min)" : "2026-03-01 02:25 UTC (the kill + 5 min)"} and from then on`,
    );
  });

  it("the record keeps the earliest time each alert was seen, across runs, and fits GitHub's limit", () => {
    const report: KillReport = {
      stack: "beta",
      flag: { project: "p", environment: "production", key: "f" },
      kill: { id: "k1", at: 2000, by: { kind: "member", name: "Ana" }, what: "turned off the flag" },
      acknowledged: false,
      alerts: [{ uid: "u", title: "Error rate", state: "firing", activeAt: 1500 }],
      steps: [],
      settleMinutes: 15,
      checkedAt: 3000,
      gateReport: "x".repeat(200_000),
    };
    const first = incidentBody(report, undefined);
    expect(first.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    expect(first).toContain("### Root cause");
    const resolved = { ...report, alerts: [{ uid: "u", title: "Error rate", state: "inactive", activeAt: undefined }] };
    expect(alertsSeen(resolved.alerts, first)).toEqual({ "Error rate": 1500 });
    expect(incidentBody(resolved, first)).toContain('1970-01-01 00:25 UTC**: Grafana alert "Error rate" active');
  });
});

describe("what the record, the command line and Slack say", () => {
  const KILL_AT = Date.parse("2026-03-01T02:20:00Z") / 1000;
  const base: KillReport = {
    stack: "beta",
    flag: { project: "athlete-ally", environment: "production", key: "feature.stream5_time_crunch_mode" },
    kill: { id: "e1", at: KILL_AT, by: { kind: "token", name: "ops-bot" }, what: "turned off the flag" },
    acknowledged: false,
    alerts: [
      { uid: "r1", title: "Error rate | high", state: "firing", activeAt: KILL_AT - 360 },
      { uid: "r2", title: "Response time high", state: "inactive", activeAt: undefined },
    ],
    steps: [
      { name: "flag-off", status: "pass", expected: "off", found: "off since 02:20" },
      { name: "preview-endpoint", status: "fail", expected: "feature_not_available", found: "HTTP 200, preview data" },
      {
        name: "traffic-stopped",
        status: "unknown",
        expected: "stopped",
        found: "could not be checked: <Prometheus> down",
      },
      { name: "errors-settled", status: "pass", expected: "settled", found: "settled at 02:24" },
    ],
    settleMinutes: 15,
    checkedAt: KILL_AT + 1800,
    gateReport: "## Time Crunch soak gate: ❌ NO-GO",
    issue: { action: "opened", number: 7, url: "https://github.example/o/r/issues/7" },
  };

  it("the incident record, in full", () => {
    expect(incidentBody(base, undefined)).toMatchInlineSnapshot(`
      "<!-- stream5-time-crunch kill: stack=beta entry=e1 -->
      <!-- alerts-seen: {"Error rate | high":1772331240} -->
      The Time Crunch flag \`athlete-ally/feature.stream5_time_crunch_mode\` was turned off in LaunchDarkly environment \`production\` (stack \`beta\`) outside Pulumi. Written by \`npm run rollback-check -- --stack beta\`; every later check of this kill updates this issue.

      ## Timeline (UTC)

      - **2026-03-01 02:14 UTC**: Grafana alert "Error rate | high" active (Grafana's alert state)
      - **2026-03-01 02:20 UTC**: flag \`feature.stream5_time_crunch_mode\` turned off in production by the API access token ops-bot (LaunchDarkly audit log: "turned off the flag")
      - **2026-03-01 02:50 UTC**: this check (rollback not checked in full; preview-endpoint failed; not checked (a source could not be asked): traffic-stopped)

      Alert rules at this check: \`Error rate | high\`: firing since 2026-03-01 02:14 UTC; \`Response time high\`: inactive.

      Before any re-enable the rollout guards refuse every deployment of beta that keeps \`targeting: on\`, until the kill is accepted: \`pulumi config set targeting off -s beta\` (merge, deploy); turning it back on is then a reviewed change from off to on (docs/operating.md, "Re-enabling").

      ## Rollback verification: rollback not checked in full; preview-endpoint failed; not checked (a source could not be asked): traffic-stopped

      Checked 2026-03-01 02:50 UTC, settle time 15 min.

      | step | | expected | found |
      | --- | --- | --- | --- |
      | \`flag-off\` | ✅ | off | off since 02:20 |
      | \`preview-endpoint\` | ❌ | feature_not_available | HTTP 200, preview data |
      | \`traffic-stopped\` | ❔ | stopped | could not be checked: <Prometheus> down |
      | \`errors-settled\` | ✅ | settled | settled at 02:24 |

      ## The hour before the kill: the soak gate

      ## Time Crunch soak gate: ❌ NO-GO

      ## Post-mortem

      _To be filled in by the incident's owner (blameless)._

      ### Impact

      Who got errors or slow previews, for how long, how many requests (the gate report above).

      ### Timeline

      From the first symptom to the rollback's verification (start from the timeline above).

      ### Root cause

      What failed, and why nothing caught it before the flag was on.

      ### Actions

      - [ ] The fix, with its issue or pull request
      - [ ] What would have caught it before the beta (a test, an alert, a soak criterion)
      - [ ] Re-enable: a reviewed pull request from \`targeting: off\` to \`on\`, after the soak gate
      "
    `);
  });

  it("an acknowledged kill with no alert seen, and a record that keeps what an earlier run saw", () => {
    const quiet: KillReport = {
      ...base,
      acknowledged: true,
      alerts: { unknown: "Grafana at https://g/ cannot be reached" },
    };
    const body = incidentBody(quiet, undefined);
    expect(body).toContain("- No alert was seen active by any check of this kill.");
    expect(body).toContain(
      "Alert rules at this check: Grafana's alert state could not be read: Grafana at https://g/ cannot be reached.",
    );
    expect(body).toContain(
      "The kill is acknowledged: `Pulumi.beta.yaml` says `targeting: off`; deploy it (`pulumi up -s beta`).",
    );
    const later = incidentBody(quiet, incidentBody(base, undefined));
    expect(later).toContain('- **2026-03-01 02:14 UTC**: Grafana alert "Error rate | high" active');
    expect(later).not.toContain("No alert was seen");
    // A broken memory line is forgotten, not fatal.
    expect(alertsSeen(base.alerts, "<!-- alerts-seen: {not json} -->")).toEqual({ "Error rate | high": KILL_AT - 360 });
    // The earliest time wins: a later activeAt (the alert fired again) does not move it.
    const firedAgain = [{ uid: "r1", title: "Error rate | high", state: "firing", activeAt: KILL_AT }];
    expect(alertsSeen(firedAgain, incidentBody(base, undefined))).toEqual({ "Error rate | high": KILL_AT - 360 });
  });

  it("the command line: text, markdown and JSON; nothing to check", () => {
    const run = { kind: "killed" as const, ...base };
    expect(renderText(run)).toMatchInlineSnapshot(`
      "rollback-check beta: flag turned off 2026-03-01 02:20 UTC by the API access token ops-bot: rollback not checked in full; preview-endpoint failed; not checked (a source could not be asked): traffic-stopped

      PASS     flag-off
            expected: off
            found:    off since 02:20
      FAIL     preview-endpoint
            expected: feature_not_available
            found:    HTTP 200, preview data
      UNKNOWN  traffic-stopped
            expected: stopped
            found:    could not be checked: <Prometheus> down
      PASS     errors-settled
            expected: settled
            found:    settled at 02:24

      incident record: opened https://github.example/o/r/issues/7"
    `);
    expect(renderMarkdown(run)).toMatchInlineSnapshot(`
      "## Rollback check beta: rollback not checked in full; preview-endpoint failed; not checked (a source could not be asked): traffic-stopped

      Flag turned off 2026-03-01 02:20 UTC by the API access token ops-bot. Incident record: [#7](https://github.example/o/r/issues/7).

      | step | status | expected | found |
      | --- | --- | --- | --- |
      | \`flag-off\` | pass | off | off since 02:20 |
      | \`preview-endpoint\` | fail | feature_not_available | HTTP 200, preview data |
      | \`traffic-stopped\` | unknown | stopped | could not be checked: <Prometheus> down |
      | \`errors-settled\` | pass | settled | settled at 02:24 |"
    `);
    expect(reportJson(run)).toMatchInlineSnapshot(`
      {
        "acknowledged": false,
        "incident": {
          "action": "opened",
          "number": 7,
          "url": "https://github.example/o/r/issues/7",
        },
        "kill": {
          "at": "2026-03-01T02:20:00.000Z",
          "by": {
            "kind": "token",
            "name": "ops-bot",
          },
          "entry": "e1",
          "what": "turned off the flag",
        },
        "stack": "beta",
        "state": "killed",
        "steps": [
          {
            "expected": "off",
            "found": "off since 02:20",
            "name": "flag-off",
            "status": "pass",
          },
          {
            "expected": "feature_not_available",
            "found": "HTTP 200, preview data",
            "name": "preview-endpoint",
            "status": "fail",
          },
          {
            "expected": "stopped",
            "found": "could not be checked: <Prometheus> down",
            "name": "traffic-stopped",
            "status": "unknown",
          },
          {
            "expected": "settled",
            "found": "settled at 02:24",
            "name": "errors-settled",
            "status": "pass",
          },
        ],
        "verdict": "unknown",
      }
    `);
    const quiet = { stack: "beta", kind: "nothing-killed" as const, why: "targeting is on" };
    expect(renderText(quiet)).toBe("rollback-check beta: targeting is on");
    expect(renderMarkdown(quiet)).toBe("## Rollback check beta\n\ntargeting is on");
    expect(reportJson(quiet)).toEqual({ stack: "beta", state: "nothing-killed", why: "targeting is on" });
  });

  it("Slack: the verdict, each step, the record's link", () => {
    expect(slackMessage(base)).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Time Crunch kill on beta: rollback not checked in full",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "Flag feature.stream5_time_crunch_mode turned off in production at 2026-03-01 02:20 UTC by the API access token ops-bot.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":white_check_mark: *flag-off*: off since 02:20
      :x: *preview-endpoint*: HTTP 200, preview data
      :grey_question: *traffic-stopped*: could not be checked: &lt;Prometheus&gt; down
      :white_check_mark: *errors-settled*: settled at 02:24",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "<https://github.example/o/r/issues/7|Incident record #7>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
        ],
        "text": "Time Crunch kill on beta: rollback not checked in full (https://github.example/o/r/issues/7)",
      }
    `);
  });

  it("names every kind of author", () => {
    expect(describeAuthor({ kind: "trigger", name: "kill" })).toBe(
      'a flag trigger, "kill" (the automatic kill switch: a Grafana alert called it)',
    );
    expect(describeAuthor({ kind: "member", name: "Ana" })).toBe("Ana, by hand (the LaunchDarkly UI)");
    expect(describeAuthor({ kind: "token", name: "ops-bot" })).toBe("the API access token ops-bot");
    expect(describeAuthor({ kind: "unknown", name: "someone" })).toBe("someone");
  });
});

// --- the tool against real servers --------------------------------------------------------------

const STACK = "beta";
const CONFIG = parsedConfigOf(readStackConfig(stackFilePath(STACK)));
const PROJECT = CONFIG.launchdarklyProject;
const ENV = CONFIG.launchdarklyEnvironment;
const FLAG = CONFIG.flagKey;
const IDENTITY = grafanaIdentity(STACK, CONFIG.grafana);
const RULES = timeCrunchAlertRules(CONFIG.alerts, queries(), STACK);

const SECRETS = {
  LAUNCHDARKLY_ACCESS_TOKEN: "api-rollback-ld-token-never-shown-0001",
  GRAFANA_TOKEN: "glsa_rollbackGrafanaTokenNeverShown0002",
  GITHUB_TOKEN: "ghp_rollbackGitHubTokenNeverShown000003",
  PROMETHEUS_BEARER_TOKEN: "prom-rollback-token-never-shown-0004",
  PREVIEW_TOKEN: "preview-rollback-token-never-shown-0005",
};
const WEBHOOK_SECRET = "T0ROLLBACK/B0ROLLBACK/webhook-secret-never-shown";

/** Healthy, then errors rise for 20 minutes, then the kill at minute 140: only fallbacks, or errors go on. */
function killScenario(start: number, afterKill: Soak["mix"]): Soak {
  return {
    start,
    minutes: 180,
    episodes: [
      { fromMinute: 120, minutes: 20, mix: { success: 400, fallback: 0, error: 200 } },
      { fromMinute: 140, minutes: 40, mix: afterKill! },
    ],
  };
}
const SETTLES = killScenario(Date.parse("2026-03-01T00:00:00Z") / 1000, { success: 0, fallback: 600, error: 0 });
const STAYS_HIGH = killScenario(Date.parse("2026-03-03T00:00:00Z") / 1000, { success: 0, fallback: 400, error: 200 });
const killAt = (soak: Soak) => soak.start + 140 * 60;
const checkAt = (soak: Soak) => String(killAt(soak) + 30 * 60);

let prometheus: LocalPrometheus;
let launchDarkly: LaunchDarklyApi;
let grafana: GrafanaApi;
let github: GitHubApi;
let slack: Recorder;
let previewOff: PreviewService;
let previewOn: PreviewService;
let closedPort: string;

function killedAt(soak: Soak, by: Parameters<typeof auditEntry>[5]) {
  launchDarkly.auditLog.length = 0;
  launchDarkly.auditLog.push(
    auditEntry(PROJECT, ENV, FLAG, "turned on the flag", (soak.start - 3600) * 1000, {
      member: { email: "ana@athlete-ally.example", firstName: "Ana", lastName: "Ortiz" },
    }),
    // Another environment's and another flag's kills, later: never this kill.
    auditEntry(PROJECT, "test", FLAG, "turned off the flag", (killAt(soak) + 60) * 1000, { token: { name: "ci" } }),
    auditEntry(PROJECT, ENV, "other-flag", "turned off the flag", (killAt(soak) + 90) * 1000, {
      token: { name: "ci" },
    }),
    auditEntry(PROJECT, ENV, FLAG, "turned off the flag", killAt(soak) * 1000, by),
  );
  grafana.ruleStates.length = 0;
  grafana.ruleStates.push(
    ...RULES.map((rule) => ({
      uid: IDENTITY.ruleUid(rule.key),
      title: rule.title,
      group: IDENTITY.ruleGroupName,
      folderUid: IDENTITY.folderUid,
      state: rule.key === "error-rate" ? ("firing" as const) : ("inactive" as const),
      ...(rule.key === "error-rate" && { activeAt: new Date((killAt(soak) - 6 * 60) * 1000).toISOString() }),
    })),
  );
}

function flagIs(on: boolean) {
  launchDarkly.flags.set(`${PROJECT}/${FLAG}`, flagAnswer(FLAG, ENV, on, rolloutOf(10)));
}

function env(over: Record<string, string> = {}): Record<string, string> {
  return {
    ...SECRETS,
    GITHUB_REPOSITORY: "athlete-ally/stream5-time-crunch",
    GITHUB_API_URL: github.apiUrl,
    GRAFANA_URL: grafana.url,
    PROMETHEUS_URL: prometheus.url,
    SLACK_WEBHOOK_URL: `${slack.url}/services/${WEBHOOK_SECRET}`,
    ...over,
  };
}

function check(soak: Soak, preview: PreviewService, extra: string[] = [], over = {}): Promise<ToolRun> {
  return runTool(
    main,
    [
      ...["--stack", STACK, "--launchdarkly-url", launchDarkly.url, "--preview-url", preview.url],
      ...["--end", checkAt(soak), "--post-to-slack", "--timeout", "3s", "--deadline", "8s", ...extra],
    ],
    env(over),
  );
}

/** Nothing secret in what a run wrote, posted or recorded. */
function expectNoSecrets(...texts: string[]) {
  for (const text of texts) {
    for (const secret of [...Object.values(SECRETS), WEBHOOK_SECRET]) expect(text).not.toContain(secret);
  }
}

beforeAll(async () => {
  [prometheus, launchDarkly, grafana, github, slack, previewOff, previewOn] = await Promise.all([
    startPrometheus([openMetrics(SETTLES), openMetrics(STAYS_HIGH)]),
    startLaunchDarklyApi(SECRETS.LAUNCHDARKLY_ACCESS_TOKEN),
    startGrafanaApi(SECRETS.GRAFANA_TOKEN),
    startGitHubApi({ owner: "athlete-ally", repo: "stream5-time-crunch", files: {} }),
    recorder((_, response) => {
      response.end("ok");
    }),
    startPreviewService({ flagOff: true }),
    startPreviewService(),
  ]);
  closedPort = `http://127.0.0.1:${await freePort()}`;
}, 60_000);

afterAll(async () => {
  await Promise.all([
    prometheus.stop(),
    launchDarkly.close(),
    grafana.close(),
    github.close(),
    slack.close(),
    previewOff.stop(),
    previewOn.stop(),
  ]);
});

describe("npm run rollback-check", () => {
  it("a verified rollback: exit 0, one incident issue with the timeline, verification, gate report and post-mortem; Slack gets its link", async () => {
    flagIs(false);
    killedAt(SETTLES, { trigger: { eventName: "Grafana alert: Time Crunch preview error rate high" } });
    github.state.issues.length = 0;
    slack.requests.length = 0;
    const run = await check(SETTLES, previewOff, ["--format", "json"]);
    expect(run.stderr).not.toContain("failed:");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      verdict: string;
      kill: { by: unknown };
      steps: { name: string; status: string }[];
    };
    expect(json.verdict).toBe("verified");
    expect(json.kill.by).toMatchObject({ kind: "trigger" });
    expect(json.steps.map((s) => [s.name, s.status])).toEqual([
      ["flag-off", "pass"],
      ["preview-endpoint", "pass"],
      ["traffic-stopped", "pass"],
      ["errors-settled", "pass"],
    ]);
    expect(github.state.issues).toHaveLength(1);
    const [issue] = github.state.issues;
    expect(issue!.labels).toEqual(["time-crunch-kill"]);
    expect(issue!.title).toBe("Time Crunch kill on beta, 2026-03-01 02:20 UTC: rollback verified");
    expect(issue!.body).toContain(
      '**2026-03-01 02:14 UTC**: Grafana alert "Time Crunch preview error rate high" active',
    );
    expect(issue!.body).toContain('by a flag trigger, "Flag trigger" (the automatic kill switch');
    expect(issue!.body).toContain("pulumi config set targeting off -s beta");
    expect(issue!.body).toContain("## The hour before the kill: the soak gate");
    expect(issue!.body).toMatch(/## Time Crunch soak gate: .*NO-GO/);
    expect(issue!.body).toContain("```mermaid");
    expect(issue!.body).toContain("### Actions");
    const posted = slack.requests.map((r) => r.body).join("\n");
    expect(posted).toContain("Incident record #");
    expect(posted).toContain(`/issues/${issue!.number}`);
    expectNoSecrets(run.stdout, run.stderr, issue!.body, posted);
  });

  it("a second run updates the same issue", async () => {
    flagIs(false);
    const before = github.state.issues.length;
    const run = await check(SETTLES, previewOff, ["--no-incident"]);
    expect(run.code).toBe(0);
    expect(github.state.issues).toHaveLength(before);
    const posts = slack.requests.length;
    const again = await check(SETTLES, previewOff);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("incident record: updated");
    expect(github.state.issues).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
    // Same verdict: Slack heard of it the first time.
    expect(slack.requests).toHaveLength(posts);
  });

  it("errors still high after the settle time: exit 1 naming errors-settled", async () => {
    flagIs(false);
    killedAt(STAYS_HIGH, { member: { email: "ana@athlete-ally.example", firstName: "Ana", lastName: "Ortiz" } });
    const run = await check(STAYS_HIGH, previewOff);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("rollback NOT verified");
    expect(run.stdout).toMatch(/FAIL\s+errors-settled/);
    expect(run.stdout).toMatch(/still 33\.3% at .*after the settle time/);
    expect(run.stdout).toContain("Ana Ortiz, by hand");
    const issue = github.state.issues.find((i) => i.title.includes("2026-03-03"));
    expect(issue?.title).toContain("rollback NOT verified");
    expect(slack.requests.at(-1)?.body).toContain("rollback NOT verified");
  });

  it("the endpoint still serving preview data: exit 1 naming preview-endpoint", async () => {
    flagIs(false);
    killedAt(SETTLES, { trigger: { eventName: "Grafana alert" } });
    const run = await check(SETTLES, previewOn);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+preview-endpoint/);
    expect(run.stdout).toContain("preview data");
  });

  it("nothing killed: exit 0, no GitHub request, no post", async () => {
    flagIs(true);
    const requests = github.requests.length;
    const posts = slack.requests.length;
    const run = await check(SETTLES, previewOff);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("nothing killed");
    expect(github.requests).toHaveLength(requests);
    expect(slack.requests).toHaveLength(posts);
  });

  it("the stack's outputs are the intent: deployed off, nothing to check, LaunchDarkly not even asked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollback-outputs-"));
    const outputs = join(dir, "outputs.json");
    writeFileSync(outputs, JSON.stringify({ rolloutIntent: { targeting: "off", rolloutPercentage: 10 } }));
    const requests = launchDarkly.requests.length;
    const run = await check(SETTLES, previewOff, ["--stack-outputs", outputs]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`targeting is off in rolloutIntent in ${outputs}: nothing to check`);
    expect(launchDarkly.requests).toHaveLength(requests);
    writeFileSync(outputs, JSON.stringify({ rolloutIntent: { targeting: "maybe" } }));
    const bad = await check(SETTLES, previewOff, ["--stack-outputs", outputs]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--stack-outputs ${outputs}: The last deployment's stack output rolloutIntent is not`);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(
    cases([
      ["LaunchDarkly", ["--launchdarkly-url", "CLOSED"], {}],
      ["GitHub", [], { GITHUB_API_URL: "CLOSED" }],
      ["Grafana", [], { GRAFANA_URL: "CLOSED" }],
      ["Prometheus", [], { PROMETHEUS_URL: "CLOSED" }],
      ["the preview endpoint", ["--preview-url", "CLOSED"], {}],
    ] as const),
  )("%s unreachable: exit 2 naming it", async (name, flags, over) => {
    flagIs(false);
    killedAt(SETTLES, { trigger: { eventName: "Grafana alert" } });
    const swap = (value: string) => (value === "CLOSED" ? closedPort : value);
    const run = await runTool(
      main,
      [
        ...["--stack", STACK, "--launchdarkly-url", launchDarkly.url, "--preview-url", previewOff.url],
        ...["--end", checkAt(SETTLES), "--timeout", "2s", "--deadline", "4s"],
        ...flags.map(swap),
      ],
      env(Object.fromEntries(Object.entries(over).map(([k, v]) => [k, swap(v)]))),
    );
    expect(run.code).toBe(2);
    // Named with where it was looked for, on stderr, and why.
    expect(run.stderr).toContain(name === "GitHub" ? `GitHub (${closedPort}, ` : `${name} at ${closedPort} `);
    expect(run.stderr).toContain("ECONNREFUSED");
    expect(run.stderr).not.toContain("failed:");
    expectNoSecrets(run.stdout, run.stderr);
    // A verification source that cannot be asked still leaves the record, saying what was not checked.
    if (name === "Grafana" || name === "Prometheus" || name === "the preview endpoint") {
      const record = github.state.issues.at(-1)!.body;
      expect(record).toMatch(
        name === "Grafana" ? /alert state could not be read: Grafana at/ : /❔ \| .*could not be checked/,
      );
      expectNoSecrets(record);
    }
  });

  it("bad input: exit 2 with the key and what is allowed", async () => {
    const run = await runTool(main, ["--stack", STACK, "--settle", "soon"], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--settle soon: allowed: a duration");
    const noStack = await runTool(main, ["--stack", "nope"], env());
    expect(noStack.code).toBe(2);
    expect(noStack.stderr).toMatch(/^rollback-check: no such config file: \S+Pulumi\.nope\.yaml\n$/);
    const noGitHub = await runTool(main, ["--stack", STACK], env({ GITHUB_TOKEN: "" }));
    expect(noGitHub.code).toBe(2);
    expect(noGitHub.stderr).toContain("set GITHUB_TOKEN");
  });
});
