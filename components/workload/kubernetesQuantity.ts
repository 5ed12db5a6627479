/**
 * A plain number as Kubernetes writes the quantity back (`2` -> "2", `0.5` -> "500m", `1e9` -> "1G",
 * `1073741824` -> "1073741824"): a number without a suffix is a decimal-SI quantity, which the API
 * server stores in canonical form, the largest suffix that keeps the number whole. Sending that
 * form keeps a refreshed preview free of a false diff. Pure.
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

/** Decimal-SI suffixes by power of ten. */
const SUFFIX: Readonly<Record<number, string>> = {
  [-9]: "n",
  [-6]: "u",
  [-3]: "m",
  0: "",
  3: "k",
  6: "M",
  9: "G",
  12: "T",
  15: "P",
  18: "E",
};
const SMALLEST_EXPONENT = -9;
const LARGEST_EXPONENT = 18;

/** True when `value` is a non-negative number Kubernetes can hold exactly (at most 9 decimals). */
export function isExpressibleQuantity(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && decimal(value).exponent >= SMALLEST_EXPONENT;
}

/** The canonical decimal-SI quantity string of a non-negative number with at most 9 decimals. */
export function canonicalQuantity(value: number): string {
  if (!isExpressibleQuantity(value)) throw new RangeError(`${value} is not a Kubernetes quantity`);
  const { digits, exponent } = decimal(value);
  const suffixExponent = Math.min(Math.floor(exponent / 3) * 3, LARGEST_EXPONENT);
  // Stryker disable next-line StringLiteral: suffixExponent is a multiple of 3 from -9 to 18, each with a suffix
  return `${digits}${"0".repeat(exponent - suffixExponent)}${SUFFIX[suffixExponent] ?? ""}`;
}

/**
 * `value` as significant digits times a power of ten. `toExponential()` without an argument writes
 * the shortest digits that round-trip, so they carry no trailing zeros (1000 -> "1e+3").
 */
function decimal(value: number): { digits: string; exponent: number } {
  const [mantissa, power] = value.toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  return { digits, exponent: Number(power) - (digits.length - 1) };
}
