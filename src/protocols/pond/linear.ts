import { divisorPlan } from '../generic/divisor.js';
import { ValueError } from '../../errors.js';
import { U64, type KernelAttrMap, type KernelAttrsArg, type KernelName } from '../../kernels/index.js';
import { broadcastOrThrow } from '../../kernels/ops/validate.js';
import type { Handle } from '../runtime_link.js';
import { toPlain } from '../lift.js';
import type { Pool2DOptions } from '../protocol.js';
import type { Liftable, TensorLike, TfeTensor } from '../tensor.js';
import type { Pond } from './pond.js';
import { PondMaskedTensor, PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';
import { truncatePrivate, truncatePublic } from './truncate.js';
import { summedSignSource } from './sign_source.js';
import { shiftedRecord } from './truncated_product.js';

/**
 * Applies a linear kernel to every handle of a tensor, locally (no communication). With
 * `keepMask`, a masked tensor stays masked: the op is applied to its mask and alpha as well,
 * which is valid because op(x) = op(alpha) + op(a) for a linear op.
 */
export function mapLocal<K extends KernelName>(p: Pond, x: TfeTensor, kernel: K, attrs: KernelAttrMap[K], keepMask: boolean, fracBits = x.fracBits): TfeTensor {
  const f = (h: Handle) => p.rt.op(h.player, kernel, [h], ...([attrs] as KernelAttrsArg<K>));
  const pair = (hs: readonly [Handle, Handle]) => [f(hs[0]), f(hs[1])] as [Handle, Handle];
  if (x instanceof PondPublicTensor) return new PondPublicTensor(p, fracBits, pair(x.values));
  if (x instanceof PondMaskedTensor) {
    const unmasked = new PondPrivateTensor(p, fracBits, pair(x.unmasked.shares));
    if (!keepMask) return unmasked;
    const m = new PondMaskedTensor(p, unmasked, f(x.a), pair(x.aShares), pair(x.alpha), x.epoch);
    unmasked.masked = m;
    return m;
  }
  const priv = x as PondPrivateTensor;
  const out = new PondPrivateTensor(p, fracBits, pair(priv.shares));
  if (keepMask && priv.masked) {
    const m = priv.masked;
    out.masked = new PondMaskedTensor(p, out, f(m.a), pair(m.aShares), pair(m.alpha), m.epoch);
  }
  return out;
}

/**
 * Addition and subtraction on any operand kinds, locally. Scales are aligned by an exact
 * left shift of the smaller one. A public operand enters server0's share only; server1's share
 * is broadcast to the output shape where needed.
 */
export function addSub(p: Pond, kernel: 'Add' | 'Sub', xv: TensorLike, yv: TensorLike): TfeTensor {
  let x = p.toTensor(xv);
  let y = p.toTensor(yv);
  const f = Math.max(x.fracBits, y.fracBits);
  x = p.rescaleTo(x, f);
  y = p.rescaleTo(y, f);
  const shape = broadcastOrThrow('x', x.shape, 'y', y.shape);
  const { rt } = p;
  if (x instanceof PondPublicTensor && y instanceof PondPublicTensor) {
    const v = [0, 1].map((i) => rt.op(x.values[i].player, kernel, [(x as PondPublicTensor).values[i], (y as PondPublicTensor).values[i]]));
    return new PondPublicTensor(p, f, v as [Handle, Handle]);
  }
  if (x instanceof PondPublicTensor || y instanceof PondPublicTensor) {
    const pubFirst = x instanceof PondPublicTensor;
    const pub = (pubFirst ? x : y) as PondPublicTensor;
    const priv = p.toPrivate(pubFirst ? y : x);
    const [v0, v1] = priv.shares;
    const z0 = rt.op(p.s0, kernel, pubFirst ? [pub.values[0], v0] : [v0, pub.values[0]]);
    let z1 = pubFirst && kernel === 'Sub' ? rt.op(p.s1, 'Neg', [v1]) : v1;
    if (z1.shape.length !== shape.length || z1.shape.some((d, i) => d !== shape[i])) {
      const zeros = rt.fill(p.s1, shape, 0n, U64);
      const widened = rt.op(p.s1, 'Add', [z1, zeros]);
      rt.free(zeros);
      if (z1 !== v1) rt.free(z1);
      z1 = widened;
    } else if (z1 === v1) {
      z1 = p.copy(v1);
    }
    const out = new PondPrivateTensor(p, f, [z0, z1]);
    // ±y + v of a fresh truncation's y: a product of it still opens nothing (truncated_product.ts)
    out.truncation = shiftedRecord(p, priv, pubFirst && kernel === 'Sub' ? -1 : 1, pub.values, !pubFirst && kernel === 'Sub' ? -1 : 1, shape);
    return out;
  }
  const [px, py] = [p.toPrivate(x), p.toPrivate(y)];
  const [x0, x1] = px.shares;
  const [y0, y1] = py.shares;
  const out = new PondPrivateTensor(p, f, [rt.op(p.s0, kernel, [x0, y0]), rt.op(p.s1, kernel, [x1, y1])]);
  // x·w + b: a comparison of the sum can still start from the untruncated product (sign_source.ts)
  out.signSource = summedSignSource(px, py, kernel);
  return out;
}

/**
 * Division by a public value (number or array, broadcast), by the plan of
 * generic/divisor.ts (an exact truncation for powers of two, else integer reciprocals and one
 * truncation). Error: relative ≤ 2^-17 plus one unit in the last place. Range: |x·R| < 2^62 in ring units.
 */
export function divPublic(p: Pond, xv: TfeTensor, y: number | Liftable, shape?: number[]): TfeTensor {
  const c = toPlain(y, shape, 'divisor');
  const plan = divisorPlan(c);
  let x = xv instanceof PondMaskedTensor ? xv.unmasked : xv;
  if (x.fracBits === 0) x = p.rescaleTo(x, p.fracBits);
  if (plan.kind === 'shift') {
    const t = plan.bits === 0 ? x : truncate(p, x, plan.bits);
    return plan.negate ? p.neg(t) : t;
  }
  const r = plan.reciprocals;
  const scaled = p.mul(x, p.defineConstant(r.length === 1 && c.shape.length === 0 ? r[0] : r, { shape: c.shape, integer: true }));
  return truncate(p, scaled, plan.bits);
}

function truncate(p: Pond, x: TfeTensor, k: number): TfeTensor {
  return x instanceof PondPublicTensor ? truncatePublic(p, x, k) : truncatePrivate(p, p.toPrivate(x), k);
}

function normAxes(rank: number, axis: number | number[] | undefined, op: string): number[] {
  const axes = axis === undefined ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  return axes.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw new ValueError(`\`${op}\`: axis ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
}

/** Sum over axes, locally. */
export function reduceSum(p: Pond, x: TfeTensor, axis: number | number[] | undefined, keepDims: boolean): TfeTensor {
  return mapLocal(p, x, 'ReduceSum', { axes: normAxes(x.rank, axis, 'reduceSum'), keepDims }, false);
}

/** Mean over axes: a local sum, then division by the public count. */
export function mean(p: Pond, x: TfeTensor, axis: number | number[] | undefined, keepDims: boolean): TfeTensor {
  const axes = normAxes(x.rank, axis, 'mean');
  const count = axes.reduce((a, ax) => a * x.shape[ax], 1);
  if (count === 0) throw new ValueError(`\`mean\`: the reduced axes of shape [${x.shape.join(',')}] are empty`);
  return divPublic(p, reduceSum(p, x, axes, keepDims), count);
}

/** Permutes axes (default: reversed); a masked tensor stays masked. */
export function transpose(p: Pond, x: TfeTensor, perm?: number[]): TfeTensor {
  const rank = x.rank;
  const pm = perm ?? [...Array(rank).keys()].reverse();
  if (pm.length !== rank || new Set(pm).size !== rank || pm.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) {
    throw new ValueError(`\`perm\` must be a permutation of 0..${rank - 1}, got [${pm.join(',')}]`);
  }
  return mapLocal(p, x, 'Transpose', { perm: pm }, true);
}

/** Reshapes (one dimension may be -1); a masked tensor stays masked. */
export function reshape(p: Pond, x: TfeTensor, shape: number[]): TfeTensor {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = shape.filter((d) => d === -1).length;
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (free > 1 || resolved.some((d) => !Number.isInteger(d) || d < 0) || resolved.reduce((a, b) => a * b, 1) !== x.size) {
    throw new ValueError(`\`shape\` [${shape.join(',')}] does not fit ${x.size} elements of shape [${x.shape.join(',')}]`);
  }
  return mapLocal(p, x, 'Reshape', { shape: resolved }, true);
}

/** Inserts a size-1 axis. */
export function expandDims(p: Pond, x: TfeTensor, axis: number): TfeTensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  if (!Number.isInteger(a) || a < 0 || a > x.rank) throw new ValueError(`\`axis\` ${axis} is out of range for expandDims of rank ${x.rank}`);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(p, x, shape);
}

