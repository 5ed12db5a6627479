/**
 * `npm run soak-report` (tools/soakReport) in process, against a real Prometheus holding a
 * synthetic 49-hour soak (and the engine's other routes from a day before it), posting to a real
 * local HTTP server that records each POST: the hourly update, the daily summary and the final
 * report as Slack receives them, and the runs that must post nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLACK_LIMITS, type SlackMessage } from "../tools/services/slack";
import { main } from "../tools/soakReport/main";
import { cases } from "./support/cases";
import { startGitHubApi } from "./support/githubApi";
import { recorder, type Recorder } from "./support/httpRecorder";
import { freePort, startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import { httpServerMetrics, openMetrics, OTHER_ROUTES, type Soak } from "./support/soakSeries";
import { runTool, type ToolRun } from "./support/toolRun";

const T0 = Date.parse("2026-02-02T00:00:00Z") / 1000;
const HOUR = 3600;
const SOAK: Soak = { start: T0, minutes: 49 * 60 };
const iso = (unix: number) => new Date(unix * 1000).toISOString();
const WEBHOOK_SECRET = "T0SOAKREPORT/B0SOAKREPORT/webhook-secret-for-the-test";
const DASHBOARD = "https://grafana.example.com/d/time-crunch";
const RUN_URL = "https://github.com/athlete-ally/stream5-time-crunch/actions/runs/42";

const scratch = mkdtempSync(join(tmpdir(), "soak-report-test-"));
function outputsFile(name: string, intent: unknown): string {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify({ dashboardUrl: DASHBOARD, rolloutIntent: intent }));
  return file;
}
const intent = (extra: Record<string, unknown>) => ({ targeting: "on", rolloutPercentage: 100, ...extra });

let prometheus: LocalPrometheus | undefined;
let slack: Recorder | undefined;
const reportDirs = { hourly: join(scratch, "hourly"), daily: join(scratch, "daily") };
type RunName =
  "hourly" | "daily" | "dailyRestarted" | "final" | "noGo" | "nothingDue" | "ended" | "noSoak" | "slackDown";
const runs = {} as Record<RunName, ToolRun>;

const env = (name: string, webhook?: string) => ({
  PROMETHEUS_URL: prometheus?.url ?? "",
  SLACK_WEBHOOK_URL: webhook ?? `${slack?.url ?? ""}/services/${WEBHOOK_SECRET}/${name}`,
});
const posted = (name: string) =>
  (slack?.requests ?? [])
    .filter((r) => r.path === `/services/${WEBHOOK_SECRET}/${name}`)
    .map((r) => JSON.parse(r.body) as SlackMessage);
/** The message's text as a reader sees it, one string. */
const shown = (message: SlackMessage) => JSON.stringify(message.blocks);

beforeAll(async () => {
  const other = { start: T0 - 25 * HOUR, minutes: 74 * 60, routes: OTHER_ROUTES };
  prometheus = await startPrometheus([openMetrics(SOAK, 2), httpServerMetrics(other, 2)]);
  slack = await recorder((_, response) => {
    response.end("ok");
  });
  const slackDown = `http://127.0.0.1:${String(await freePort())}/services/${WEBHOOK_SECRET}`;
  const links = ["--post-to-slack", "--dashboard-url", DASHBOARD, "--report-url", RUN_URL];
  const report = (name: RunName, args: string[], webhook?: string) => runTool(main, args, env(name, webhook));
  [
    runs.hourly,
    runs.daily,
    runs.dailyRestarted,
    runs.final,
    runs.noGo,
    runs.nothingDue,
    runs.ended,
    runs.noSoak,
    runs.slackDown,
  ] = await Promise.all([
    report("hourly", [
      ...["--scheduled", "--soak-start", iso(T0), "--end", iso(T0 + 5 * HOUR + 420)],
      ...[...links, "--report", reportDirs.hourly],
    ]),
    report("daily", [
      ...["--scheduled", "--stack-outputs", outputsFile("staging", intent({ since: iso(T0) }))],
      // Seven minutes after the slot, as the cron runs: the day judged is still the soak's first.
      ...["--end", String(T0 + 24 * HOUR + 420), ...links, "--report", reportDirs.daily],
    ]),
    // A soak restarted a day after the data begins: the day before has traffic to compare with.
    report("dailyRestarted", [
      ...["--scheduled", "--soak-start", iso(T0 + 24 * HOUR), "--end", String(T0 + 48 * HOUR + 420), ...links],
    ]),
    report("final", [
      ...["--scheduled", "--soak-start", String(T0), "--previous-run", iso(T0 + 47 * HOUR + 300)],
      ...["--end", iso(T0 + 48 * HOUR + 300), ...links, "--format", "json"],
    ]),
    // A run by hand, 48 hours after a start given too early: the data does not cover the gate's window.
    report("noGo", ["--soak-start", iso(T0 - 28 * HOUR), "--end", iso(T0 + 20 * HOUR), ...links]),
    report("nothingDue", ["--scheduled", "--soak-start", iso(T0), "--end", iso(T0 + 9.5 * HOUR), ...links]),
    report("ended", ["--scheduled", "--soak-start", iso(T0), "--end", iso(T0 + 49 * HOUR), ...links]),
    report("noSoak", [
      ...["--scheduled", "--stack-outputs", outputsFile("off", { ...intent({ since: iso(T0) }), targeting: "off" })],
      ...["--end", iso(T0 + 5 * HOUR), ...links],
    ]),
    report("slackDown", ["--soak-start", iso(T0), "--end", iso(T0 + 3 * HOUR), "--post-to-slack"], slackDown),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), slack?.close()]);
});

