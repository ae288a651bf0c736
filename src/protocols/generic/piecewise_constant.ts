/**
 * Public piecewise-constant functions of a private x, from exact comparisons: the value of the
 * piece x falls in, for several tables at once. Piece 0 is x < t_0, piece j is
 * t_(j−1) ≤ x < t_j, and piece k is x ≥ t_(k−1) (k ascending thresholds, tables of k + 1
 * values). In one batch, with b_j = [x < t_j]:
 *   value = table[k] − Σ_j b_j·(table[j+1] − table[j])
 * (x in piece i has b_j = 1 exactly for j ≥ i, so the sum telescopes to table[k] − table[i]).
 * The bits are integers, so the weighted sum needs no truncation.
 *
 * Two compositions any protocol with exact comparison can run: all k comparisons in one batch
 * ({@link piecewiseConstantByComparison}), or a binary search of ⌈log2(k + 1)⌉ comparisons in
 * sequence ({@link piecewiseConstantBySearch}, SecureNN's: fewer bytes, more rounds). ABY3 has
 * its own batch (aby3/comparisons.ts: narrow comparison lanes for bounded inputs, and the
 * weighted sums taken before its B2A's resharing).
 *
 * @example
 * ```ts
 * const [scale] = ex.piecewiseConstant(x, [1, 16], [[4, 1 / 4, 1 / 64]]); // 4, 1/4 or 1/64
 * ```
 */
import { ValueError } from '../../errors.js';
import type { ExactComparison } from '../capabilities.js';
import type { Protocol } from '../protocol.js';
import { tidy } from '../runtime_link.js';
import type { TfeTensor } from '../tensor.js';

/**
 * Checks thresholds (finite, strictly ascending, at least one) and tables (k + 1 finite values
 * each), and returns each table's steps table[j+1] − table[j].
 * @example `pieceSteps([1, 2], [[0, 1, 3]]) // [[1, 2]]`
 */
export function pieceSteps(thresholds: readonly number[], tables: readonly (readonly number[])[]): number[][] {
  const k = thresholds.length;
  if (k === 0 || !thresholds.every((t, j) => Number.isFinite(t) && (j === 0 || t > thresholds[j - 1]))) {
    throw new ValueError(`piecewiseConstant: expected finite, strictly ascending thresholds, got [${thresholds.join(', ')}]`);
  }
  if (tables.length === 0) throw new ValueError('piecewiseConstant: expected at least one table of values');
  return tables.map((table, i) => {
    if (table.length !== k + 1 || !table.every(Number.isFinite)) {
      throw new ValueError(`piecewiseConstant: table ${i} must hold ${k + 1} finite values (one per piece), got ${table.length}`);
    }
    return thresholds.map((_, j) => table[j + 1] - table[j]);
  });
}

/**
 * {@link ExactComparison.piecewiseConstant} for any protocol with exact comparison: one batched
 * isNegative of x − t_j, then per table a product of the bits with public steps (no truncation)
 * and a sum over the thresholds.
 * @example
 * ```ts
 * const [s, r] = piecewiseConstantByComparison(p, ex, x, [1, 16], [[1, 2, 3], [4, 5, 6]]);
 * ```
 */
export function piecewiseConstantByComparison(p: Protocol, ex: ExactComparison, x: TfeTensor, thresholds: readonly number[], tables: readonly (readonly number[])[]): TfeTensor[] {
  const steps = pieceSteps(thresholds, tables);
  const k = thresholds.length;
  return tidy(() => {
    const column = [k, ...x.shape.map(() => 1)];
    const below = ex.isNegative(p.stack(thresholds.map((t) => p.sub(x, t)), 0));
    return steps.map((s, i) => p.sub(tables[i][k], p.reduceSum(p.mul(below, p.defineConstant(s, { shape: column })), 0)));
  });
}

