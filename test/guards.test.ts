/** The rollout guards' decisions (components/rollout/guards.ts), as plain functions: tables and properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_ROLLOUT_LADDER,
  deployRefusal,
  intentOf,
  isRolloutLadder,
  liveTargetingMatters,
  nextRung,
  NO_OVERRIDE,
  parseRolloutIntent,
  reEnableRefusal,
  rungSince,
  stepRefusal,
  type GuardInputs,
  type RolloutIntent,
  DEPLOY_REFUSED,
  isDeployRefusal,
} from "../components/rollout/guards";
import { cases } from "./support/cases";

const LADDER = DEFAULT_ROLLOUT_LADDER;
const on = (rolloutPercentage: number): RolloutIntent => ({
  targeting: "on",
  rolloutPercentage,
  ladderPercentage: rolloutPercentage,
});
const off = (rolloutPercentage: number): RolloutIntent => ({ ...on(rolloutPercentage), targeting: "off" });
/** This deployment's clock, and an earlier deployment's. */
const NOW = new Date("2026-12-02T22:30:00.000Z");
const EARLIER = "2026-11-30T09:15:00.000Z";
/** An intent and when its rung went live. */
const since = (intent: RolloutIntent, at: string = EARLIER): RolloutIntent => ({ ...intent, since: at });

/** A deployment of beta with `change` on top of: last deployment on at 10%, live on, config on at 10%. */
const deploy = (change: Partial<GuardInputs> = {}): GuardInputs => ({
  stack: "beta",
  environment: "production",
  lastIntent: on(10),
  liveOn: true,
  targeting: "on",
  rolloutPercentage: 10,
  rolloutLadder: LADDER,
  rolloutStepOverride: NO_OVERRIDE,
  ...change,
});

describe("the ladder", () => {
  it.each(
    cases([
      [0, 1],
      [1, 5],
      [7, 10],
      [10, 25],
      [12.5, 25],
      [50, 100],
      [100, undefined],
    ]),
  )("the rung above %s%% is %s", (from, rung) => {
    expect(nextRung(LADDER, from)).toBe(rung);
  });

  it.each(
    cases([
      [[1, 5, 10, 25, 50, 100], true],
      [[100], true],
      [[10, 100], true],
      [[], false],
      [[1, 5, 50], false],
      [[1, 10, 5, 100], false],
      [[1, 1, 100], false],
      [[0, 100], false],
      [[0.5, 100], false],
      [[1, 101], false],
    ]),
  )("%j is a valid rolloutLadder: %s", (ladder, valid) => {
    expect(isRolloutLadder(ladder)).toBe(valid);
  });
});

