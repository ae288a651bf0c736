/**
 * A polynomial fit p((x − mid)/half) on its interval [lo, hi], on any protocol, in the schedule
 * of `evaluationPlan` (approximations/fixed_point_error.ts): where the ring has room, the
 * powers of u = x − mid directly with coefficients c_k / half^k at finer scale (nothing is
 * rounded before the powers, and the scaling's product and truncation round go); otherwise
 * t = (x − mid)/half first. Newton's initial guesses and log use it.
 *
 * @example
 * ```ts
 * const guess = polynomialOnInterval(prot, x, { interval: [1, 10], coefficients: [0.9, -0.4, 0.1] });
 * ```
 */
import { evaluationPlan, type Parity } from '../approximations/index.js';
import type { Protocol } from '../protocol.js';
import { tidy } from '../runtime_link.js';
import type { TfeTensor } from '../tensor.js';
import { scaleBy } from './scale.js';

/** What {@link polynomialOnInterval} needs of a fit: its interval and coefficients in t. */
export interface IntervalPolynomial {
  interval: readonly [number, number];
  /** c_0 … c_d of p(t), t = (x − mid)/half ∈ [−1, 1] on the interval. */
  coefficients: ArrayLike<number>;
  parity?: Parity;
}

/**
 * p((x − mid)/half) for private or public x (see the module comment).
 * @example
 * ```ts
 * const y = polynomialOnInterval(prot, x, fit); // fit from chebyshevFit(fn, { interval, degree })
 * ```
 */
export function polynomialOnInterval(p: Protocol, x: TfeTensor, fit: IntervalPolynomial): TfeTensor {
  const [lo, hi] = fit.interval;
  const mid = (lo + hi) / 2, half = (hi - lo) / 2;
  const plan = planOf(p, fit);
  return tidy(() => {
    if (!plan.direct) return p.polynomial(scaleBy(p, p.sub(x, mid), 1 / half), fit.coefficients);
    const cs = Array.from(fit.coefficients, (c, k) => c / half ** k);
    return p.polynomial(mid === 0 ? x : p.sub(x, mid), cs, plan.coefficientBits);
  });
}

/**
 * True when {@link polynomialOnInterval} takes the powers of x − mid directly (the ring has room
 * at the protocol's f), so no truncation comes before them.
 * @example
 * ```ts
 * if (runsDirectly(prot, fit)) guess = polynomialOnInterval(prot, x, fit); // beside other work on x
 * ```
 */
export function runsDirectly(p: Protocol, fit: IntervalPolynomial): boolean {
  return planOf(p, fit).direct;
}

function planOf(p: Protocol, fit: IntervalPolynomial) {
  const [lo, hi] = fit.interval;
  return evaluationPlan({ interval: [lo, hi], degree: Math.max(1, fit.coefficients.length - 1), parity: fit.parity ?? 'none', coefficients: fit.coefficients }, p.fracBits);
}

/**
 * c·v with the constant c kept to g fractional bits, for a public v that each server holds: c·2^(g−f)
 * (encoded at f bits) times v, then an exact division by 2^(g−f). Pond's and ABY3's `polynomial`
 * use it for public inputs.
 * @example
 * ```ts
 * const term = publicTerm(prot, xPow9, 1.9e-7, 39); // 1.9e-7 would round to 0 at f = 16
 * ```
 */
export function publicTerm(p: Protocol, v: TfeTensor, c: number, g: number): TfeTensor {
  const lift = 2 ** (g - p.fracBits);
  return lift === 1 ? p.mul(v, c) : p.div(p.mul(v, c * lift), lift);
}
