/**
 * The policy pack's policies, called as the pack registers them, on what the real program declared
 * under the mock engine: the stacks pass, and each policy catches the declared resources once
 * altered to break it. Pod security per control is in planningEngine.test.ts.
 */
import fc from "fast-check";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec" with { "resolution-mode": "import" };
import { beforeAll, describe, expect, it } from "vitest";
import { POLICIES } from "../policy/policies";
import { killRulesKeepStateOnOutage } from "../policy/alerts";
import { noPlaintextCredentials } from "../policy/credentials";
import { alertsForEnabledFlag, flagDefinitionProtected, flagRolloutWeights } from "../policy/flag";
import { deploymentReplicasUnset, pinnedImages, podSecurityRestricted } from "../policy/workloads";
import type { PlannedResource } from "../tools/offline/plan";
import { checkPolicies } from "../tools/offline/policyRunner";
import { withSecret } from "../components/config/stackFile";
import { altered, policyInputs, replaced, violationsOf } from "./support/policies";
import { run, stackConfig } from "./support/program";
import { cases } from "./support/cases";
import { ResourceType } from "../components/resources";

const DEPLOYMENT = ResourceType.Deployment;
const CONFIG_MAP = ResourceType.ConfigMap;
const FLAG = ResourceType.Flag;
const FLAG_ENVIRONMENT = ResourceType.FlagEnvironment;
const RULE_GROUP = ResourceType.RuleGroup;

/** The parts of declared inputs the tests change. */
type Inputs = Record<string, unknown>;
interface PodTemplate {
  metadata?: unknown;
  spec: IPodSpec;
}
const deploymentSpec = (inputs: Inputs) => inputs.spec as { replicas?: number; template: PodTemplate };
const alertRules = (inputs: Inputs) => inputs.rules as { uid: string; isPaused?: boolean }[];

const PLANTED = {
  databaseUrl: "postgres://planner:pl4nted-pa55@db.internal:5432/plans",
  slackWebhookUrl: "https://hooks.slack.com/services/T0000/B0000/planted0webhook",
};

let staging: PlannedResource[];
/** Beta as the offline plan shows it (secrets `[secret]`). */
let beta: PlannedResource[];
/** The same beta as the engine hands it to a policy online: real-looking secrets, unwrapped. */
let betaOnline: PlannedResource[];

beforeAll(async () => {
  staging = policyInputs(await run(stackConfig("staging")), "offline");
  const planted = withSecret(
    withSecret(stackConfig("beta"), "databaseUrl", PLANTED.databaseUrl),
    "slackWebhookUrl",
    PLANTED.slackWebhookUrl,
  );
  const declared = await run(planted);
  beta = policyInputs(declared, "offline");
  betaOnline = policyInputs(declared, "online");
});

/** The shape every message has: resource, field, what is wrong, what is allowed. */
const MESSAGE = /^[A-Za-z]+ "[^"]+": \S+ .+; allowed: \S/;

describe("the stacks as the program declares them", () => {
  it("the pack registers eight mandatory policies, each with a description", () => {
    expect(POLICIES.map((p) => [p.name, p.enforcementLevel])).toEqual([
      ["pod-security-restricted", "mandatory"],
      ["pinned-images", "mandatory"],
      ["deployment-replicas-unset", "mandatory"],
      ["no-plaintext-credentials", "mandatory"],
      ["flag-rollout-weights", "mandatory"],
      ["flag-definition-protected", "mandatory"],
      ["alerts-for-enabled-flag", "mandatory"],
      ["kill-rules-keep-state-on-outage", "mandatory"],
    ]);
    for (const policy of POLICIES) expect(policy.description.length).toBeGreaterThan(80);
  });

  it("staging and beta pass every policy, offline ([secret]) and online (secrets in plain text)", async () => {
    for (const resources of [staging, beta, betaOnline]) {
      const verdict = await checkPolicies(resources);
      expect(verdict.violations).toEqual([]);
      expect(verdict.policies).toHaveLength(POLICIES.length);
    }
    // Online, the planted secrets really are in the inputs the policies read; offline they are not.
    expect(JSON.stringify(betaOnline)).toContain(PLANTED.databaseUrl);
    expect(JSON.stringify(betaOnline)).toContain(PLANTED.slackWebhookUrl);
    expect(JSON.stringify(beta)).not.toContain(PLANTED.databaseUrl);
  });
});

