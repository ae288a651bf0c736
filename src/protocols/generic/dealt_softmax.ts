/**
 * Softmax of small tensors from dealt comparisons (the `dealtSplines` capability: Pond,
 * SecureNN and ABY3, on tensors of at most 256 elements, such as one private prediction's
 * logits). Every nonlinear step is a linear spline on one round of comparisons, so the whole
 * softmax takes about ⌈log2 k⌉ + 6 rounds for k classes (k = 10: 10; ABY3 13, as its
 * truncations and its max take one round more), where the polynomial route takes 28 under
 * SecureNN, 35 under ABY3 and 42 under Pond:
 *  1. shift = the exact maximum over the last axis, by a tree of one-round relus
 *     (⌈log2 k⌉ rounds). Pond gets the exact shift too, instead of the mean
 *  2. e = exp(x − shift) by {@link expSpline} (x − shift ≤ 0; 1 round and a truncation)
 *  3. Σe over the row (local), in [0.998, 1.002·k] (the spline is never negative, and 0.998 ≤
 *     e ≤ 1.002 at the maximum)
 *  4. y = 2^s/Σe by {@link reciprocalSpline} (s = ⌊log2 k⌋ − 1 for k > 4, as for
 *     scaledReciprocal, so y ≥ 1/4 keeps its precision; 1 round and a truncation)
 *  5. probs = e·y·2^-s in one truncation ({@link timesPowerOfTwo})
 * Error at f = 16: with S = Σ_j e^(x_j − max), each e_j within 0.002·e_j + 0.0003 (the spline),
 * so the computed sum within 0.002·S + 0.0003·k, and 1/Σe within 2.5·10^-4 relative; so
 * |p_i − softmax_i| ≤ (0.0045·p_i + 0.0003·(1 + k·p_i)/S) / (0.998 − 0.0003·k/S) + 2^-14,
 * the last term a few ulps of rounding (k = 10: ≤ 0.008; k = 256: ≤ 0.077 in the worst row),
 * against ≤ 0.01 for the exact route with polynomials. Integer inputs are brought to scale f
 * first.
 *
 * @example
 * ```ts
 * const dealt = prot.capabilities.dealtSplines;
 * if (dealt?.accepts(logits)) probs = dealtSoftmaxParts(prot, dealt, logits).probs;
 * ```
 */
import { expSpline, reciprocalSpline } from '../approximations/linear_spline.js';
import type { DealtSplines } from '../capabilities.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import type { SoftmaxParts } from './exp_softmax.js';
import { tidy } from '../runtime_link.js';
import { reciprocalShift } from './newton.js';
import { productTo, timesPowerOfTwo } from './product_to.js';

/** Relative error of the spline that starts {@link dealtScaledReciprocal}'s Newton step. */
const GUESS_ERROR = 0.005;

/**
 * 2^s/x for a small tensor x in [lo, hi] (a softmax's row sums on the polynomial route, such as
 * a training batch's 128), with s = ⌊log2 hi⌋ − 1 for hi > 4 (else 0), as scaledReciprocal
 * chooses it, so 1/x = y·2^-s; undefined where the protocol has no `fixedPoint` capability
 * or the ring no room for the step below:
 *  1. y0 = a spline of 2^s/x within 0.5 % ({@link reciprocalSpline}: 13 pieces on [1, 10]),
 *     from the dealt keys (2 rounds)
 *  2. one Newton step y0·(2 − x·y0·2^-s), the product x·y0 read 2^s lower (x is never scaled,
 *     so it keeps every bit), not truncated where the ring has room (below 128 classes at
 *     f = 16; 2 rounds on Pond and SecureNN), else truncated by x's fractional bits first
 *     (3 rounds)
 * Relative error (0.005)² = 2.5·10^-5 plus an ulp of y ≥ 1/4, in 4 or 5 rounds, against the
 * polynomial start's 10 under SecureNN.
 * @example
 * ```ts
 * const r = dealtScaledReciprocal(prot, dealt, rowSums, [1, 10]); // 1/Σ = r.y·2^-r.shift
 * ```
 */
export function dealtScaledReciprocal(p: Protocol, dealt: DealtSplines, x: TfeTensor, interval: readonly [number, number]): { y: TfeTensor; shift: number } | undefined {
  const fp = p.capabilities.fixedPoint;
  const [lo, hi] = interval;
  const s = reciprocalShift(hi);
  const c = 2 ** s;
  const fx = x.fracBits, fy = p.fracBits;
  // y0·(2 − x·y0·2^-s) at scale 2^-(fx − k + 2fy + s) before the last truncation (y0 ≤ 2c/lo),
  // where x·y0 is truncated by k bits: none where there is room, else fx (one round more)
  const room = (k: number) => Math.log2((2 * c) / lo) + fx - k + 2 * fy + s <= 60;
  const k = room(0) ? 0 : fx;
  if (!fp || !room(k)) return undefined;
  const y = tidy(() => {
    const y0 = dealt.spline(x, reciprocalSpline(interval, c, GUESS_ERROR), { maxValue: (2 * c) / lo });
    const xyScale = fx - k + y0.fracBits + s;
    const xy = fp.withScale(productTo(p, fp, x, y0, k, fx - k + y0.fracBits), xyScale);
    return productTo(p, fp, y0, p.sub(2, xy), xyScale, y0.fracBits);
  });
  return { y, shift: s };
}

/**
 * Softmax over the last axis and its log-sum-exp parts (see the module comment).
 * @example
 * ```ts
 * const { probs, shift, sum } = dealtSoftmaxParts(prot, prot.capabilities.dealtSplines!, logits);
 * ```
 */
export function dealtSoftmaxParts(p: Protocol, dealt: DealtSplines, x: TfeTensor): SoftmaxParts {
  const axis = x.rank - 1;
  const k = x.shape[axis];
  // Step 1.
  const shift = dealt.reduceMaxLastAxis(x);
  // Step 2.
  const d = p.sub(x, shift);
  const e = dealt.spline(d, expSpline(), { maxValue: 1.01 });
  p.dispose(d);
  // Step 3.
  const sum = p.reduceSum(e, axis, true);
  // Step 4.
  const s = reciprocalShift(k);
  const y = dealt.spline(sum, reciprocalSpline([1, Math.max(k, 1.5)], 2 ** s), { maxValue: 2 ** (s + 1) });
  // Step 5.
  const probs = timesPowerOfTwo(p, e, y, s);
  p.dispose(e);
  p.dispose(y);
  return { probs, shift, sum, sumInterval: [0.99, Math.max(k, 1.5) * 1.01] };
}
