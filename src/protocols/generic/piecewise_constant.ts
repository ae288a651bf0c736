/**
 * Public piecewise-constant functions of a private x, from one batch of exact comparisons: the
 * value of the piece x falls in, for several tables at once. Piece 0 is x < t_0, piece j is
 * t_(j−1) ≤ x < t_j, and piece k is x ≥ t_(k−1) (k ascending thresholds, tables of k + 1
 * values). With b_j = [x < t_j]:
 *   value = table[k] − Σ_j b_j·(table[j+1] − table[j])
 * (x in piece i has b_j = 1 exactly for j ≥ i, so the sum telescopes to table[k] − table[i]).
 * The bits are integers, so the weighted sum needs no truncation.
 *
 * This is the composition any protocol with exact comparison can run
 * ({@link piecewiseConstantByComparison}); ABY3 has its own, cheaper one (aby3/comparisons.ts:
 * narrow comparison lanes for bounded inputs, and the weighted sums taken before its B2A's
 * resharing).
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