describe("pod-security-restricted, for every workload kind", () => {
  /** The declared Deployment's pod template placed where each kind keeps it. */
  const workloads: [string, (template: PodTemplate) => Inputs, string][] = [
    ["kubernetes:core/v1:Pod", (t) => ({ spec: t.spec }), "spec"],
    ["kubernetes:apps/v1:StatefulSet", (t) => ({ spec: { template: t } }), "spec.template.spec"],
    ["kubernetes:apps/v1:DaemonSet", (t) => ({ spec: { template: t } }), "spec.template.spec"],
    ["kubernetes:batch/v1:Job", (t) => ({ spec: { template: t } }), "spec.template.spec"],
    [
      "kubernetes:batch/v1:CronJob",
      (t) => ({ spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: t } } } }),
      "spec.jobTemplate.spec.template.spec",
    ],
  ];

  it.each(cases(workloads))("%s", async (type, place, podPath) => {
    const asKind = (privileged: boolean) =>
      replaced(beta, DEPLOYMENT, (resource) => {
        const template = deploymentSpec(resource.inputs).template;
        template.spec.containers[0]!.securityContext!.privileged = privileged;
        return { ...resource, type, inputs: place(template) };
      });
    expect(await violationsOf(podSecurityRestricted, asKind(false))).toEqual([]);
    expect(await violationsOf(podSecurityRestricted, asKind(true))).toEqual([
      `${type.split(":")[2]} "planning-engine": ${podPath}.containers[0].securityContext.privileged breaks the baseline control "no container is privileged"; allowed: privileged unset or false`,
    ]);
  });
});

describe("pinned-images", () => {
  const withImage = (image: string, list = "containers") =>
    altered(beta, DEPLOYMENT, (inputs) => {
      const pod = deploymentSpec(inputs).template.spec;
      if (list === "containers") pod.containers[0]!.image = image;
      else pod.initContainers = [{ ...pod.containers[0]!, name: "migrate", image }];
    });

  it.each(
    cases([
      ["the latest tag", "ghcr.io/athlete-ally/planning-engine:latest", "containers"],
      ["no tag", "ghcr.io/athlete-ally/planning-engine", "containers"],
      ["an unpinned init container", "busybox", "initContainers"],
    ]),
  )("catches %s", async (_case, image, list) => {
    expect(await violationsOf(pinnedImages, withImage(image, list))).toEqual([
      `Deployment "planning-engine": spec.template.spec.${list}[0].image ${JSON.stringify(image)} is not pinned; allowed: "registry/name:tag" with a tag other than latest, or "registry/name@sha256:<digest>"`,
    ]);
  });

  it("accepts a digest", async () => {
    const digest = `ghcr.io/athlete-ally/planning-engine@sha256:${"0".repeat(64)}`;
    expect(await violationsOf(pinnedImages, withImage(digest))).toEqual([]);
  });
});

describe("deployment-replicas-unset", () => {
  it("catches a replica count beside the autoscaler", async () => {
    const counted = altered(beta, DEPLOYMENT, (inputs) => {
      deploymentSpec(inputs).replicas = 3;
    });
    const [message] = await violationsOf(deploymentReplicasUnset, counted);
    expect(message).toMatch(/^Deployment "planning-engine": spec\.replicas is set; allowed: no spec\.replicas/);
  });
});

