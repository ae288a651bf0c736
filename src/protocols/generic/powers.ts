/**
 * Powers by squaring on any protocol: x^k for every wanted k with ⌈log2(max k)⌉ levels of
 * products. x^(2^j) by repeated squaring, any other x^k as x^h · x^(k−h) with h the largest
 * power of two below k; the products of one level are independent, so they travel in the same
 * rounds. Pond and ABY3 evaluate polynomials and `pow` with it.
 *
 * @example
 * ```ts
 * const pw = powers(prot, x, [3, 5, 7, 9]); // pw.get(9) = x^9 after 4 product levels
 * ```
 */
import { ValueError } from '../../errors.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';

/**
 * x^k for every k in `wanted` (positive integers), keyed by k; x itself under 1.
 * @example
 * ```ts
 * powers(prot, x, [2, 3]).get(3); // x · x²
 * ```
 */
export function powers(p: Protocol, x: TfeTensor, wanted: Iterable<number>): Map<number, TfeTensor> {
  const out = new Map<number, TfeTensor>([[1, x]]);
  const get = (k: number): TfeTensor => {
    let v = out.get(k);
    if (v) return v;
    const h = 2 ** Math.floor(Math.log2(k));
    v = h === k ? p.square(get(k / 2)) : p.mul(get(h), get(k - h));
    out.set(k, v);
    return v;
  };
  for (const k of wanted) {
    if (!Number.isInteger(k) || k < 1) throw new ValueError(`powers: exponent must be a positive integer, got ${k}`);
    get(k);
  }
  return out;
}

/**
 * x^n for an integer n ≥ 0 with ⌈log2 n⌉ product levels (x^0 is a public tensor of ones).
 * @example
 * ```ts
 * tfe.pow(x, 3); // x · x²
 * ```
 */
export function pow(p: Protocol, x: TfeTensor, n: number): TfeTensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`\`n\` must be a non-negative integer, got ${n}`);
  if (n === 0) return p.defineConstant(new Float64Array(x.size).fill(1), { shape: [...x.shape] });
  return powers(p, x, [n]).get(n)!;
}
