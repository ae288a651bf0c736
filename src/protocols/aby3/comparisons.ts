/**
 * ABY3's exact comparisons (Mohassel and Rindal, CCS 2018, §5.3–5.4): the sign bit by an
 * MSB-only carry circuit on packed words (msb.ts), bit injection (inject.ts) back to an arithmetic 0/1, and what is built on them:
 * isNegative, equalZero, select and relu. Results are private 0/1 tensors with fracBits 0,
 * so multiplying by them needs no truncation.
 *
 * @example
 * ```ts
 * const d = isNegative(p, x); // 1 where x < 0
 * ```
 */
import { ValueError } from '../../errors.js';
import type { TensorLike, TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { tidy } from '../runtime_link.js';
import { ABY3PrivateTensor, ABY3PublicTensor, type ReplicatedShares } from './aby3_tensors.js';
import { pieceSteps, piecewiseConstantByComparison } from '../generic/piecewise_constant.js';
import { weightedBitSums } from './bit_sums.js';
import { bitsOf, injectBit, signBits } from './inject.js';
import { LANE_BOUND, signBitsBounded } from './msb_lanes.js';
import { signView } from './sign_view.js';

/**
 * B2A of one bit: boolean shares of b (bit 0 of each word) become arithmetic shares of
 * b ∈ {0, 1}, by bit injection with x = 1 ({@link injectBit}): 2 rounds, 32 bytes per element.
 * The input is kept.
 * @example
 * ```ts
 * const a = bitToArithmetic(p, msbBit(p, x.shares));
 * ```
 */
export function bitToArithmetic(p: ABY3, b: ReplicatedShares): ReplicatedShares {
  return tidy(() => injectBit(p, bitsOf(p, b)));
}

/** A private view of a tensor or liftable value. */
function privateOf(p: ABY3, x: TensorLike): ABY3PrivateTensor {
  return p.toPrivate(p.toTensor(x));
}

/**
 * [x < 0] exactly on the whole ring: the sign circuit (about 51 bytes) and bit injection
 * (32 bytes), 8 rounds in all (the runtime's count), about 83 bytes per element.
 * @example
 * ```ts
 * const neg = isNegative(p, x);
 * ```
 */
export function isNegative(p: ABY3, x: TensorLike): ABY3PrivateTensor {
  const xt = p.toTensor(x);
  if (xt.size === 0) return new ABY3PrivateTensor(p, 0, p.toPrivate(xt).shares);
  const priv = privateOf(p, xt);
  return new ABY3PrivateTensor(p, 0, tidy(() => injectBit(p, signBits(p, priv.shares))));
}

/** 1 − b for a 0/1 tensor b, locally. */
export function not(p: ABY3, b: TfeTensor): TfeTensor {
  return p.sub(p.defineConstant(1, { integer: true }), b);
}

/**
 * [x = 0]: x = 0 iff neither x nor −x is negative (for x ≠ −2^63 ring units). One batched
 * isNegative of [x, −x]: 8 rounds, about 166 bytes per element.
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
 * Exact relu: x·[x ≥ 0], the sign circuit and bit injection of x (no separate product).
 * 8 rounds, about 91 bytes per element.
 * @example
 * ```ts
 * const y = relu(p, x);
 * ```
 */
export function relu(p: ABY3, x: TensorLike): TfeTensor {
  return reluWithDerivative(p, x, false).y;
}

/**
 * relu and, when asked, its derivative [x ≥ 0] from ONE sign circuit: x·(1 − sign) and
 * 1 − sign by bit injection in parallel. 8 rounds; about 91 bytes per element for relu alone,
 * 123 with the derivative. Tensors of at most 256 elements take server2's DCF keys instead
 * (the `fss` option; dealt_splines.ts): 2 rounds.
 * @example
 * ```ts
 * const { y, derivative } = reluWithDerivative(p, x, true);
 * ```
 */
export function reluWithDerivative(p: ABY3, x: TensorLike, derivative: boolean): { y: TfeTensor; derivative?: TfeTensor } {
  const xt = p.toTensor(x);
  if (xt instanceof ABY3PublicTensor || xt.size === 0) {
    const d = not(p, isNegative(p, xt));
    return { y: p.mul(xt, d), derivative: d };
  }
  const priv = privateOf(p, xt);
  if (p.dealt.accepts(priv)) return p.dealt.reluWithDerivative(priv, derivative);
  // a product's truncated result: the sign from the untruncated product, a round earlier
  // (sign_view.ts). relu's value is exact either way; the derivative can differ where the
  // truncated value is 0, where relu's derivative is a convention. Exact comparisons
  // (isNegative, less, equal, reduceMax) keep reading the tensor itself.
  const bits = signBits(p, signView(p, priv) ?? priv.shares);
  const y = new ABY3PrivateTensor(p, xt.fracBits, injectBit(p, bits, priv.shares, true));
  return { y, derivative: derivative ? new ABY3PrivateTensor(p, 0, injectBit(p, bits, undefined, true)) : undefined };
}

/**
 * {@link ExactComparison.piecewiseConstant} under ABY3: the sign bits of every x − t_j in one
 * circuit, on 32-bit lanes when `bound` allows (msb_lanes.ts: 25.4 bytes per comparison
 * against 51.25), and each table's sum Σ_j b_j·(table[j+1] − table[j]) taken before the B2A's
 * resharing (bit_sums.ts: 8 bytes per comparison and 24 per table, against 32 per comparison).
 * Adam's six range comparisons into two tables: 248 bytes per element, was 498. 7 rounds on
 * lanes, 8 on the full circuit.
 * @example
 * ```ts
 * const [scale, root] = piecewiseConstant(p, v, [1 / 4, 4], [[16, 1, 1 / 16], [4, 1, 1 / 4]], 64);
 * ```
 */
export function piecewiseConstant(p: ABY3, x: TensorLike, thresholds: readonly number[], tables: readonly (readonly number[])[], bound?: number): TfeTensor[] {
  const steps = pieceSteps(thresholds, tables);
  const xt = p.toTensor(x);
  if (bound !== undefined && !(bound > 0)) throw new ValueError(`piecewiseConstant: \`bound\` must be a positive number, got ${bound}`);
  if (xt instanceof ABY3PublicTensor || xt.size === 0) return piecewiseConstantByComparison(p, p, xt, thresholds, tables);
  const k = thresholds.length;
  return tidy(() => {
    const stacked = privateOf(p, p.stack(thresholds.map((t) => p.sub(xt, t)), 0));
    // the differences sit at their own scale (max of x's and the protocol's): that sets their size in ring units
    const reach = bound === undefined ? Infinity : (bound + Math.max(...thresholds.map(Math.abs))) * 2 ** stacked.fracBits;
    const bits = reach < LANE_BOUND ? signBitsBounded(p, stacked.shares) : signBits(p, stacked.shares);
    return weightedBitSums(p, bits, k, steps).map((s, i) => p.sub(tables[i][k], s));
  });
}
