import { ValueError } from '../../errors.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';

/**
 * x·c for a public constant c of any magnitude, to 17 significant bits, in one truncation.
 * At f = 16 a small c such as 6.7e-5 encodes to 4 ulps (25% error), and even c = 0.3 keeps
 * only 15 bits, so c is applied as a division by 1/c, whose plan (generic/divisor.ts)
 * multiplies by the integer round(c·2^e) with 17 significant bits and truncates once by e
 * (exactly by a shift when c is a power of two): relative error ≤ 2^−17 plus one ulp (for
 * |c| ≥ 2^−46; a smaller c is truncated by the 62-bit limit). A whole number c is a product by
 * an integer, exact and local.
 * @example
 * ```ts
 * const t = scaleBy(prot, x, 1 / 15000); // x·round(2^30/15000), then >> 30
 * ```
 */
export function scaleBy(p: Protocol, x: TfeTensor, c: number): TfeTensor {
  if (!Number.isFinite(c) || !Number.isFinite(1 / c)) throw new ValueError(`scaleBy: the constant must be finite with a finite reciprocal, got ${c}`);
  return Number.isInteger(c) ? p.mul(x, c) : p.div(x, 1 / c);
}
