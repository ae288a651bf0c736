/**
 * Products whose truncation the caller chooses, with a protocol's fixed-point scale labels
 * (the `fixedPoint` capability, capabilities.ts). A protocol truncates a product of factors
 * labelled fa and fb by min(fa, fb) bits and labels it max(fa, fb); labelling both factors k
 * therefore truncates by exactly k bits, whatever scales the ring values are really at.
 *
 * @example
 * ```ts
 * const exact = productTo(prot, fp, x, y, 0, x.fracBits + y.fracBits); // x·y, not truncated
 * ```
 */
import type { FixedPointScale } from '../capabilities.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';

/**
 * a·b (a square when `b` is `a`) truncated by k bits and labelled `outScale`. With k = 0 the
 * product is exact and its ring values are at scale 2^-(ra+rb), where ra and rb are the scales
 * the factors' ring values are at; the caller keeps every value before a truncation below
 * 2^62 in the ring.
 * @example
 * ```ts
 * const u = productTo(prot, fp, b, b, 33, 15); // b² from scale 2^-24 down to 2^-15
 * ```
 */
export function productTo(p: Protocol, fp: FixedPointScale, a: TfeTensor, b: TfeTensor, k: number, outScale: number): TfeTensor {
  const la = fp.withScale(a, k);
  const z = b === a ? p.square(la) : p.mul(la, fp.withScale(b, k));
  return fp.withScale(z, outScale);
}

/**
 * e·r·2^-scale. With the `fixedPoint` capability in one truncation: e·r untruncated (scale
 * 2^-(fe+fr); e ≤ 1 and r = 1/(Σ·2^-scale) ≤ 2^scale, so below 2^(fe+fr+scale+1) in the ring),
 * then truncated by fr + scale bits to e's scale; otherwise a product and a public scaling
 * (two truncations, one round more).
 * @example
 * ```ts
 * const probs = timesPowerOfTwo(prot, e, r, 2); // e / Σe with 1/Σe = r·2^-2
 * ```
 */
export function timesPowerOfTwo(p: Protocol, e: TfeTensor, r: TfeTensor, scale: number): TfeTensor {
  const fp = p.capabilities.fixedPoint;
  const [fe, fr] = [e.fracBits, r.fracBits];
  if (!fp || fe + fr + scale + 1 > 61) {
    const er = p.mul(e, r);
    return scale ? p.mul(er, 2 ** -scale) : er;
  }
  return fp.rescaleTo(fp.withScale(productTo(p, fp, e, r, 0, fe + fr), fe + fr + scale), fe);
}
