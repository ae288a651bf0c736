import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';

/**
 * x·c for a public constant c of any magnitude without losing precision: at f = 16 a small c
 * such as 6.7e-5 encodes to 4 ulps (25% error), so c = m·2^−j with m ∈ [1/2, 1) is applied as
 * x·m (precise) then ·2^−j (a power of two, exact in fixed point).
 * @example
 * ```ts
 * const t = scaleBy(prot, x, 1 / 15000); // x·m, then ·2^−14
 * ```
 */
export function scaleBy(p: Protocol, x: TfeTensor, c: number): TfeTensor {
  if (c === 0 || Math.abs(c) >= 2 ** -4) return p.mul(x, c);
  const j = Math.ceil(-Math.log2(Math.abs(c)));
  return p.mul(p.mul(x, c * 2 ** j), 2 ** -j);
}
