/**
 * Reductions over one axis as rows: `toRows` moves `axis` last and flattens the rest to
 * [m, L]; `fromRows` undoes it for a result that keeps the axis. Shape ops only (local on every
 * protocol); the max, argmax and sort of SecureNN and ABY3 work on the rows.
 *
 * @example
 * ```ts
 * const { rows, outer, a, perm } = toRows(prot, x, 1, 'argmax'); // rows: [m, L]
 * const back = fromRows(prot, oneHotRows, outer, a, perm);        // x's shape again
 * ```
 */
import { ValueError } from '../../errors.js';
import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';

/**
 * `x` with `axis` moved last and the other axes flattened, and what undoes it. `op` names the
 * caller in errors (axis out of range, empty axis).
 * @example
 * ```ts
 * const { rows, len } = toRows(prot, x, -1, 'reduceMax');
 * ```
 */
export function toRows(p: Protocol, x: TfeTensor, axis: number, op: string) {
  const rank = x.rank;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ValueError(`\`${op}\`: axis ${axis} is out of range for rank ${rank}`);
  const len = x.shape[a];
  if (len === 0) throw new ValueError(`\`${op}\`: axis ${a} of shape [${x.shape.join(',')}] is empty`);
  const perm = [...Array(rank).keys()].filter((i) => i !== a).concat([a]);
  const moved = a === rank - 1 ? x : p.transpose(x, perm);
  const outer = x.shape.filter((_, i) => i !== a);
  const rows = p.reshape(moved, [outer.reduce((s, d) => s * d, 1), len]);
  return { rows, len, outer, a, perm };
}

/**
 * Undoes {@link toRows} for rows of the same length as the axis.
 * @example
 * ```ts
 * const y = fromRows(prot, rows, outer, a, perm);
 * ```
 */
export function fromRows(p: Protocol, rows: TfeTensor, outer: number[], a: number, perm: number[]): TfeTensor {
  const moved = p.reshape(rows, [...outer, rows.shape[1]]);
  if (a === perm.length - 1) return moved;
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return p.transpose(moved, inverse);
}

/**
 * Stacks tensors along a new axis, for every protocol. Along a new first axis (inputs of rank
 * ≥ 1 and one shape) it is one concatenation and one reshape (per share: 2 local instructions);
 * otherwise each input gains the axis and they are concatenated along it.
 * @example
 * ```ts
 * const s = stackTensors(prot, [x, y], 0); // [2, ...x.shape]
 * ```
 */
export function stackTensors(p: Protocol, xs: readonly TfeTensor[], axis: number): TfeTensor {
  const first = xs[0];
  const sameShape = first && first.rank > 0 && xs.every((x) => x.rank === first.rank && x.shape.every((d, i) => d === first.shape[i]));
  if (axis === 0 && sameShape) return p.reshape(p.concat([...xs], 0), [xs.length, ...first.shape]);
  return p.concat(xs.map((x) => p.expandDims(x, axis)), axis);
}
