/**
 * Arithmetic in the odd ring Z_N, N = 2^64 − 1 (SecureNN's Z_{L−1}), built from u64 kernels on
 * one player. Elements are stored as u64 in [0, N); the u64 value N (all ones) never appears in
 * a result. Because N ≡ −1 (mod 2^64), every correction is "add a bit".
 * @internal
 */
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../../runtime/api.js';
import type { Scratch } from '../pond/scratch.js';

/**
 * N = 2^64 − 1, the modulus of the odd ring.
 * @example
 * ```ts
 * (a + b) % ODD_MODULUS;
 * ```
 */
export const ODD_MODULUS = (1n << 64n) - 1n;

const CMP = { signed: false };
const TO_U64 = { dtype: 'u64' };

/**
 * Maps a uniform u64 into Z_N (the single value N becomes 0: bias 2^−64).
 * @example
 * ```ts
 * const y = reduceOdd(t, 'server2', rt.samplePrivate('server2', [n], U64));
 * ```
 */
export function reduceOdd(t: Scratch, player: string, x: Handle): Handle {
  const isN = t.op(player, 'Equal', [x, t.fill(player, ODD_MODULUS, U64)], CMP);
  return t.op(player, 'Add', [x, t.op(player, 'Cast', [isN], TO_U64)]);
}

/**
 * a + b mod N for a, b in [0, N): s = a + b mod 2^64; a carry out of 2^64 adds 1 (2^64 ≡ 1);
 * without a carry, s = N becomes 0 (adding 1 wraps it). At most one correction applies.
 * @example
 * ```ts
 * const r = addOdd(t, 'server0', twoW, y0);
 * ```
 */
export function addOdd(t: Scratch, player: string, a: Handle, b: Handle): Handle {
  const s = t.op(player, 'Add', [a, b]);
  const carry = t.op(player, 'Cast', [t.op(player, 'Less', [s, a], CMP)], TO_U64);
  const isN = t.op(player, 'Cast', [t.op(player, 'Equal', [s, t.fill(player, ODD_MODULUS, U64)], CMP)], TO_U64);
  return t.op(player, 'Add', [t.op(player, 'Add', [s, carry]), isN]);
}

/**
 * a − b mod N: N − b is ~b (bitwise not) for b in [0, N), and addOdd maps ~0 = N correctly.
 * @example
 * ```ts
 * const d = subOdd(t, 'server2', y, y0);
 * ```
 */
export function subOdd(t: Scratch, player: string, a: Handle, b: Handle): Handle {
  return addOdd(t, player, a, t.op(player, 'BitwiseNot', [b]));
}
