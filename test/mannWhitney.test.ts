/**
 * The one-sided Mann-Whitney U test (components/soak/mannWhitney.ts) against SciPy's
 * mannwhitneyu(x, y, alternative="greater", method="asymptotic", use_continuity=True), an
 * independent implementation, on seeded generated samples; plus hand-computed examples of the
 * formula and the medians. SciPy must be installed (tools/toolchain.sh): missing is a failure.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { erfc, mannWhitneyGreater, median, relativeEffect } from "../components/soak/mannWhitney";
import { cases } from "./support/cases";
import { pythonFloat, runScipy } from "./support/scipy";

/** A 32-bit linear congruential generator (Numerical Recipes' constants): the same samples on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32; // in (0, 1): never 0, so log() below is finite
  };
}

interface Sample {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

function buildSamples(): Sample[] {
  const next = lcg(20260302);
  const normal = (mean: number, sd: number): number =>
    mean + sd * Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  const draw = (n: number, value: () => number): number[] => Array.from({ length: n }, value);
  const round = (values: number[], step: number): number[] => values.map((v) => Math.round(v / step) * step);
  // Per-minute error ratios: mostly 0, sometimes a small ratio rounded to 0.1%.
  const errorRatio = (n: number, errorMinutes: number, level: number): number[] =>
    draw(n, () => (next() < errorMinutes ? Math.round(Math.abs(normal(level, level / 2)) * 1000) / 1000 : 0));
  // Per-minute latencies in seconds: log-normal, rounded to the millisecond.
  const latency = (n: number, medianSeconds: number): number[] =>
    round(
      draw(n, () => Math.exp(normal(Math.log(medianSeconds), 0.3))),
      0.001,
    );
  const separated = (n1: number, n2: number, xAbove: boolean): Sample => {
    const low = draw(xAbove ? n2 : n1, () => normal(0, 1));
    const high = draw(xAbove ? n1 : n2, () => normal(100, 1));
    return {
      name: `${n1} vs ${n2}, every x ${xAbove ? "above" : "below"} every y`,
      x: xAbove ? high : low,
      y: xAbove ? low : high,
    };
  };

  const samples: Sample[] = [];
  for (const [n1, n2] of [
    [60, 200],
    [200, 60],
  ] as const) {
    for (const shift of [0, 0.1, 0.5, 3, -0.5, -3]) {
      samples.push({
        name: `${n1} vs ${n2}, continuous, x shifted by ${shift} sd`,
        x: draw(n1, () => normal(10 + shift, 1)),
        y: draw(n2, () => normal(10, 1)),
      });
    }
  }
  for (const shift of [0, 1, -1]) {
    samples.push({
      name: `60 vs 200, rounded to integers (many ties), x shifted by ${shift}`,
      x: round(
        draw(60, () => normal(20 + shift, 2)),
        1,
      ),
      y: round(
        draw(200, () => normal(20, 2)),
        1,
      ),
    });
  }
  for (const shift of [0, 0.5]) {
    samples.push({
      name: `30 vs 30, three levels only, x shifted by ${shift}`,
      x: draw(30, () => Math.min(2, Math.max(0, Math.round(normal(1 + shift, 0.7))))),
      y: draw(30, () => Math.min(2, Math.max(0, Math.round(normal(1, 0.7))))),
    });
  }
  samples.push(
    { name: "error ratios, mostly 0, same rate", x: errorRatio(60, 0.2, 0.01), y: errorRatio(200, 0.2, 0.01) },
    { name: "error ratios, more errors in x", x: errorRatio(60, 0.5, 0.02), y: errorRatio(200, 0.2, 0.01) },
    { name: "error ratios, fewer errors in x", x: errorRatio(60, 0.05, 0.01), y: errorRatio(200, 0.3, 0.01) },
    { name: "x all 0, y mostly 0", x: draw(60, () => 0), y: errorRatio(200, 0.1, 0.01) },
    { name: "latencies 120 vs 1440, same median", x: latency(120, 0.25), y: latency(1440, 0.25) },
    { name: "latencies 120 vs 1440, x 10% slower", x: latency(120, 0.275), y: latency(1440, 0.25) },
    { name: "latencies 5 vs 7, x 50% slower", x: latency(5, 0.375), y: latency(7, 0.25) },
    { name: "identical: every value 5, 60 vs 200", x: draw(60, () => 5), y: draw(200, () => 5) },
    { name: "identical: every value 0, 1 vs 1", x: [0], y: [0] },
  );
  const shared = draw(50, () => normal(3, 1));
  const sharedRounded = round(shared, 1);
  samples.push(
    { name: "identical samples, 50 distinct values each", x: shared, y: [...shared].reverse() },
    { name: "identical samples, rounded (ties)", x: sharedRounded, y: [...sharedRounded] },
    separated(60, 200, true),
    separated(60, 200, false),
    separated(200, 200, true),
    separated(200, 200, false),
    // z about 21 and 32: p about 1e-100 and 1e-230, deep in the tail where 1 - Φ(z) would have lost every digit.
    separated(300, 300, true),
    separated(700, 700, true),
    // z about 39: p underflows to 0 in double precision, in SciPy too.
    separated(1000, 1000, true),
    { name: "1 vs 10, x above the middle", x: [normal(0.5, 0.1)], y: draw(10, () => normal(0, 1)) },
    { name: "10 vs 1", x: draw(10, () => normal(0, 1)), y: [normal(0, 0.1)] },
    { name: "1 vs 1, x larger", x: [2], y: [1] },
    { name: "2 vs 3, a tie across the samples", x: [1, 3], y: [3, 0, 2] },
    { name: "x with one huge outlier", x: [...draw(59, () => normal(10, 1)), 1e9], y: draw(200, () => normal(10, 1)) },
  );
  // Random sizes, shifts and rounding on top of the designed cases.
  for (let i = 0; i < 10; i++) {
    const n1 = 2 + Math.floor(next() * 150);
    const n2 = 2 + Math.floor(next() * 300);
    const shift = Math.round((next() - 0.5) * 20) / 10;
    const step = [0, 0.5, 1][Math.floor(next() * 3)] ?? 0;
    const x = draw(n1, () => normal(shift, 1));
    const y = draw(n2, () => normal(0, 1));
    samples.push({
      name: `random ${n1} vs ${n2}, shift ${shift}, rounded to ${step || "nothing"}`,
      x: step ? round(x, step) : x,
      y: step ? round(y, step) : y,
    });
  }
  return samples;
}

const SAMPLES = buildSamples();
/** erfc's own check, across all three of Cody's intervals, both signs and the underflow. */
const ERFC_POINTS = [
  -30, -6, -3.2, -1, -0.46875, -0.3, -1e-20, 0, 1e-20, 0.1, 0.46875, 0.47, 0.9, 2, 3.9999, 4, 4.0001, 6, 10, 15, 20, 25,
  26.5, 26.6, 30,
];