/**
 * The coefficients of the multilinear polynomial in d bits b_1 … b_d that equals `values[v]`
 * where v = Σ b_i·2^(d−i) (b_1 the most significant bit). One coefficient a_S per subset S of
 * the bits, indexed by the mask with S's bits in the same positions, by the Möbius transform
 * a_S = Σ_{T ⊆ S} (−1)^{|S|−|T|} values[T].
 * @example `multilinear([5, 7], 1) // [5, 2]: 5 + 2·b1`
 */
export function multilinear(values: readonly number[], d: number): number[] {
  const a = [...values];
  for (let i = 0; i < d; i++) for (let m = 0; m < 1 << d; m++) if (m & (1 << i)) a[m] -= a[m ^ (1 << i)];
  return a;
}

/**
 * {@link ExactComparison.piecewiseConstant} as a binary search: ⌈log2(k + 1)⌉ comparisons per
 * element one after the other instead of k at once, for protocols whose comparison costs more
 * bytes than rounds (SecureNN: about 213 bytes and 3 rounds each; Adam's six range
 * thresholds: 3 comparisons, 4 products of bits, about 11 rounds, against 6 comparisons in
 * 3 rounds).
 *  1. the thresholds, padded above the last to 2^d − 1 ascending values, are a complete
 *     binary search tree; the piece of x is its number of thresholds ≤ x, bit by bit from the top
 *  2. level l compares x with the threshold its bits so far select: a public multilinear
 *     function of those bits (no truncation: the bits are integers); the products of the bits
 *     it needs are formed as the bits arrive
 *  3. each table is the multilinear function of all d bits that is table[min(v, k)] at leaf v
 * @example
 * ```ts
 * const [s] = piecewiseConstantBySearch(p, ex, x, [1, 16], [[4, 1 / 4, 1 / 64]]);
 * ```
 */
export function piecewiseConstantBySearch(p: Protocol, ex: ExactComparison, x: TfeTensor, thresholds: readonly number[], tables: readonly (readonly number[])[]): TfeTensor[] {
  pieceSteps(thresholds, tables);
  const k = thresholds.length;
  const d = Math.ceil(Math.log2(k + 1));
  const last = thresholds[k - 1];
  const sorted = Array.from({ length: (1 << d) - 1 }, (_, i) => (i < k ? thresholds[i] : last + (i - k + 1)));
  return tidy(() => {
    /** products[m]: the product of the bits in mask m (bit d − 1 − i for b_(i+1)); 1 for m = 0. */
    const products = new Map<number, TfeTensor>();
    /** Σ_S a_S·Π_S over the masks present, for public coefficients a (indexed by mask). */
    const combine = (a: readonly number[]) => {
      let acc: TfeTensor | undefined;
      for (const [m, prod] of products) {
        if (a[m] === 0) continue;
        const term = p.mul(prod, p.defineConstant(a[m]));
        acc = acc ? p.add(acc, term) : term;
      }
      return p.add(acc ?? p.mul(x, 0), a[0]);
    };
    for (let l = 0; l < d; l++) {
      // the threshold of level l: sorted[prefix + 2^(d−l−1) − 1], prefix = Σ_{i<l} b_(i+1)·2^(d−1−i)
      const span = 1 << (d - l - 1);
      const values = Array.from({ length: 1 << d }, (_, v) => sorted[(v >> (d - l)) << (d - l) | (span - 1)]);
      const t = l === 0 ? sorted[span - 1] : combine(multilinear(values, d));
      const bit = ex.greaterEqual(x, t); // [x ≥ threshold], 0/1 with fracBits 0
      const mask = 1 << (d - 1 - l);
      // the products with this bit that the next levels and the tables need: one batch of products
      const before = [...products.entries()];
      products.set(mask, bit);
      if (before.length) {
        const got = p.split(p.mul(p.stack(before.map(([, prod]) => prod), 0), p.stack(before.map(() => bit), 0)), before.length, 0);
        before.forEach(([m], i) => products.set(m | mask, p.squeeze(got[i], [0])));
      }
    }
    return tables.map((table) => combine(multilinear(Array.from({ length: 1 << d }, (_, v) => table[Math.min(v, k)]), d)));
  });
}
