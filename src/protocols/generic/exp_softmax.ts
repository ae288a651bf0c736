/**
 * Private exp and softmax for any protocol (DESIGN.md §6, approximations).
 *
 * exp(x) ≈ (1 + x/2^n)^(2^n): one public scaling and n squarings (n rounds). Float relative
 * error ≈ x²/2^(n+1) for |x| ≪ 2^n. Fixed point, f = 16: each of the n + 1 truncations is
 * within 1 ulp, and for x ≤ 0 the base stays in [0, 1], so a squaring at most doubles an error
 * it inherits: the worst case adds (2^n + 2^n − 1)·2^−16. Defaults: n = 8 on x ∈ [−16, 0]:
 * absolute error ≤ 0.0011 (the limit, max of e^x·x²/2^9)
 * + 0.0078 (rounding) ≤ 0.009 in the worst case; about 0.003 seen, since the roundings do not
 * all fall the same way. For x < −2^n the base goes negative: callers keep x ≥ −2^n.
 *
 * softmax(x)_i = e_i / Σ_j e_j with e = exp(x − shift):
 *  - tensors the protocol's dealt keys serve (the `dealtSplines` capability: Pond, SecureNN
 *    and ABY3, at most 256 elements) take dealt_softmax.ts: exact max, splines for exp and
 *    1/Σ, about ⌈log2 K⌉ + 6 rounds (ABY3: + 3), error ≤ 0.008 for K = 10; on the routes
 *    below, 1/Σ of up to 256 rows (a training batch) starts from a dealt spline and takes one
 *    Newton step (dealtScaledReciprocal: 4 rounds instead of 10 under SecureNN, 5 instead of
 *    11 under ABY3)
 *  - otherwise shift = exact max over the last axis where the protocol has exact comparison
 *    (SecureNN, ABY3) or dealt comparisons (Pond: a tree of its exact relus, one round per
 *    level from the keys where a level has at most 256 elements, else 8; [128, 10]: 11
 *    rounds): then x − max ∈ [−R, 0], e ∈ (0, 1] by {@link expNonPositive} (9 rounds),
 *    Σ e ∈ [1, K], and 1/Σ comes from a Newton reciprocal on [1, K] (error ≤ 1e-4 float).
 *  - shift = mean over the last axis otherwise (a protocol with neither; Pond before the
 *    exact max): documented for logits whose spread max − min ≤ 8 (beyond it the reciprocal
 *    leaves its interval and the result is meaningless); then x − mean ∈ [−8, 8],
 *    Σ e ∈ [K, K·e^8], reciprocal by the constant-start Newton plan on that interval.
 *    Absolute error of the probabilities ≤ 0.02 on that domain.
 */
import type { FixedPointScale } from '../capabilities.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import { scaledReciprocal } from './newton.js';
import { dealtScaledReciprocal, dealtSoftmaxParts } from './dealt_softmax.js';
import { productTo, timesPowerOfTwo } from './product_to.js';
import { nextStage } from './stage.js';

/** Options of {@link exp}. */
export interface ExpOptions {
  /** Number of squarings n (default 8): exp(x) ≈ (1 + x/2^n)^(2^n). */
  squarings?: number;
}

/**
 * exp(x) by the limit (1 + x/2^n)^(2^n); see the module comment for the error.
 * @example
 * ```ts
 * const e = exp(prot, x, { squarings: 8 });
 * ```
 */
export function exp(p: Protocol, x: TfeTensor, opts: ExpOptions = {}): TfeTensor {
  const n = opts.squarings ?? 8;
  let y = p.add(p.mul(x, 2 ** -n), 1);
  for (let k = 0; k < n; k++) y = p.square(y);
  return y;
}

/** Scale of the intermediate powers in {@link expNonPositive}: four factors of 2^15 stay below 2^62. */
const POWER_SCALE = 15;

/** y² (y's ring values at scale 2^-y.fracBits) truncated to scale 2^-outScale in the product itself. */
function squareTo(p: Protocol, fp: FixedPointScale, y: TfeTensor, outScale: number): TfeTensor {
  return productTo(p, fp, y, y, 2 * y.fracBits - outScale, outScale);
}