/** Every problem with a message against Slack's limits (none: it fits). */
function overLimits(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (message.blocks.length > SLACK_LIMITS.blocks) problems.push(`${message.blocks.length} blocks`);
  for (const block of message.blocks) {
    if (block.type === "header" && block.text.text.length > SLACK_LIMITS.headerText) problems.push("header too long");
    if (block.type === "section" && block.text.text.length > SLACK_LIMITS.sectionText)
      problems.push("section too long");
  }
  return problems;
}

describe("the hourly update (hour 5)", () => {
  it("posts the soak so far: the verdict in the header, each criterion against its target, both links", () => {
    expect(runs.hourly.stderr).toBe("soak-report: posted the hourly report to Slack\n");
    expect(runs.hourly.code).toBe(0);
    const [message, ...more] = posted("hourly");
    expect(more).toEqual([]);
    expect(message!.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Time Crunch soak, hour 5: GO so far" },
    });
    const text = shown(message!);
    expect(text).toContain(
      "Judged over the soak so far, 2026-02-02 00:00 UTC to 2026-02-02 05:07 UTC, 184,200 requests.",
    );
    expect(text).toContain(":white_check_mark: *success rate*: 97% (needs &gt; 95%)");
    expect(text).toContain(":white_check_mark: *p95 response time*: 0.813 s (needs &lt; 5 s)");
    expect(text).toContain(":white_check_mark: *coverage*");
    expect(text).toContain(`<${DASHBOARD}|Dashboard>`);
    expect(text).toContain(`<${RUN_URL}|Full report>`);
    expect(overLimits(message!)).toEqual([]);
  });

  it("writes the gate's report, charts and this message next to it", () => {
    const files = readdirSync(reportDirs.hourly).sort();
    expect(files).toEqual(["charts", "report.json", "report.md", "slack-message.json", "soak-report.md"]);
    expect(readdirSync(join(reportDirs.hourly, "charts")).length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(reportDirs.hourly, "slack-message.json"), "utf8"))).toEqual(
      posted("hourly")[0],
    );
    expect(readFileSync(join(reportDirs.hourly, "soak-report.md"), "utf8")).toMatch(
      /^## Time Crunch soak, hour 5: GO so far\n/,
    );
  });
});