describe("no-plaintext-credentials", () => {
  const credentials = [
    ["URL with a password", PLANTED.databaseUrl],
    ["Slack webhook URL", PLANTED.slackWebhookUrl],
    ["LaunchDarkly SDK key, mobile key or API access token", "sdk-0b4c2e1f-6a7d-4c3b-9e8f-1a2b3c4d5e6f"],
    ["LaunchDarkly SDK key, mobile key or API access token", "api-0b4c2e1f-6a7d-4c3b-9e8f-1a2b3c4d5e6f"],
    ["bearer token", "Bearer eyJhbGciOiJIUzI1NiJ9.planted.token"],
  ] as const;
  const inConfigMap = (value: string) =>
    altered(beta, CONFIG_MAP, (inputs) => {
      (inputs.data as Record<string, string>).PLANTED = value;
    });

  it.each(cases(credentials))("catches a %s, naming the field and never the value", async (kind, credential) => {
    const verdict = await checkPolicies(inConfigMap(credential), [noPlaintextCredentials]);
    expect(verdict.violations.map((v) => v.message)).toEqual([
      `ConfigMap "planning-engine": data.PLANTED holds what looks like a ${kind} in plain text; allowed: credentials only as Pulumi secrets (config set --secret, requireSecret, pulumi.secret) in a field the provider keeps secret: Kubernetes Secret data/stringData, Grafana contact point slacks[].url, provider configuration`,
    ]);
    expect(JSON.stringify(verdict)).not.toContain(credential);
  });

  it.each(
    cases([
      ["a secret in the plan", "[secret]"],
      ["a password taken from the environment", "postgres://planner:$(DB_PASSWORD)@db.internal/plans"],
      ["a URL without a password", "postgres://planner@db.internal/plans"],
      ["a host and port", "http://planning-engine:8080/metrics"],
      ["a name that starts like a key", "api-gateway-production"],
      ["the word bearer", "Bearer token required"],
    ]),
  )("leaves alone %s", async (_case, value) => {
    expect(await violationsOf(noPlaintextCredentials, inConfigMap(value))).toEqual([]);
  });

  it("online, where secrets arrive unwrapped, allows them only in fields the provider keeps secret", async () => {
    // The program's own secrets (Secret stringData, the contact point's Slack URL) pass ...
    expect(await violationsOf(noPlaintextCredentials, betaOnline)).toEqual([]);
    // ... and the same secret value in a Deployment's env is flagged: online a policy cannot tell
    // a pulumi.secret from plain text.
    const inEnv = altered(betaOnline, DEPLOYMENT, (inputs) => {
      deploymentSpec(inputs).template.spec.containers[0]!.env = [{ name: "DATABASE_URL", value: PLANTED.databaseUrl }];
    });
    expect(await violationsOf(noPlaintextCredentials, inEnv)).toEqual([
      expect.stringMatching(/^Deployment "planning-engine": spec\.template\.spec\.containers\[0\]\.env\[0\]\.value /),
    ]);
  });

  it("still judges what is known while a preview leaves other values unknown", async () => {
    // The SDK's own preview proxy: reading an unknown value through it throws.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- its typings omit the helper
    const { unknownCheckingProxy } = require("@pulumi/policy") as {
      unknownCheckingProxy: (props: object) => Record<string, Record<string, unknown>>;
    };
    const props = unknownCheckingProxy({ metadata: { name: unknownValue }, data: { URL: PLANTED.databaseUrl } });
    expect(() => props.metadata!.name).toThrow(/can't be known during preview/);
    const previewed = replaced(beta, CONFIG_MAP, (resource) => ({ ...resource, inputs: props }));
    expect(await violationsOf(noPlaintextCredentials, previewed)).toEqual([
      expect.stringMatching(/^ConfigMap "planning-engine": data\.URL holds what looks like a URL with a password/),
    ]);
  });
});

describe("flag-rollout-weights", () => {
  const withFallthrough = (resources: readonly PlannedResource[], fallthrough: object) =>
    altered(resources, FLAG_ENVIRONMENT, (inputs) => {
      inputs.fallthrough = fallthrough;
    });

  it.each(
    cases([
      ["a wrong sum", { rolloutWeights: [10000, 80000], bucketBy: "key" }, ["rolloutWeights sum to 90000"]],
      ["a weight too many", { rolloutWeights: [10000, 90000, 0] }, ["rolloutWeights has 3 weights for 2 variations"]],
      [
        "fractional weights",
        { rolloutWeights: [10000.5, 89999.5] },
        ["rolloutWeights[0] is 10000.5", "rolloutWeights[1] is 89999.5"],
      ],
      ["bucketBy without weights", { variation: 0, bucketBy: "key" }, ["bucketBy is set without rolloutWeights"]],
    ]),
  )("catches %s", async (_case, fallthrough, problems: readonly string[]) => {
    const messages = await violationsOf(flagRolloutWeights, withFallthrough(beta, fallthrough));
    expect(messages).toEqual(
      problems.map((problem): unknown =>
        expect.stringContaining(`FeatureFlagEnvironment "time-crunch-production": fallthrough.${problem}`),
      ),
    );
    for (const message of messages) expect(message).toMatch(MESSAGE);
  });

  it("judges rule rollouts too", async () => {
    const ruled = altered(beta, FLAG_ENVIRONMENT, (inputs) => {
      inputs.rules = [{ clauses: [], rolloutWeights: [50000, 40000] }];
    });
    expect(await violationsOf(flagRolloutWeights, ruled)).toEqual([
      expect.stringContaining("rules[0].rolloutWeights sum to 90000"),
    ]);
  });

  it("counts the variations of the flag definition when the stack declares it", async () => {
    const split = withFallthrough(staging, { rolloutWeights: [50000, 50000], bucketBy: "key" });
    expect(await violationsOf(flagRolloutWeights, split)).toEqual([]);
    const threeVariations = altered(split, FLAG, (inputs) => {
      inputs.variations = [{ value: "a" }, { value: "b" }, { value: "c" }];
    });
    expect(await violationsOf(flagRolloutWeights, threeVariations)).toEqual([
      expect.stringContaining("fallthrough.rolloutWeights has 2 weights for 3 variations"),
    ]);
  });

  it("accepts exactly the whole-number pairs that sum to 100000", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), async (a, b) => {
        const messages = await violationsOf(flagRolloutWeights, withFallthrough(beta, { rolloutWeights: [a, b] }));
        expect(messages.length === 0).toBe(a + b === 100_000);
      }),
      { numRuns: 200, examples: [[25_000, 75_000]] },
    );
  });
});

