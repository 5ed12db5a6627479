/**
 * What each soak report says in the cases a healthy synthetic soak never reaches (test/soakReport.test.ts
 * runs the tool against a real Prometheus): NO-GO and INCONCLUSIVE so far, a regression of the other
 * routes, a missed run, a soak under an hour old, no links. Pure: the report from the gate's JSON.
 */
import { describe, expect, it } from "vitest";
import { SignoffStatus, type RoleVerdict } from "../components/rollout/signoffs";
import { ReportKind } from "../components/soak/reportSchedule";
import {
  noReportJson,
  noReportLine,
  renderJson,
  renderMarkdown,
  renderText,
  slackMessage,
  type GateJson,
  type SoakReport,
} from "../tools/soakReport/report";

const START = Date.parse("2026-02-02T00:00:00Z") / 1000;
const HOUR = 3600;
const iso = (unix: number) => new Date(unix * 1000).toISOString();

type GateCriterion = GateJson["criteria"][number];

function criterion(key: GateCriterion["key"], title: string, observed: string, pass: boolean): GateCriterion {
  return { key, title, threshold: "a target", observed, value: null, pass, incidents: [] };
}

/** The gate's JSON for [start, end]: passing, unless told which criteria fail and what the regression says. */
function gate(
  start: number,
  end: number,
  over: { failing?: string[]; regression?: "pass" | "regression" | "inconclusive"; requests?: number | null } = {},
): GateJson {
  const failing = over.failing ?? [];
  const regression = over.regression ?? "pass";
  const verdict =
    failing.length > 0 || regression === "regression" ? "NO-GO" : regression === "inconclusive" ? "INCONCLUSIVE" : "GO";
  return {
    verdict,
    go: verdict === "GO",
    failing: [...failing, ...(regression === "regression" ? ["no regressions in existing functionality"] : [])],
    stack: "staging",
    window: { duration: `${(end - start) / 60}m`, start: iso(start), end: iso(end) },
    soak: { since: iso(START), hours: (end - START) / HOUR, atLeast: false, phase: null },
    requests: over.requests === undefined ? 36_000 : over.requests,
    regression: {
      title: "no regressions in existing functionality",
      status: regression,
      judged: { start: iso(start), end: iso(end) },
      baseline: { start: iso(2 * start - end), end: iso(start) },
      baselineText: "the window before",
      maxPValue: 0.01,
      minEffect: 0.1,
      minSamples: 60,
      findings: [
        {
          scope: "all routes",
          measure: "p95 latency",
          status: regression,
          baselineMedian: 0.175,
          judgedMedian: regression === "regression" ? 0.4 : 0.175,
          baselineSamples: 120,
          judgedSamples: regression === "inconclusive" ? 40 : 120,
          effect: regression === "regression" ? 1.29 : 0,
          p: regression === "regression" ? 1e-6 : 0.5,
          reason: regression === "inconclusive" ? "too few samples" : "",
          query: "histogram_quantile(0.95, …)",
        },
      ],
    },
    criteria: [
      criterion("success-rate", "success rate", "97%", !failing.includes("success rate")),
      criterion(
        "error-rate",
        "error rate",
        failing.includes("error rate") ? "7%" : "1%",
        !failing.includes("error rate"),
      ),
    ],
    charts: [],
    prometheus: "http://prometheus.example.com",
    queries: 20,
    dashboardUrl: null,
  };
}

function report(kind: ReportKind, hour: number, end: number, g: GateJson, extra: Partial<SoakReport> = {}): SoakReport {
  return {
    stack: "staging",
    slot: { hour, kind },
    scheduled: true,
    missed: 0,
    start: START,
    startSource: "--soak-start",
    end,
    gate: g,
    dashboardUrl: undefined,
    reportUrl: undefined,
    ...extra,
  };
}

