/**
 * ABY3's shape ops and reductions: each validates its arguments and applies one local kernel
 * to every share ({@link mapLocal}); mean and average pooling add a public division.
 *
 * @example
 * ```ts
 * const y = reshape(p, x, [-1, 4]);
 * ```
 */
import { ValueError } from '../../errors.js';
import type { Pool2DOptions } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { mapLocal } from './linear.js';
import { divPublic } from './multiply.js';

/** Normalises axes (negative allowed) against a rank. */
export function normAxes(rank: number, axis: number | number[] | undefined, op: string): number[] {
  const axes = axis === undefined ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  return axes.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw new ValueError(`\`${op}\`: axis ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
}

/** Sum over axes, locally. */
export function reduceSum(p: ABY3, x: TfeTensor, axis: number | number[] | undefined, keepDims: boolean): TfeTensor {
  return mapLocal(p, x, 'ReduceSum', { axes: normAxes(x.rank, axis, 'reduceSum'), keepDims });
}

/** Mean over axes: a local sum, then division by the public count. */
export function mean(p: ABY3, x: TfeTensor, axis: number | number[] | undefined, keepDims: boolean): TfeTensor {
  const axes = normAxes(x.rank, axis, 'mean');
  const count = axes.reduce((a, ax) => a * x.shape[ax], 1);
  if (count === 0) throw new ValueError(`\`mean\`: the reduced axes of shape [${x.shape.join(',')}] are empty`);
  return p.div(reduceSum(p, x, axes, keepDims), count);
}

/** Permutes axes (default: reversed). */
export function transpose(p: ABY3, x: TfeTensor, perm?: number[]): TfeTensor {
  const rank = x.rank;
  const pm = perm ?? [...Array(rank).keys()].reverse();
  if (pm.length !== rank || new Set(pm).size !== rank || pm.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) {
    throw new ValueError(`\`perm\` must be a permutation of 0..${rank - 1}, got [${pm.join(',')}]`);
  }
  return mapLocal(p, x, 'Transpose', { perm: pm });
}

/** Reshapes (one dimension may be -1). */
export function reshape(p: ABY3, x: TfeTensor, shape: number[]): TfeTensor {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = shape.filter((d) => d === -1).length;
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (free > 1 || resolved.some((d) => !Number.isInteger(d) || d < 0) || resolved.reduce((a, b) => a * b, 1) !== x.size) {
    throw new ValueError(`\`shape\` [${shape.join(',')}] does not fit ${x.size} elements of shape [${x.shape.join(',')}]`);
  }
  return mapLocal(p, x, 'Reshape', { shape: resolved });
}

/** Inserts a size-1 axis. */
export function expandDims(p: ABY3, x: TfeTensor, axis: number): TfeTensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  if (!Number.isInteger(a) || a < 0 || a > x.rank) throw new ValueError(`\`axis\` ${axis} is out of range for expandDims of rank ${x.rank}`);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(p, x, shape);
}

/** Removes size-1 axes (all, or those listed). */
export function squeeze(p: ABY3, x: TfeTensor, axes?: number[]): TfeTensor {
  const drop = axes ? normAxes(x.rank, axes, 'squeeze') : x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  for (const a of drop) if (x.shape[a] !== 1) throw new ValueError(`\`squeeze\`: axis ${a} has size ${x.shape[a]}, not 1`);
  return reshape(p, x, x.shape.filter((_, i) => !drop.includes(i)));
}

/** Strided slice with positive strides. */
export function stridedSlice(p: ABY3, x: TfeTensor, begin: number[], end: number[], strides?: number[]): TfeTensor {
  const st = strides ?? begin.map(() => 1);
  if (begin.length !== x.rank || end.length !== x.rank || st.length !== x.rank) {
    throw new ValueError(`\`stridedSlice\`: begin, end and strides need ${x.rank} entries, got ${begin.length}, ${end.length}, ${st.length}`);
  }
  const size = begin.map((b, i) => {
    const e = Math.min(end[i], x.shape[i]);
    if (!(st[i] >= 1) || b < 0 || b > x.shape[i]) throw new ValueError(`\`stridedSlice\`: axis ${i}: begin ${b}, stride ${st[i]} invalid for size ${x.shape[i]}`);
    return Math.max(0, Math.ceil((e - b) / st[i]));
  });
  return mapLocal(p, x, 'Slice', { begin, size, strides: st });
}