describe("flag-definition-protected", () => {
  it("catches a flag definition without protect", async () => {
    const unprotected = replaced(staging, FLAG, (resource) => ({ ...resource, protect: false }));
    expect(await violationsOf(flagDefinitionProtected, unprotected)).toEqual([
      'FeatureFlag "time-crunch": protect (resource option) is false; allowed: protect: true on the flag definition',
    ]);
  });
});

describe("alerts-for-enabled-flag", () => {
  const withoutRules = (resources: readonly PlannedResource[], suffix: string) =>
    altered(resources, RULE_GROUP, (inputs) => {
      inputs.rules = alertRules(inputs).filter((rule) => !rule.uid.endsWith(suffix));
    });

  it("catches targeting on without the error-rate rule", async () => {
    const [message] = await violationsOf(alertsForEnabledFlag, withoutRules(beta, "-error-rate"));
    expect(message).toBe(
      'FeatureFlagEnvironment "time-crunch-production": on is true, but the stack lacks an unpaused alert rule whose uid ends in -error-rate; allowed: on: true only while a grafana:alerting/ruleGroup:RuleGroup of the stack holds those rules, or targeting off',
    );
  });

  it("does not count a paused rule, and names every rule missing", async () => {
    const paused = altered(withoutRules(staging, "-error-rate"), RULE_GROUP, (inputs) => {
      for (const rule of alertRules(inputs)) rule.isPaused = true;
    });
    expect(await violationsOf(alertsForEnabledFlag, paused)).toEqual([
      expect.stringContaining("uid ends in -error-rate and -response-time"),
    ]);
  });

  it("finds the rules by uid suffix, whatever the prefix, and lets targeting off go without them", async () => {
    const renamed = altered(beta, RULE_GROUP, (inputs) => {
      for (const rule of alertRules(inputs)) rule.uid = `beta-${rule.uid.split("-").slice(-2).join("-")}`;
    });
    expect(await violationsOf(alertsForEnabledFlag, renamed)).toEqual([]);
    const noGroup = beta.filter((r) => r.type !== RULE_GROUP);
    expect(await violationsOf(alertsForEnabledFlag, noGroup)).toHaveLength(1);
    const off = altered(noGroup, FLAG_ENVIRONMENT, (inputs) => {
      inputs.on = false;
    });
    expect(await violationsOf(alertsForEnabledFlag, off)).toEqual([]);
  });
});

