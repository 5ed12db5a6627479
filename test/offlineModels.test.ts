/**
 * The offline plan's pure translations, in process: what the mock engine recorded -> the flag JSON
 * LaunchDarkly's SDKs evaluate, and the secret redaction every written file goes through. (The plan
 * CLI's own tests run it in a child process.)
 */
import { describe, expect, it } from "vitest";
import { evaluableFlag } from "../tools/offline/launchDarklyFlag";
import { SECRET_SIG, SECRET_SIG_KEY } from "../tools/offline/mocks";
import { maskSecrets, redactSecrets } from "../tools/offline/redact";
import { cases } from "./support/cases";

const BOOLEAN_FLAG = { key: "f", variationType: "boolean", variations: [{ value: "true" }, { value: "false" }] };

describe("evaluableFlag", () => {
  it("carries the targeting: on, off variation, weighted rollout with its bucketing, individual targets", () => {
    const environment = {
      on: true,
      offVariation: 1,
      fallthrough: { rolloutWeights: [10_000, 90_000], bucketBy: "key", contextKind: "user" },
      targets: [{ values: ["qa-1", "qa-2"], variation: 0 }],
    };
    expect(evaluableFlag(BOOLEAN_FLAG, environment)).toEqual({
      key: "f",
      version: 1,
      on: true,
      salt: "offline-plan",
      variations: [true, false],
      offVariation: 1,
      fallthrough: {
        rollout: {
          variations: [
            { variation: 0, weight: 10_000 },
            { variation: 1, weight: 90_000 },
          ],
          bucketBy: "key",
          contextKind: "user",
        },
      },
      targets: [{ values: ["qa-1", "qa-2"], variation: 0 }],
    });
  });

  it("leaves out what the provider was not sent: off (the provider's default), no off variation, no bucketing", () => {
    expect(evaluableFlag(BOOLEAN_FLAG, { fallthrough: { rolloutWeights: [1, 99_999] } }, "salt-2")).toEqual({
      key: "f",
      version: 1,
      on: false,
      salt: "salt-2",
      variations: [true, false],
      offVariation: undefined,
      fallthrough: {
        rollout: {
          variations: [
            { variation: 0, weight: 1 },
            { variation: 1, weight: 99_999 },
          ],
        },
      },
      targets: [],
    });
    expect(evaluableFlag(BOOLEAN_FLAG, { on: "true", fallthrough: { variation: 0 } }).fallthrough).toEqual({
      variation: 0,
    });
  });

  it.each(
    cases([
      ["boolean", "false", false],
      ["number", "2.5", 2.5],
      ["json", '{"a":[1]}', { a: [1] }],
      ["string", "blue", "blue"],
      ["number", 3, 3],
    ]),
  )("decodes a %s variation %j as LaunchDarkly stores it", (variationType, value, decoded) => {
    const flag = evaluableFlag({ key: "f", variationType, variations: [{ value }] }, { fallthrough: { variation: 0 } });
    expect(flag.variations).toEqual([decoded]);
  });

  it.each(
    cases([
      [BOOLEAN_FLAG, { fallthrough: null }, "expected fallthrough to be an object, got null"],
      [BOOLEAN_FLAG, { fallthrough: [] }, "expected fallthrough to be an object, got []"],
      [BOOLEAN_FLAG, { fallthrough: 1 }, "expected fallthrough to be an object, got 1"],
      [{ ...BOOLEAN_FLAG, variations: "x" }, { fallthrough: {} }, 'expected variations to be a list, got "x"'],
      [BOOLEAN_FLAG, { fallthrough: { rolloutWeights: 5 } }, "expected fallthrough.rolloutWeights to be a list, got 5"],
      [BOOLEAN_FLAG, { fallthrough: {}, targets: {} }, "expected targets to be a list, got {}"],
      [
        BOOLEAN_FLAG,
        { fallthrough: {}, targets: [{ values: "qa" }] },
        'expected targets[].values to be a list, got "qa"',
      ],
      [BOOLEAN_FLAG, { fallthrough: {}, targets: [5] }, "expected values to be an object, got 5"],
    ]),
  )("refuses inputs it cannot translate: %j, %j", (definition, environment, message) => {
    expect(() => evaluableFlag(definition, environment)).toThrow(message);
  });
});

describe("redacting secrets", () => {
  const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });
  const declared = {
    name: "engine",
    env: [{ value: secret("postgres://planner:pw@db/plans") }, { value: "plain" }],
    slacks: secret([{ url: "https://hooks.slack.com/x", recipient: "#beta", count: 1 }]),
    replicas: 3,
    none: null,
  };

  it("redactSecrets replaces each secret, at any depth, by [secret]", () => {
    expect(redactSecrets(declared)).toEqual({
      name: "engine",
      env: [{ value: "[secret]" }, { value: "plain" }],
      slacks: "[secret]",
      replicas: 3,
      none: null,
    });
  });

  it("maskSecrets keeps a secret's shape and replaces every value inside it", () => {
    expect(maskSecrets(declared)).toEqual({
      name: "engine",
      env: [{ value: "[secret]" }, { value: "plain" }],
      slacks: [{ url: "[secret]", recipient: "[secret]", count: "[secret]" }],
      replicas: 3,
      none: null,
    });
  });
});