/** Slice of `size` from `begin` (size -1: to the end). */
export function slice(p: ABY3, x: TfeTensor, begin: number[], size?: number[]): TfeTensor {
  const sz = (size ?? begin.map(() => -1)).map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  for (let i = 0; i < x.rank; i++) {
    if (begin[i] < 0 || sz[i] < 0 || begin[i] + sz[i] > x.shape[i]) {
      throw new ValueError(`\`slice\`: begin [${begin.join(',')}] and size [${sz.join(',')}] exceed shape [${x.shape.join(',')}]`);
    }
  }
  return stridedSlice(p, x, begin, begin.map((b, i) => b + sz[i]));
}

/** Splits into equal parts or the given sizes along an axis. */
export function split(p: ABY3, x: TfeTensor, numOrSizes: number | number[], axis: number): TfeTensor[] {
  const [a] = normAxes(x.rank, axis, 'split');
  const n = x.shape[a];
  const sizes = typeof numOrSizes === 'number' ? Array(numOrSizes).fill(n / numOrSizes) : numOrSizes;
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((s, v) => s + v, 0) !== n) {
    throw new ValueError(`\`split\`: sizes ${JSON.stringify(numOrSizes)} do not divide axis ${a} of size ${n}`);
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === a ? offset : 0));
    offset += s;
    return slice(p, x, begin, x.shape.map((d, i) => (i === a ? s : d)));
  });
}

/** Zero padding (the zeros are public). */
export function pad(p: ABY3, x: TfeTensor, paddings: [number, number][]): TfeTensor {
  if (paddings.length !== x.rank || paddings.some(([b, a]) => !(b >= 0 && a >= 0))) {
    throw new ValueError(`\`paddings\` must have ${x.rank} non-negative [before, after] pairs`);
  }
  return mapLocal(p, x, 'Pad', { paddings });
}

/** Gathers public indices along an axis. */
export function gather(p: ABY3, x: TfeTensor, indices: number[], axis: number): TfeTensor {
  const [a] = normAxes(x.rank, axis, 'gather');
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= x.shape[a]) throw new ValueError(`\`indices\`: ${i} is out of range [0, ${x.shape[a]})`);
  }
  return mapLocal(p, x, 'Gather', { axis: a, indices });
}

/**
 * Average pooling (NHWC): im2col on each share, a local sum over each window, and division by
 * the public count of in-bounds elements (TensorFlow's 'same' excludes the padding).
 */
export function avgPool2d(p: ABY3, x: TfeTensor, opts: Pool2DOptions): TfeTensor {
  if (x.rank !== 4) throw new ValueError(`\`avgPool2d\` expects NHWC input of rank 4, got shape [${x.shape.join(',')}]`);
  const { pool, strides, padding, outH, outW, counts } = poolGeometry(x.shape, opts);
  const [n, , , c] = x.shape;
  const cols = mapLocal(p, x, 'Im2Col', { kernelSize: pool, strides, padding });
  const windows = reshape(p, cols, [n, outH, outW, pool[0] * pool[1], c]);
  const sums = reduceSum(p, windows, 3, false);
  const uniform = counts.every((v) => v === counts[0]);
  return uniform ? p.div(sums, counts[0]) : divPublic(p, sums, counts, [1, outH, outW, 1]);
}

/** Pool size, strides, padding, output size and the in-bounds count of every window. */
export function poolGeometry(shape: readonly number[], opts: Pool2DOptions) {
  const pool: [number, number] = typeof opts.poolSize === 'number' ? [opts.poolSize, opts.poolSize] : opts.poolSize;
  const s = opts.strides ?? pool;
  const strides: [number, number] = typeof s === 'number' ? [s, s] : s;
  const padding = opts.padding ?? 'valid';
  const [, h, w] = shape;
  const out = (len: number, k: number, st: number) => (padding === 'same' ? Math.ceil(len / st) : Math.ceil((len - k + 1) / st));
  const outH = out(h, pool[0], strides[0]);
  const outW = out(w, pool[1], strides[1]);
  const padTop = padding === 'same' ? Math.floor(Math.max((outH - 1) * strides[0] + pool[0] - h, 0) / 2) : 0;
  const padLeft = padding === 'same' ? Math.floor(Math.max((outW - 1) * strides[1] + pool[1] - w, 0) / 2) : 0;
  const counts = new Float64Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      const y0 = i * strides[0] - padTop, x0 = j * strides[1] - padLeft;
      counts[i * outW + j] = (Math.min(y0 + pool[0], h) - Math.max(y0, 0)) * (Math.min(x0 + pool[1], w) - Math.max(x0, 0));
    }
  }
  return { pool, strides, padding, outH, outW, counts };
}