describe("the hourly and four-hourly updates", () => {
  it("NO-GO so far, after two missed runs", () => {
    const end = START + 14 * HOUR + 420;
    const r = report(ReportKind.FourHourly, 12, end, gate(START, end, { failing: ["error rate"] }), { missed: 2 });
    expect(renderText(r)).toMatchInlineSnapshot(`
      "Time Crunch soak, hour 14: NO-GO so far
      four-hourly update: failing so far: error rate. The soak started 2026-02-02 00:00 UTC (--soak-start), 14 h ago. Judged over the soak so far, 2026-02-02 00:00 UTC to 2026-02-02 14:07 UTC, 36,000 requests. 2 earlier reports were due since the last scheduled run; this one replaces them.

      criterion     target    observed  verdict
      success rate  a target  97%       pass
      error rate    a target  7%        FAIL"
    `);
  });

  it("under an hour old, one missed run, INCONCLUSIVE", () => {
    const end = START + 40 * 60;
    const r = report(ReportKind.Hourly, 0, end, gate(end - HOUR, end, { regression: "inconclusive" }), {
      missed: 1,
      scheduled: false,
    });
    expect(renderText(r)).toMatchInlineSnapshot(`
      "Time Crunch soak, hour 0: INCONCLUSIVE so far
      hourly update: the regression criterion cannot tell (too few samples): not GO. The soak started 2026-02-02 00:00 UTC (--soak-start), 0 h ago. Judged over the soak so far, 2026-02-01 23:40 UTC to 2026-02-02 00:40 UTC, 36,000 requests. Under an hour old: the gate's shortest window is 1h, so coverage fails until hour 1. 1 earlier report was due since the last scheduled run; this one replaces it.

      criterion     target    observed  verdict
      success rate  a target  97%       pass
      error rate    a target  1%        pass"
    `);
    expect(renderJson(r)).toMatchObject({ kind: "hourly", verdict: "INCONCLUSIVE", go: false, missed: 1 });
  });
});

describe("the daily summary", () => {
  it("not on track: a criterion fails and the other routes regressed; no day before", () => {
    const end = START + 24 * HOUR;
    const r = report(
      ReportKind.DailySummary,
      24,
      end,
      gate(START, end, { failing: ["error rate"], regression: "regression" }),
    );
    expect(renderMarkdown(r)).toMatchInlineSnapshot(`
      "## Time Crunch soak, hour 24: daily summary, NO-GO so far

      The soak started 2026-02-02 00:00 UTC (--soak-start), 24 h ago. The last 24 hours (2026-02-02 00:00 UTC to 2026-02-03 00:00 UTC, 36,000 requests).

      | criterion | target | observed | verdict |
      | --- | --- | --- | --- |
      | success rate | a target | 97% | pass |
      | error rate | a target | 7% | FAIL |

      **Performance of the engine's other routes (no regressions)**

      - FAIL: the last 24 hours against the window before (2026-02-01 00:00 UTC to 2026-02-02 00:00 UTC), per minute
      - all routes p95 latency: 0.175 s (120) → 0.4 s (120), effect +129%, p 1.0e-6: REGRESSION

      **Recommendation so far**

      - Not on track: failing so far: error rate, no regressions in existing functionality.
      - The final report, at 2026-02-04 00:00 UTC, cannot be GO unless that changes.
      "
    `);
  });

  it("the other routes inconclusive, the day before with its own values", () => {
    const end = START + 24 * HOUR;
    const r = report(ReportKind.DailySummary, 24, end, gate(START, end, { regression: "inconclusive" }), {
      previousDay: gate(START - 24 * HOUR, START, { failing: ["success rate"] }),
    });
    expect(renderText(r)).toMatchInlineSnapshot(`
      "Time Crunch soak, hour 24: daily summary, INCONCLUSIVE so far
      The soak started 2026-02-02 00:00 UTC (--soak-start), 24 h ago. The last 24 hours (2026-02-02 00:00 UTC to 2026-02-03 00:00 UTC, 36,000 requests) against the 24 hours before (2026-02-01 00:00 UTC to 2026-02-02 00:00 UTC, 36,000 requests).

      criterion     target    last 24 h  24 h before  verdict
      success rate  a target  97%        97%          pass
      error rate    a target  1%         1%           pass

      Performance of the engine's other routes (no regressions):
        - INCONCLUSIVE: the last 24 hours against the window before (2026-02-01 00:00 UTC to 2026-02-02 00:00 UTC), per minute
        - all routes p95 latency: 0.175 s (120) → 0.175 s (40), effect +0%, p 0.5: INCONCLUSIVE

      Recommendation so far:
        - Not on track: the regression criterion cannot tell (too few samples): not GO.
        - The final report, at 2026-02-04 00:00 UTC, cannot be GO unless that changes."
    `);
  });
});

