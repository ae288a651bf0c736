/**
 * ABY3 multiplication (Mohassel and Rindal, CCS 2018, §5.1 "Multiplication"): mul, matmul and
 * conv2d of replicated shares with local cross terms, a zero-sharing and one resharing.
 *
 * @example
 * ```ts
 * const z = product(p, 'MatMul', { transposeA: false, transposeB: false }, x, w);
 * ```
 */
import { divisorPlan } from '../generic/divisor.js';
import { toPlain } from '../lift.js';
import type { Handle } from '../runtime_link.js';
import type { Liftable, TensorLike, TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { ABY3PrivateTensor, ABY3PublicTensor, type ReplicatedShares } from './aby3_tensors.js';
import { mapShares } from './linear.js';
import { maskAndReshare, zeroShare } from './sharing.js';
import { truncateShares, truncateSum } from './truncate.js';
import { fusedProduct } from './truncated_product.js';

/** A bilinear kernel: elementwise product, matrix product or convolution. */
export type BilinearKernel = 'Mul' | 'MatMul' | 'Conv2D';

/**
 * The local cross terms of a product of replicated shares: server i computes
 * z_i = op(x_i, y_i + y_{i+1}) + op(x_{i+1}, y_i), so z0 + z1 + z2 = op(x, y). No message.
 */
export function crossTerms(p: ABY3, kernel: BilinearKernel, attrs: object, x: ReplicatedShares, y: ReplicatedShares): [Handle, Handle, Handle] {
  const { rt } = p;
  return [0, 1, 2].map((i) => {
    const s = p.servers[i];
    const [xi, xn] = x[i];
    const [yi, yn] = y[i];
    const ySum = rt.op(s, 'Add', [yi, yn]);
    const a = rt.op(s, kernel, [xi, ySum], attrs as never);
    const b = rt.op(s, kernel, [xn, yi], attrs as never);
    const z = rt.op(s, 'Add', [a, b]);
    rt.free(ySum, a, b);
    return z;
  }) as [Handle, Handle, Handle];
}

/**
 * A product of two private tensors, truncated by k bits when k > 0.
 *  0. an elementwise product with an operand fresh from a truncation skips that truncation's
 *     second round ({@link fusedProduct}, truncated_product.ts)
 *  1. cross terms z_i (local, {@link crossTerms}) plus a zero-sharing α_i
 *  2. k = 0: reshare (1 round, 24 bytes per output element)
 *     k > 0: truncate the 3-out-of-3 sum directly ({@link truncateSum}: 2 rounds, 64 bytes
 *     per output element in all, dealer included), so no separate resharing is paid
 */
export function privateProduct(p: ABY3, kernel: BilinearKernel, attrs: object, x: ABY3PrivateTensor, y: ABY3PrivateTensor, k: number, fracBits: number): ABY3PrivateTensor {
  if (kernel === 'Mul') {
    const fused = fusedProduct(p, x, y, k, fracBits);
    if (fused) return fused;
  }
  const z = crossTerms(p, kernel, attrs, x.shares, y.shares);
  if (k === 0) return new ABY3PrivateTensor(p, fracBits, maskAndReshare(p, z, 'arithmetic'));
  const alpha = zeroShare(p, z[0].shape, 'arithmetic');
  const masked = z.map((h, i) => p.rt.op(h.player, 'Add', [h, alpha[i]])) as [Handle, Handle, Handle];
  p.rt.free(...z, ...alpha);
  // the untruncated terms stay with the result: a comparison of it can start from them (sign_view.ts)
  return truncateSum(p, masked, k, fracBits, true);
}

/**
 * Any product: public·public locally, public·private share by share (then truncated),
 * private·private by {@link privateProduct}. Integer operands (fracBits 0) need no truncation.
 * @example
 * ```ts
 * const y = product(p, 'Mul', {}, x, 0.5);
 * ```
 */
export function product(p: ABY3, kernel: BilinearKernel, attrs: object, xv: TensorLike, yv: TensorLike): TfeTensor {
  const x = p.toTensor(xv, true);
  const y = p.toTensor(yv, true);
  const k = Math.min(x.fracBits, y.fracBits);
  const f = Math.max(x.fracBits, y.fracBits);
  const { rt } = p;
  if (x instanceof ABY3PublicTensor && y instanceof ABY3PublicTensor) {
    const v = x.values.map((h, i) => rt.op(h.player, kernel, [h, y.values[i]], attrs as never)) as [Handle, Handle, Handle];
    const z = new ABY3PublicTensor(p, x.fracBits + y.fracBits, v);
    return k === 0 ? z : p.truncatePublic(z, k, f);
  }
  if (x instanceof ABY3PublicTensor || y instanceof ABY3PublicTensor) {
    const pubFirst = x instanceof ABY3PublicTensor;
    const pub = (pubFirst ? x : y) as ABY3PublicTensor;
    const priv = p.toPrivate(pubFirst ? y : x);
    const shares = mapShares(priv.shares, (h, i) => rt.op(h.player, kernel, pubFirst ? [pub.values[i], h] : [h, pub.values[i]], attrs as never));
    if (k === 0) return new ABY3PrivateTensor(p, f, shares);
    const t = truncateShares(p, shares, k, f);
    rt.free(...shares.flat());
    return t;
  }
  return privateProduct(p, kernel, attrs, p.toPrivate(x), p.toPrivate(y), k, f);
}

/**
 * Division by a public value (number or array, broadcast), by the plan of
 * generic/divisor.ts (an exact shift for powers of two, else integer reciprocals and one
 * truncation). Error: relative ≤ 2^-17 plus one ulp.
 * @example
 * ```ts
 * const y = divPublic(p, x, 3);
 * ```
 */
export function divPublic(p: ABY3, xv: TfeTensor, y: number | Liftable, shape?: number[]): TfeTensor {
  const c = toPlain(y, shape, 'divisor');
  const plan = divisorPlan(c);
  const x = xv.fracBits === 0 ? p.rescaleTo(xv, p.fracBits) : xv;
  if (plan.kind === 'shift') {
    const t = plan.bits === 0 ? x : p.truncate(x, plan.bits, x.fracBits);
    return plan.negate ? p.neg(t) : t;
  }
  const r = plan.reciprocals;
  const scaled = p.mul(x, p.defineConstant(r.length === 1 && c.shape.length === 0 ? r[0] : r, { shape: c.shape, integer: true }));
  return p.truncate(scaled, plan.bits, x.fracBits);
}
