import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundedUid, GRAFANA_UID_MAX_LENGTH, grafanaIdentity } from "../components/observability/grafanaIdentity";

const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;
const RULE_KEYS = ["error-rate", "response-time", "success-rate", "zero-requests"];
/** Pulumi stack names: letters, digits, '-', '_' and '.', up to 100 characters. */
const stackName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/);

const uidsOf = (stack: string) => {
  const id = grafanaIdentity(stack);
  return [id.folderUid, id.dashboardUid, ...RULE_KEYS.map((key) => id.ruleUid(key))];
};

describe("grafanaIdentity", () => {
  it("names the committed stacks readably", () => {
    const staging = grafanaIdentity("staging");
    expect({
      folderUid: staging.folderUid,
      folderTitle: staging.folderTitle,
      dashboardUid: staging.dashboardUid,
      ruleGroupName: staging.ruleGroupName,
      slack: staging.contactPointName("slack"),
      rule: staging.ruleUid("response-time"),
    }).toEqual({
      folderUid: "stream5-time-crunch-staging-folder",
      folderTitle: "Stream5 Time Crunch (staging)",
      dashboardUid: "stream5-time-crunch-staging",
      ruleGroupName: "stream5-time-crunch-staging",
      slack: "stream5-time-crunch-staging-slack",
      rule: "stream5-tc-staging-response-time",
    });
  });

  it("takes the uids and title a stack pins", () => {
    const pinned = grafanaIdentity("beta", { folderUid: "f", dashboardUid: "d", folderTitle: "T" });
    expect([pinned.folderUid, pinned.dashboardUid, pinned.folderTitle]).toEqual(["f", "d", "T"]);
  });

  it("gives valid Grafana uids for any stack name, rule uids ending with their key", () => {
    fc.assert(
      fc.property(stackName, (stack) => {
        for (const uid of uidsOf(stack)) expect(uid).toMatch(GRAFANA_UID);
        for (const key of RULE_KEYS) expect(grafanaIdentity(stack).ruleUid(key).endsWith(`-${key}`)).toBe(true);
      }),
    );
  });

  it("gives two different stacks no identity in common", () => {
    fc.assert(
      fc.property(stackName, stackName, (a, b) => {
        fc.pre(a !== b);
        const [x, y] = [grafanaIdentity(a), grafanaIdentity(b)];
        expect(uidsOf(a).filter((uid) => uidsOf(b).includes(uid))).toEqual([]);
        expect(x.folderTitle).not.toBe(y.folderTitle);
        expect(x.ruleGroupName).not.toBe(y.ruleGroupName);
        expect(x.contactPointName("slack")).not.toBe(y.contactPointName("slack"));
      }),
    );
  });
});

describe("boundedUid", () => {
  it("keeps a uid that fits", () => {
    expect(boundedUid("stream5-tc-beta", "-error-rate")).toBe("stream5-tc-beta-error-rate");
  });

  it("cuts a long stem to 40 characters, keeping the suffix and telling stems apart by a hash", () => {
    const long = `stream5-tc-${"eu-west-1-production-canary-".repeat(3)}`;
    const a = boundedUid(`${long}a`, "-response-time");
    const b = boundedUid(`${long}b`, "-response-time");
    expect(a).toHaveLength(GRAFANA_UID_MAX_LENGTH);
    expect(a).toMatch(/^stream5-tc-eu-wes-[0-9a-f]{8}-response-time$/);
    expect(a).not.toBe(b);
  });

  it("refuses a suffix that is not uid characters, or leaves less than 9 characters for the stem", () => {
    const stem = `stream5-tc-${"x".repeat(40)}`;
    expect(boundedUid(stem, `-${"s".repeat(30)}`)).toHaveLength(GRAFANA_UID_MAX_LENGTH);
    for (const suffix of [`-${"s".repeat(31)}`, "-a!b", "!ab", "ab!"]) {
      expect(() => boundedUid(stem, suffix)).toThrow(`uid suffix ${JSON.stringify(suffix)} leaves no room for a stem`);
    }
  });

  it("replaces characters Grafana does not allow (Pulumi allows '.' in stack names)", () => {
    expect(boundedUid("stream5-time-crunch-prod.eu", "")).toMatch(/^stream5-time-crunch-prod-eu-[0-9a-f]{8}$/);
  });
});
