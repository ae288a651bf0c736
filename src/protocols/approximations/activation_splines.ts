/**
 * The 14-piece linear splines of sigmoid and tanh that the dealt-key protocols evaluate on
 * small tensors (Pond's and SecureNN's through pond/spline.ts, ABY3's through
 * aby3/dealt_splines.ts): plain float64 data, no MPC.
 *
 * @example
 * ```ts
 * SPLINES.sigmoid.thresholds.length; // 13
 * ```
 */
import type { Spline } from './linear_spline.js';

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
 * The splines of the small-tensor sigmoid and tanh (Pond, SecureNN, ABY3). tanh(x) = 2σ(2x) − 1, so tanh's pieces
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
 * The documented errors of these splines evaluated on dealt keys at f = 16 (pond/spline.ts
 * `splineOf`, aby3/dealt_splines.ts). Sigmoid: each piece's line is within 0.0024 of σ, the tails (0 below −6.03, 1 above 6.03) too, and fixed point adds at most 0.0001
 * (slopes rounded to 2^-f, times |x| ≤ 6.03, and the final truncation). tanh: twice σ's, 0.0048,
 * plus the same, against the polynomial's 0.0057.
 * @example `Math.abs(secure - Math.tanh(x)) <= SPLINE_MAX_ERROR.tanh`
 */
export const SPLINE_MAX_ERROR: Readonly<Record<'sigmoid' | 'tanh', number>> = Object.freeze({ sigmoid: 0.0025, tanh: 0.005 });