const SCRIPT = `
import json, sys
import scipy
from scipy.special import erfc
from scipy.stats import mannwhitneyu
data = json.load(sys.stdin)
tests = []
for x, y in data["samples"]:
    r = mannwhitneyu(x, y, alternative="greater", method="asymptotic", use_continuity=True)
    tests.append([repr(float(r.statistic)), repr(float(r.pvalue))])
print(json.dumps({
    "version": scipy.__version__,
    "tests": tests,
    "erfc": [repr(float(erfc(v))) for v in data["erfc"]],
}))
`;

interface ScipyAnswers {
  readonly version: string;
  readonly tests: readonly (readonly [string, string])[];
  readonly erfc: readonly string[];
}

/** Relative 1e-9; below 1e-300 (where SciPy and Cody differ in how they underflow) absolute 1e-300. */
function expectClose(actual: number, expected: number): void {
  if (!Number.isFinite(expected) || expected === 0) {
    expect(actual).toBe(expected);
    return;
  }
  const tolerance = Math.abs(expected) < 1e-300 ? 1e-300 : 1e-9 * Math.abs(expected);
  expect(Math.abs(actual - expected), `${actual} vs SciPy's ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe("mannWhitneyGreater against SciPy", () => {
  let scipy: ScipyAnswers;

  beforeAll(() => {
    // One python process for the whole file: SciPy's import alone takes most of a second.
    scipy = runScipy(SCRIPT, { samples: SAMPLES.map((s) => [s.x, s.y]), erfc: ERFC_POINTS }) as ScipyAnswers;
  });

  it("covers enough generated cases", () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(30);
    expect(scipy.tests).toHaveLength(SAMPLES.length);
  });

  it.each(cases(SAMPLES.map((sample, index) => ({ ...sample, index }))))("$name", ({ x, y, index }) => {
    const [u, p] = scipy.tests[index]!;
    const result = mannWhitneyGreater(x, y);
    expect(result.u).toBe(pythonFloat(u));
    expectClose(result.p, pythonFloat(p));
  });

  it("agrees with SciPy's erfc across Cody's intervals", () => {
    ERFC_POINTS.forEach((point, i) => {
      expectClose(erfc(point), pythonFloat(scipy.erfc[i]!));
    });
  });
});

describe("mannWhitneyGreater, by hand", () => {
  it("x = [1, 2, 3] below y = [4, 5, 6]: U1 = 0", () => {
    // x holds ranks 1, 2, 3: R1 = 6, U1 = 6 - 3·4/2 = 0. Mean 3·3/2 = 4.5; no ties, so the variance
    // is 3·3/12 · (6 + 1) = 5.25; z = (0 - 4.5 - 0.5) / √5.25.
    const result = mannWhitneyGreater([1, 2, 3], [4, 5, 6]);
    expect(result.u).toBe(0);
    expect(result.z).toBeCloseTo(-5 / Math.sqrt(5.25), 14);
    expect(result.p).toBeCloseTo(0.9854518341293739, 14); // SciPy 1.10.1's answer
  });

  it("and the other way round: U1 = 9, p small", () => {
    const result = mannWhitneyGreater([4, 5, 6], [1, 2, 3]);
    expect(result.u).toBe(9);
    expect(result.z).toBeCloseTo(4 / Math.sqrt(5.25), 14);
    expect(result.p).toBeCloseTo(0.04042779918502612, 14);
  });

  it("ties: x = [1, 1, 2], y = [1, 2, 2]", () => {
    // Three 1s share ranks 1-3 (average 2), three 2s share ranks 4-6 (average 5): R1 = 2 + 2 + 5 = 9,
    // U1 = 9 - 6 = 3. Tie term Σ(t³ - t) = 24 + 24 = 48, n(n - 1) = 30: the variance is
    // 9/12 · (7 - 48/30) = 4.05; z = (3 - 4.5 - 0.5) / √4.05.
    const result = mannWhitneyGreater([1, 1, 2], [1, 2, 2]);
    expect(result.u).toBe(3);
    expect(result.z).toBeCloseTo(-2 / Math.sqrt(4.05), 14);
    expect(result.p).toBeCloseTo(0.8398418222539659, 14);
  });

  it("every value equal: variance 0, z = -Infinity, p = 1 (as SciPy)", () => {
    expect(mannWhitneyGreater([7, 7], [7, 7, 7])).toEqual({ u: 3, z: Number.NEGATIVE_INFINITY, p: 1 });
  });

  it("refuses an empty sample (SciPy raises ValueError)", () => {
    expect(() => mannWhitneyGreater([], [1])).toThrow(/x is empty/);
    expect(() => mannWhitneyGreater([1], [])).toThrow(/y is empty/);
  });

  it("refuses values that were not measured, where SciPy would answer NaN", () => {
    expect(() => mannWhitneyGreater([1, Number.NaN], [1])).toThrow(/x\[1\] is NaN/);
    expect(() => mannWhitneyGreater([1], [Number.POSITIVE_INFINITY])).toThrow(/y\[0\] is Infinity/);
  });
});

describe("median", () => {
  it.each(
    cases([
      { values: [3], expected: 3 },
      { values: [3, 1, 2], expected: 2 },
      { values: [4, 1, 3, 2], expected: 2.5 },
      { values: [0, 0, 0, 0.002], expected: 0 },
      { values: [-1, -3], expected: -2 },
      { values: [Number.MAX_VALUE, Number.MAX_VALUE], expected: Number.MAX_VALUE },
    ]),
  )("median($values) = $expected", ({ values, expected }) => {
    expect(median(values)).toBe(expected);
  });

  it("leaves its input unsorted", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("refuses an empty or unmeasured sample", () => {
    expect(() => median([])).toThrow(/empty/);
    expect(() => median([1, Number.NaN])).toThrow(/not a finite number/);
  });
});

describe("relativeEffect", () => {
  it.each(
    cases([
      { judged: [0.3, 0.2, 0.25], baseline: [0.2, 0.1, 0.3], expected: 0.25 },
      { judged: [0.15], baseline: [0.2], expected: -0.25 },
      { judged: [1, 2], baseline: [1, 2], expected: 0 },
      { judged: [0, 0, 0.01], baseline: [0, 0, 0.05], expected: 0 },
      { judged: [0, 0.01, 0.02], baseline: [0, 0, 0.05], expected: Number.POSITIVE_INFINITY },
      { judged: [-1], baseline: [0], expected: Number.NEGATIVE_INFINITY },
      { judged: [-1], baseline: [-2], expected: 0.5 },
    ]),
  )("$judged against $baseline: $expected", ({ judged, baseline, expected }) => {
    expect(relativeEffect(judged, baseline)).toBeCloseTo(expected, 12);
  });
});
