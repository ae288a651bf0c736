/**
 * 1/√x on a wide interval with exact comparisons (any protocol with the `exactComparison`
 * capability): a coarse exponent from a few batched comparisons replaces the long growth phase
 * of a constant-start Newton iteration (Adam's [2^-14, 2^12]: 25 steps, 75 sequential
 * products, against 6 comparisons in one batch and 11 products here).
 *  1. pieces [4^(e−1), 4^(e+1)) for e = e0, e0 + 2, … cover [lo, hi]
 *  2. the scale S = 4^−e and its square root T = 2^−e are public per piece: the protocol's
 *     `piecewiseConstant` gives both from one batch of comparisons at the inner boundaries
 *     (sums of the comparison bits times public differences: no truncation), bounded by the
 *     last piece's top (ABY3 then compares on 32-bit lanes when that fits)
 *  3. x' = x·S lies in [1/4, 4): the polynomial-start Newton plan of that interval (error
 *     ≤ the target; y' = 1/√x' ∈ (1/2, 2], so fixed-point rounding stays within a few ulps
 *     of y' relative)
 *  4. 1/√x = y'·T
 * Below lo or above hi the pieces at the ends extend, and their plan degrades as for
 * {@link invSqrt}.
 *
 * @example
 * ```ts
 * const r = invSqrtByRange(prot, ex, v, [2 ** -14, 2 ** 12], 1e-4);
 * ```
 */
import type { ExactComparison } from '../capabilities.js';
import type { Protocol } from '../protocol.js';
import { tidy } from '../runtime_link.js';
import type { TfeTensor } from '../tensor.js';

/** The exponents e of the pieces [4^(e−1), 4^(e+1)) that cover [lo, hi]. */
export function rangePieces(lo: number, hi: number): number[] {
  const es = [Math.floor(Math.log(lo) / Math.log(4)) + 1];
  while (4 ** (es[es.length - 1] + 1) <= hi) es.push(es[es.length - 1] + 2);
  return es;
}

/**
 * 1/√x for x in [lo, hi] (see the module comment); `newton` computes 1/√x' on [1/4, 4].
 * @example
 * ```ts
 * const r = invSqrtByRange(prot, ex, v, [1e-4, 1e3], 1e-4, (t) => invSqrt(prot, t, plan));
 * ```
 */
export function invSqrtByRange(p: Protocol, ex: ExactComparison, x: TfeTensor, interval: readonly [number, number], newton: (xn: TfeTensor) => TfeTensor): TfeTensor {
  const es = rangePieces(interval[0], interval[1]);
  if (es.length === 1) return tidy(() => p.mul(newton(p.mul(x, 4 ** -es[0])), 2 ** -es[0]));
  return tidy(() => {
    const thresholds = es.slice(0, -1).map((e) => 4 ** (e + 1));
    // above the last piece's top 4^(e+1) the plan is left anyway: that is the comparisons' bound
    const [scale, root] = ex.piecewiseConstant(x, thresholds, [es.map((e) => 4 ** -e), es.map((e) => 2 ** -e)], 4 ** (es[es.length - 1] + 1));
    return p.mul(newton(p.mul(x, scale)), root);
  });
}
