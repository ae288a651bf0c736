import type { TfeTensor } from '../tensor.js';
import { oneMinus } from './msb.js';
import type { SecureNN } from './securenn.js';

/**
 * A piecewise-linear function: its values at increasing knots, constant beyond the ends.
 * @example
 * ```ts
 * const relu6: PiecewiseLinear = { knots: [0, 6], values: [0, 6], maxError: 0 };
 * ```
 */
export interface PiecewiseLinear {
  knots: readonly number[];
  values: readonly number[];
  /** Max |approximation − exact| over the reals (measured on a 0.0005 grid over [−20, 20]). */
  maxError: number;
}

const symmetric = (half: number[]) => [...half.map((v) => -v).reverse(), 0, ...half];
const sigmoidKnots = symmetric([0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6.5, 8]);
const tanhKnots = symmetric([0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4]);

/**
 * The piecewise-linear sigmoid: interpolates σ at 21 knots in [−8, 8], constant outside.
 * Max error 0.0035 everywhere (plus fixed-point rounding, a few 2^−f).
 * @example
 * ```ts
 * const y = piecewiseLinear(snn, x, PIECEWISE_SIGMOID);
 * ```
 */
export const PIECEWISE_SIGMOID: PiecewiseLinear = {
  knots: sigmoidKnots,
  values: sigmoidKnots.map((x) => 1 / (1 + Math.exp(-x))),
  maxError: 0.0035,
};

/**
 * The piecewise-linear tanh: 21 knots in [−4, 4], constant outside. Max error 0.007.
 * @example
 * ```ts
 * const y = piecewiseLinear(snn, x, PIECEWISE_TANH);
 * ```
 */
export const PIECEWISE_TANH: PiecewiseLinear = {
  knots: tanhKnots,
  values: tanhKnots.map(Math.tanh),
  maxError: 0.007,
};

/**
 * Evaluates a piecewise-linear function exactly on its pieces with comparisons (the
 * SecureNN approach to activations): f(x) = v_0 + Σ_k Δm_k·relu(x − b_k), with Δm_k the
 * slope change at knot b_k. All K DReLUs run in one batched MSB, all products in one Beaver
 * round, then one truncation: 3 + 1 + 1 rounds.
 * @example
 * ```ts
 * const y = piecewiseLinear(snn, x, PIECEWISE_SIGMOID);
 * ```
 */
export function piecewiseLinear(p: SecureNN, x: TfeTensor, f: PiecewiseLinear): TfeTensor {
  const { knots, values } = f;
  const slopes = knots.slice(1).map((b, k) => (values[k + 1] - values[k]) / (b - knots[k]));
  const delta = knots.map((_, k) => (slopes[k] ?? 0) - (slopes[k - 1] ?? 0));
  const xs = p.rescaleTo(x, p.fracBits);
  const shifted = p.toPrivate(p.sub(p.expandDims(xs, -1), p.defineConstant(knots.map((b) => b))));
  const d = oneMinus(p, p.msb(shifted));
  const ramps = p.mul(shifted, d);
  const weighted = p.mul(ramps, p.defineConstant(delta));
  const sum = p.reduceSum(weighted, -1);
  const out = p.add(sum, values[0]);
  for (const v of [shifted, d, ramps, weighted, sum]) p.dispose(v);
  return out;
}
