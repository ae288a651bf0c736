/**
 * ABY3's nonlinear functions: powers, polynomials, and the piecewise-linear activations built
 * on exact comparisons (sigmoid, tanh). exp, softmax, reciprocal, inverse square root and log
 * come from src/protocols/generic, which works on any protocol and uses ABY3's exact max.
 *
 * @example
 * ```ts
 * const y = sigmoid(p, x, 'accurate');
 * ```
 */
import { ValueError } from '../../errors.js';
import { DEFAULT_APPROXIMATIONS } from '../approximations/index.js';
import { PIECEWISE_SIGMOID, PIECEWISE_TANH, type PiecewiseLinear } from '../securenn/piecewise.js';
import type { TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { powers } from '../generic/powers.js';
import { isNegative, not } from './comparisons.js';

/**
 * ABY3's (and SecureML's) sigmoid: 0 below −½, x + ½ on [−½, ½], 1 above. Max error 0.378
 * (at x = ±½); cheap (two comparisons in one batch) but coarse.
 * @example
 * ```ts
 * new ABY3({ sigmoid: 'piecewise' });
 * ```
 */
export const ABY3_SIGMOID: PiecewiseLinear = { knots: [-0.5, 0.5], values: [0, 1], maxError: 0.378 };

/**
 * c0 + c1·x + … + cd·x^d: powers by squaring, then public scalings (in parallel).
 * @example
 * ```ts
 * const y = polynomial(p, x, [0.5, 0.25]);
 * ```
 */
export function polynomial(p: ABY3, x: TfeTensor, coefficients: ArrayLike<number>): TfeTensor {
  const cs = Array.from(coefficients);
  if (cs.length === 0 || cs.some((c) => !Number.isFinite(c))) throw new ValueError('`coefficients` must be a non-empty list of finite numbers');
  const xs = p.rescaleTo(x, p.fracBits);
  const wanted = cs.map((c, k) => (k >= 1 && c !== 0 ? k : 0)).filter((k) => k > 0);
  const pw = powers(p, xs, wanted);
  let acc: TfeTensor = p.defineConstant(new Float64Array(xs.size).fill(cs[0]), { shape: [...xs.shape] });
  for (const k of wanted) acc = p.add(acc, p.mul(pw.get(k)!, cs[k]));
  return acc;
}

/**
 * Evaluates a piecewise-linear function exactly on its pieces: f(x) = v_0 + Σ_k Δm_k·relu(x − b_k)
 * with Δm_k the slope change at knot b_k. All K comparisons in one batch (10 rounds), the
 * ramps in one integer product (1 round), the weights in one truncation (2 rounds): 13 rounds.
 * @example
 * ```ts
 * const y = piecewiseLinear(p, x, PIECEWISE_SIGMOID);
 * ```
 */
export function piecewiseLinear(p: ABY3, x: TfeTensor, f: PiecewiseLinear): TfeTensor {
  const { knots, values } = f;
  const slopes = knots.slice(1).map((b, k) => (values[k + 1] - values[k]) / (b - knots[k]));
  const delta = knots.map((_, k) => (slopes[k] ?? 0) - (slopes[k - 1] ?? 0));
  const xs = p.rescaleTo(x, p.fracBits);
  const shifted = p.sub(p.expandDims(xs, -1), p.defineConstant(knots.map((b) => b)));
  const d = not(p, isNegative(p, shifted));
  const ramps = p.mul(shifted, d);
  const sum = p.reduceSum(p.mul(ramps, p.defineConstant(delta)), -1);
  return p.add(sum, values[0]);
}

/**
 * A piecewise polynomial: the shared minimax fit p(t) of `name` (approximations/defaults.ts)
 * on t = x/half clamped exactly to [−1, 1], so the value is p(±1) beyond the interval.
 *  1. [t < −1] and [t > 1] in one batched comparison (10 rounds), the clamp by two integer
 *     products (1 round)
 *  2. the powers of t by squaring (2 rounds per level), Σ c_k·t^k at scale 2f with integer
 *     coefficients round(c_k·2^f), one truncation (2 rounds)
 * sigmoid: interval [−6, 6], degree 9, error ≤ 0.0055; tanh: [−3, 3], error ≤ 0.011. About a
 * fifth of the 21-piece form's traffic (two comparisons instead of 21).
 * @example
 * ```ts
 * const y = clampedPolynomial(p, x, 'sigmoid');
 * ```
 */
export function clampedPolynomial(p: ABY3, x: TfeTensor, name: 'sigmoid' | 'tanh'): TfeTensor {
  const a = DEFAULT_APPROXIMATIONS[name];
  const [lo, hi] = a.interval;
  const f = p.fracBits;
  const t = p.mul(p.rescaleTo(x, f), 2 / (hi - lo));
  const both = isNegative(p, p.stack([p.add(t, 1), p.sub(1, t)], 0));
  const [below, above] = p.split(both, 2, 0).map((b) => p.squeeze(b, [0]));
  const tc = p.add(t, p.add(p.mul(below, p.sub(-1, t)), p.mul(above, p.sub(1, t))));
  const cs = Array.from(a.coefficients);
  const wanted = cs.map((c, k) => (k >= 1 && c !== 0 ? k : 0)).filter((k) => k > 0);
  const pw = powers(p, tc, wanted);
  let acc: TfeTensor = p.defineConstant(new Float64Array(tc.size).fill(cs[0] * 2 ** f), { shape: [...tc.shape] });
  for (const k of wanted) acc = p.add(acc, p.mul(pw.get(k)!, p.defineConstant(Math.round(cs[k] * 2 ** f), { integer: true })));
  return p.truncate(acc, f, f);
}

/** How sigmoid is computed: 21 linear pieces, ABY3's three, or the clamped polynomial. */
export type SigmoidMode = 'accurate' | 'piecewise' | 'polynomial';

/**
 * sigmoid: 'accurate' (21 linear pieces on [−8, 8], error ≤ 0.0035), 'piecewise' (ABY3's
 * three pieces, error ≤ 0.378) or 'polynomial' ({@link clampedPolynomial}, error ≤ 0.0055,
 * the cheapest of the accurate ones).
 * @example
 * ```ts
 * const y = sigmoid(p, x, 'accurate');
 * ```
 */
export function sigmoid(p: ABY3, x: TfeTensor, mode: SigmoidMode): TfeTensor {
  if (mode === 'polynomial') return clampedPolynomial(p, x, 'sigmoid');
  return piecewiseLinear(p, x, mode === 'piecewise' ? ABY3_SIGMOID : PIECEWISE_SIGMOID);
}

/**
 * tanh: 21 linear pieces on [−4, 4], constant outside; error ≤ 0.007 (TF Encrypted's ABY3 has
 * no tanh).
 * @example
 * ```ts
 * const y = tanh(p, x);
 * ```
 */
export function tanh(p: ABY3, x: TfeTensor): TfeTensor {
  return piecewiseLinear(p, x, PIECEWISE_TANH);
}
