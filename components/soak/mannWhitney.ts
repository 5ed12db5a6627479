/**
 * A one-sided Mann-Whitney U test: did the judged window's per-minute samples (error ratio,
 * latency) tend to come out larger ("worse") than the baseline's? Rank-based, so a handful of
 * extreme minutes cannot carry the verdict the way they would carry a mean, and no distribution is
 * assumed for the samples. Pure: no I/O, no clock.
 *
 * The definition is SciPy's, so a result can be checked against it:
 *   scipy.stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic", use_continuity=True)
 * (SciPy 1.10; test/mannWhitney.test.ts compares the two on generated samples). The normal
 * approximation rather than the exact distribution: per-minute samples are tens to hundreds per
 * window, where it is accurate, and rounded ratios tie often, where the exact distribution is wrong.
 */

/** The test's outcome: `u` is U1 (x's statistic), `z` its standardised value, `p` the one-sided p-value. */
export interface MannWhitneyResult {
  readonly u: number;
  readonly z: number;
  readonly p: number;
}

/**
 * Tests whether `x` tends to be larger than `y` (alternative "greater"): a small `p` says the judged
 * samples `x` are stochastically larger than the baseline `y`.
 *
 * Where it deliberately differs from SciPy, both cases in which SciPy has no answer either:
 * - an empty sample throws (SciPy raises ValueError too);
 * - a NaN or infinite value throws, where SciPy would propagate NaN (or rank ±inf). A minute whose
 *   ratio was 0/0 was not measured; a NaN p-value compared with a threshold reads as "no
 *   regression", and could-not-measure must never pass. The caller decides what such a minute means.
 *
 * Identical samples (every value equal) agree with SciPy: the variance is 0, z is -Infinity (the
 * continuity correction makes the numerator -0.5), and p is 1, "no evidence of a difference".
 */
export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  requireSample("x", x);
  requireSample("y", y);
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;

  const { ranks, tieTerm } = averageRanks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i] ?? 0;
  // Ranks are integers or halves and the sums stay far below 2^53, so U is exact: it must equal
  // SciPy's to the last bit, which the tests check.
  const u = r1 - (n1 * (n1 + 1)) / 2;

  const mean = (n1 * n2) / 2;
  // The tie-corrected variance, in SciPy's order of operations so the rounding matches too. With
  // every value tied, (n + 1) - tieTerm / (n(n - 1)) is exactly 0: tieTerm is n^3 - n.
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // Continuity correction: always subtract 0.5, because p is always the upper tail at U; the discrete
  // statistic's probability mass at U itself then counts towards p (SciPy's reasoning too).
  // A zero sd gives -0.5 / 0 = -Infinity, as in numpy, and p = 1.
  const z = (u - mean - 0.5) / sd;
  return { u, z, p: normalSurvival(z) };
}

/** The middle value (the mean of the two middle ones for an even count). Throws on an empty or non-finite sample. */
export function median(values: readonly number[]): number {
  requireSample("values", values);
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  // Halving each term before adding cannot overflow for values near Number.MAX_VALUE.
  return sorted.length % 2 === 1 ? upper : (sorted[mid - 1] ?? Number.NaN) / 2 + upper / 2;
}

/**
 * How much larger the judged median is than the baseline's, as a fraction of the baseline's:
 * 0.25 = 25% worse. Divided by |baseline median| so that a positive effect always means "judged is
 * larger" (the samples here are ratios and latencies, never negative, but the sign must not flip).
 *
 * A baseline median of 0 (an error ratio that was 0 in most baseline minutes is the common case):
 * - judged median 0 too: 0, no change;
 * - judged median above 0: +Infinity. Any error where there was none is an unbounded relative
 *   increase, and +Infinity exceeds every threshold, so a criterion "effect above 10%" fails rather
 *   than passing on a NaN;
 * - judged median below 0 (not possible for ratios and latencies): -Infinity, for symmetry.
 */
