/**
 * Private natural logarithm and softplus for loss values (they are only ever revealed as a
 * loss, never used in gradients).
 *
 * log(x) on [lo, hi]: a degree-8 near-minimax polynomial initial guess (the approximations
 * module's `chebyshevFit`), then, when hi/lo > 20, three Newton steps y ← y − 1 + x·exp(−y)
 * with exp by 2^10 squarings. Errors (float, asserted in tests): [1, 10]: ≤ 0.001;
 * [10, 10·e^8] (softmax sums under Pond): ≤ 0.05, limited by exp's accuracy at −10.
 *
 * softplus(z) = log(1 + e^z) on [−8, 8]: degree-12 near-minimax fit, error ≤ 0.002; outside
 * the interval the polynomial diverges, so z is clamped to [−8, 8] where the protocol has
 * exact relu (then the error beyond is below 0.0004 + the clamp's |z| − 8 for softplus's
 * linear part: the value used is softplus(clamp(z)) + relu(z − 8)).
 */
import { chebyshevFit, type PolynomialFit } from '../approximations/index.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import { exp } from './exp_softmax.js';
import { polynomialOnInterval } from './fit_eval.js';

const fits = new Map<string, PolynomialFit>();

function fitFor(key: string, fn: (x: number) => number, interval: [number, number], degree: number): PolynomialFit {
  let f = fits.get(key);
  if (!f) {
    f = chebyshevFit(fn, { interval, degree, method: 'minimax', iterations: 400 });
    fits.set(key, f);
  }
  return f;
}

function evalFit(p: Protocol, x: TfeTensor, f: PolynomialFit): TfeTensor {
  return polynomialOnInterval(p, x, f);
}

/**
 * log(x) for private x in `interval` (see the module comment for the error).
 * @example
 * ```ts
 * const l = log(prot, sums, [1, 10]);
 * ```
 */
export function log(p: Protocol, x: TfeTensor, interval: [number, number]): TfeTensor {
  let y = evalFit(p, x, fitFor(`log:${interval.join(',')}`, Math.log, interval, 8));
  if (interval[1] / interval[0] > 20) {
    // x·e^−y = (x·2^−k)·e^(k·ln2 − y): both factors near 1, so fixed point keeps their precision
    const k = Math.floor(Math.log2(Math.sqrt(interval[0] * interval[1])));
    const xs = p.mul(x, 2 ** -k);
    for (let i = 0; i < 3; i++) y = p.add(p.sub(y, 1), p.mul(xs, exp(p, p.sub(k * Math.LN2, y), { squarings: 10 })));
  }
  return y;
}

const softplus = (z: number): number => Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0);

/**
 * softplus(z) = log(1 + e^z) (see the module comment for interval and error).
 * @example
 * ```ts
 * const sp = softplusApprox(prot, logits);
 * ```
 */
export function softplusApprox(p: Protocol, z: TfeTensor): TfeTensor {
  const f = fitFor('softplus', softplus, [-8, 8], 12);
  const ex = p.capabilities.exactComparison;
  if (!ex) return evalFit(p, z, f);
  const above = ex.relu(p.sub(z, 8));
  const clamped = p.sub(p.sub(z, above), ex.relu(p.sub(-8, z)).neg());
  return p.add(evalFit(p, clamped, f), above);
}
