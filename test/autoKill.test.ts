/**
 * The automatic kill switch (`alerts.autoKill`): a LaunchDarkly flag trigger whose secret URL is a
 * webhook of a second Grafana contact point, to which only the critical rules route.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../tools/offline/engine";
import { isSecretValue, OFFLINE_TRIGGER_URL_PREFIX } from "../tools/offline/mocks";
import { withValues } from "../components/config/stackFile";
import { renderNotification, type NotifiedAlert } from "./support/amtool";
import { planCli, type CliRun } from "./support/planCli";
import { onlyOfType, run, stackConfig } from "./support/program";
import { ResourceType } from "../components/resources";

const TRIGGER = ResourceType.FlagTrigger;
const CONTACT_POINT = ResourceType.ContactPoint;
const RULE_GROUP = ResourceType.RuleGroup;

interface Rule {
  name: string;
  labels: { severity: string };
  notificationSettings: { contactPoint: string; groupWait?: string };
}

/** Every path under `value` where the trigger URL appears outside a secret. */
function plainTriggerUrls(value: unknown, path = ""): string[] {
  if (isSecretValue(value)) return [];
  if (typeof value === "string") return value.includes(OFFLINE_TRIGGER_URL_PREFIX) ? [path] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => plainTriggerUrls(item, `${path}.${key}`));
}

/** Every secret under `value` that holds the trigger URL. */
function secretTriggerUrls(value: unknown): unknown[] {
  if (isSecretValue(value)) return JSON.stringify(value.value).includes(OFFLINE_TRIGGER_URL_PREFIX) ? [value] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.values(value).flatMap(secretTriggerUrls);
}

const seconds = (duration: string) => {
  const [, n, unit] = /^(\d+)(s|m)$/.exec(duration) ?? [];
  return Number(n) * (unit === "m" ? 60 : 1);
};

let beta: ProgramRun;
let staging: ProgramRun;
beforeAll(async () => {
  beta = await run(stackConfig("beta"));
  staging = await run(stackConfig("staging"));
});