describe("kill-rules-keep-state-on-outage", () => {
  type Rule = {
    uid: string;
    execErrState: string;
    noDataState: string;
    notificationSettings: { contactPoint: string };
  };
  const rules = (inputs: Inputs) => inputs.rules as Rule[];
  const KILL_SWITCH = "stream5-time-crunch-beta-kill-switch";

  it("passes beta, whose kill rules keep their last state on an error and stay OK without data", async () => {
    const declared = beta.find((r) => r.type === RULE_GROUP)!;
    const killing = rules(declared.inputs).filter((r) => r.notificationSettings.contactPoint === KILL_SWITCH);
    expect(killing.map((r) => [r.uid, r.execErrState, r.noDataState])).toEqual([
      ["stream5-tc-beta-error-rate", "KeepLast", "OK"],
      ["stream5-tc-beta-response-time", "KeepLast", "OK"],
    ]);
    for (const resources of [beta, betaOnline, staging]) {
      expect(await violationsOf(killRulesKeepStateOnOutage, resources)).toEqual([]);
    }
  });

  it.each(
    cases([
      ["an evaluation error raises an alert (Error)", { execErrState: "Error" }, "execErrState", "Error"],
      ["an evaluation error fires the rule (Alerting)", { execErrState: "Alerting" }, "execErrState", "Alerting"],
      ["no data raises an alert (NoData)", { noDataState: "NoData" }, "noDataState", "NoData"],
      ["no data fires the rule (Alerting)", { noDataState: "Alerting" }, "noDataState", "Alerting"],
    ] as const),
  )("refuses a kill rule on which %s (control), offline and online", async (_case, change, setting, value) => {
    for (const resources of [beta, betaOnline]) {
      const broken = altered(resources, RULE_GROUP, (inputs) => Object.assign(rules(inputs)[0]!, change));
      expect(await violationsOf(killRulesKeepStateOnOutage, broken)).toEqual([
        `RuleGroup "time-crunch-alerts": rules[0].${setting} is "${value}" on a rule routed to the kill switch ${KILL_SWITCH} (an outage would turn the flag off); allowed: KeepLast or OK`,
      ]);
    }
  });

  it("says in its description which states a kill rule may take, and why", () => {
    expect(killRulesKeepStateOnOutage.description).toContain(
      "execErrState KeepLast or OK and noDataState KeepLast or OK",
    );
    expect(killRulesKeepStateOnOutage.description).toContain("a Prometheus outage would call the LaunchDarkly trigger");
  });

  it("counts as a kill switch only a contact point that has a webhook", async () => {
    const withError = (resources: typeof beta) =>
      altered(resources, RULE_GROUP, (inputs) => {
        for (const rule of rules(inputs)) rule.execErrState = "Error";
      });
    const killSwitch = (r: (typeof beta)[number]) =>
      r.type === ResourceType.ContactPoint && r.inputs.name === KILL_SWITCH;
    // Its webhook list emptied: it posts to Slack only, and the rules routed to it may take Error.
    const noWebhook = beta.map((r) => (killSwitch(r) ? { ...r, inputs: { ...r.inputs, webhooks: [] } } : r));
    expect(await violationsOf(killRulesKeepStateOnOutage, withError(noWebhook))).toEqual([]);
    // Another kind of resource with a webhook and the same name is not a contact point.
    const notAContactPoint = beta.map((r) => (killSwitch(r) ? { ...r, type: "grafana:oss/team:Team" } : r));
    expect(await violationsOf(killRulesKeepStateOnOutage, withError(notAContactPoint))).toEqual([]);
    // The same rules routed to the real kill switch: refused (control).
    expect(await violationsOf(killRulesKeepStateOnOutage, withError(beta))).toHaveLength(2);
  });

  it("lets a rule that cannot kill take Error: that is how an outage reaches Slack", async () => {
    const slackOnly = altered(beta, RULE_GROUP, (inputs) => {
      for (const rule of rules(inputs)) rule.notificationSettings.contactPoint = "stream5-time-crunch-beta-slack";
      for (const rule of rules(inputs)) rule.execErrState = "Error";
    });
    expect(await violationsOf(killRulesKeepStateOnOutage, slackOnly)).toEqual([]);
    // The same Error on a kill rule of staging, which has no kill switch, is allowed too.
    const stagingErrors = altered(staging, RULE_GROUP, (inputs) => {
      for (const rule of rules(inputs)) rule.execErrState = "Error";
    });
    expect(await violationsOf(killRulesKeepStateOnOutage, stagingErrors)).toEqual([]);
  });
});
