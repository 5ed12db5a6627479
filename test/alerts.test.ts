import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../tools/offline/engine";
import { isSecretValue } from "../tools/offline/mocks";
import { withValues } from "../components/config/stackFile";
import {
  KILL_RULE_STATES,
  killRuleStateProblems,
  outageHandlingProblems,
  ROLLOUT_CHANNEL_TEXT,
  routesToKillSwitch,
  timeCrunchAlertRules,
  type AlertRuleSpec,
} from "../components/observability/alertRules";
import { alertQueries, EXPRESSION_DATASOURCE } from "../components/observability/alertQueries";
import { StackConfigSchema } from "../components/config/schema";
import { queries } from "../components/observability/metrics";
import { cases } from "./support/cases";
import { renderNotification } from "./support/amtool";
import { outageNotifications } from "./support/grafanaOutage";
import { prometheusRuleGroup, type PrometheusRuleGroup } from "./support/grafanaRules";
import { onlyOfType, run, stackConfig } from "./support/program";
import { promtool } from "./support/promtool";
import { ResourceType } from "../components/resources";

const RULE_GROUP = ResourceType.RuleGroup;
const CONTACT_POINT = ResourceType.ContactPoint;

// The metric contract, spelled out: what the planning engine exports.
const REQUESTS = "stream5_time_crunch_preview_requests_total";
const DURATION = "stream5_time_crunch_preview_duration_seconds";

const Alert = {
  ErrorRate: "Time Crunch preview error rate high",
  ResponseTime: "Time Crunch preview response time high",
  SuccessRate: "Time Crunch preview success rate low",
  ZeroRequests: "Time Crunch preview receives no requests",
} as const;

/** Who gets paged, as the runbook table in README.md says: written here, not read from the program. */
const LABELS: Readonly<Record<string, Record<string, string>>> = {
  [Alert.ErrorRate]: { severity: "critical", team: "stream5", feature: "time-crunch" },
  [Alert.ResponseTime]: { severity: "critical", team: "stream5", feature: "time-crunch" },
  [Alert.SuccessRate]: { severity: "warning", team: "stream5", feature: "time-crunch" },
  [Alert.ZeroRequests]: { severity: "warning", team: "stream5", feature: "time-crunch" },
};

let beta: ProgramRun;
beforeAll(async () => {
  beta = await run(stackConfig("beta"));
});
// Translated in each test: a rule the model refuses fails the tests, not the file's set-up.
const betaGroup = (): PrometheusRuleGroup => prometheusRuleGroup(onlyOfType(beta, RULE_GROUP));

/** A counter series growing by `perMinute` for `minutes` minutes (promtool's expanding notation). */
const growing = (perMinute: number, minutes: number) => `0+${perMinute}x${minutes}`;

/** promtool expectations: `alert` is firing (with its labels) at each of `firing`, and not at `quiet`. */
function expectations(alert: string, firing: string[], quiet: string[]) {
  return [
    ...quiet.map((at) => ({ eval_time: at, alertname: alert, exp_alerts: [] })),
    ...firing.map((at) => ({ eval_time: at, alertname: alert, exp_alerts: [{ exp_labels: LABELS[alert] }] })),
  ];
}

type Series = { series: string; values: string }[];

/**
 * Runs `promtool test rules` on the declared rule group with one scenario, evaluated as often as
 * Grafana evaluates it; the series are scraped every minute. Returns promtool's verdict.
 */
function scenario(inputSeries: Series, alertTests: ReturnType<typeof expectations>[number][], declared = betaGroup()) {
  return promtool(["test", "rules", "tests.yml"], {
    "rules.yml": { groups: [declared] },
    "tests.yml": {
      rule_files: ["rules.yml"],
      evaluation_interval: declared.interval,
      tests: [{ interval: "1m", input_series: inputSeries, alert_rule_test: alertTests }],
    },
  });
}

function requests(outcome: string, values: string) {
  return { series: `${REQUESTS}{outcome="${outcome}",strategy="compress_intervals"}`, values };
}

