/**
 * Front doors of the elementwise kernels: arithmetic, bitwise, shifts, bit extraction,
 * comparisons, select and cast. Binary ops broadcast like tfjs; both operands must be in the
 * same ring.
 */
import type { RingSpec } from '../dtype.js';
import type { RingTensor } from '../ring_tensor.js';
import { checkTensor, op } from './run_op.js';

const binary = (kernel: string) => (a: RingTensor, b: RingTensor): RingTensor =>
  op(kernel, [checkTensor('a', a), checkTensor('b', b)]);

/** a + b (mod the ring), broadcasting. @example `ring.add(a, b)` */
export const add = binary('Add');
/** a − b (mod the ring), broadcasting. @example `ring.sub(a, b)` */
export const sub = binary('Sub');
/** a · b (mod the ring), elementwise with broadcasting. @example `ring.mul(a, b)` */
export const mul = binary('Mul');
/** a AND b, bitwise (u64 or bits). @example `ring.bitwiseAnd(a, b)` */
export const bitwiseAnd = binary('BitwiseAnd');
/** a OR b, bitwise (u64 or bits). @example `ring.bitwiseOr(a, b)` */
export const bitwiseOr = binary('BitwiseOr');
/** a XOR b, bitwise (u64 or bits). @example `ring.bitwiseXor(a, b)` */
export const bitwiseXor = binary('BitwiseXor');

/** −x (mod the ring). @example `ring.neg(x)` */
export function neg(x: RingTensor): RingTensor {
  return op('Neg', [checkTensor('x', x)]);
}

/** NOT x: ~x for u64, 1 − x for bits. @example `ring.bitwiseNot(bits)` */
export function bitwiseNot(x: RingTensor): RingTensor {
  return op('BitwiseNot', [checkTensor('x', x)]);
}

/** x << bits (u64, bits in [0, 63]). @example `ring.shiftLeft(x, 16)` */
export function shiftLeft(x: RingTensor, bits: number): RingTensor {
  return op('ShiftLeft', [checkTensor('x', x)], { bits });
}

/** x >> bits, filling with zeros (u64). @example `ring.shiftRightLogical(x, 16)` */
export function shiftRightLogical(x: RingTensor, bits: number): RingTensor {
  return op('ShiftRightLogical', [checkTensor('x', x)], { bits });
}

/** x >> bits, sign-extending (u64 read as two's complement). @example `ring.shiftRightArithmetic(x, 16)` */
export function shiftRightArithmetic(x: RingTensor, bits: number): RingTensor {
  return op('ShiftRightArithmetic', [checkTensor('x', x)], { bits });
}

/** Bit `bit` (0 = least significant) of each u64, as bits. @example `ring.bitExtract(x, 63) // the MSBs` */
export function bitExtract(x: RingTensor, bit: number): RingTensor {
  return op('BitExtract', [checkTensor('x', x)], { bit });
}

/**
 * All 64 bits of each u64, least significant first, as u8 mod `modulus` of shape
 * [...x.shape, 64].
 * @example
 * ```ts
 * ring.bitDecompose(x, 67); // SecureNN's bits in Z_67
 * ```
 */
export function bitDecompose(x: RingTensor, modulus = 2): RingTensor {
  return op('BitDecompose', [checkTensor('x', x)], { modulus });
}

/** Options of comparisons: `signed` reads u64 as two's complement (default false). @example `ring.less(a, b, { signed: true })` */
export interface CompareOptions { signed?: boolean }

const compare = (kernel: string) => (a: RingTensor, b: RingTensor, options: CompareOptions = {}): RingTensor =>
  op(kernel, [checkTensor('a', a), checkTensor('b', b)], { signed: options.signed ?? false });

/** a < b as bits, broadcasting (public values). @example `ring.less(a, b, { signed: true })` */
export const less = compare('Less');
/** a ≤ b as bits. @example `ring.lessEqual(a, b)` */
export const lessEqual = compare('LessEqual');
/** a > b as bits. @example `ring.greater(a, b)` */
export const greater = compare('Greater');
/** a ≥ b as bits. @example `ring.greaterEqual(a, b)` */
export const greaterEqual = compare('GreaterEqual');
/** a = b as bits. @example `ring.equal(a, b)` */
export const equal = compare('Equal');
/** a ≠ b as bits. @example `ring.notEqual(a, b)` */
export const notEqual = compare('NotEqual');

/** a where `cond` (bits) is 1, else b; all three broadcast. @example `ring.select(ring.less(x, y), x, y)` */
export function select(cond: RingTensor, a: RingTensor, b: RingTensor): RingTensor {
  return op('Select', [checkTensor('cond', cond), checkTensor('a', a), checkTensor('b', b)]);
}

/**
 * Moves x into another ring: u64 → Z_m takes x mod m, Z_m → u64 takes the value.
 * @example
 * ```ts
 * ring.cast(x, { dtype: 'u8', modulus: 67 });
 * ```
 */
export function cast(x: RingTensor, ring: RingSpec): RingTensor {
  return op('Cast', [checkTensor('x', x)], { dtype: ring?.dtype, modulus: ring?.dtype === 'u8' ? ring.modulus ?? 256 : undefined });
}
