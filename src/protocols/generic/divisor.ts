/**
 * How to divide by a public value on any protocol: a uniform power of two is one exact
 * truncation by its exponent (negated for a negative divisor); anything else is a product with
 * the integer reciprocals R = round(2^e / c), e chosen so R keeps RECIPROCAL_BITS + 1
 * significant bits, then a truncation by e. Error: relative ≤ 2^-17 plus one unit in the last
 * place. Pond and ABY3 carry the plan out with their own truncation.
 *
 * @example
 * ```ts
 * const plan = divisorPlan(toPlain(3, undefined, 'divisor'));
 * // { kind: 'reciprocal', bits: 18, reciprocals: Float64Array [87381] }
 * ```
 */
import { ValueError } from '../../errors.js';
import type { PlainArray } from '../lift.js';
import { maxAbs } from '../overflow.js';

/** Significant bits kept in the reciprocal of a public divisor: relative error ≤ 2^-17. */
export const RECIPROCAL_BITS = 16;

/**
 * The plan for dividing by the public values `c` (see the module comment).
 * @example
 * ```ts
 * divisorPlan({ values: Float64Array.of(-4), shape: [] }); // { kind: 'shift', bits: 2, negate: true }
 * ```
 */
export function divisorPlan(c: PlainArray):
  | { kind: 'shift'; bits: number; negate: boolean }
  | { kind: 'reciprocal'; bits: number; reciprocals: Float64Array } {
  for (const v of c.values) {
    if (!Number.isFinite(v) || v === 0) throw new ValueError(`\`divisor\` must be finite and non-zero, got ${v}`);
  }
  const first = c.values[0];
  const uniform = c.values.every((v) => v === first);
  const k = Math.log2(Math.abs(first));
  if (uniform && Number.isInteger(k) && k >= 0 && k <= 62) return { kind: 'shift', bits: k, negate: first < 0 };
  const bits = Math.min(62, Math.max(1, Math.ceil(RECIPROCAL_BITS + Math.log2(maxAbs(c.values)))));
  return { kind: 'reciprocal', bits, reciprocals: Float64Array.from(c.values, (v) => Math.round(2 ** bits / v)) };
}
