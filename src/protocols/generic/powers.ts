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
import { tidy } from '../runtime_link.js';

/** Up to this many elements, a level's products travel stacked as one product (rounds matter more than the copies). */
const STACK_LEVELS_UP_TO = 1 << 16;

/**
 * x^k for every k in `wanted` (positive integers), keyed by k; x itself under 1. Each x^k
 * with k > 1 is x^a · x^b (a = b = k/2 for a power of two, else a the largest power of two
 * below k); its level is one more than the deeper of the two. Products of one level are
 * independent: for tensors of up to 65,536 elements they are stacked into one product, so a
 * level costs one multiplication's rounds (a player runs its stream in order, so separate
 * products would each wait for the one before); larger tensors multiply one by one, where the
 * stacking copies would cost more than the rounds they save.
 * @example
 * ```ts
 * powers(prot, x, [2, 3]).get(3); // x · x²
 * ```
 */
export function powers(p: Protocol, x: TfeTensor, wanted: Iterable<number>): Map<number, TfeTensor> {
  const factors = new Map<number, [number, number]>();
  const level = new Map<number, number>([[1, 0]]);
  const plan = (k: number): number => {
    const known = level.get(k);
    if (known !== undefined) return known;
    const h = 2 ** Math.floor(Math.log2(k));
    const ab: [number, number] = h === k ? [k / 2, k / 2] : [h, k - h];
    const l = 1 + Math.max(plan(ab[0]), plan(ab[1]));
    factors.set(k, ab);
    level.set(k, l);
    return l;
  };
  for (const k of wanted) {
    if (!Number.isInteger(k) || k < 1) throw new ValueError(`powers: exponent must be a positive integer, got ${k}`);
    plan(k);
  }
  const out = new Map<number, TfeTensor>([[1, x]]);
  const depth = Math.max(0, ...level.values());
  for (let l = 1; l <= depth; l++) {
    const ks = [...factors.keys()].filter((k) => level.get(k) === l);
    const one = (k: number): TfeTensor => {
      const [a, b] = factors.get(k)!;
      return a === b ? p.square(out.get(a)!) : p.mul(out.get(a)!, out.get(b)!);
    };
    if (ks.length === 1 || x.size > STACK_LEVELS_UP_TO) {
      for (const k of ks) out.set(k, one(k));
      continue;
    }
    const parts = tidy(() => {
      const lhs = p.stack(ks.map((k) => out.get(factors.get(k)![0])!), 0);
      const rhs = p.stack(ks.map((k) => out.get(factors.get(k)![1])!), 0);
      return p.split(p.mul(lhs, rhs), ks.length, 0).map((t) => p.squeeze(t, [0]));
    });
    ks.forEach((k, i) => out.set(k, parts[i]!));
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