/** Removes size-1 axes (all, or those listed). */
export function squeeze(p: Pond, x: TfeTensor, axes?: number[]): TfeTensor {
  const drop = axes ? normAxes(x.rank, axes, 'squeeze') : x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  for (const a of drop) if (x.shape[a] !== 1) throw new ValueError(`\`squeeze\`: axis ${a} has size ${x.shape[a]}, not 1`);
  return reshape(p, x, x.shape.filter((_, i) => !drop.includes(i)));
}

/** Strided slice with positive strides; a masked tensor stays masked. */
export function stridedSlice(p: Pond, x: TfeTensor, begin: number[], end: number[], strides?: number[]): TfeTensor {
  const st = strides ?? begin.map(() => 1);
  if (begin.length !== x.rank || end.length !== x.rank || st.length !== x.rank) {
    throw new ValueError(`\`stridedSlice\`: begin, end and strides need ${x.rank} entries, got ${begin.length}, ${end.length}, ${st.length}`);
  }
  const size = begin.map((b, i) => {
    const e = Math.min(end[i], x.shape[i]);
    if (!(st[i] >= 1) || b < 0 || b > x.shape[i]) throw new ValueError(`\`stridedSlice\`: axis ${i}: begin ${b}, stride ${st[i]} invalid for size ${x.shape[i]}`);
    return Math.max(0, Math.ceil((e - b) / st[i]));
  });
  return mapLocal(p, x, 'Slice', { begin, size, strides: st }, true);
}

