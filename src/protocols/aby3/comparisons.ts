/**
 * ABY3's exact comparisons (Mohassel and Rindal, CCS 2018, §5.3–5.4): the sign bit by A2B
 * ({@link msbBit}), bit injection back to an arithmetic 0/1, and what is built on them:
 * isNegative, equalZero, select and relu. Results are private 0/1 tensors with fracBits 0,
 * so multiplying by them needs no truncation.
 *
 * @example
 * ```ts
 * const d = isNegative(p, x); // 1 where x < 0
 * ```
 */
import { ValueError } from '../../errors.js';
import { U64 } from '../../kernels/dtype.js';
import type { TensorLike, TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { ABY3PrivateTensor, type ReplicatedShares } from './aby3_tensors.js';
import { freeShares, msbBit } from './boolean.js';
import { mapShares } from './linear.js';
import { privateProduct } from './multiply.js';

/**
 * Bit injection / B2A of one bit (ABY3 §5.3 computes b·x with a three-party OT; for x = 1 this
 * simpler form has the same cost): the boolean bit b = b0 ⊕ b1 ⊕ b2 (bit 0 of each word)
 * becomes arithmetic shares of b ∈ {0, 1}.
 *  1. server0 knows c = b0 ⊕ b1 and shares it arithmetically: (c − r, r, 0) with r from the
 *     seed of server0 and server1, c − r sent to server2 (1 round, 8 bytes per element)
 *  2. b2 is held by server1 and server2: its arithmetic sharing (0, 0, b2) is free
 *  3. b = c ⊕ b2 = c + b2 − 2·c·b2, one product of integers (1 round, 24 bytes)
 * 2 rounds, 32 bytes per element. The input is kept.
 * @example
 * ```ts
 * const a = bitToArithmetic(p, msbBit(p, x.shares));
 * ```
 */
export function bitToArithmetic(p: ABY3, b: ReplicatedShares): ReplicatedShares {
  const { rt, servers: [s0, s1, s2] } = p;
  const shape = b[0][0].shape;
  const c = rt.op(s0, 'BitwiseXor', [b[0][0], b[0][1]]);
  const [rAt0, rAt1] = rt.sampleShared([s0, s1], shape, U64);
  const a0 = rt.op(s0, 'Sub', [c, rAt0]);
  const a0at2 = rt.send(a0, s2);
  rt.free(c);
  const zero = (s: string) => rt.fill(s, shape, 0n, U64);
  const cT = new ABY3PrivateTensor(p, 0, [[a0, rAt0], [rAt1, zero(s1)], [zero(s2), a0at2]]);
  const bT = new ABY3PrivateTensor(p, 0, [[zero(s0), zero(s0)], [zero(s1), p.copy(b[1][1])], [p.copy(b[2][0]), zero(s2)]]);
  const prod = privateProduct(p, 'Mul', {}, cT, bT, 0, 0);
  const out = mapShares(cT.shares, (h, i, slot) => {
    const twice = rt.op(h.player, 'ShiftLeft', [prod.shares[i][slot]], { bits: 1 });
    const sum = rt.op(h.player, 'Add', [h, bT.shares[i][slot]]);
    const r = rt.op(h.player, 'Sub', [sum, twice]);
    rt.free(twice, sum);
    return r;
  });
  freeShares(p, cT.shares, bT.shares, prod.shares);
  return out;
}

/** A private view of a tensor or liftable value. */
function privateOf(p: ABY3, x: TensorLike): ABY3PrivateTensor {
  return p.toPrivate(p.toTensor(x));
}

/**
 * [x < 0] exactly on the whole ring: A2B's sign bit (8 rounds, 296 bytes) and bit injection
 * (2 rounds, 32 bytes). 10 rounds, 328 bytes per element.
 * @example
 * ```ts
 * const neg = isNegative(p, x);
 * ```
 */
export function isNegative(p: ABY3, x: TensorLike): ABY3PrivateTensor {
  const xt = p.toTensor(x);
  if (xt.size === 0) return new ABY3PrivateTensor(p, 0, p.toPrivate(xt).shares);
  const priv = privateOf(p, xt);
  const bit = msbBit(p, priv.shares);
  const out = bitToArithmetic(p, bit);
  freeShares(p, bit);
  return new ABY3PrivateTensor(p, 0, out);
}

/** 1 − b for a 0/1 tensor b, locally. */
export function not(p: ABY3, b: TfeTensor): TfeTensor {
  return p.sub(p.defineConstant(1, { integer: true }), b);
}

/**
 * [x = 0]: x = 0 iff neither x nor −x is negative (for x ≠ −2^63 ring units). One batched
 * isNegative of [x, −x]: 10 rounds, 656 bytes per element.
 * @example
 * ```ts
 * const z = equalZero(p, x);
 * ```
 */
export function equalZero(p: ABY3, x: TensorLike): TfeTensor {
  const xt = p.toTensor(x);
  const both = p.stack([xt, p.neg(xt)], 0);
  const neg = isNegative(p, both);
  const [a, b] = p.split(neg, 2, 0).map((t) => p.squeeze(t, [0]));
  return p.sub(p.sub(p.defineConstant(1, { integer: true }), a), b);
}

/**
 * cond ? a : b = b + cond·(a − b) for a 0/1 tensor `cond` (fracBits 0, so no truncation).
 * 1 round, 24 bytes per element.
 * @example
 * ```ts
 * const m = select(p, p.less(x, y), y, x);
 * ```
 */
export function select(p: ABY3, cond: TfeTensor, a: TensorLike, b: TensorLike): TfeTensor {
  const c = p.toTensor(cond);
  if (c.fracBits !== 0) throw new ValueError(`\`select\`: \`cond\` must be a 0/1 tensor with fracBits 0 (a comparison result), got fracBits ${c.fracBits}`);
  const bt = p.toTensor(b);
  return p.add(bt, p.mul(c, p.sub(a, bt)));
}

/**
 * Exact relu: x·[x ≥ 0], one comparison and one integer product. 11 rounds, 352 bytes per
 * element.
 * @example
 * ```ts
 * const y = relu(p, x);
 * ```
 */
export function relu(p: ABY3, x: TensorLike): TfeTensor {
  const xt = p.toTensor(x);
  return p.mul(xt, not(p, isNegative(p, xt)));
}
