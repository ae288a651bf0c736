import { ValueError } from '../../errors.js';
import type { TensorLike, TfeTensor } from '../tensor.js';
import { PondMaskedTensor, PondPrivateTensor, PondPublicTensor } from '../pond/pond_tensors.js';
import type { SecureNN } from './securenn.js';
import { oneMinus } from './msb.js';

/**
 * A private view of x − y with both at a common scale (x or y may be public or plain numbers).
 * Exactness of every comparison below needs |x − y| < 2^63 in ring units, i.e. for f = 16
 * |x − y| < 2^47 in real terms.
 * @example
 * ```ts
 * const d = difference(snn, x, 0.5); // private x − 0.5
 * ```
 */
export function difference(p: SecureNN, x: TensorLike, y: TensorLike): PondPrivateTensor {
  return p.toPrivate(p.sub(p.toTensor(x), p.toTensor(y)));
}

/**
 * [x < 0] of any tensor as a private 0/1 tensor (fracBits 0); public inputs are shared
 * trivially first, so the result is always private.
 * @example
 * ```ts
 * const neg = isNegative(snn, x);
 * ```
 */
export function isNegative(p: SecureNN, x: TensorLike): PondPrivateTensor {
  const t = p.toTensor(x);
  const priv = t instanceof PondMaskedTensor ? t.unmasked : t instanceof PondPublicTensor ? p.toPrivate(t) : (t as PondPrivateTensor);
  return p.msb(priv);
}

/**
 * Several MSBs in one protocol run (one set of rounds): the inputs are flattened, joined,
 * sent through {@link msb} once, and split again.
 * @example
 * ```ts
 * const [a, b] = batchedMsb(snn, [d, p.neg(d)]);
 * ```
 */
export function batchedMsb(p: SecureNN, xs: PondPrivateTensor[]): PondPrivateTensor[] {
  if (xs.length === 1) return [p.msb(xs[0])];
  const flat = xs.map((x) => p.toPrivate(p.reshape(x, [x.size])));
  const joined = p.toPrivate(p.concat(flat, 0));
  const bits = p.msb(joined);
  let off = 0;
  const out = xs.map((x) => {
    const part = p.toPrivate(p.reshape(p.slice(bits, [off], [x.size]), [...x.shape]));
    off += x.size;
    return part;
  });
  for (const f of flat) p.dispose(f);
  p.dispose(joined);
  p.dispose(bits);
  return out;
}

/**
 * [x < y]. 3 rounds (one MSB).
 * @example
 * ```ts
 * const lt = less(snn, x, y);
 * ```
 */
export function less(p: SecureNN, x: TensorLike, y: TensorLike): PondPrivateTensor {
  const d = difference(p, x, y);
  const out = p.msb(d);
  p.dispose(d);
  return out;
}

/**
 * [x ≤ y] = 1 − [y < x].
 * @example
 * ```ts
 * const le = lessEqual(snn, x, 3);
 * ```
 */
export function lessEqual(p: SecureNN, x: TensorLike, y: TensorLike): PondPrivateTensor {
  return oneMinus(p, less(p, y, x));
}

/**
 * [x = y] = 1 − [x < y] − [y < x], both MSBs in one run (3 rounds).
 * @example
 * ```ts
 * const eq = equal(snn, x, y);
 * ```
 */
export function equal(p: SecureNN, x: TensorLike, y: TensorLike): PondPrivateTensor {
  const d = difference(p, x, y);
  const negD = p.toPrivate(p.neg(d));
  const [a, b] = batchedMsb(p, [d, negD]);
  const notA = oneMinus(p, a);
  const out = p.toPrivate(p.sub(notA, b));
  for (const v of [d, negD, a, b, notA]) p.dispose(v);
  return out;
}

/**
 * sign(x) ∈ {−1, 0, 1} as tfjs: [x > 0] − [x < 0] = MSB(−x) − MSB(x), one run. Exact except
 * for the single ring value −2^63 (whose negation is itself).
 * @example
 * ```ts
 * const s = sign(snn, x); // private −1/0/1, fracBits 0
 * ```
 */
export function sign(p: SecureNN, x: TensorLike): PondPrivateTensor {
  const priv = p.toPrivate(p.toTensor(x));
  const neg = p.toPrivate(p.neg(priv));
  const [a, b] = batchedMsb(p, [neg, priv]);
  const out = p.toPrivate(p.sub(a, b));
  for (const v of [neg, a, b]) p.dispose(v);
  return out;
}

/**
 * SelectShare (Wagh, Gupta, Chandran, "SecureNN", PETS 2019, §"SelectShare"): cond ? a : b = b + cond·(a − b), one Beaver product
 * (1 round, 40 bytes per element); cond is a private 0/1 tensor with fracBits 0, so the
 * product is not truncated.
 * @example
 * ```ts
 * const m = select(snn, less(snn, x, y), y, x); // maximum
 * ```
 */
export function select(p: SecureNN, cond: TfeTensor, a: TensorLike, b: TensorLike): TfeTensor {
  if (cond.fracBits !== 0) throw new ValueError(`\`cond\` must be a 0/1 tensor with fracBits 0 (a comparison result), got fracBits ${cond.fracBits}`);
  const bt = p.toTensor(b);
  const diff = p.sub(p.toTensor(a), bt);
  const picked = p.mul(cond, diff);
  const out = p.add(bt, picked);
  p.dispose(diff);
  p.dispose(picked);
  return out;
}