/** Slice of `size` from `begin` (size -1: to the end). */
export function slice(p: Pond, x: TfeTensor, begin: number[], size?: number[]): TfeTensor {
  const sz = (size ?? begin.map(() => -1)).map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  for (let i = 0; i < x.rank; i++) {
    if (begin[i] < 0 || sz[i] < 0 || begin[i] + sz[i] > x.shape[i]) {
      throw new ValueError(`\`slice\`: begin [${begin.join(',')}] and size [${sz.join(',')}] exceed shape [${x.shape.join(',')}]`);
    }
  }
  return stridedSlice(p, x, begin, begin.map((b, i) => b + sz[i]));
}

/** Splits into equal parts or the given sizes along an axis. */
export function split(p: Pond, x: TfeTensor, numOrSizes: number | number[], axis: number): TfeTensor[] {
  const [a] = normAxes(x.rank, axis, 'split');
  const n = x.shape[a];
  const sizes = typeof numOrSizes === 'number' ? Array(numOrSizes).fill(n / numOrSizes) : numOrSizes;
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((s, v) => s + v, 0) !== n) {
    throw new ValueError(`\`split\`: sizes ${JSON.stringify(numOrSizes)} do not divide axis ${a} of size ${n}`);
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === a ? offset : 0));
    const size = x.shape.map((d, i) => (i === a ? s : d));
    offset += s;
    return slice(p, x, begin, size);
  });
}

/** Zero padding (locally; padding zeros are public). */
export function pad(p: Pond, x: TfeTensor, paddings: [number, number][]): TfeTensor {
  if (paddings.length !== x.rank || paddings.some(([b, a]) => !(b >= 0 && a >= 0))) {
    throw new ValueError(`\`paddings\` must have ${x.rank} non-negative [before, after] pairs`);
  }
  return mapLocal(p, x, 'Pad', { paddings }, false);
}

