/**
 * Arithmetic in the odd ring Z_N, N = 2^64 − 1 (SecureNN's Z_{L−1}) on one player, through the
 * `AddModOdd` kernel. Elements are stored as u64 in [0, N); the u64 value N (all ones) never
 * appears in a result. Because N ≡ −1 (mod 2^64), every correction is "add a bit".
 * @internal
 */
import { U64 } from '../../kernels/dtype.js';
import { ADD_MOD_ODD } from '../../kernels/kernel_names.js';
import type { Handle } from '../runtime_link.js';
import type { Scratch } from '../scratch.js';

/**
 * N = 2^64 − 1, the modulus of the odd ring.
 * @example
 * ```ts
 * (a + b) % ODD_MODULUS;
 * ```
 */
export const ODD_MODULUS = (1n << 64n) - 1n;

/**
 * x mod N for any u64 x (the single value N becomes 0: bias 2^−64 on uniform input). 1 kernel.
 * @example
 * ```ts
 * const y = reduceOdd(t, 'server2', rt.samplePrivate('server2', [n], U64));
 * ```
 */
export function reduceOdd(t: Scratch, player: string, x: Handle): Handle {
  return t.op(player, ADD_MOD_ODD, [x, t.fill(player, 0n, U64)]);
}

/**
 * a + b mod N (the `AddModOdd` kernel: a carry out of 2^64 adds 1, since 2^64 ≡ 1; the value N
 * becomes 0). Inputs need not be reduced.
 * @example
 * ```ts
 * const r = addOdd(t, 'server0', twoW, y0);
 * ```
 */
export function addOdd(t: Scratch, player: string, a: Handle, b: Handle): Handle {
  return t.op(player, ADD_MOD_ODD, [a, b]);
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
