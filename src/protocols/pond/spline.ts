/**
 * Pond's sigmoid and tanh of small tensors as linear splines on the one-round comparisons of
 * fss.ts: each piece's line is chosen by the steps [v ≥ t_k], and their products with v come
 * in the same round, so the spline costs that round and one truncation.
 */
import { ValueError } from '../../errors.js';
import type { Spline } from '../approximations/linear_spline.js';
import { dealtSplineSums } from '../dealt_keys.js';
import { pondParties } from './dealer.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor } from './pond_tensors.js';
import { truncatePrivate } from './truncate.js';

export type { Spline };

/** Knots of the sigmoid spline on x ≥ 0; the negative side mirrors them (σ(−x) = 1 − σ(x)). */
const SIGMOID_KNOTS = [0, 0.792, 1.434, 2.095, 2.896, 4.069, 6.03];
/**
 * The line a·x + b on each [knot_i, knot_i+1): minimax, error 0.0024 on each (0.0017 on the
 * last), except that the first passes through (0, 0.5), so σ(0) = 0.5 exactly and the spline is
 * continuous there.
 */
const SIGMOID_SLOPES = [0.2407303783, 0.1857682074, 0.1254046256, 0.0714508033, 0.0303022056, 0.0073469879];
const SIGMOID_INTERCEPTS = [0.5, 0.5435304477, 0.6300956137, 0.7431284064, 0.8622928937, 0.9549530810];

/** σ's 14 pieces over the whole line: 0 below −6.03, the mirrored lines, then 1 from 6.03 on. */
function sigmoidSpline(): Spline {
  const n = SIGMOID_SLOPES.length;
  const negative = Array.from({ length: n }, (_, i) => [SIGMOID_SLOPES[n - 1 - i], 1 - SIGMOID_INTERCEPTS[n - 1 - i]] as [number, number]);
  const positive = SIGMOID_SLOPES.map((a, i) => [a, SIGMOID_INTERCEPTS[i]] as [number, number]);
  const thresholds = [...SIGMOID_KNOTS.slice(1).reverse().map((k) => -k), ...SIGMOID_KNOTS];
  return { thresholds, lines: [[0, 0], ...negative, ...positive, [0, 1]] };
}

/**
 * The splines of Pond's small-tensor sigmoid and tanh. tanh(x) = 2σ(2x) − 1, so tanh's pieces
 * are σ's at half the knots, each line (a, b) becoming (4a, 2b − 1).
 * @example `SPLINES.tanh.thresholds.length // 13`
 */
export const SPLINES: Readonly<Record<'sigmoid' | 'tanh', Spline>> = (() => {
  const s = sigmoidSpline();
  return Object.freeze({
    sigmoid: s,
    tanh: { thresholds: s.thresholds.map((t) => t / 2), lines: s.lines.map(([a, b]) => [4 * a, 2 * b - 1] as [number, number]) },
  });
})();

/**
 * The documented errors of {@link splineOf} at f = 16. Sigmoid: each piece's line is within
 * 0.0024 of σ, the tails (0 below −6.03, 1 above 6.03) too, and fixed point adds at most 0.0001
 * (slopes rounded to 2^-f, times |x| ≤ 6.03, and the final truncation). tanh: twice σ's, 0.0048,
 * plus the same, against the polynomial's 0.0057.
 * @example `Math.abs(secure - Math.tanh(x)) <= SPLINE_MAX_ERROR.tanh`
 */
export const SPLINE_MAX_ERROR: Readonly<Record<'sigmoid' | 'tanh', number>> = Object.freeze({ sigmoid: 0.0025, tanh: 0.005 });

/**
 * A linear spline of x on exact comparisons, for small tensors. 2 rounds (the polynomial with
 * its clamp takes 9); on a product's result (sign_source.ts) the first of them is the round of
 * the product's own truncation, so after the product it costs 2 rounds in all.
 *  1. g_k = [v ≥ t_k] and g_k·v for the spline's thresholds, with v = x's untruncated product
 *     when there is one, else x (1 round)
 *  2. Σ_k g_k·(Δa_k·v + Δb_k), with Δa_k, Δb_k the changes of slope and intercept at t_k (the
 *     slopes encoded with `slopeBits` fractional bits, default f), local: steps 1 and 2 are
 *     {@link dealtSplineSums}
 *  3. the sum, at scale 2^-(slopeBits + f_v), is truncated to f (1 round)
 * Error: {@link SPLINE_MAX_ERROR} for |x| < 2^(62−2f). The value must stay below
 * 2^(62 − slopeBits − f_v) (each term may wrap; only the sum must fit). Communication per element: 2 KB from the
 * producer to each server (the key), and 16 bytes each way between the servers plus the
 * truncation's.
 * @example
 * ```ts
 * const y = splineOf(pond, x, SPLINES.sigmoid); // x.size ≤ fssMaxElements
 * ```
 */
export function splineOf(p: Pond, x: PondPrivateTensor, spline: Spline, view: PondPrivateTensor = x, slopeBits = p.fracBits): PondPrivateTensor {
  const lowest = Math.max(0, p.fracBits - view.fracBits);
  if (!(Number.isInteger(slopeBits) && slopeBits >= lowest)) {
    throw new ValueError(`a spline's slopes need at least ${lowest} fractional bits at an input scale of ${view.fracBits}, got ${slopeBits}`);
  }
  // Steps 1 and 2.
  const scale = slopeBits + view.fracBits;
  const sums = dealtSplineSums(pondParties(p), view.shares, view.fracBits, spline, slopeBits);
  const wide = new PondPrivateTensor(p, scale, sums);
  // Step 3.
  const y = truncatePrivate(p, wide, scale - p.fracBits, p.fracBits);
  if (y !== wide) p.dispose(wide);
  return y;
}