export function relativeEffect(judged: readonly number[], baseline: readonly number[]): number {
  const judgedMedian = median(judged);
  const baselineMedian = median(baseline);
  const difference = judgedMedian - baselineMedian;
  if (baselineMedian === 0) {
    if (difference === 0) return 0;
    return difference > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  return difference / Math.abs(baselineMedian);
}

function requireSample(name: string, values: readonly number[]): void {
  if (values.length === 0) throw new RangeError(`Mann-Whitney: ${name} is empty; there is nothing to compare`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new RangeError(`Mann-Whitney: ${name}[${bad}] is ${values[bad]}, not a finite number: it was not measured`);
  }
}

/**
 * Ranks 1..n with ties given the average of the ranks they span (SciPy's rankdata "average"), and
 * the tie correction term Σ(t³ − t) over the groups of t equal values.
 */
function averageRanks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const ranks = new Array<number>(values.length).fill(0);
  let tieTerm = 0;
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end] ?? 0] === values[order[start] ?? 0]) end++;
    // Positions start..end-1 hold ranks start+1..end; their average is exact (an integer or a half).
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k] ?? 0] = rank;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  return { ranks, tieTerm };
}

/** P(Z > z) for a standard normal Z, accurate in the far upper tail where p-values of interest live. */
function normalSurvival(z: number): number {
  // Through erfc rather than 1 - Φ(z): the subtraction would lose every digit once p < 1e-16, and a
  // strong regression's p-value is far smaller than that.
  return 0.5 * erfc(z * Math.SQRT1_2);
}

// W. J. Cody's rational Chebyshev approximations for erf and erfc ("Rational Chebyshev
// approximations for the error function", Math. Comp. 23 (1969), 631-638), with the coefficients
// and interval split of his CALERF routine (netlib specfun). They approximate erfc to about 18
// significant digits, so in double precision the result is good to a few ulps in relative terms over
// the whole range (Numerical Recipes' erfcc, relative error < 1.2e-7, could not match SciPy to 1e-9).
const ERF_A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const ERF_B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const ERFC_C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const ERFC_D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
];
const ERFC_P = [
  0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4,
  0.0163153871373020978,
];
const ERFC_Q = [
  2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185,
];
const ONE_OVER_SQRT_PI = 0.56418958354775628695;
/** Above this erfc underflows to 0 in double precision (Cody's XBIG for IEEE doubles). */
const ERFC_XBIG = 26.543;

function coefficient(table: readonly number[], i: number): number {
  const c = table[i];
  if (c === undefined) throw new Error(`erfc: no coefficient ${i}`);
  return c;
}

/** erfc(x) for any x; erfc(-x) = 2 - erfc(x) keeps the small upper tail accurate. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  let tail: number; // erfc(y)
  if (y <= 0.46875) {
    // Near 0 erf is small and 1 - erf loses nothing that matters: erfc is about 1 there.
    const ysq = y * y;
    let num = coefficient(ERF_A, 4) * ysq;
    let den = ysq;
    for (let i = 0; i < 3; i++) {
      num = (num + coefficient(ERF_A, i)) * ysq;
      den = (den + coefficient(ERF_B, i)) * ysq;
    }
    return 1 - (x * (num + coefficient(ERF_A, 3))) / (den + coefficient(ERF_B, 3));
  } else if (y >= ERFC_XBIG) {
    tail = 0;
  } else {
    // Both remaining intervals approximate exp(y²)·erfc(y), which varies slowly, then scale by exp(-y²).
    let scaled: number;
    if (y <= 4) {
      let num = coefficient(ERFC_C, 8) * y;
      let den = y;
      for (let i = 0; i < 7; i++) {
        num = (num + coefficient(ERFC_C, i)) * y;
        den = (den + coefficient(ERFC_D, i)) * y;
      }
      scaled = (num + coefficient(ERFC_C, 7)) / (den + coefficient(ERFC_D, 7));
    } else {
      const inv = 1 / (y * y);
      let num = coefficient(ERFC_P, 5) * inv;
      let den = inv;
      for (let i = 0; i < 4; i++) {
        num = (num + coefficient(ERFC_P, i)) * inv;
        den = (den + coefficient(ERFC_Q, i)) * inv;
      }
      scaled = (ONE_OVER_SQRT_PI - (inv * (num + coefficient(ERFC_P, 4))) / (den + coefficient(ERFC_Q, 4))) / y;
    }
    // exp(-y²) with y² split into a part exact in binary (y rounded down to 1/16) and a small rest:
    // y * y itself carries a rounding error that exp turns into a relative error of about y²·ε
    // (up to 1e-13 near the underflow): Cody's guard, kept so the tail stays within a few ulps.
    const head = Math.trunc(y * 16) / 16;
    const rest = (y - head) * (y + head);
    tail = Math.exp(-head * head) * Math.exp(-rest) * scaled;
  }
  return x < 0 ? 2 - tail : tail;
}
