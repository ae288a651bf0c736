/**
 * Linear splines of convex functions, for protocols that evaluate a spline from one round of
 * dealt comparisons (Pond's and SecureNN's DCF keys, pond/spline.ts). Plain float64, no MPC.
 *
 * On a piece [a, b] the minimax line of a convex f is its secant lowered by half the largest
 * gap between secant and f (the gap is concave, so a ternary search finds it; the error then
 * alternates −g, +g, −g at a, the gap's peak and b). {@link fitConvexSpline} grows the pieces
 * greedily from one end: each is the widest whose line stays within the tolerance at every
 * point of the piece (checked on a grid of 64 points; the lines are fitted exactly, so the
 * check is of the tolerance's shape, not of the fit).
 *
 * The two splines of the small-tensor softmax (generic/dealt_softmax.ts):
 *  - {@link expSpline}: e^x on x ≤ 0, error ≤ max(0.002·e^x, 0.0003) (relative near the top,
 *    absolute in the tail): 22 pieces on [−9.2, 0], then 0; never negative.
 *  - {@link reciprocalSpline}: c/x on [0.99·lo, 1.01·hi], relative error ≤ 2.5·10^-4 by default
 *    (53 pieces for a softmax's sums over 10 classes, 126 for 256), constant below.
 *
 * @example
 * ```ts
 * const s = fitConvexSpline(Math.exp, { from: 0, to: -4, tolerance: (x) => 0.01 * Math.exp(x) });
 * s.thresholds.length; // pieces − 1 (plus one when `below` is given)
 * ```
 */
import { ValueError } from '../../errors.js';

/**
 * A linear spline: thresholds t_1 < … < t_K and K + 1 lines (a, b) meaning a·x + b: lines[0]
 * below t_1, lines[k] on [t_k, t_k+1), lines[K] from t_K on.
 * @example `const step: Spline = { thresholds: [0], lines: [[0, 0], [0, 1]] };`
 */
export interface Spline { thresholds: number[]; lines: [number, number][] }

/** Points per piece at which {@link fitConvexSpline} checks the tolerance. */
const CHECK_POINTS = 64;

/**
 * The minimax line of a convex f on [a, b] and its error: the secant lowered by half the largest gap.
 * @example `minimaxLine(Math.exp, -1, 0) // [0.632…, 0.961…, 0.039…]`
 */
export function minimaxLine(f: (x: number) => number, a: number, b: number): [slope: number, intercept: number, error: number] {
  const m = (f(b) - f(a)) / (b - a);
  const gap = (x: number) => f(a) + m * (x - a) - f(x);
  let [lo, hi] = [a, b];
  for (let i = 0; i < 80; i++) {
    const x1 = lo + (hi - lo) / 3, x2 = hi - (hi - lo) / 3;
    if (gap(x1) < gap(x2)) lo = x1; else hi = x2;
  }
  const g = Math.max(0, gap((lo + hi) / 2)) / 2;
  return [m, f(a) - m * a - g, g];
}

/**
 * Options of {@link fitConvexSpline}.
 * @example `const opts: ConvexSplineOptions = { from: 1, to: 10, tolerance: (x) => 1e-3 / x, below: [0, 1] };`
 */
export interface ConvexSplineOptions {
  /** The end the pieces grow from (either side of `to`). */
  from: number;
  to: number;
  /** The largest error allowed at x (positive). */
  tolerance: (x: number) => number;
  /** The line below the range's lower end (default: the lowest piece's line continues). */
  below?: [number, number];
}

/**
 * A linear spline of the convex function f on the range between `from` and `to`, each piece
 * the widest whose minimax line keeps within `tolerance` (see the module comment). Beyond the
 * range, `below` (when given) takes over under its lower end, and the highest piece's line
 * continues above.
 * @example
 * ```ts
 * const s = fitConvexSpline((x) => 1 / x, { from: 1, to: 10, tolerance: (x) => 1e-3 / x });
 * ```
 */