/** Gathers public indices along an axis; a masked tensor stays masked. */
export function gather(p: Pond, x: TfeTensor, indices: number[], axis: number): TfeTensor {
  const [a] = normAxes(x.rank, axis, 'gather');
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= x.shape[a]) throw new ValueError(`\`indices\`: ${i} is out of range [0, ${x.shape[a]})`);
  }
  return mapLocal(p, x, 'Gather', { axis: a, indices }, true);
}

/** Concatenation; any private operand makes the result private. */
export function concat(p: Pond, xs: TfeTensor[], axis: number): TfeTensor {
  if (xs.length === 0) throw new ValueError('`concat` needs at least one tensor');
  const [a] = normAxes(xs[0].rank, axis, 'concat');
  const f = Math.max(...xs.map((x) => x.fracBits));
  const aligned = xs.map((x) => p.rescaleTo(x, f));
  const { rt } = p;
  if (aligned.every((x) => x instanceof PondPublicTensor)) {
    const v = [0, 1].map((i) => rt.op([p.s0, p.s1][i], 'Concat', aligned.map((x) => (x as PondPublicTensor).values[i]), { axis: a }));
    return new PondPublicTensor(p, f, v as [Handle, Handle]);
  }
  const shares = aligned.map((x) => p.toPrivate(x).shares);
  const z = [0, 1].map((i) => rt.op([p.s0, p.s1][i], 'Concat', shares.map((s) => s[i]), { axis: a }));
  return new PondPrivateTensor(p, f, z as [Handle, Handle]);
}


/**
 * Average pooling (NHWC): im2col on each share, a local sum over each window, and division by
 * the public number of in-bounds elements (TensorFlow's 'same' excludes the padding).
 */
export function avgPool2d(p: Pond, x: TfeTensor, opts: Pool2DOptions): TfeTensor {
  if (x.rank !== 4) throw new ValueError(`\`avgPool2d\` expects NHWC input of rank 4, got shape [${x.shape.join(',')}]`);
  const pool: [number, number] = typeof opts.poolSize === 'number' ? [opts.poolSize, opts.poolSize] : opts.poolSize;
  const s = opts.strides ?? pool;
  const strides: [number, number] = typeof s === 'number' ? [s, s] : s;
  const padding = opts.padding ?? 'valid';
  const [n, h, w, c] = x.shape;
  const { outH, outW, counts } = poolCounts(h, w, pool, strides, padding);
  const cols = mapLocal(p, x, 'Im2Col', { kernelSize: pool, strides, padding }, false);
  const windows = reshape(p, cols, [n, outH, outW, pool[0] * pool[1], c]);
  const sums = reduceSum(p, windows, 3, false);
  const uniform = counts.every((v) => v === counts[0]);
  return uniform ? divPublic(p, sums, counts[0]) : divPublic(p, sums, counts, [1, outH, outW, 1]);
}

/** Output size and the count of in-bounds elements of every pooling window. */
function poolCounts(h: number, w: number, pool: [number, number], strides: [number, number], padding: 'same' | 'valid') {
  const out = (len: number, k: number, s: number) => (padding === 'same' ? Math.ceil(len / s) : Math.ceil((len - k + 1) / s));
  const outH = out(h, pool[0], strides[0]);
  const outW = out(w, pool[1], strides[1]);
  const padTop = padding === 'same' ? Math.floor(Math.max((outH - 1) * strides[0] + pool[0] - h, 0) / 2) : 0;
  const padLeft = padding === 'same' ? Math.floor(Math.max((outW - 1) * strides[1] + pool[1] - w, 0) / 2) : 0;
  const counts = new Float64Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      const y0 = i * strides[0] - padTop, x0 = j * strides[1] - padLeft;
      const rows = Math.min(y0 + pool[0], h) - Math.max(y0, 0);
      const colsIn = Math.min(x0 + pool[1], w) - Math.max(x0, 0);
      counts[i * outW + j] = rows * colsIn;
    }
  }
  return { outH, outW, counts };
}