describe("the alert rules, as Prometheus evaluates them", () => {
  it("declares the checklist's four rules, each routed to a contact point of the stack (autoKill.test.ts: which)", () => {
    expect(
      betaGroup()
        .rules.map((r) => r.alert)
        .sort(),
    ).toEqual(Object.values(Alert).sort());
    expect(betaGroup().interval).toBe("60s");
    // The zero-requests query answers 0 even without data (`or vector(0)`); Alerting on no data is its
    // backstop (docs/architecture.md, "The alert rules"), which no series can show. The other rules' OK is shown by promtool below.
    const declared = onlyOfType(beta, RULE_GROUP).inputs.rules as { name: string; noDataState: string }[];
    expect(Object.fromEntries(declared.map((r) => [r.name, r.noDataState]))).toEqual({
      [Alert.ErrorRate]: "OK",
      [Alert.ResponseTime]: "OK",
      [Alert.SuccessRate]: "OK",
      [Alert.ZeroRequests]: "Alerting",
    });
    const contactPoints = beta.resources.filter((r) => r.type === CONTACT_POINT).map((r) => r.inputs.name);
    for (const rule of onlyOfType(beta, RULE_GROUP).inputs.rules as {
      notificationSettings: { contactPoint: string };
    }[]) {
      expect(contactPoints).toContain(rule.notificationSettings.contactPoint);
    }
    expect(beta.resources.map((r) => r.type)).not.toContain("grafana:alerting/notificationPolicy:NotificationPolicy");
  });

  it("tells Slack what broke and what to do: a summary per rule, the stack's kill switch in the runbook", () => {
    const declared = onlyOfType(beta, RULE_GROUP).inputs.rules as {
      name: string;
      uid: string;
      execErrState: string;
      annotations: { summary: string; runbook: string };
      datas: { datasourceUid: string }[];
    }[];
    const rule = (name: string) => declared.find((r) => r.name === name)!;
    expect(Object.values(Alert).map((name) => rule(name).annotations.summary)).toEqual([
      "More than 10% of Time Crunch preview requests failed for 5m.",
      "Average Time Crunch preview response time above 5 s for 5m.",
      "Fewer than 90% of Time Crunch preview requests succeeded for 10m.",
      "No Time Crunch preview request in the last 30 minutes: the endpoint, the flag or the metrics are not working.",
    ]);
    const killSwitch = "`pulumi config set targeting off -s beta && pulumi up -s beta`";
    for (const name of [Alert.ErrorRate, Alert.ResponseTime]) {
      expect(rule(name).annotations.runbook).toBe(
        `Kill switch: ${killSwitch} (docs/operating.md, "Rollout runbook"), then post in #stream5-staging.`,
      );
    }
    for (const name of [Alert.SuccessRate, Alert.ZeroRequests]) {
      expect(rule(name).annotations.runbook).toContain(
        `Check the planning engine's logs and the Time Crunch dashboard; if users are affected, use the kill switch: ${killSwitch}.`,
      );
    }
    expect(rule(Alert.ZeroRequests).annotations.runbook).toMatch(
      /^Check that the planning engine runs and is scraped, .*`pulumi stack output targetingSummary -s beta`/,
    );
    expect(declared.map((r) => r.uid)).toEqual(
      ["error-rate", "response-time", "success-rate", "zero-requests"].map((key) => `stream5-tc-beta-${key}`),
    );
    // A query that fails: the warning rules raise an error alert (Slack hears of the outage), the
    // critical ones keep their last state (an outage never calls the kill switch; below).
    expect(Object.fromEntries(declared.map((r) => [r.name, r.execErrState]))).toEqual({
      [Alert.ErrorRate]: "KeepLast",
      [Alert.ResponseTime]: "KeepLast",
      [Alert.SuccessRate]: "Error",
      [Alert.ZeroRequests]: "Error",
    });
    for (const r of declared) {
      expect(r.datas.map((d) => d.datasourceUid)).toEqual(["prometheus", "__expr__", "__expr__"]);
    }
    // The webhook URL inside makes the whole list a secret.
    // The rollout channel's contact point (beta has a second one for the kill switch: autoKill.test.ts).
    const slackContactPoint = beta.resources.find(
      (r) => r.type === CONTACT_POINT && r.inputs.name === "stream5-time-crunch-beta-slack",
    )!;
    const slacks = slackContactPoint.inputs.slacks;
    const [slack] = (isSecretValue(slacks) ? slacks.value : slacks) as Record<string, unknown>[];
    expect(slack).toMatchObject({ recipient: "#stream5-staging", title: '{{ template "slack.default.title" . }}' });
    expect(slack?.text).toBe(ROLLOUT_CHANNEL_TEXT);
    // As Grafana's template engine (Alertmanager's) renders it: each alert's summary and runbook.
    const notified = (summary: string, runbook: string) => ({
      status: "firing" as const,
      alertname: summary,
      severity: "warning",
      annotations: { summary, runbook },
    });
    expect(
      renderNotification(String(slack?.text), [
        notified("No request for 30 minutes", "Check the engine."),
        notified("Success 80%", "Roll back."),
      ]),
    ).toBe("No request for 30 minutes\nWhat to do: Check the engine.\nSuccess 80%\nWhat to do: Roll back.\n");
  });

  it("error rate: fires after 5 minutes above 10%, not before", () => {
    const verdict = scenario(
      [requests("success", growing(89.5, 30)), requests("error", growing(10.5, 30))],
      expectations(Alert.ErrorRate, ["6m", "20m"], ["1m", "5m"]),
    );
    expect(verdict.output).toContain("SUCCESS");
  });

  it("error rate: never fires just below 10%", () => {
    const verdict = scenario(
      [requests("success", growing(90.5, 30)), requests("error", growing(9.5, 30))],
      expectations(Alert.ErrorRate, [], ["6m", "20m", "30m"]),
    );
    expect(verdict.output).toContain("SUCCESS");
  });

  it("response time: fires after 5 minutes of an average above 5 s, not before; never at 4.9 s", () => {
    const slow = scenario(
      [
        { series: `${DURATION}_sum`, values: growing(5.1 * 100, 30) },
        { series: `${DURATION}_count`, values: growing(100, 30) },
      ],
      expectations(Alert.ResponseTime, ["6m", "25m"], ["1m", "5m"]),
    );
    expect(slow.output).toContain("SUCCESS");
    const fine = scenario(
      [
        { series: `${DURATION}_sum`, values: growing(4.9 * 100, 30) },
        { series: `${DURATION}_count`, values: growing(100, 30) },
      ],
      expectations(Alert.ResponseTime, [], ["6m", "25m"]),
    );
    expect(fine.output).toContain("SUCCESS");
  });

  it("success rate: fires after 10 minutes below 90%, not before; never at 91%", () => {
    const low = scenario(
      [requests("success", growing(89, 30)), requests("error", growing(11, 30))],
      expectations(Alert.SuccessRate, ["11m", "25m"], ["1m", "10m"]),
    );
    expect(low.output).toContain("SUCCESS");
    const fine = scenario(
      [requests("success", growing(91, 30)), requests("error", growing(9, 30))],
      expectations(Alert.SuccessRate, [], ["11m", "25m"]),
    );
    expect(fine.output).toContain("SUCCESS");
  });

  it("success rate: fires when every request fails (the success series never existed)", () => {
    const verdict = scenario([requests("error", growing(20, 30))], expectations(Alert.SuccessRate, ["11m"], ["10m"]));
    expect(verdict.output).toContain("SUCCESS");
  });

  it("zero requests: fires 30 minutes after traffic stops, not before", () => {
    const verdict = scenario(
      // 10 requests a minute until minute 20, then the counter stays put (still scraped).
      [requests("success", `${growing(10, 20)} 200x40`)],
      expectations(Alert.ZeroRequests, ["50m", "55m"], ["5m", "20m", "49m"]),
    );
    expect(verdict.output).toContain("SUCCESS");
  });

  it("zero requests: fires 30 minutes after the engine disappears (its series go stale)", () => {
    const verdict = scenario(
      [requests("success", `${growing(10, 20)} stale`), { series: "up", values: "1x60" }],
      expectations(Alert.ZeroRequests, ["50m"], ["20m", "49m"]),
    );
    expect(verdict.output).toContain("SUCCESS");
  });

  it("zero requests: fires when the request metric has never existed", () => {
    const verdict = scenario([{ series: "up", values: "1x60" }], expectations(Alert.ZeroRequests, ["1m", "40m"], []));
    expect(verdict.output).toContain("SUCCESS");
  });

  it("zero requests: stays quiet while traffic flows", () => {
    const verdict = scenario(
      [requests("success", growing(1, 60))],
      expectations(Alert.ZeroRequests, [], ["5m", "31m", "60m"]),
    );
    expect(verdict.output).toContain("SUCCESS");
  });

  it("takes thresholds and durations from config", async () => {
    const strict = await run(
      withValues(stackConfig("beta"), { alerts: { errorRate: { above: 0.02, for: "2m" }, zeroRequestMinutes: 10 } }),
    );
    const strictGroup = prometheusRuleGroup(onlyOfType(strict, RULE_GROUP));
    const errors = scenario(
      [requests("success", growing(97, 30)), requests("error", growing(3, 30))],
      [...expectations(Alert.ErrorRate, ["3m", "20m"], ["2m"]), ...expectations(Alert.ZeroRequests, [], ["20m"])],
      strictGroup,
    );
    expect(errors.output).toContain("SUCCESS");
    const silence = scenario(
      [requests("success", `${growing(10, 20)} 200x40`)],
      expectations(Alert.ZeroRequests, ["30m"], ["29m"]),
      strictGroup,
    );
    expect(silence.output).toContain("SUCCESS");
  });

  it("without traffic only the zero-requests rule fires: no data is not an error, a slow response or a failure", () => {
    // The counters exist but stand still (every ratio is 0/0), then never existed at all.
    for (const inputSeries of [[requests("success", "100x60"), { series: `${DURATION}_count`, values: "50x60" }], []]) {
      const verdict = scenario(
        [...inputSeries, { series: "up", values: "1x60" }],
        [
          ...expectations(Alert.ZeroRequests, ["40m"], []),
          ...[Alert.ErrorRate, Alert.ResponseTime, Alert.SuccessRate].flatMap((alert) =>
            expectations(alert, [], ["15m", "40m"]),
          ),
        ],
      );
      expect(verdict.output).toContain("SUCCESS");
    }
  });

  it.each(
    cases([
      ["a NoData state", { noDataState: "NoData" }],
      ["a range query", { range: true }],
      ["another reducer", { reducer: "count" }],
      ["a strict reduce", { mode: "" }],
      ["a query evaluated in the past", { to: 60 }],
      ["a time range shorter than the query's window", { from: 60 }],
    ]),
  )("the model refuses what it does not cover: %s (control)", (_case, change) => {
    const declared = structuredClone(onlyOfType(beta, RULE_GROUP));
    const [rule] = declared.inputs.rules as {
      noDataState: string;
      datas: { refId: string; model: string; relativeTimeRange: { from: number; to: number } }[];
    }[];
    const [a, b] = rule!.datas;
    const query = JSON.parse(a!.model) as { range: boolean };
    if ("range" in change) query.range = change.range;
    a!.model = JSON.stringify(query);
    const reduce = JSON.parse(b!.model) as { reducer: string; settings: { mode: string } };
    if ("noDataState" in change) rule!.noDataState = change.noDataState;
    if ("reducer" in change) reduce.reducer = change.reducer;
    if ("mode" in change) reduce.settings.mode = change.mode;
    if ("to" in change) a!.relativeTimeRange.to = change.to;
    if ("from" in change) a!.relativeTimeRange.from = change.from;
    b!.model = JSON.stringify(reduce);
    expect(() => prometheusRuleGroup(declared)).toThrow(/not modelled|shorter than|not a range query/);
  });

  it("promtool would reject a broken rule (the check can fail)", () => {
    const verdict = promtool(["check", "rules", "rules.yml"], {
      "rules.yml": { groups: [{ name: "broken", rules: [{ alert: "x", expr: `rate(sum(${REQUESTS}))` }] }] },
    });
    expect(verdict.ok).toBe(false);
  });
});

