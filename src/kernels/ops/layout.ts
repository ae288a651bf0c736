/**
 * Front doors of the data-movement and reduction kernels, with tfjs conveniences (negative
 * axes, −1 sizes, default arguments) resolved here before the canonical kernel attributes
 * are validated by shape inference.
 */
import { ValueError } from '../../errors.js';
import type { RingTensor } from '../ring_tensor.js';
import { checkTensor, normalizeAxis, op } from './run_op.js';
import { checkIntArray, fmtShape } from './validate.js';

/** Permutes axes: output axis i is input axis perm[i] (default: reversed). @example `ring.transpose(x, [0, 2, 1])` */
export function transpose(x: RingTensor, perm?: number[]): RingTensor {
  checkTensor('x', x);
  return op('Transpose', [x], { perm: perm ?? x.shape.map((_, i) => x.rank - 1 - i) });
}

/** Same elements, new shape; one entry may be −1 (inferred). @example `ring.reshape(x, [-1, 4])` */
export function reshape(x: RingTensor, shape: number[]): RingTensor {
  checkTensor('x', x);
  const s = checkIntArray('shape', shape, undefined, -1);
  const free = s.filter((n) => n === -1).length;
  if (free > 1) throw new ValueError(`\`shape\` may hold at most one -1, got ${fmtShape(s)}`);
  if (free === 1) {
    const known = s.reduce((a, n) => (n === -1 ? a : a * n), 1);
    if (known === 0 || x.size % known !== 0) {
      throw new ValueError(`\`shape\` ${fmtShape(s)} cannot hold the ${x.size} elements of \`x\` ${fmtShape(x.shape)}`);
    }
    s[s.indexOf(-1)] = x.size / known;
  }
  return op('Reshape', [x], { shape: s });
}

/**
 * Strided slice: element j on axis i reads begin[i] + j·strides[i]. `size` entries of −1 (or
 * an absent `size`) take everything to the end of the axis.
 * @example
 * ```ts
 * ring.slice(x, [0, 1], [2, -1]);          // rows 0..1, columns 1..end
 * ring.slice(x, [0, 0], [-1, -1], [1, 2]); // every other column
 * ```
 */
export function slice(x: RingTensor, begin: number[], size?: number[], strides?: number[]): RingTensor {
  checkTensor('x', x);
  const b = checkIntArray('begin', begin, x.rank, 0);
  const st = strides === undefined ? x.shape.map(() => 1) : checkIntArray('strides', strides, x.rank, 1);
  const sz = size === undefined ? x.shape.map(() => -1) : checkIntArray('size', size, x.rank, -1);
  const resolved = sz.map((n, d) => (n === -1 ? Math.max(0, Math.ceil((x.shape[d] - b[d]) / st[d])) : n));
  return op('Slice', [x], { begin: b, size: resolved, strides: st });
}

/** Joins tensors of one ring along `axis` (default 0). @example `ring.concat([a, b], 1)` */
export function concat(xs: RingTensor[], axis = 0): RingTensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ValueError('`xs` must be a non-empty array of RingTensors');
  xs.forEach((t, i) => checkTensor(`xs[${i}]`, t));
  return op('Concat', xs, { axis: normalizeAxis('axis', axis, xs[0].rank) });
}

/** Pads with zeros: paddings[i] = [before, after]. @example `ring.pad(x, [[0, 0], [1, 1]])` */
export function pad(x: RingTensor, paddings: [number, number][]): RingTensor {
  return op('Pad', [checkTensor('x', x)], { paddings });
}

/** Picks `indices` along `axis` (default 0). @example `ring.gather(x, [2, 0], 1)` */
export function gather(x: RingTensor, indices: number[] | Int32Array, axis = 0): RingTensor {
  checkTensor('x', x);
  return op('Gather', [x], { indices, axis: normalizeAxis('axis', axis, x.rank) });
}

/** Repeats x `reps[i]` times along axis i. @example `ring.tile(x, [2, 1])` */
export function tile(x: RingTensor, reps: number[]): RingTensor {
  return op('Tile', [checkTensor('x', x)], { reps });
}

/**
 * Sums over `axis` (a number, a list, or all axes when absent), mod the ring.
 * @example
 * ```ts
 * ring.reduceSum(x, -1);           // over the last axis
 * ring.reduceSum(x, [0, 1], true); // keep the reduced axes as size 1
 * ```
 */
export function reduceSum(x: RingTensor, axis?: number | number[], keepDims = false): RingTensor {
  checkTensor('x', x);
  const list = axis === undefined ? x.shape.map((_, i) => i) : Array.isArray(axis) ? axis : [axis];
  return op('ReduceSum', [x], { axes: list.map((a) => normalizeAxis('axis', a, x.rank)), keepDims });
}

/**
 * Running sums along `axis` (tfjs `cumsum` arguments).
 * @example
 * ```ts
 * ring.cumSum(x, -1, true); // exclusive prefix sums over the last axis
 * ```
 */
export function cumSum(x: RingTensor, axis = 0, exclusive = false, reverse = false): RingTensor {
  checkTensor('x', x);
  return op('CumSum', [x], { axis: normalizeAxis('axis', axis, x.rank), exclusive, reverse });
}
