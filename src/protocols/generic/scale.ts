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

/** Significant bits of the integer multiplier in {@link scaledProduct}: c to a relative 2^−12. */
export const SCALED_PRODUCT_BITS = 12;

/**
 * The most terms a product may sum for its callers to fold a constant into it (Dense: the
 * batch rows; Conv2D: batch × output positions): {@link scaledProduct}'s result must stay below
 * 2^18 at f = 16, so its terms may then average 2^6 in magnitude. Longer sums (a convolution's
 * dw over 128 × 24 × 24 positions) keep two truncations and the 2^29 range.
 */
export const MAX_FOLDED_TERMS = 4096;

/**
 * c·(a ⊗ b) for a public constant c > 0, where ⊗ is a product the protocol truncates
 * (`mul`, `matmul`, a convolution), in that product's own truncation instead of a second one
 * (the `fixedPoint` capability). Training uses it for the weight gradients, which the optimizer
 * scales by lr/N or 1/N anyway: one truncation, and one round, fewer per step, over every weight.
 *  1. K = round(c·2^e) ∈ [2^11, 2^12], an integer of {@link SCALED_PRODUCT_BITS} significant bits
 *  2. b·K: a product by a public integer (local, exact in the ring)
 *  3. a ⊗ (b·K) with both factors labelled T = fa + fb + e − fout, so that the protocol
 *     truncates it once by T bits; the result is labelled fout = max(fa, fb)
 * Error: one unit in the last place, plus c's relative rounding ≤ 2^−12. Range: the value
 * before the truncation, (a ⊗ b)·2^(fa+fb)·K with K ≤ 2^12, must stay below 2^62, so
 * |a ⊗ b| < 2^(50 − fa − fb) (2^18 at f = 16, against 2^29 when the product and the scaling
 * truncate apart). Returns undefined where that bound would fall below 2^16 (f > 17), where T
 * leaves [1, 62], or without the capability: the caller then truncates twice.
 * @example
 * ```ts
 * const dw = scaledProduct(prot, x, dz, 0.01 / 128, (u, v) => prot.matmul(u, v, { transposeA: true }));
 * ```
 */
export function scaledProduct(p: Protocol, a: TfeTensor, b: TfeTensor, c: number, product: (a: TfeTensor, b: TfeTensor) => TfeTensor): TfeTensor | undefined {
  const fp = p.capabilities.fixedPoint;
  if (!fp || !(c > 0 && Number.isFinite(c))) return undefined;
  const fa = a.fracBits, fb = b.fracBits, fout = Math.max(fa, fb);
  if (62 - SCALED_PRODUCT_BITS - fa - fb < 16) return undefined;
  const e = SCALED_PRODUCT_BITS - Math.ceil(Math.log2(c) + 1e-12); // c·2^e ∈ [2^11, 2^12]
  const k = Math.round(c * 2 ** e);
  const t = fa + fb + e - fout;
  if (t < 1 || t > 62) return undefined;
  const bk = p.mul(b, p.defineConstant(k, { integer: true }));
  const z = product(fp.withScale(a, t), fp.withScale(bk, t));
  p.dispose(bk);
  return fp.withScale(z, fout);
}

/** Significant bits each integer weight of {@link scaledSum} keeps: each weight to a relative 2^−17, as {@link scaleBy}. */
export const SCALED_SUM_BITS = 17;

/** The most bits {@link scaledSum}'s largest integer weight may take (weights more than 2^14 apart are summed by {@link scaleBy} instead). */
const SCALED_SUM_MAX_BITS = 30;

/**
 * Σ c_i·x_i for public weights c_i ≠ 0 in ONE truncation, where a sum of {@link scaleBy}
 * results takes one per term (the `fixedPoint` capability). Adam's first moment uses it:
 * m̂ = a·m + b·g costs one truncation instead of two.
 *  1. F = the largest scale among the x_i; each x_i is lifted to F by a product with the
 *     integer 2^(F − f_i) (local, exact)
 *  2. K_i = round(c_i·2^e), with e chosen so the smallest |K_i| lies in [2^16, 2^17]: every
 *     weight keeps 17 significant bits, the largest 17 + log2(max|c| / min|c|)
 *  3. z = Σ K_i·x_i: products by public integers and additions (local, exact in the ring),
 *     labelled F + e
 *  4. z rescaled to `outScale` (default: the smallest scale among the x_i): one exact truncation
 * Error: one unit in the last place, plus each weight's relative rounding ≤ 2^−17. Range: z
 * must stay below 2^62 in the ring, so Σ|c_i·x_i| < 2^(62 − F − e) with 2^e ≤ 2^17 / min|c|
 * (weights 0.9 and 0.1 at F = 16: 2^26). Returns undefined where the weights are more than
 * 2^14 apart, where e + F − outScale leaves [1, 62], or without the capability: the caller
 * then sums {@link scaleBy} results.
 * @example
 * ```ts
 * const mHat = scaledSum(prot, [[m, 0.9], [g, 0.1]]); // one truncation
 * ```
 */
export function scaledSum(p: Protocol, terms: readonly (readonly [TfeTensor, number])[], outScale?: number): TfeTensor | undefined {
  for (const [, c] of terms) {
    if (!Number.isFinite(c) || c === 0) throw new ValueError(`scaledSum: each weight must be finite and non-zero, got ${c}`);
  }
  const fp = p.capabilities.fixedPoint;
  if (!fp || terms.length === 0) return undefined;
  const F = Math.max(...terms.map(([x]) => x.fracBits));
  const out = outScale ?? Math.min(...terms.map(([x]) => x.fracBits));
  const magnitudes = terms.map(([, c]) => Math.abs(c));
  const e = SCALED_SUM_BITS - Math.ceil(Math.log2(Math.min(...magnitudes)) + 1e-12);
  const t = F + e - out;
  if (t < 1 || t > 62 || Math.log2(Math.max(...magnitudes)) + e > SCALED_SUM_MAX_BITS) return undefined;
  let z: TfeTensor | undefined;
  for (const [x, c] of terms) {
    const term = p.mul(fp.withScale(x, 0), p.defineConstant(Math.round(c * 2 ** e) * 2 ** (F - x.fracBits), { integer: true }));
    if (!z) {
      z = term;
      continue;
    }
    const sum = p.add(z, term);
    p.dispose(z); // partial sums go back to the players' pools at once (Adam: arrays of every weight)
    p.dispose(term);
    z = sum;
  }
  return fp.rescaleTo(fp.withScale(z!, F + e), out);
}