describe("bounded steps", () => {
  it.each(
    cases([
      ["10 -> 25: the next rung", 10, 25],
      ["10 -> 12.5: between rungs, below the next", 10, 12.5],
      ["10 -> 5: a decrease", 10, 5],
      ["10 -> 0: to nobody", 10, 0],
      ["7 -> 10: from between rungs to the rung above", 7, 10],
      ["50 -> 100", 50, 100],
      ["100 -> 100", 100, 100],
      ["100 -> 50: a decrease from the top rung", 100, 50],
      ["100 -> 0: from the top rung to nobody", 100, 0],
      ["first deployment -> 100", undefined, 100],
    ]),
  )("%s passes", (_case, previous, next) => {
    expect(stepRefusal(previous, next, LADDER, NO_OVERRIDE, "beta")).toBeUndefined();
  });

  it.each(
    cases([
      [10, 100, 25],
      [10, 26, 25],
      [0, 5, 1],
      [7, 12, 10],
      [25, 100, 50],
    ]),
  )("%s -> %s is refused, naming %s%% as the next step", (previous, next, rung) => {
    expect(stepRefusal(previous, next, LADDER, NO_OVERRIDE, "beta")).toBe(
      `Deployment of beta refused: rolloutPercentage ${next} climbs more than one rung of the rollout ladder (1, 5, 10, 25, 50, 100) above the last deployment's ${previous}%. The next allowed step is ${rung}%: \`pulumi config set rolloutPercentage ${rung} -s beta\`. (An emergency jump needs rolloutStepOverride: docs/operating.md, "Rollout guards".)`,
    );
  });

  // The specification, stated independently of nextRung: a step is allowed exactly when no rung
  // lies strictly between the two percentages.
  const skipsARung = (ladder: readonly number[], previous: number, next: number) =>
    ladder.some((rung) => previous < rung && rung < next);
  const allowed = (ladder: readonly number[], previous: number, next: number) =>
    stepRefusal(previous, next, ladder, NO_OVERRIDE, "beta") === undefined;

  it("every pair on and between the default rungs: allowed exactly when next <= previous or next <= the rung above previous", () => {
    const between = LADDER.map((rung, i) => (rung + (LADDER[i - 1] ?? 0)) / 2);
    const points = [0, ...LADDER, ...between];
    for (const previous of points) {
      for (const next of points) {
        const rungAbove = LADDER.find((rung) => rung > previous) ?? Infinity;
        expect([previous, next, allowed(LADDER, previous, next)]).toEqual([
          previous,
          next,
          next <= previous || next <= rungAbove,
        ]);
        expect(allowed(LADDER, previous, next)).toBe(!skipsARung(LADDER, previous, next));
      }
    }
  });

  const ladders = fc
    .uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 8 })
    .map((rungs) => [...rungs.sort((a, b) => a - b), 100]);
  const percentage = fc.integer({ min: 0, max: 100_000 }).map((units) => units / 1000);
  /** A percentage on a rung of `ladder`, or anywhere from 0 to 100 (3 decimals). */
  const onOrBetween = (ladder: readonly number[]) => fc.oneof(fc.constantFrom(...ladder), percentage);

  it("any ladder, any pair: allowed exactly when no rung lies strictly between previous and next", () => {
    fc.assert(
      fc.property(
        ladders.chain((ladder) => fc.tuple(fc.constant(ladder), onOrBetween(ladder), onOrBetween(ladder))),
        ([ladder, previous, next]) => {
          expect(isRolloutLadder(ladder)).toBe(true);
          expect(allowed(ladder, previous, next)).toBe(!skipsARung(ladder, previous, next));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a refusal's next step is itself allowed, and is the only rung it climbs", () => {
    fc.assert(
      fc.property(
        ladders.chain((ladder) => fc.tuple(fc.constant(ladder), onOrBetween(ladder), onOrBetween(ladder))),
        ([ladder, previous, next]) => {
          const refusal = stepRefusal(previous, next, ladder, NO_OVERRIDE, "beta");
          fc.pre(refusal !== undefined);
          const step = Number(/set rolloutPercentage ([0-9.]+) -s beta/.exec(refusal)?.[1]);
          expect(allowed(ladder, previous, step)).toBe(true);
          expect(step).toBeGreaterThan(previous);
          expect(step).toBeLessThan(next);
        },
      ),
    );
  });
});

describe("the emergency override", () => {
  it("allows the one jump it names", () => {
    expect(stepRefusal(10, 100, LADDER, 100, "beta")).toBeUndefined();
  });

  it("is refused when it names another percentage", () => {
    expect(stepRefusal(10, 50, LADDER, 100, "beta")).toBe(
      "Deployment of beta refused: rolloutStepOverride 100 allows a jump to exactly 100%, but rolloutPercentage is 50. Set the override to the percentage you mean, or remove it: `pulumi config rm rolloutStepOverride -s beta`.",
    );
  });

  it("is refused once reached, so it cannot stay set", () => {
    expect(stepRefusal(100, 100, LADDER, 100, "beta")).toBe(
      "Deployment of beta refused: rolloutStepOverride 100 was used by the last deployment, which reached 100%; it must not stay set: `pulumi config rm rolloutStepOverride -s beta`.",
    );
  });

  it("means nothing at a first deployment", () => {
    expect(stepRefusal(undefined, 25, LADDER, 100, "beta")).toBeUndefined();
  });

  it("property: with an override, exactly the named, not yet reached percentage passes", () => {
    const percentage = fc.integer({ min: 0, max: 100_000 }).map((units) => units / 1000);
    fc.assert(
      fc.property(percentage, percentage, percentage, (previous, next, override) => {
        const passes = stepRefusal(previous, next, LADDER, override, "beta") === undefined;
        expect(passes).toBe(override === next && override !== previous);
      }),
    );
  });
});

describe("no silent re-enable", () => {
  const intents = [["none", undefined] as const, ["on", on(10)] as const, ["off", off(10)] as const];
  const situations = intents.flatMap(([last, lastIntent]) =>
    [true, false].flatMap((liveOn) =>
      (["on", "off"] as const).map((targeting) => ({ last, lastIntent, liveOn, targeting })),
    ),
  );

  it.each(cases(situations))(
    "last deployment $last, live on: $liveOn, config $targeting",
    ({ last, lastIntent, liveOn, targeting }) => {
      const inputs = deploy({ lastIntent, liveOn, targeting });
      const refusal = reEnableRefusal(inputs);
      if (last === "on" && !liveOn && targeting === "on") {
        expect(refusal).toBe(
          'Deployment of beta refused: targeting is off in LaunchDarkly environment production, but the last deployment left it on and the config still says targeting on. It was turned off outside Pulumi (the automatic kill switch, or by hand), and this deployment would silently turn it back on. Accept the kill first: `pulumi config set targeting off -s beta`, then deploy and investigate; turning it back on is a reviewed change from off to on (docs/operating.md, "Rollout guards").',
        );
      } else {
        expect(refusal).toBeUndefined();
      }
      expect(deployRefusal(inputs)).toBe(refusal);
    },
  );

  it("reads the live state only when it can change the verdict: last deployment on, config on", () => {
    expect(liveTargetingMatters(on(10), "on")).toBe(true);
    expect(liveTargetingMatters(on(10), "off")).toBe(false);
    expect(liveTargetingMatters(off(10), "on")).toBe(false);
    expect(liveTargetingMatters(undefined, "on")).toBe(false);
  });

  it("without a live reading there is no refusal to make", () => {
    expect(reEnableRefusal(deploy({ liveOn: undefined }))).toBeUndefined();
  });
});

describe("the kill switch always passes", () => {
  it("property: targeting off is never refused, whatever the history, the live state, the step or the override", () => {
    const percentage = fc.integer({ min: 0, max: 100_000 }).map((units) => units / 1000);
    const intent = fc.option(
      fc.record({
        targeting: fc.constantFrom("on" as const, "off" as const),
        rolloutPercentage: percentage,
        ladderPercentage: percentage,
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        intent,
        fc.option(fc.boolean(), { nil: undefined }),
        percentage,
        fc.oneof(fc.constant(NO_OVERRIDE), percentage),
        (lastIntent, liveOn, rolloutPercentage, rolloutStepOverride) => {
          const inputs = deploy({ lastIntent, liveOn, targeting: "off", rolloutPercentage, rolloutStepOverride });
          expect(deployRefusal(inputs)).toBeUndefined();
        },
      ),
    );
  });
});

describe("the intent a deployment records", () => {
  it("is the config, with the ladder at the configured percentage", () => {
    expect(intentOf(deploy({ rolloutPercentage: 25 }), NOW)).toEqual(since(on(25), NOW.toISOString()));
    expect(intentOf(deploy({ lastIntent: undefined, rolloutPercentage: 100 }), NOW)).toEqual(
      since(on(100), NOW.toISOString()),
    );
  });

  it("does not credit a raise of more than one rung made with targeting off", () => {
    // 10% on -> kill switch with 100% (passes) -> back on at 100% (refused, from 10%) or 25% (passes).
    const killed = intentOf(deploy({ targeting: "off", rolloutPercentage: 100 }), NOW);
    expect(killed).toEqual({
      targeting: "off",
      rolloutPercentage: 100,
      ladderPercentage: 10,
      since: NOW.toISOString(),
    });
    expect(deployRefusal(deploy({ lastIntent: killed, liveOn: undefined, rolloutPercentage: 100 }))).toContain(
      "`pulumi config set rolloutPercentage 25 -s beta`",
    );
    expect(deployRefusal(deploy({ lastIntent: killed, liveOn: undefined, rolloutPercentage: 25 }))).toBeUndefined();
  });

  it("credits a jump the override names", () => {
    expect(intentOf(deploy({ rolloutPercentage: 100, rolloutStepOverride: 100 }), NOW).ladderPercentage).toBe(100);
  });

  it("carries `since` over while targeting and the percentage stay, so the output does not change", () => {
    expect(intentOf(deploy({ lastIntent: since(on(10)) }), NOW)).toEqual(since(on(10)));
  });

  it("has no `since` (not an undefined one) while it is unknown", () => {
    expect(Object.keys(intentOf(deploy({ lastIntent: on(10) }), NOW))).not.toContain("since");
  });
});

describe("when a rung went live (`since`)", () => {
  const now = NOW.toISOString();
  it.each(
    cases([
      ["a first deployment: now", undefined, on(10), now],
      ["nothing changed: the last since", since(on(10)), on(10), EARLIER],
      ["nothing changed, targeting off: the last since", since(off(10)), off(10), EARLIER],
      ["the percentage raised: now", since(on(10)), on(25), now],
      ["the percentage lowered: now", since(on(25)), on(10), now],
      ["targeting turned off (the kill switch): now", since(on(10)), off(10), now],
      ["targeting turned back on: now", since(off(10)), on(10), now],
      ["nothing changed since a deployment from before `since`: unknown", on(10), on(10), undefined],
      ["a change after a deployment from before `since`: now", on(10), on(25), now],
    ] as const),
  )("%s", (_case, last, next, expected) => {
    expect(rungSince(last, next, NOW)).toBe(expected);
  });

  it("ignores the ladder percentage: a kill-switch raise not credited is still the same rung", () => {
    const killed: RolloutIntent = { ...since(off(100)), ladderPercentage: 10 };
    expect(rungSince(killed, off(100), NOW)).toBe(EARLIER);
  });

  it("is in UTC, whatever the last since's offset", () => {
    expect(rungSince(since(on(10), "2026-11-30T10:15:00+01:00"), on(25), NOW)).toBe("2026-12-02T22:30:00.000Z");
  });

  it("property: the last since exactly when targeting and percentage are unchanged, else now", () => {
    const intent = fc.record({
      targeting: fc.constantFrom("on" as const, "off" as const),
      rolloutPercentage: fc.constantFrom(...LADDER),
    });
    const at = fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true });
    fc.assert(
      fc.property(fc.option(intent, { nil: undefined }), fc.option(at), intent, at, (last, lastAt, next, now) => {
        const lastIntent = last && {
          ...last,
          ladderPercentage: last.rolloutPercentage,
          ...(lastAt && { since: lastAt.toISOString() }),
        };
        const unchanged =
          last !== undefined && last.targeting === next.targeting && last.rolloutPercentage === next.rolloutPercentage;
        expect(rungSince(lastIntent, next, now)).toBe(unchanged ? lastIntent?.since : now.toISOString());
      }),
    );
  });
});