describe("every PromQL expression the stack uses", () => {
  it("passes `promtool check rules` (dashboard macros substituted)", () => {
    const dashboard = JSON.parse(String(onlyOfType(beta, ResourceType.Dashboard).inputs.configJson)) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const panelExprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    const recorded = [
      ...panelExprs.map((expr) => expr.replaceAll("$__rate_interval", "5m")),
      ...betaGroup().rules.map((r) => r.expr),
    ];
    const verdict = promtool(["check", "rules", "rules.yml"], {
      "rules.yml": {
        groups: [{ name: "all", rules: recorded.map((expr, i) => ({ record: `stream5:check:${i}`, expr })) }],
      },
    });
    expect(verdict.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(verdict.ok).toBe(true);
  });
});

describe("a Prometheus outage: heard on Slack, never a kill", () => {
  const specs = timeCrunchAlertRules(StackConfigSchema.shape.alerts.parse(undefined), queries(), "beta");
  const KILL_SWITCH = "stream5-time-crunch-beta-kill-switch";
  const SLACK = "stream5-time-crunch-beta-slack";

  it.each(cases(["error", "no-data"] as const))(
    "beta's declared rules: an outage (%s) sends nothing to the kill switch",
    (outage) => {
      const notified = outageNotifications(onlyOfType(beta, RULE_GROUP), outage);
      expect(notified.filter((n) => n.contactPoint === KILL_SWITCH)).toEqual([]);
    },
  );

  it("beta's declared rules: an evaluation error reaches the rollout channel, named as an outage", () => {
    const notified = outageNotifications(onlyOfType(beta, RULE_GROUP), "error");
    expect(notified.map((n) => [n.contactPoint, n.labels.alertname, n.labels.rulename])).toEqual([
      [SLACK, "DatasourceError", Alert.SuccessRate],
      [SLACK, "DatasourceError", Alert.ZeroRequests],
    ]);
    // As Grafana's template engine (Alertmanager's) renders the rollout channel's text.
    const [first] = notified;
    const text = renderNotification(ROLLOUT_CHANNEL_TEXT, [
      {
        status: "firing",
        alertname: "DatasourceError",
        severity: first!.labels.severity!,
        annotations: {},
        labels: first!.labels,
      },
      {
        status: "firing",
        alertname: Alert.SuccessRate,
        severity: "warning",
        annotations: { summary: "S", runbook: "R" },
      },
    ]);
    expect(text).toBe(
      `Grafana cannot evaluate "${Alert.SuccessRate}": Prometheus (data source prometheus) does not answer, so the rollout is not being watched. The kill-switch rules keep their last state until it answers again.\n` +
        "What to do: check Prometheus and its scrape of the planning engine; until it answers, watch the dashboard or use the kill switch by hand.\n" +
        "S\nWhat to do: R\n",
    );
    const resolved = renderNotification(ROLLOUT_CHANNEL_TEXT, [
      { status: "resolved", alertname: "DatasourceError", severity: "warning", annotations: {}, labels: first!.labels },
    ]);
    expect(resolved).toBe(`Grafana can evaluate "${Alert.SuccessRate}" again.\n`);
  });

  it("without autoKill (staging) nothing kills, and the critical rules still keep their last state", async () => {
    const staging = await run(stackConfig("staging"));
    const notified = outageNotifications(onlyOfType(staging, RULE_GROUP), "error");
    expect(notified.map((n) => n.labels.rulename)).toEqual([Alert.SuccessRate, Alert.ZeroRequests]);
    expect(staging.resources.filter((r) => r.type === CONTACT_POINT)).toHaveLength(1);
  });

  it("the model catches a kill rule that raises an error alert (control)", () => {
    const declared = structuredClone(onlyOfType(beta, RULE_GROUP));
    (declared.inputs.rules as { execErrState: string }[])[0]!.execErrState = "Error";
    expect(outageNotifications(declared, "error").map((n) => n.contactPoint)).toContain(KILL_SWITCH);
  });

  it("the pure rule: a kill rule may keep its last state or go Normal, nothing else", () => {
    expect(KILL_RULE_STATES).toEqual({ execErrState: ["KeepLast", "OK"], noDataState: ["KeepLast", "OK"] });
    const safe = { execErrState: "KeepLast", noDataState: "OK" };
    expect(killRuleStateProblems(safe, true)).toEqual([]);
    expect(killRuleStateProblems({ execErrState: "OK", noDataState: "KeepLast" }, true)).toEqual([]);
    expect(killRuleStateProblems({ execErrState: "Error", noDataState: "NoData" }, true)).toEqual([
      { setting: "execErrState", value: "Error", allowed: ["KeepLast", "OK"] },
      { setting: "noDataState", value: "NoData", allowed: ["KeepLast", "OK"] },
    ]);
    expect(killRuleStateProblems({ execErrState: "Alerting", noDataState: "Alerting" }, true)).toHaveLength(2);
    // A rule that cannot kill may take any state.
    expect(killRuleStateProblems({ execErrState: "Error", noDataState: "NoData" }, false)).toEqual([]);
  });

  it("the rules' own outage handling is safe with and without autoKill; the critical ones kill only with it", () => {
    expect(outageHandlingProblems(specs, true)).toEqual([]);
    expect(outageHandlingProblems(specs, false)).toEqual([]);
    expect(specs.filter((r) => routesToKillSwitch(r, true)).map((r) => r.key)).toEqual(["error-rate", "response-time"]);
    expect(specs.filter((r) => routesToKillSwitch(r, false))).toEqual([]);
  });

  it("refuses a kill rule declared with Error, and a set in which no rule reports an outage (controls)", () => {
    const withError = specs.map((r): AlertRuleSpec => (r.key === "error-rate" ? { ...r, execErrState: "Error" } : r));
    expect(outageHandlingProblems(withError, true)).toEqual([
      'rule error-rate: execErrState is "Error" but the rule calls the kill switch (allowed: KeepLast or OK)',
    ]);
    // Without autoKill the same rule only reaches Slack: allowed.
    expect(outageHandlingProblems(withError, false)).toEqual([]);
    const silent = specs.map((r): AlertRuleSpec => ({ ...r, execErrState: "KeepLast" }));
    expect(outageHandlingProblems(silent, true)).toEqual([
      'no rule reports a Prometheus outage: at least one rule that cannot kill must take execErrState "Error"',
    ]);
  });
});

describe("the rules' query models, as Grafana's rule editor reads them", () => {
  const specs = timeCrunchAlertRules(StackConfigSchema.shape.alerts.parse(undefined), queries(), "beta");

  it("name each query as its refId, point at the datasource that runs it, and give expressions no time range", () => {
    for (const spec of specs) {
      const chain = alertQueries(spec, "prom-uid");
      expect(chain.map((q) => q.refId)).toEqual(["A", "B", "C"]);
      for (const query of chain) {
        const model = JSON.parse(query.model) as { refId: string; datasource: { type: string; uid: string } };
        expect(model.refId).toBe(query.refId);
        expect(model.datasource).toEqual(
          query.refId === "A"
            ? { type: "prometheus", uid: "prom-uid" }
            : { type: EXPRESSION_DATASOURCE, uid: EXPRESSION_DATASOURCE },
        );
        expect(query.datasourceUid).toBe(query.refId === "A" ? "prom-uid" : EXPRESSION_DATASOURCE);
        expect(query.relativeTimeRange).toEqual({ from: query.refId === "A" ? spec.lookbackSeconds : 0, to: 0 });
      }
    }
  });

  it("serialize each model once, keys sorted, so two runs and a reordering give the same text", () => {
    const [spec] = specs;
    const chain = alertQueries(spec!, "prom-uid");
    for (const query of chain) {
      const keys = Object.keys(JSON.parse(query.model) as object);
      expect(keys).toEqual([...keys].sort());
    }
    expect(alertQueries(spec!, "prom-uid")).toEqual(chain);
  });
});