describe("the final report", () => {
  it("INCONCLUSIVE is not GO, and says why", () => {
    const end = START + 48 * HOUR + 300;
    const r = report(ReportKind.Final, 48, end, gate(end - 24 * HOUR, end, { regression: "inconclusive" }));
    expect(slackMessage(r)).toMatchInlineSnapshot(`
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
              "text": "The soak started 2026-02-02 00:00 UTC (--soak-start), 48 h ago. The promotion gate's judgement (\`npm run gate -- --stack staging\`, window 1440m: 2026-02-03 00:05 UTC to 2026-02-04 00:05 UTC, 36,000 requests): INCONCLUSIVE.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":white_check_mark: *success rate*: 97% (needs a target)
      :white_check_mark: *error rate*: 1% (needs a target)",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Not GO*
      • the regression criterion cannot tell (too few samples): not GO",
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
            "elements": [
              {
                "text": "final report of stack staging, 2026-02-04 00:05 UTC; thresholds of stack staging.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "Time Crunch soak, hour 48: final report, NO-GO: the regression criterion cannot tell (too few samples): not GO",
      }
    `);
  });

  it("a regression of the other routes is a failing line of its own", () => {
    const end = START + 48 * HOUR + 300;
    const r = report(ReportKind.Final, 48, end, gate(end - 24 * HOUR, end, { regression: "regression" }), {
      dashboardUrl: "https://grafana.example.com/d/tc",
    });
    expect(renderMarkdown(r)).toMatchInlineSnapshot(`
      "## Time Crunch soak, hour 48: final report, NO-GO

      The soak started 2026-02-02 00:00 UTC (--soak-start), 48 h ago. The promotion gate's judgement (\`npm run gate -- --stack staging\`, window 1440m: 2026-02-03 00:05 UTC to 2026-02-04 00:05 UTC, 36,000 requests): NO-GO.

      | criterion | target | observed | verdict |
      | --- | --- | --- | --- |
      | success rate | a target | 97% | pass |
      | error rate | a target | 1% | pass |

      **Failing**

      - no regressions in existing functionality

      **Next step**

      - The beta must not be turned on: no pull request turning \`targeting: on\` in Pulumi.beta.yaml (the Soak gate workflow fails it on this soak).
      - Fix what failed, then soak again (a new 48 hours) before promoting.

      [Dashboard](https://grafana.example.com/d/tc)
      "
    `);
  });
});

describe("no report", () => {
  it("says why, and when the next one is due", () => {
    const none = {
      stack: "staging",
      reason: "no report is due between two slots",
      next: { slot: { hour: 12, kind: ReportKind.FourHourly }, at: START + 12 * HOUR },
    };
    expect(noReportLine(none)).toMatchInlineSnapshot(
      `"soak-report: staging: no report due: no report is due between two slots; next: the four-hourly update at hour 12, 2026-02-02 12:00 UTC."`,
    );
    expect(noReportJson(none)).toMatchInlineSnapshot(`
      {
        "due": false,
        "next": {
          "at": "2026-02-02T12:00:00.000Z",
          "hour": 12,
          "kind": "four-hourly",
        },
        "reason": "no report is due between two slots",
        "stack": "staging",
      }
    `);
    expect(noReportJson({ ...none, next: undefined })).toMatchObject({ due: false, next: null });
  });
});

describe("the final report with the promoting pull request's sign-offs (--signoffs-pr)", () => {
  const end = START + 48 * HOUR;
  const role = (r: string, status: RoleVerdict["status"], who?: string): RoleVerdict => ({
    role: r,
    team: `athlete-ally/${r}`,
    status,
    who,
    when: who === undefined ? undefined : "2026-02-03T23:00:00Z",
    commit: who === undefined ? undefined : "abcdef0123456789",
  });

  it("is INCONCLUSIVE, waiting for sign-off, while a role has not signed: the gate's GO is not enough", () => {
    const r = report(ReportKind.Final, 48, end, gate(end - 24 * HOUR, end), {
      signoffs: {
        pr: 42,
        roles: [role("qa", SignoffStatus.Signed, "quinn"), role("docs", SignoffStatus.Stale, "dana")],
      },
    });
    const text = renderText(r);
    expect(text.split("\n")[0]).toBe(
      "Time Crunch soak, hour 48: final report, INCONCLUSIVE — waiting for sign-off from docs (athlete-ally/docs: stale)",
    );
    expect(text).toContain("qa (athlete-ally/qa): signed by quinn, 2026-02-03T23:00:00Z, commit abcdef0");
    expect(text).toContain("docs (athlete-ally/docs): stale by dana");
    expect(text).toContain("Each role waited for approves the head commit of pull request #42");
    expect(renderJson(r)).toMatchObject({ verdict: "INCONCLUSIVE", go: false });
    expect(JSON.stringify(slackMessage(r))).toContain("waiting for sign-off from docs");
  });

  it("is GO with the gate's GO and every role signed; NO-GO stays NO-GO whatever was signed", () => {
    const signed = { pr: 42, roles: [role("qa", SignoffStatus.Signed, "quinn")] };
    const go = report(ReportKind.Final, 48, end, gate(end - 24 * HOUR, end), { signoffs: signed });
    expect(renderText(go).split("\n")[0]).toBe("Time Crunch soak, hour 48: final report, GO");
    expect(renderJson(go)).toMatchObject({ verdict: "GO", go: true });
    const noGo = report(ReportKind.Final, 48, end, gate(end - 24 * HOUR, end, { failing: ["error rate"] }), {
      signoffs: signed,
    });
    expect(renderText(noGo).split("\n")[0]).toBe("Time Crunch soak, hour 48: final report, NO-GO");
  });
});