describe("the daily summary (hour 24)", () => {
  it("compares each criterion with the 24 hours before, honest about a day without requests", () => {
    expect(runs.daily.code).toBe(0);
    const [message] = posted("daily");
    expect(message!.blocks[0]).toMatchObject({
      text: { text: "Time Crunch soak, hour 24: daily summary, GO so far" },
    });
    const text = shown(message!);
    expect(text).toContain("(rolloutIntent.since)");
    expect(text).toContain("against the 24 hours before (2026-02-01 00:00 UTC to 2026-02-02 00:00 UTC, no requests)");
    expect(text).toContain(":white_check_mark: *success rate*: 97% (needs &gt; 95%) · 24 h before: no requests");
    expect(text).toContain(":white_check_mark: *error rate*: 1% (needs &lt; 5%) · 24 h before: no requests");
    expect(overLimits(message!)).toEqual([]);
  });

  it("gives the day before's values when it had requests (a restarted soak)", () => {
    expect(runs.dailyRestarted.code).toBe(0);
    const text = shown(posted("dailyRestarted")[0]!);
    expect(text).toContain(":white_check_mark: *success rate*: 97% (needs &gt; 95%) · 24 h before: 97%");
    expect(text).toContain(":white_check_mark: *p95 response time*: 0.813 s (needs &lt; 5 s) · 24 h before: 0.813 s");
  });

  it("gives the other routes' performance and the recommendation so far", () => {
    const text = shown(posted("daily")[0]!);
    expect(text).toContain("*Performance of the engine's other routes (no regressions)*");
    expect(text).toMatch(/• pass: the last 24 hours against the window before/);
    expect(text).toMatch(/• all routes p95 latency: 0\.175 s \(\d+\) → 0\.175 s \(\d+\), effect \+0%, p [^:]+: pass/);
    expect(text).toContain("*Recommendation so far*");
    expect(text).toContain(
      "• On track: the final report, with the go/no-go recommendation, at 2026-02-04 00:00 UTC (hour 48).",
    );
  });

  it("renders the previous day as a column in the markdown", () => {
    const markdown = readFileSync(join(reportDirs.daily, "soak-report.md"), "utf8");
    expect(markdown).toContain("| criterion | target | last 24 h | 24 h before | verdict |");
    expect(markdown).toContain("| success rate | > 95% | 97% | no requests | pass |");
  });
});

describe("the final report (hour 48)", () => {
  it("says GO as the promotion gate judges it, and the next step: the pull request turning the beta on", () => {
    expect(runs.final.code).toBe(0);
    const json = JSON.parse(runs.final.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      due: true,
      kind: "final",
      slot: { hour: 48, at: iso(T0 + 48 * HOUR) },
      hour: 48,
      verdict: "GO",
      window: { duration: "24h" },
    });
    const [message] = posted("final");
    expect(message!.blocks[0]).toMatchObject({ text: { text: "Time Crunch soak, hour 48: final report, GO" } });
    const text = shown(message!);
    expect(text).toContain("`npm run gate -- --stack staging`, window 24h");
    expect(text).toContain("*Next step*");
    expect(text).toContain("a pull request turning `targeting: on` in Pulumi.beta.yaml");
    expect(text).toContain("`pulumi config set targeting on -s beta`");
    expect(text).not.toContain("*Failing*");
    expect(overLimits(message!)).toEqual([]);
  });

  it("says NO-GO, what failed, and that the beta must not be turned on (exit 1)", () => {
    expect(runs.noGo.code).toBe(1);
    const [message] = posted("noGo");
    expect(message!.blocks[0]).toMatchObject({ text: { text: "Time Crunch soak, hour 48: final report, NO-GO" } });
    const text = shown(message!);
    expect(text).toContain("*Failing*\\n• coverage: ");
    expect(text).toContain("The beta must not be turned on");
    expect(text).not.toContain("pulumi config set targeting on");
  });
});

describe("runs that post nothing", () => {
  it("a scheduled run between slots: nothing due, the next report named, exit 0", () => {
    expect(runs.nothingDue).toEqual({
      code: 0,
      stdout:
        "soak-report: staging: no report due: no report is due between two slots; next: the four-hourly update at hour 12, 2026-02-02 12:00 UTC.\n",
      stderr: "",
    });
    expect(posted("nothingDue")).toEqual([]);
  });

  it("after hour 48, and while targeting is off, nothing is due", () => {
    expect(runs.ended.code).toBe(0);
    expect(runs.ended.stdout).toContain("the soak's reports ended at hour 48");
    expect(runs.noSoak.code).toBe(0);
    expect(runs.noSoak.stdout).toContain("targeting is off");
    expect(runs.noSoak.stdout).toContain("no soak running");
    expect([...posted("ended"), ...posted("noSoak")]).toEqual([]);
  });

  it.each(
    cases([
      ["no start given", []],
      ["stack outputs without rolloutIntent.since", ["--stack-outputs", outputsFile("nosince", intent({}))]],
    ] as const),
  )("an unknown start (%s) is exit 2, naming --soak-start and --stack-outputs", async (_, args) => {
    const run = await runTool(main, ["--scheduled", ...args], env("unknown"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^soak-report: the soak's start is unknown/);
    expect(run.stderr).toContain("--soak-start TIME");
    expect(run.stderr).toContain("--stack-outputs FILE");
    expect(posted("unknown")).toEqual([]);
  });

  it("an unreachable Slack is exit 2, the report still printed", () => {
    expect(runs.slackDown.code).toBe(2);
    expect(runs.slackDown.stdout).toMatch(/^Time Crunch soak, hour 3: GO so far\n/);
    expect(runs.slackDown.stderr).toMatch(
      /^soak-report: could not post to Slack \(SLACK_WEBHOOK_URL\): ECONNREFUSED\n$/,
    );
  });
});

describe("the webhook URL", () => {
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)],
    );

  it("appears in no output and no report file", () => {
    for (const run of Object.values(runs)) expect(`${run.stdout}${run.stderr}`).not.toContain(WEBHOOK_SECRET);
    const files = filesUnder(scratch);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(readFileSync(file, "utf8")).not.toContain(WEBHOOK_SECRET);
    for (const post of slack!.requests) expect(post.body).not.toContain(WEBHOOK_SECRET);
  });
});

