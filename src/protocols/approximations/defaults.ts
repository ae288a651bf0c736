/**
 * The default activation approximations, with their published error figures. Each entry is a
 * near-minimax fit (Lawson, 2000 iterations) whose coefficients are written out below so the
 * documented numbers refer to fixed values; `fitSpec` regenerates them (a test checks that).
 *
 * | name    | interval | degree | float error | fixed-point error, f = 16 | TF Encrypted (float) |
 * |---------|----------|--------|-------------|---------------------------|----------------------|
 * | sigmoid | [−6, 6]  | 9 odd  | 0.0028      | 0.0055                    | 0.0234 on [−8, 8]    |
 * | tanh    | [−3, 3]  | 9 odd  | 0.0055      | 0.011                     | 0.052 on [−2, 2]     |
 * | relu    | [−8, 8]  | 7 odd gate, x·h(t) | 0.23 | 0.25                 | 0.44 (at x = 0)      |
 *
 * The fixed-point column is the exhaustive worst case of `fixedPointError` (every rounding at its
 * worst), so it is a bound, not a typical error, for the evaluation that scales x to t = x/half
 * before the powers (what runs where the ring has no room, e.g. f = 24). At f = 16 Pond,
 * SecureNN and ABY3 take the powers of x itself with finer coefficients (`evaluationPlan`: one
 * truncation fewer, no rounding of t), where the bound is 0.0028 (sigmoid), 0.0057 (tanh) and
 * 0.225 (relu); the column bounds both.
 */
import type { ChebyshevFitOptions, Construction, PolynomialFit } from './chebyshev_fit.js';
import { ValueError } from '../../errors.js';

/**
 * Names of the default approximations.
 * @example `const name: ApproximationName = 'sigmoid';`
 */
export type ApproximationName = 'sigmoid' | 'tanh' | 'relu';

/**
 * A default approximation: the fit, what it approximates, and its documented errors.
 * @example `const { interval, degree, documentedMaxError } = DEFAULT_APPROXIMATIONS.tanh;`
 */
export interface DefaultApproximation extends PolynomialFit {
  name: ApproximationName;
  construction: Construction;
  /** The exact function the secure result approximates. */
  reference: (x: number) => number;
  /** Max |secure result − reference| on the interval at f = 16 (polynomial + fixed point). */
  documentedMaxError: number;
  /** Max |float64 evaluation − reference| on the interval (polynomial alone). */
  documentedMaxErrorFloat: number;
  /** Multiplication rounds of the power tree (plus 1 for the final truncation, 1 for x·p, and 1 for t where x is scaled first). */
  powerRounds: number;
  /** What happens outside the interval, and what the secure side must do there. */
  outside: string;
  /** How `coefficients` were obtained: `chebyshevFit(fitSpec.fn, fitSpec.options)`. */
  fitSpec: { fn: (x: number) => number; options: ChebyshevFitOptions };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const relu = (x: number): number => (x > 0 ? x : 0);
const step = (x: number): number => (x > 0 ? 1 : x < 0 ? 0 : 0.5);

/**
 * Defaults keyed by name. Treat the entries as read-only; {@link defaultApproximation} returns
 * a copy that may be changed.
 * @example
 * ```ts
 * const { interval, coefficients, documentedMaxError } = DEFAULT_APPROXIMATIONS.sigmoid;
 * // interval [-6, 6]; p(t) = Σ coefficients[k]·t^k with t = x/6; error ≤ 0.0055 at f = 16
 * ```
 */
export const DEFAULT_APPROXIMATIONS: Readonly<Record<ApproximationName, DefaultApproximation>> = Object.freeze({
  sigmoid: {
    name: 'sigmoid',
    interval: [-6, 6],
    degree: 9,
    parity: 'odd',
    method: 'minimax',
    construction: 'poly',
    coefficients: new Float64Array([
      0.5, 1.4637820763791818, 0, -3.4221792655499068, 0, 5.9652732822283037, 0,
      -5.4095021226971731, 0, 1.9028739811450495,
    ]),
    reference: sigmoid,
    documentedMaxError: 0.0055,
    documentedMaxErrorFloat: 0.0028,
    powerRounds: 4,
    outside: 'x is clamped to [−6, 6]; p(±1) = 0.5 ± 0.50025, so for |x| > 6 the result is within ' +
      '0.0028 (float) of the exact sigmoid and of its limit 0 or 1.',
    fitSpec: { fn: sigmoid, options: { interval: [-6, 6], degree: 9, parity: 'odd', method: 'minimax', iterations: 2000 } },
  },
  tanh: {
    name: 'tanh',
    interval: [-3, 3],
    degree: 9,
    parity: 'odd',
    method: 'minimax',
    construction: 'poly',
    coefficients: new Float64Array([
      0, 2.9275641527583596, 0, -6.8443585310997452, 0, 11.930546564456419, 0,
      -10.819004245394115, 0, 3.8057479622899915,
    ]),
    reference: Math.tanh,
    documentedMaxError: 0.011,
    documentedMaxErrorFloat: 0.0055,
    powerRounds: 4,
    outside: 'x is clamped to [−3, 3]; p(±1) = ±1.0005, so for |x| > 3 the result is within ' +
      '0.0055 (float) of the exact tanh and of its limit ±1.',
    fitSpec: { fn: Math.tanh, options: { interval: [-3, 3], degree: 9, parity: 'odd', method: 'minimax', iterations: 2000 } },
  },
  relu: {
    name: 'relu',
    interval: [-8, 8],
    degree: 7,
    parity: 'odd',
    method: 'minimax',
    construction: 'x-times-poly',
    coefficients: new Float64Array([
      0.5, 2.3251636320928477, 0, -7.1392062991844369, 0, 9.8897054471019068, 0, -4.6036453594528917,
    ]),
    reference: relu,
    documentedMaxError: 0.25,
    documentedMaxErrorFloat: 0.23,
    powerRounds: 3,
    outside: 'relu(x) = x·h(t) with h ≈ step and t = clamp(x, −8, 8)/8: clamp t, never x, and multiply ' +
      'by the unclamped x. Then relu(0) = 0 exactly and for |x| > 8 the error is |x|·|h(±1) − step| ≤ ' +
      '0.028·|x| (2.8% relative). Clamping x itself would give (x + 8)/2-like garbage. Equivalent inside ' +
      'the interval: (x + |x|)/2 with |x| ≈ 8·t·(2h(t) − 1), an even degree-8 polynomial vanishing at 0. ' +
      'The float error is 0.028·max(|x|, 8): a smaller interval is better when activations are small.',
    fitSpec: {
      fn: step,
      options: { interval: [-8, 8], degree: 7, parity: 'odd', method: 'minimax', weight: Math.abs, iterations: 2000 },
    },
  },
});

/**
 * A mutable copy of a default approximation.
 * @example
 * ```ts
 * const relu = defaultApproximation('relu');
 * evaluateFit(relu, 0); // 0
 * ```
 */
export function defaultApproximation(name: ApproximationName): DefaultApproximation {
  const entry = (DEFAULT_APPROXIMATIONS as Record<string, DefaultApproximation | undefined>)[name];
  if (entry === undefined) {
    throw new ValueError(`\`name\` must be one of ${Object.keys(DEFAULT_APPROXIMATIONS).join(', ')}, got ${String(name)}`);
  }
  return { ...entry, interval: [entry.interval[0], entry.interval[1]], coefficients: Float64Array.from(entry.coefficients) };
}
