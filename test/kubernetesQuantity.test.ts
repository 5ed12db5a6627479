import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalQuantity, isExpressibleQuantity } from "../components/workload/kubernetesQuantity";
import { cases } from "./support/cases";

// Canonical forms as the Kubernetes API server writes numbers without a suffix back (decimal SI,
// the largest suffix that keeps the number whole), from the Kubernetes quantity documentation.
const KUBERNETES_WRITES: [number, string][] = [
  [0, "0"],
  [2, "2"],
  [0.5, "500m"],
  [0.1, "100m"],
  [1.5, "1500m"],
  [1000, "1k"],
  [1500, "1500"],
  [129e6, "129M"],
  [128974848, "128974848"],
  [1073741824, "1073741824"],
  [2e9, "2G"],
  [4e12, "4T"],
  [7e15, "7P"],
  [0.000001, "1u"],
  [0.000000005, "5n"],
  [3e21, "3000E"],
];

const SUFFIX_POWER: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

describe("canonicalQuantity", () => {
  it.each(cases(KUBERNETES_WRITES))("%s -> %s", (value, written) => {
    expect(canonicalQuantity(value)).toBe(written);
  });

  it("writes the same amount: digits times the suffix's power of ten", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: -9, max: 6 }), (units, power) => {
        const value = Number(`${units}e${power}`);
        fc.pre(isExpressibleQuantity(value));
        const [, digits = "", suffix = ""] = /^(\d+)([a-zA-Z]?)$/.exec(canonicalQuantity(value)) ?? [];
        expect(Number(`${digits}e${SUFFIX_POWER[suffix] ?? Number.NaN}`)).toBe(value);
        expect(digits === "0" || !digits.endsWith("000") || suffix === "E").toBe(true);
      }),
    );
  });

  it.each(cases([-1, 1e-10, Number.NaN, Number.POSITIVE_INFINITY]))("refuses %s", (value) => {
    expect(isExpressibleQuantity(value)).toBe(false);
    expect(() => canonicalQuantity(value)).toThrow(new RangeError(`${value} is not a Kubernetes quantity`));
  });
});