// The whole of each kind, as Slack receives it and as it is written: every word is a decision
// someone reads (what is judged over which span, the targets, the next step).
describe("each report, in full", () => {
  it("the hourly update", () => {
    expect(posted("hourly")[0]).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Time Crunch soak, hour 5: GO so far",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "hourly update: every criterion passes so far. The soak started 2026-02-02 00:00 UTC (--soak-start), 5 h ago. Judged over the soak so far, 2026-02-02 00:00 UTC to 2026-02-02 05:07 UTC, 184,200 requests.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":white_check_mark: *success rate*: 97% (needs &gt; 95%)
      :white_check_mark: *average response time*: 0.344 s (needs &lt; 2 s)
      :white_check_mark: *p95 response time*: 0.813 s (needs &lt; 5 s)
      :white_check_mark: *error rate*: 1% (needs &lt; 5%)
      :white_check_mark: *time-constraint success*: 90% (needs &gt; 80%)
      :white_check_mark: *traffic*: none (needs no 30-minute span without a request)
      :white_check_mark: *stability*: none (needs no alert would have fired (error-rate, response-time, success-rate))
      :white_check_mark: *coverage*: data for the last 5.1 h (needs data for the whole 307m window)",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "<https://grafana.example.com/d/time-crunch|Dashboard>  ·  <https://github.com/athlete-ally/stream5-time-crunch/actions/runs/42|Full report>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "hourly update of stack staging, 2026-02-02 05:07 UTC; thresholds of stack staging.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "Time Crunch soak, hour 5: GO so far: every criterion passes so far",
      }
    `);
  });

  it("the daily summary, posted and written", () => {
    expect(posted("daily")[0]).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Time Crunch soak, hour 24: daily summary, GO so far",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "The soak started 2026-02-02 00:00 UTC (rolloutIntent.since), 24 h ago. The last 24 hours (2026-02-02 00:00 UTC to 2026-02-03 00:00 UTC, 864,000 requests) against the 24 hours before (2026-02-01 00:00 UTC to 2026-02-02 00:00 UTC, no requests).",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":white_check_mark: *success rate*: 97% (needs &gt; 95%) · 24 h before: no requests
      :white_check_mark: *average response time*: 0.344 s (needs &lt; 2 s) · 24 h before: no requests
      :white_check_mark: *p95 response time*: 0.813 s (needs &lt; 5 s) · 24 h before: no requests
      :white_check_mark: *error rate*: 1% (needs &lt; 5%) · 24 h before: no requests
      :white_check_mark: *time-constraint success*: 90% (needs &gt; 80%) · 24 h before: no requests
      :white_check_mark: *traffic*: none (needs no 30-minute span without a request) · 24 h before: no requests
      :white_check_mark: *stability*: none (needs no alert would have fired (error-rate, response-time, success-rate)) · 24 h before: no requests
      :white_check_mark: *coverage*: data for the last 24 h (needs data for the whole 24h window) · 24 h before: no requests",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Performance of the engine's other routes (no regressions)*
      • pass: the last 24 hours against the window before (2026-02-01 00:05 UTC to 2026-02-02 00:00 UTC), per minute
      • all routes error ratio: 1% (1436) → 1% (1436), effect +0%, p 0.068: pass
      • /v1/athletes error ratio: 1% (1436) → 1% (1436), effect +0%, p 0.068: pass
      • /v1/plans error ratio: 1% (1436) → 1% (1436), effect +0%, p 0.068: pass
      • all routes p95 latency: 0.175 s (1436) → 0.175 s (1436), effect +0%, p 2.1e-10: pass
      • /v1/athletes p95 latency: 0.175 s (1436) → 0.175 s (1436), effect +0%, p 3.1e-9: pass
      • /v1/plans p95 latency: 0.175 s (1436) → 0.175 s (1436), effect +0%, p 3.1e-9: pass",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Usage*
      • 867,600 preview requests since the rung began.
      • Per day of the rung: day 1 (to 2026-02-03 00:00 UTC) 864,000, day 2 (to 2026-02-03 00:07 UTC) 3,600.
      • Per strategy: drop_accessories 570,118 (65.7%), shorten_rest 280,718 (32.3%), none 17,364 (2%).",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Feedback*
      • Feedback (label time-crunch-feedback) could not be read: GITHUB_TOKEN is not set.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Recommendation so far*
      • On track: the final report, with the go/no-go recommendation, at 2026-02-04 00:00 UTC (hour 48).",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "<https://grafana.example.com/d/time-crunch|Dashboard>  ·  <https://github.com/athlete-ally/stream5-time-crunch/actions/runs/42|Full report>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "daily summary of stack staging, 2026-02-03 00:07 UTC; thresholds of stack staging.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "Time Crunch soak, hour 24: daily summary, GO so far: every criterion passes so far",
      }
    `);
    expect(readFileSync(join(reportDirs.daily, "soak-report.md"), "utf8")).toMatchInlineSnapshot(`
      "## Time Crunch soak, hour 24: daily summary, GO so far

      The soak started 2026-02-02 00:00 UTC (rolloutIntent.since), 24 h ago. The last 24 hours (2026-02-02 00:00 UTC to 2026-02-03 00:00 UTC, 864,000 requests) against the 24 hours before (2026-02-01 00:00 UTC to 2026-02-02 00:00 UTC, no requests).

      | criterion | target | last 24 h | 24 h before | verdict |
      | --- | --- | --- | --- | --- |
      | success rate | > 95% | 97% | no requests | pass |
      | average response time | < 2 s | 0.344 s | no requests | pass |
      | p95 response time | < 5 s | 0.813 s | no requests | pass |
      | error rate | < 5% | 1% | no requests | pass |
      | time-constraint success | > 80% | 90% | no requests | pass |
      | traffic | no 30-minute span without a request | none | no requests | pass |
      | stability | no alert would have fired (error-rate, response-time, success-rate) | none | no requests | pass |
      | coverage | data for the whole 24h window | data for the last 24 h | no requests | pass |

      **Performance of the engine's other routes (no regressions)**

      - pass: the last 24 hours against the window before (2026-02-01 00:05 UTC to 2026-02-02 00:00 UTC), per minute
      - all routes error ratio: 1% (1436) → 1% (1436), effect +0%, p 0.068: pass
      - /v1/athletes error ratio: 1% (1436) → 1% (1436), effect +0%, p 0.068: pass
      - /v1/plans error ratio: 1% (1436) → 1% (1436), effect +0%, p 0.068: pass
      - all routes p95 latency: 0.175 s (1436) → 0.175 s (1436), effect +0%, p 2.1e-10: pass
      - /v1/athletes p95 latency: 0.175 s (1436) → 0.175 s (1436), effect +0%, p 3.1e-9: pass
      - /v1/plans p95 latency: 0.175 s (1436) → 0.175 s (1436), effect +0%, p 3.1e-9: pass

      **Usage**

      - 867,600 preview requests since the rung began.
      - Per day of the rung: day 1 (to 2026-02-03 00:00 UTC) 864,000, day 2 (to 2026-02-03 00:07 UTC) 3,600.
      - Per strategy: drop_accessories 570,118 (65.7%), shorten_rest 280,718 (32.3%), none 17,364 (2%).

      **Feedback**

      - Feedback (label time-crunch-feedback) could not be read: GITHUB_TOKEN is not set.

      **Recommendation so far**

      - On track: the final report, with the go/no-go recommendation, at 2026-02-04 00:00 UTC (hour 48).

      \`\`\`mermaid
      xychart-beta
          title "Preview requests per day of the rung"
          x-axis ["day 1", "day 2"]
          y-axis "requests" 0 --> 950401
          bar [864000, 3600]
      \`\`\`

      [Dashboard](https://grafana.example.com/d/time-crunch) · [Full report](https://github.com/athlete-ally/stream5-time-crunch/actions/runs/42)
      "
    `);
  });

  it("the final report, GO and NO-GO", () => {
    expect(posted("final")[0]).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Time Crunch soak, hour 48: final report, GO",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "The soak started 2026-02-02 00:00 UTC (--soak-start), 48 h ago. The promotion gate's judgement (\`npm run gate -- --stack staging\`, window 24h: 2026-02-03 00:05 UTC to 2026-02-04 00:05 UTC, 864,000 requests): GO.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":white_check_mark: *success rate*: 97% (needs &gt; 95%)
      :white_check_mark: *average response time*: 0.344 s (needs &lt; 2 s)
      :white_check_mark: *p95 response time*: 0.813 s (needs &lt; 5 s)
      :white_check_mark: *error rate*: 1% (needs &lt; 5%)
      :white_check_mark: *time-constraint success*: 90% (needs &gt; 80%)
      :white_check_mark: *traffic*: none (needs no 30-minute span without a request)
      :white_check_mark: *stability*: none (needs no alert would have fired (error-rate, response-time, success-rate))
      :white_check_mark: *coverage*: data for the last 48 h (needs data for the whole 24h window)",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Usage*
      • 1,730,400 preview requests since the rung began.
      • Per day of the rung: day 1 (to 2026-02-03 00:00 UTC) 864,000, day 2 (to 2026-02-04 00:00 UTC) 864,000, day 3 (to 2026-02-04 00:05 UTC) 2,400.
      • Per strategy: drop_accessories 1,136,690 (65.7%), shorten_rest 559,690 (32.3%), none 34,620 (2%).",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Feedback*
      • Feedback (label time-crunch-feedback) could not be read: GITHUB_TOKEN is not set.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Next step*
      • Promote to the 10% beta (docs/operating.md, "2. Promote to the 10% beta"): a pull request turning \`targeting: on\` in Pulumi.beta.yaml (\`pulumi config set targeting on -s beta\`).
      • The Soak gate workflow judges that pull request on this soak; merge on its GO, then approve the beta deployment.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "<https://grafana.example.com/d/time-crunch|Dashboard>  ·  <https://github.com/athlete-ally/stream5-time-crunch/actions/runs/42|Full report>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "final report of stack staging, 2026-02-04 00:05 UTC; thresholds of stack staging.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "Time Crunch soak, hour 48: final report, GO: every criterion passes",
      }
    `);
    expect(posted("noGo")[0]).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Time Crunch soak, hour 48: final report, NO-GO",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "The soak started 2026-01-31 20:00 UTC (--soak-start), 48 h ago. The promotion gate's judgement (\`npm run gate -- --stack staging\`, window 24h: 2026-02-01 20:00 UTC to 2026-02-02 20:00 UTC, 720,000 requests): NO-GO.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":white_check_mark: *success rate*: 97% (needs &gt; 95%)
      :white_check_mark: *average response time*: 0.344 s (needs &lt; 2 s)
      :white_check_mark: *p95 response time*: 0.812 s (needs &lt; 5 s)
      :white_check_mark: *error rate*: 1% (needs &lt; 5%)
      :white_check_mark: *time-constraint success*: 90% (needs &gt; 80%)
      :white_check_mark: *traffic*: none (needs no 30-minute span without a request)
      :white_check_mark: *stability*: none (needs no alert would have fired (error-rate, response-time, success-rate))
      :x: *coverage*: data for the last 20 h (needs data for the whole 24h window)",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Failing*
      • coverage: data for the last 20 h (needs data for the whole 24h window)",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Usage*
      • 720,000 preview requests since the rung began.
      • Per day of the rung: day 1 (to 2026-02-01 20:00 UTC) 0, day 2 (to 2026-02-02 20:00 UTC) 720,000.
      • Per strategy: drop_accessories 472,800 (65.7%), shorten_rest 232,800 (32.3%), none 14,400 (2%).",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Feedback*
      • Feedback (label time-crunch-feedback) could not be read: GITHUB_TOKEN is not set.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Next step*
      • The beta must not be turned on: no pull request turning \`targeting: on\` in Pulumi.beta.yaml (the Soak gate workflow fails it on this soak).
      • Fix what failed, then soak again (a new 48 hours) before promoting.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "<https://grafana.example.com/d/time-crunch|Dashboard>  ·  <https://github.com/athlete-ally/stream5-time-crunch/actions/runs/42|Full report>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "final report of stack staging, 2026-02-02 20:00 UTC; thresholds of stack staging.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "Time Crunch soak, hour 48: final report, NO-GO: failing: coverage",
      }
    `);
  });

  it("the command line: a report's text and JSON, nothing due", () => {
    expect(runs.final.stdout).toMatchInlineSnapshot(`
      "{
        "due": true,
        "kind": "final",
        "slot": {
          "hour": 48,
          "at": "2026-02-04T00:00:00.000Z"
        },
        "hour": 48,
        "scheduled": true,
        "missed": 0,
        "stack": "staging",
        "verdict": "GO",
        "go": true,
        "failing": [],
        "headline": "Time Crunch soak, hour 48: final report, GO",
        "soak": {
          "start": "2026-02-02T00:00:00.000Z",
          "source": "--soak-start"
        },
        "end": "2026-02-04T00:05:00.000Z",
        "window": {
          "duration": "24h",
          "start": "2026-02-03T00:05:00.000Z",
          "end": "2026-02-04T00:05:00.000Z"
        },
        "criteria": [
          {
            "title": "success rate",
            "threshold": "> 95%",
            "observed": "97%",
            "pass": true
          },
          {
            "title": "average response time",
            "threshold": "< 2 s",
            "observed": "0.344 s",
            "pass": true
          },
          {
            "title": "p95 response time",
            "threshold": "< 5 s",
            "observed": "0.813 s",
            "pass": true
          },
          {
            "title": "error rate",
            "threshold": "< 5%",
            "observed": "1%",
            "pass": true
          },
          {
            "title": "time-constraint success",
            "threshold": "> 80%",
            "observed": "90%",
            "pass": true
          },
          {
            "title": "traffic",
            "threshold": "no 30-minute span without a request",
            "observed": "none",
            "pass": true
          },
          {
            "title": "stability",
            "threshold": "no alert would have fired (error-rate, response-time, success-rate)",
            "observed": "none",
            "pass": true
          },
          {
            "title": "coverage",
            "threshold": "data for the whole 24h window",
            "observed": "data for the last 48 h",
            "pass": true
          }
        ],
        "regression": "pass",
        "usage": {
          "total": 1730400,
          "days": [
            {
              "day": 1,
              "end": 1770076800,
              "requests": 864000
            },
            {
              "day": 2,
              "end": 1770163200,
              "requests": 864000
            },
            {
              "day": 3,
              "end": 1770163500,
              "requests": 2400
            }
          ],
          "strategies": [
            {
              "strategy": "drop_accessories",
              "requests": 1136690
            },
            {
              "strategy": "shorten_rest",
              "requests": 559690
            },
            {
              "strategy": "none",
              "requests": 34620
            }
          ]
        },
        "feedback": {
          "kind": "unread",
          "label": "time-crunch-feedback",
          "why": "GITHUB_TOKEN is not set"
        },
        "notes": [
          {
            "title": "Usage",
            "lines": [
              "1,730,400 preview requests since the rung began.",
              "Per day of the rung: day 1 (to 2026-02-03 00:00 UTC) 864,000, day 2 (to 2026-02-04 00:00 UTC) 864,000, day 3 (to 2026-02-04 00:05 UTC) 2,400.",
              "Per strategy: drop_accessories 1,136,690 (65.7%), shorten_rest 559,690 (32.3%), none 34,620 (2%)."
            ]
          },
          {
            "title": "Feedback",
            "lines": [
              "Feedback (label time-crunch-feedback) could not be read: GITHUB_TOKEN is not set."
            ]
          },
          {
            "title": "Next step",
            "lines": [
              "Promote to the 10% beta (docs/operating.md, \\"2. Promote to the 10% beta\\"): a pull request turning \`targeting: on\` in Pulumi.beta.yaml (\`pulumi config set targeting on -s beta\`).",
              "The Soak gate workflow judges that pull request on this soak; merge on its GO, then approve the beta deployment."
            ]
          }
        ]
      }
      "
    `);
    expect(runs.nothingDue.stdout).toMatchInlineSnapshot(`
      "soak-report: staging: no report due: no report is due between two slots; next: the four-hourly update at hour 12, 2026-02-02 12:00 UTC.
      "
    `);
    expect(runs.ended.stdout).toMatchInlineSnapshot(`
      "soak-report: staging: no report due: the soak's reports ended at hour 48.
      "
    `);
    expect(runs.noSoak.stdout).toMatch(
      /^soak-report: staging: no report due: targeting is off \(rolloutIntent in \S+off\.json\): no soak running\.\n$/,
    );
  });
});

