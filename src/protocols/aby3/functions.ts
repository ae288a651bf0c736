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
import { DEFAULT_APPROXIMATIONS, checkCoefficientBits } from '../approximations/index.js';
import { PIECEWISE_SIGMOID, PIECEWISE_TANH, type PiecewiseLinear } from '../securenn/piecewise.js';
import type { TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { powers } from '../generic/powers.js';
import { polynomialOnInterval, publicTerm } from '../generic/fit_eval.js';
import { isNegative, not } from './comparisons.js';
import { ABY3PublicTensor } from './aby3_tensors.js';
import { SPLINES } from '../approximations/activation_splines.js';

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
 * c0 + c1·x + … + cd·x^d: powers by squaring, then Σ c_k·x^k with the coefficients as integers
 * round(c_k·2^g) (g = `coefficientBits`, default f: products with integers need no
 * truncation), carried at scale f + g and truncated once. A public x is evaluated by each
 * server on its own copy.
 * @example
 * ```ts
 * const y = polynomial(p, x, [0.5, 0.25]);
 * ```
 */
export function polynomial(p: ABY3, x: TfeTensor, coefficients: ArrayLike<number>, coefficientBits = p.fracBits): TfeTensor {
  const cs = Array.from(coefficients);
  if (cs.length === 0 || cs.some((c) => !Number.isFinite(c))) throw new ValueError('`coefficients` must be a non-empty list of finite numbers');
  const f = p.fracBits;
  const g = checkCoefficientBits(coefficientBits, f);
  const xs = p.rescaleTo(x, f);
  const wanted = cs.map((c, k) => (k >= 1 && c !== 0 ? k : 0)).filter((k) => k > 0);
  const pw = powers(p, xs, wanted);
  if (xs instanceof ABY3PublicTensor || wanted.length === 0) {
    let acc: TfeTensor = p.defineConstant(new Float64Array(xs.size).fill(cs[0]), { shape: [...xs.shape] });
    for (const k of wanted) acc = p.add(acc, publicTerm(p, pw.get(k)!, cs[k], g));
    return acc;
  }
  // c0 at scale f + g, labelled f; each term an exact integer product at the same scale
  let acc: TfeTensor = p.defineConstant(new Float64Array(xs.size).fill(cs[0] * 2 ** g), { shape: [...xs.shape] });
  for (const k of wanted) acc = p.add(acc, p.mul(pw.get(k)!, p.defineConstant(Math.round(cs[k] * 2 ** g), { integer: true })));
  return p.truncate(acc, g, f);
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
 * A piecewise polynomial: the shared minimax fit p(t) of `name` (approximations/defaults.ts),
 * t = x/half, on x clamped exactly to [lo, hi], so the value is p(±1) beyond the interval.
 *  1. [x < lo] and [x > hi] in one batched comparison (8 rounds), the clamp by two integer
 *     products (1 round)
 *  2. the polynomial on the clamped x itself ({@link polynomialOnInterval}: coefficients
 *     c_k/half^k at finer scale, so nothing is rounded before the powers; where the ring has
 *     no room, t = x/half first): the powers by squaring (2 rounds per level), one truncation
 *     of the weighted sum (2 rounds)
 * sigmoid: interval [−6, 6], degree 9, error ≤ 0.0028; tanh: [−3, 3], error ≤ 0.0057 (the
 * fixed-point bounds of that schedule, `fixedPointError`). About a fifth of the 21-piece
 * form's traffic (two comparisons instead of 21).
 * @example
 * ```ts
 * const y = clampedPolynomial(p, x, 'sigmoid');
 * ```
 */
export function clampedPolynomial(p: ABY3, x: TfeTensor, name: 'sigmoid' | 'tanh'): TfeTensor {
  const a = DEFAULT_APPROXIMATIONS[name];
  const [lo, hi] = a.interval;
  const xs = p.rescaleTo(x, p.fracBits);
  const both = isNegative(p, p.stack([p.sub(xs, lo), p.sub(hi, xs)], 0));
  const [below, above] = p.split(both, 2, 0).map((b) => p.squeeze(b, [0]));
  const clamped = p.add(xs, p.add(p.mul(below, p.sub(lo, xs)), p.mul(above, p.sub(hi, xs))));
  return polynomialOnInterval(p, clamped, a);
}

/** How sigmoid is computed: 21 linear pieces, ABY3's three, or the clamped polynomial. */
export type SigmoidMode = 'accurate' | 'piecewise' | 'polynomial';

/**
 * sigmoid: 'accurate' (21 linear pieces on [−8, 8], error ≤ 0.0035), 'piecewise' (ABY3's
 * three pieces, error ≤ 0.378) or 'polynomial' ({@link clampedPolynomial}, error ≤ 0.0028,
 * the cheapest of the accurate ones). With 'accurate' or 'polynomial', a tensor the dealt
 * keys serve (at most 256 elements, the `fss` option) takes Pond's 14-piece spline on them
 * instead ({@link dealtActivation}: error ≤ 0.0025, 3 rounds).
 * @example
 * ```ts
 * const y = sigmoid(p, x, 'accurate');
 * ```
 */
export function sigmoid(p: ABY3, x: TfeTensor, mode: SigmoidMode): TfeTensor {
  const dealt = mode === 'piecewise' ? undefined : dealtActivation(p, x, 'sigmoid');
  if (dealt) return dealt;
  if (mode === 'polynomial') return clampedPolynomial(p, x, 'sigmoid');
  return piecewiseLinear(p, x, mode === 'piecewise' ? ABY3_SIGMOID : PIECEWISE_SIGMOID);
}

/**
 * tanh: 21 linear pieces on [−4, 4], constant outside; error ≤ 0.007 (TF Encrypted's ABY3 has
 * no tanh). A tensor the dealt keys serve takes Pond's 14-piece spline on them instead
 * ({@link dealtActivation}: error ≤ 0.005, 3 rounds).
 * @example
 * ```ts
 * const y = tanh(p, x);
 * ```
 */
export function tanh(p: ABY3, x: TfeTensor): TfeTensor {
  return dealtActivation(p, x, 'tanh') ?? piecewiseLinear(p, x, PIECEWISE_TANH);
}

/**
 * σ or tanh of a tensor server2's DCF keys serve (dealt_splines.ts accepts it: private, at
 * most 256 elements, `fss` on), as the linear spline Pond uses for small tensors
 * ({@link SPLINES}, errors 0.0025 and 0.005: approximations/activation_splines.ts): one round of keys and
 * a truncation (3 rounds; the 21 exact pieces take 9); undefined for any other tensor.
 * @example
 * ```ts
 * const y = dealtActivation(aby3, logits, 'sigmoid') ?? piecewiseLinear(aby3, logits, PIECEWISE_SIGMOID);
 * ```
 */
export function dealtActivation(p: ABY3, x: TfeTensor, name: 'sigmoid' | 'tanh'): TfeTensor | undefined {
  return p.dealt.accepts(x) ? p.dealt.spline(x, SPLINES[name], { maxValue: 1 }) : undefined;
}