/**
 * exp(x) for x ∈ [−2^8, 0] (softmax after max subtraction): the same limit (1 + x/2^8)^(2^8)
 * as {@link exp} with n = 8, in 13 rounds instead of 18 under ABY3 (the counts below; Pond and
 * SecureNN square a fresh truncation's result without opening it, pond/truncated_product.ts,
 * so there each u⁴ takes 2 rounds: 9, as many as exp with its nine truncations), with
 * the protocol's {@link FixedPointScale}:
 *  1. b = 1 + x/2^8, exact at scale 2^-(f+8): x's own ring values read 8 bits lower (local)
 *  2. u = b², truncated to scale 2^-15 (1 product and its truncation)
 *  3. three times u ← u⁴: u² with no truncation (scale 2^-30), then its square truncated from
 *     2^-60 to 2^-15 (3 rounds each)
 *  4. u², truncated to 2^-f (2 rounds)
 * Every value before a truncation is below 2^60 in the ring (b ∈ [0, 1]). Five truncations
 * instead of nine: with f = 16 the rounding adds at most (2^7 + 2^5 + 2^3 + 2 + 1/2)·2^-15
 * ≤ 0.00521 to the limit's 0.0011 (≤ 0.0063 in all), inside {@link exp}'s documented 0.009. Protocols without the
 * capability, or f outside [8, 22], get {@link exp}.
 * @example
 * ```ts
 * const e = expNonPositive(prot, prot.sub(x, max)); // x − max ≤ 0
 * ```
 */
export function expNonPositive(p: Protocol, x: TfeTensor): TfeTensor {
  const fp = p.capabilities.fixedPoint;
  const f = x.fracBits;
  if (!fp || f < 8 || f > 22) return exp(p, x, { squarings: 8 });
  const b = p.add(fp.withScale(x, f + 8), 1);
  let u = nextStage(p, b, () => squareTo(p, fp, b, POWER_SCALE));
  for (let k = 0; k < 3; k++) {
    const v = u;
    u = nextStage(p, v, () => squareTo(p, fp, squareTo(p, fp, v, 2 * POWER_SCALE), POWER_SCALE));
  }
  const last = u;
  return nextStage(p, last, () => squareTo(p, fp, last, f));
}

/** Options of {@link softmax}. */
export interface SoftmaxOptions {
  /** Spread max − min of the logits the mean-shift path (no exact max) is documented for. Default 8. */
  spread?: number;
}

/** Softmax and the pieces of its log-sum-exp: logsumexp(x) = shift + log(sum), sum ∈ interval. */
export interface SoftmaxParts { probs: TfeTensor; shift: TfeTensor; sum: TfeTensor; sumInterval: [number, number] }

/**
 * Softmax over the last axis with its intermediate values (for the cross-entropy value).
 * @example
 * ```ts
 * const { probs, shift, sum } = softmaxParts(prot, logits);
 * ```
 */
export function softmaxParts(p: Protocol, x: TfeTensor, opts: SoftmaxOptions = {}): SoftmaxParts {
  const dealt = p.capabilities.dealtSplines;
  if (dealt?.accepts(x) && x.rank > 0) return dealtSoftmaxParts(p, dealt, x); // accepts: x.size > 0
  const axis = x.rank - 1;
  const k = x.shape[axis];
  const ex = p.capabilities.exactComparison;
  let shift: TfeTensor;
  let interval: [number, number];
  let e: TfeTensor;
  if (ex || dealt) {
    shift = ex ? ex.reduceMax(x, axis, true) : dealt!.reduceMaxLastAxis(x);
    interval = [1, Math.max(k, 1.5)];
    e = expNonPositive(p, p.sub(x, shift));
  } else {
    const spread = opts.spread ?? 8;
    shift = p.mean(x, axis, true);
    interval = [k, k * Math.exp(spread)];
    e = exp(p, p.sub(x, shift), { squarings: 10 });
  }
  const sum = p.reduceSum(e, axis, true);
  // 1/sum = r·2^−k with r ≥ 1/2 (precise at f = 16); p = (e·r)·2^−k, the power of two last (k = `scale`)
  // from a spline on the dealt keys where the sums are few enough (a training batch's rows)
  const { y: r, shift: scale } = (dealt?.accepts(sum) ? dealtScaledReciprocal(p, dealt, sum, interval) : undefined)
    ?? scaledReciprocal(p, sum, { interval, targetRelativeError: 1e-4 });
  return { probs: timesPowerOfTwo(p, e, r, scale), shift, sum, sumInterval: interval };
}

/**
 * Softmax over the last axis, with max subtraction where the protocol has an exact max.
 * @example
 * ```ts
 * const probs = softmax(prot, logits); // shape [batch, classes]
 * ```
 */
export function softmax(p: Protocol, x: TfeTensor, opts: SoftmaxOptions = {}): TfeTensor {
  return softmaxParts(p, x, opts).probs;
}