describe("the summaries' feedback: GitHub issues with the feedback label since the rung began", () => {
  const daily = ["--soak-start", iso(T0), "--end", String(T0 + 24 * HOUR + 420), "--format", "json"];
  interface Json {
    usage: { total: number; days: { requests: number }[] };
    feedback: { kind: string; open?: number; closed?: number; newest?: { number: number }[]; why?: string };
    notes: { title: string; lines: string[] }[];
  }

  it("counts open and closed, lists the five newest, and leaves out older issues and pull requests", async () => {
    const github = await startGitHubApi({ owner: "athlete-ally", repo: "stream5-time-crunch", files: {} });
    try {
      const issue = (number: number, hours: number, state: "open" | "closed", labels = ["time-crunch-feedback"]) => ({
        number,
        title: `feedback ${number}`,
        body: "",
        state,
        labels,
        createdAt: iso(T0 + hours * HOUR),
      });
      github.state.issues.push(
        issue(1, -2, "open"), // before the rung began
        ...[2, 3, 4, 5, 6, 7].map((n) => issue(n, n, n % 3 === 0 ? "closed" : "open")),
        issue(8, 9, "open", ["bug"]),
      );
      github.state.pulls.push({
        number: 9,
        title: "pr",
        body: "",
        state: "open",
        head: "main",
        base: "main",
        labels: ["time-crunch-feedback"],
      });
      const run = await runTool(main, daily, {
        PROMETHEUS_URL: prometheus!.url,
        GITHUB_TOKEN: "ghp_feedback",
        GITHUB_REPOSITORY: "athlete-ally/stream5-time-crunch",
        GITHUB_API_URL: github.apiUrl,
      });
      const json = JSON.parse(run.stdout) as Json;
      expect(json.feedback).toMatchObject({ kind: "read", open: 4, closed: 2 });
      expect(json.feedback.newest!.map((i) => i.number)).toEqual([7, 6, 5, 4, 3]);
      const lines = json.notes.find((n) => n.title === "Feedback")!.lines;
      expect(lines[0]).toBe("6 issues labelled time-crunch-feedback since the rung began: 4 open, 2 closed.");
      expect(lines[1]).toBe("#7 feedback 7 (open): https://github.example/athlete-ally/stream5-time-crunch/issues/7");
      // Usage: the days add up to the total, counted exactly.
      expect(json.usage.days.reduce((sum, d) => sum + d.requests, 0)).toBe(json.usage.total);
    } finally {
      await github.close();
    }
  });

  it("--signoffs-pr takes a pull request's number", async () => {
    const run = await runTool(main, [...daily, "--signoffs-pr", "#42"], { PROMETHEUS_URL: prometheus!.url });
    expect(run).toMatchObject({
      code: 2,
      stderr: "soak-report: --signoffs-pr #42: allowed: a pull request's number (1 or more)\n",
    });
  });

  it("a GITHUB_TOKEN with a bad GITHUB_REPOSITORY or GITHUB_API_URL is bad input, at once (not a note)", async () => {
    const token = { PROMETHEUS_URL: prometheus!.url, GITHUB_TOKEN: "ghp_feedback" };
    expect(await runTool(main, daily, { ...token, GITHUB_REPOSITORY: "no-slash" })).toMatchObject({
      code: 2,
      stderr: "soak-report: set GITHUB_REPOSITORY to owner/name (see --help)\n",
    });
    const port = await runTool(main, daily, {
      ...token,
      GITHUB_REPOSITORY: "o/r",
      GITHUB_API_URL: "http://127.0.0.1:6000",
    });
    expect(port).toMatchObject({ code: 2, stdout: "" });
    expect(port.stderr).toContain("GITHUB_API_URL http://127.0.0.1:6000: port 6000 is one fetch never connects to");
  });

  it("says GitHub could not be asked, and still reports and posts", async () => {
    const seen = slack!.requests.length;
    const run = await runTool(main, [...daily, "--post-to-slack"], {
      ...env("feedbackDown"),
      GITHUB_TOKEN: "ghp_feedback",
      GITHUB_REPOSITORY: "athlete-ally/stream5-time-crunch",
      GITHUB_API_URL: `http://127.0.0.1:${String(await freePort())}`,
    });
    expect(run.code).toBe(runs.daily.code);
    const json = JSON.parse(run.stdout) as Json;
    expect(json.feedback.kind).toBe("unread");
    expect(json.feedback.why).toMatch(
      /^GitHub \(http:\/\/127\.0\.0\.1:\d+, athlete-ally\/stream5-time-crunch\): could not list the issues labelled time-crunch-feedback: /,
    );
    expect(slack!.requests.length).toBe(seen + 1);
  });
});