export function fitConvexSpline(f: (x: number) => number, opts: ConvexSplineOptions): Spline {
  const { from, to, tolerance } = opts;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from !== to)) throw new ValueError(`a spline's range needs two different finite ends, got ${from} and ${to}`);
  const dir = Math.sign(to - from);
  const fits = (a: number, b: number) => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const [m, c] = minimaxLine(f, lo, hi);
    for (let i = 0; i <= CHECK_POINTS; i++) {
      const x = lo + ((hi - lo) * i) / CHECK_POINTS;
      if (Math.abs(m * x + c - f(x)) > tolerance(x)) return false;
    }
    return true;
  };
  const knots = [from];
  while ((to - knots[knots.length - 1]) * dir > 0) {
    const a = knots[knots.length - 1];
    let [ok, bad] = [0, Math.abs(to - a)];
    if (fits(a, to)) ok = bad;
    else for (let i = 0; i < 48; i++) { const h = (ok + bad) / 2; if (fits(a, a + dir * h)) ok = h; else bad = h; }
    if (!(ok > 0)) throw new ValueError(`no line fits within the tolerance near x = ${a}`);
    knots.push(ok === Math.abs(to - a) ? to : a + dir * ok);
  }
  const ascending = dir > 0 ? knots : [...knots].reverse();
  const lines = ascending.slice(1).map((b, i) => minimaxLine(f, ascending[i], b).slice(0, 2) as [number, number]);
  const thresholds = ascending.slice(1, -1);
  if (opts.below) { thresholds.unshift(ascending[0]); lines.unshift(opts.below); }
  return { thresholds, lines };
}

/**
 * The exp spline's relative error near the top and absolute error in the tail.
 * @example `Math.abs(e - Math.exp(x)) <= Math.max(EXP_SPLINE_ERROR.relative * Math.exp(x), EXP_SPLINE_ERROR.absolute)`
 */
export const EXP_SPLINE_ERROR = { relative: 0.002, absolute: 0.0003 } as const;

let expSplineMemo: Spline | undefined;

/**
 * e^x for x ≤ 0 (a softmax after max subtraction), within max(0.002·e^x, 0.0003): 22 pieces
 * down to about −9.2, and 0 below, where the lowest line would turn negative (e^−9.2 ≈ 0.0001),
 * so the spline is never negative. The last line continues above 0. Fitted on first use (a few
 * milliseconds).
 * @example `expSpline().thresholds.length // 22`
 */
export function expSpline(): Spline {
  if (!expSplineMemo) {
    const s = fitConvexSpline(Math.exp, {
      from: 0, to: Math.log(EXP_SPLINE_ERROR.absolute / 3),
      tolerance: (x) => Math.max(EXP_SPLINE_ERROR.relative * Math.exp(x), EXP_SPLINE_ERROR.absolute),
      below: [0, 0],
    });
    // the zero tail starts where the lowest line crosses 0 (within the tolerance there, as on its whole piece)
    const [a, b] = s.lines[1];
    s.thresholds[0] = Math.max(s.thresholds[0], -b / a);
    expSplineMemo = Object.freeze(s);
  }
  return expSplineMemo;
}

/**
 * The reciprocal spline's relative error.
 * @example `Math.abs(y * x / c - 1) <= RECIPROCAL_SPLINE_ERROR`
 */
export const RECIPROCAL_SPLINE_ERROR = 2.5e-4;
const reciprocals = new Map<string, Spline>();

/**
 * c/x on [0.99·lo, 1.01·hi] within `relativeError` (default {@link RECIPROCAL_SPLINE_ERROR}),
 * c/(0.99·lo) below, and the last line continuing above. A softmax's row sums over k classes
 * take [1, k] (each term ≤ 1, the largest ≈ 1): 53 pieces for k = 10 at 2.5·10^-4, 126 for
 * k = 256; 13 pieces for k = 10 at 0.5 % (a Newton step's start). Memoised.
 * @example `reciprocalSpline([1, 10], 4).thresholds.length // 53`
 */
export function reciprocalSpline(interval: readonly [number, number], c: number, relativeError = RECIPROCAL_SPLINE_ERROR): Spline {
  const [lo, hi] = interval;
  if (!(lo > 0 && hi > lo && Number.isFinite(hi) && c > 0 && relativeError > 0)) {
    throw new ValueError(`a reciprocal spline needs 0 < lo < hi, c > 0 and a positive error, got [${lo}, ${hi}], ${c}, ${relativeError}`);
  }
  const key = `${lo}:${hi}:${c}:${relativeError}`;
  let s = reciprocals.get(key);
  if (!s) {
    const from = 0.99 * lo;
    s = Object.freeze(fitConvexSpline((x) => c / x, { from, to: hi * 1.01, tolerance: (x) => (relativeError * c) / x, below: [0, c / from] }));
    reciprocals.set(key, s);
  }
  return s;
}