describe("with alerts.autoKill (beta)", () => {
  it("declares a flag trigger that turns the flag off in the stack's environment", () => {
    const trigger = onlyOfType(beta, TRIGGER);
    expect(trigger.inputs).toEqual({
      projectKey: "athlete-ally",
      envKey: "production",
      flagKey: "feature.stream5_time_crunch_mode",
      integrationKey: "generic-trigger",
      instructions: { kind: "turnFlagOff" },
      enabled: true,
    });
    expect(trigger.parent).toMatch(/::stream5:launchdarkly:TimeCrunchFlag::time-crunch$/);
  });

  it("is created after the targeting, which waits for the flag definition where the stack owns it", async () => {
    const ENVIRONMENT = ResourceType.FlagEnvironment;
    expect(onlyOfType(beta, TRIGGER).dependsOn).toContain(onlyOfType(beta, ENVIRONMENT).urn);
    const owning = await run(withValues(stackConfig("staging"), { alerts: { autoKill: true } }));
    expect(onlyOfType(owning, TRIGGER).dependsOn).toContain(onlyOfType(owning, ENVIRONMENT).urn);
    expect(onlyOfType(owning, ENVIRONMENT).dependsOn).toContain(onlyOfType(owning, ResourceType.Flag).urn);
  });

  it("a second contact point posts to Slack and calls the trigger's URL, with no resolve message", () => {
    const killSwitch = beta.resources.find(
      (r) => r.type === CONTACT_POINT && r.inputs.name === "stream5-time-crunch-beta-kill-switch",
    );
    expect(killSwitch).toBeDefined();
    const webhooks = killSwitch?.inputs.webhooks;
    expect(isSecretValue(webhooks)).toBe(true);
    expect(isSecretValue(webhooks) && webhooks.value).toEqual([
      {
        url: expect.stringMatching(new RegExp(`^${OFFLINE_TRIGGER_URL_PREFIX}`)) as string,
        httpMethod: "POST",
        disableResolveMessage: true,
      },
    ]);
    const slacks = killSwitch?.inputs.slacks;
    const [slack] = (isSecretValue(slacks) ? slacks.value : []) as { recipient: string; text: string }[];
    expect(slack?.recipient).toBe("#stream5-staging");
    expect(slack?.text).toContain("turns Time Crunch Mode off in environment production");
    expect(slack?.text).toContain("Acknowledge the kill: `pulumi config set targeting off -s beta`");
    expect(slack?.text).toContain("reviewed change from off to on");
  });

  it("its Slack text, as Grafana's template engine renders it: what happened and what to do, then that the flag stays off", () => {
    const killSwitch = beta.resources.find(
      (r) => r.type === CONTACT_POINT && r.inputs.name === "stream5-time-crunch-beta-kill-switch",
    );
    const slacks = killSwitch?.inputs.slacks;
    const [slack] = (isSecretValue(slacks) ? slacks.value : []) as { text: string }[];
    const alert = (status: NotifiedAlert["status"], summary: string): NotifiedAlert => ({
      status,
      alertname: summary,
      severity: "critical",
      annotations: { summary, runbook: "(runbook)" },
    });
    const errorRate = "Error rate 14% over 5 minutes";
    const latency = "Average response 6.2 s over 5 minutes";

    expect(renderNotification(slack!.text, [alert("firing", errorRate), alert("resolved", latency)])).toBe(
      "Automatic kill switch: Grafana called the LaunchDarkly trigger that turns Time Crunch Mode off in environment production (stack beta); check in LaunchDarkly that it is off.\n" +
        `${errorRate}\n` +
        "What to do next:\n" +
        "1. Acknowledge the kill: `pulumi config set targeting off -s beta` in a pull request, merged and deployed. Until then every deployment of beta is refused, so nothing turns the flag back on by accident.\n" +
        "2. Investigate: the Time Crunch dashboard and the planning engine's logs.\n" +
        '3. Re-enable only with a reviewed change from off to on (docs/operating.md, "Rollout guards").',
    );
    expect(renderNotification(slack!.text, [alert("resolved", errorRate), alert("resolved", latency)])).toBe(
      `Resolved: ${errorRate} ${latency} The flag stays off until a reviewed change turns it back on.`,
    );
  });

  it("routes the critical rules to it within 10 s of firing, and the warning rules never", () => {
    const rules = onlyOfType(beta, RULE_GROUP).inputs.rules as Rule[];
    const critical = rules.filter((r) => r.labels.severity === "critical");
    const warning = rules.filter((r) => r.labels.severity === "warning");
    expect(critical.map((r) => r.name).sort()).toEqual([
      "Time Crunch preview error rate high",
      "Time Crunch preview response time high",
    ]);
    expect(warning).toHaveLength(2);
    for (const rule of critical) {
      expect(rule.notificationSettings.contactPoint).toBe("stream5-time-crunch-beta-kill-switch");
      expect(seconds(rule.notificationSettings.groupWait ?? "30s")).toBeLessThanOrEqual(10);
    }
    for (const rule of warning) {
      expect(rule.notificationSettings).toEqual({ contactPoint: "stream5-time-crunch-beta-slack" });
    }
  });

  it("keeps the trigger URL secret in every declared input and every stack output", () => {
    expect(beta.resources.flatMap((r) => plainTriggerUrls(r.inputs, r.type))).toEqual([]);
    expect(plainTriggerUrls(beta.outputs)).toEqual([]);
    // There is a URL to keep secret: the webhook carries it.
    expect(beta.resources.flatMap((r) => secretTriggerUrls(r.inputs))).toHaveLength(1);
  });

  it("the secret check finds a trigger URL sent in plain text (control)", () => {
    const leaked = { webhooks: [{ url: `${OFFLINE_TRIGGER_URL_PREFIX}x/y` }] };
    expect(plainTriggerUrls(leaked, "contactPoint")).toEqual(["contactPoint.webhooks.0.url"]);
  });
});

describe("without alerts.autoKill (staging, the default)", () => {
  it("declares no trigger and one contact point, to which every rule routes", () => {
    expect(staging.resources.filter((r) => r.type === TRIGGER)).toEqual([]);
    const contactPoint = onlyOfType(staging, CONTACT_POINT);
    expect(contactPoint.inputs).not.toHaveProperty("webhooks");
    for (const rule of onlyOfType(staging, RULE_GROUP).inputs.rules as Rule[]) {
      expect(rule.notificationSettings).toEqual({ contactPoint: contactPoint.inputs.name });
    }
  });

  it("beta with autoKill off: the same", async () => {
    const off = await run(
      withValues(stackConfig("beta"), { alerts: { slackChannel: "#stream5-beta", autoKill: false } }),
    );
    expect(off.resources.filter((r) => r.type === TRIGGER)).toEqual([]);
    expect(off.resources.filter((r) => r.type === CONTACT_POINT)).toHaveLength(1);
  });
});

describe("the trigger URL in `npm run plan`", () => {
  let plan: CliRun;
  let out: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "autokill-plan-"));
    plan = await planCli(["--stack", "beta", "--out", out]);
  });

  it("appears in no file, nor on stdout or stderr", () => {
    expect(plan.code).toBe(0);
    const files = readdirSync(out).map((name) => readFileSync(join(out, name), "utf8"));
    expect(files.join("\n")).toContain("generic-trigger");
    for (const text of [plan.stdout, plan.stderr, ...files]) expect(text).not.toContain("webhook/triggers/offline-");
  });
});
