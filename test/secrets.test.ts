/**
 * Secrets by where their value lands, not by their marker: a distinctive value is planted for each
 * secret and every resource input and stack output is searched for it. (The Kubernetes SDK marks a
 * Secret's `stringData` secret by itself, so "is it marked" alone cannot fail.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../tools/offline/engine";
import { isSecretValue, SECRET_SIG, SECRET_SIG_KEY } from "../tools/offline/mocks";
import { withSecret } from "../components/config/stackFile";
import { cases } from "./support/cases";
import { run, stackConfig } from "./support/program";
import { ResourceType } from "../components/resources";

const PLANTED = {
  databaseUrl: "postgres://planner:planted-db-7f3a9c@db.internal:5432/plans",
  slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/planted-hook-2b8e41",
};
// The SDK key the offline LaunchDarkly provider returns for the production environment
// (tools/offline/mocks.ts): the program reads it, nobody types it.
const SDK_KEY = "sdk-offline-production";

interface Found {
  /** `<type> <name> <input path>`, or `output <name>`. */
  readonly at: string;
  /** Whether the value sits inside a Pulumi secret there. */
  readonly secret: boolean;
}

/** Every place under `value` whose string contains `needle` (JSON carried in strings included). */
function whereFound(value: unknown, needle: string, at: string, secret = false): Found[] {
  if (isSecretValue(value)) return whereFound(value.value, needle, at, true);
  if (typeof value === "string") return value.includes(needle) ? [{ at, secret }] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => whereFound(item, needle, `${at}[${i}]`, secret));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => whereFound(item, needle, `${at}.${key}`, secret));
  }
  return [];
}

function locations(declared: ProgramRun, needle: string): Found[] {
  return [
    ...declared.resources.flatMap((r) => whereFound(r.inputs, needle, `${r.type} ${r.name} inputs`)),
    ...Object.entries(declared.outputs).flatMap(([name, value]) => whereFound(value, needle, `output ${name}`)),
  ];
}

let beta: ProgramRun;
beforeAll(async () => {
  const planted = Object.entries(PLANTED).reduce(
    (config, [key, value]) => withSecret(config, key, value),
    stackConfig("beta"),
  );
  beta = await run(planted);
});

describe("each secret lands only where it is used, as a secret", () => {
  it.each(
    cases([
      [
        "the database URL",
        PLANTED.databaseUrl,
        "kubernetes:core/v1:Secret planning-engine inputs.stringData.DATABASE_URL",
      ],
      [
        "the LaunchDarkly SDK key",
        SDK_KEY,
        "kubernetes:core/v1:Secret planning-engine inputs.stringData.LAUNCHDARKLY_SDK_KEY",
      ],
      [
        "the Slack webhook URL",
        PLANTED.slackWebhookUrl,
        [
          "grafana:alerting/contactPoint:ContactPoint time-crunch-alerts inputs.slacks[0].url",
          // beta kills the flag automatically: the kill-switch contact point also posts to Slack.
          "grafana:alerting/contactPoint:ContactPoint time-crunch-alerts-kill-switch inputs.slacks[0].url",
        ],
      ],
    ]),
  )("%s: only in %s", (_secret, value, where) => {
    // Not in a ConfigMap, an environment value, an annotation, any other input, nor an output.
    const expected = (typeof where === "string" ? [where] : where).map((at) => ({ at, secret: true }));
    expect(locations(beta, value)).toEqual(expected);
  });

  it("the search finds a value wherever it is, in plain text or not (control)", () => {
    const leaky: ProgramRun = {
      resources: [
        {
          type: ResourceType.ConfigMap,
          name: "leak",
          custom: true,
          urn: "urn:leak",
          parent: undefined,
          protect: false,
          dependsOn: [],
          inputs: {
            data: { URL: `x${PLANTED.databaseUrl}` },
            metadata: { annotations: { note: PLANTED.databaseUrl } },
          },
        },
      ],
      outputs: { shown: { [SECRET_SIG_KEY]: SECRET_SIG, value: [PLANTED.databaseUrl] } },
    };
    expect(locations(leaky, PLANTED.databaseUrl)).toEqual([
      { at: "kubernetes:core/v1:ConfigMap leak inputs.data.URL", secret: false },
      { at: "kubernetes:core/v1:ConfigMap leak inputs.metadata.annotations.note", secret: false },
      { at: "output shown[0]", secret: true },
    ]);
  });
});