describe("reading the last deployment's intent back", () => {
  it("none recorded: a first deployment", () => {
    expect(parseRolloutIntent(undefined)).toBeUndefined();
  });

  it("recorded empty (a null output): as none recorded", () => {
    expect(parseRolloutIntent(null)).toBeUndefined();
  });

  it("without a ladder percentage (written by hand): the configured one", () => {
    expect(parseRolloutIntent({ targeting: "on", rolloutPercentage: 25 })).toEqual(on(25));
  });

  it("with when its rung went live: kept as recorded", () => {
    expect(parseRolloutIntent({ ...on(25), since: EARLIER })).toEqual(since(on(25)));
    expect(parseRolloutIntent({ ...on(25), since: "2026-11-30T09:15:00Z" })).toEqual(
      since(on(25), "2026-11-30T09:15:00Z"),
    );
    expect(parseRolloutIntent({ ...on(25), since: "2026-11-30T10:15:00.5+01:00" })).toEqual(
      since(on(25), "2026-11-30T10:15:00.5+01:00"),
    );
  });

  it("without since (deployed before it existed): no since", () => {
    expect(Object.keys(parseRolloutIntent({ targeting: "on", rolloutPercentage: 25 }) ?? {})).not.toContain("since");
  });

  it.each(
    cases([
      ["a date without a time", "2026-11-30"],
      ["no offset", "2026-11-30T09:15:00"],
      ["no seconds", "2026-11-30T09:15Z"],
      ["a space for the T", "2026-11-30 09:15:00Z"],
      ["no such day", "2026-02-30T09:15:00Z"],
      ["no such hour", "2026-11-30T24:15:00Z"],
      ["not a time", "yesterday"],
      ["empty", ""],
      ["a number (epoch milliseconds)", 1_764_494_100_000],
      ["null", null],
    ] as const),
  )("a since that is not an RFC 3339 time (%s) is an error, never a pass", (_case, value) => {
    expect(() => parseRolloutIntent({ ...on(25), since: value })).toThrow(
      `The last deployment's stack output rolloutIntent is not {targeting: "on"|"off", rolloutPercentage: 0..100, since?: RFC 3339 time}: got ${JSON.stringify({ ...on(25), since: value })}`,
    );
  });

  it("anything else is an error, never a pass", () => {
    expect(() => parseRolloutIntent({ targeting: "yes", rolloutPercentage: 25 })).toThrow(
      'The last deployment\'s stack output rolloutIntent is not {targeting: "on"|"off", rolloutPercentage: 0..100, since?: RFC 3339 time}: got {"targeting":"yes","rolloutPercentage":25}',
    );
    expect(() => parseRolloutIntent("on")).toThrow(/rolloutIntent is not/);
  });
});

describe("isDeployRefusal", () => {
  it("knows the program's refusal by its mark, and nothing else", () => {
    expect(isDeployRefusal({ [DEPLOY_REFUSED]: true })).toBe(true);
    for (const other of [
      { [DEPLOY_REFUSED]: false },
      new Error("refused"),
      { name: "DeployRefused" },
      null,
      undefined,
      "DeployRefused",
    ]) {
      expect(isDeployRefusal(other)).toBe(false);
    }
  });
});
