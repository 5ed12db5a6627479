/**
 * What a real `pulumi up` would see that the mock engine does not: inputs the providers read back
 * differently (a perpetual diff), and Grafana identities two stacks in one org would both claim.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../tools/offline/engine";
import { isSecretValue } from "../tools/offline/mocks";
import { withValues } from "../components/config/stackFile";
import { run, stackConfig } from "./support/program";
import { cases } from "./support/cases";
import { ResourceType } from "../components/resources";

/**
 * Providers whose optional collections read back as null when empty: a Terraform-framework attribute
 * that is Optional and not Computed (LaunchDarkly `targets`, and others) reads back null, while the
 * bridge keeps a sent `[]` as a known empty value, so every preview would show a change.
 */
const CHECKED_PROVIDERS = ["launchdarkly:", "grafana:"];

/**
 * Paths where an empty list or object is sent anyway, with the upstream reason it reads back as
 * sent. None today: every optional collection is omitted when empty.
 */
const ALLOWED_EMPTY: Readonly<Record<string, string>> = {};

/** Every path under `value` that holds an empty list or object. */
function emptyCollections(value: unknown, path = ""): string[] {
  const inner = isSecretValue(value) ? value.value : value;
  if (Array.isArray(inner)) {
    return inner.length === 0 ? [path] : inner.flatMap((item, i) => emptyCollections(item, `${path}[${i}]`));
  }
  if (typeof inner === "object" && inner !== null) {
    const entries = Object.entries(inner);
    if (entries.length === 0) return [path];
    return entries.flatMap(([key, item]) => emptyCollections(item, path === "" ? key : `${path}.${key}`));
  }
  return [];
}

const variants = [
  ["staging", () => stackConfig("staging")],
  ["beta", () => stackConfig("beta")],
  ["staging with always-on contexts", () => withValues(stackConfig("staging"), { alwaysOnContexts: ["qa-1"] })],
  ["beta with always-on contexts", () => withValues(stackConfig("beta"), { alwaysOnContexts: ["qa-1"] })],
  ["beta, kill switch", () => withValues(stackConfig("beta"), { targeting: "off" })],
  // Beta's stack file turns the automatic kill switch on, staging's leaves it off: both ways for each.
  ["staging with autoKill", () => withValues(stackConfig("staging"), { alerts: { autoKill: true } })],
  ["beta without autoKill", () => withValues(stackConfig("beta"), { alerts: { autoKill: false } })],
] as const;

describe("no empty collection reaches the LaunchDarkly or Grafana provider", () => {
  it.each(cases(variants))("%s", async (_name, config) => {
    const declared = await run(config());
    const checked = declared.resources.filter((r) => CHECKED_PROVIDERS.some((p) => r.type.startsWith(p)));
    expect(checked.length).toBeGreaterThanOrEqual(5);
    const found = checked.flatMap((r) =>
      emptyCollections(r.inputs)
        .map((path) => `${r.type}.${path}`)
        .filter((at) => !(at in ALLOWED_EMPTY)),
    );
    expect(found).toEqual([]);
  });

  it("the walk finds an empty list where one is sent (control)", () => {
    expect(emptyCollections({ fallthrough: { variation: 0 }, targets: [], rules: [{ labels: {} }] })).toEqual([
      "targets",
      "rules[0].labels",
    ]);
  });
});

/** Every Grafana identity a plan claims in its org, by kind. */
function grafanaIdentities(declared: ProgramRun): Map<string, string[]> {
  const of = (type: string) => declared.resources.filter((r) => r.type === type).map((r) => r.inputs);
  const ids = new Map<string, string[]>();
  const add = (kind: string, value: unknown) => {
    ids.set(kind, [...(ids.get(kind) ?? []), String(value)]);
  };
  for (const folder of of(ResourceType.Folder)) {
    add("folder uid", folder.uid);
    add("folder title", folder.title);
  }
  for (const dashboard of of(ResourceType.Dashboard)) {
    add("dashboard uid", (JSON.parse(String(dashboard.configJson)) as { uid: string }).uid);
  }
  for (const group of of(ResourceType.RuleGroup)) {
    add("rule group", group.name);
    for (const rule of group.rules as { uid: string }[]) add("rule uid", rule.uid);
  }
  for (const contactPoint of of(ResourceType.ContactPoint)) add("contact point", contactPoint.name);
  return ids;
}

/** The identities both plans claim: what would collide in one org. */
function collisions(a: ProgramRun, b: ProgramRun): string[] {
  const theirs = grafanaIdentities(b);
  return [...grafanaIdentities(a)].flatMap(([kind, values]) =>
    values.filter((v) => theirs.get(kind)?.includes(v)).map((v) => `${kind} ${v}`),
  );
}

describe("staging and beta in one Grafana org", () => {
  let staging: ProgramRun;
  beforeAll(async () => {
    staging = await run(stackConfig("staging"));
  });

  it("claim disjoint identities, with nothing set beyond the committed stack files", async () => {
    const beta = await run(stackConfig("beta"));
    expect([...grafanaIdentities(beta).keys()].sort()).toEqual([
      "contact point",
      "dashboard uid",
      "folder title",
      "folder uid",
      "rule group",
      "rule uid",
    ]);
    expect(grafanaIdentities(beta).get("rule uid")).toHaveLength(4);
    expect(grafanaIdentities(beta).get("contact point")).toHaveLength(2);
    expect(collisions(staging, beta)).toEqual([]);
  });

  it("stay disjoint when both have the automatic kill switch's contact point", async () => {
    const [stagingWithAutoKill, beta] = [
      await run(withValues(stackConfig("staging"), { alerts: { autoKill: true } })),
      await run(stackConfig("beta")),
    ];
    expect(grafanaIdentities(stagingWithAutoKill).get("contact point")).toHaveLength(2);
    expect(collisions(stagingWithAutoKill, beta)).toEqual([]);
  });

  it("a pinned uid equal to the other stack's is caught (control)", async () => {
    const stagingFolder = grafanaIdentities(staging).get("folder uid")?.[0];
    const beta = await run(
      withValues(stackConfig("beta"), {
        grafana: { prometheusDatasourceUid: "prometheus", folderUid: stagingFolder },
      }),
    );
    expect(collisions(staging, beta)).toEqual([`folder uid ${String(stagingFolder)}`]);
  });
});
