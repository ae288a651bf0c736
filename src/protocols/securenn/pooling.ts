import { ValueError } from '../../errors.js';
import { mapLocal } from '../pond/linear.js';
import type { PondPrivateTensor } from '../pond/pond_tensors.js';
import type { Pool2DOptions } from '../protocol.js';
import type { TensorLike, TfeTensor } from '../tensor.js';
import { batchedMsb, isNegative, less, select } from './comparisons.js';
import { oneMinus } from './msb.js';
import type { SecureNN } from './securenn.js';
import { toRows } from '../generic/rows.js';

/**
 * True when {@link allPairsFirstMax} serves m rows of length L: short rows (L ≤ 16) and few
 * comparisons in all (m·L(L−1)/2 ≤ 2^16), where rounds cost more than MSBs (softmax over
 * classes, argmax of a batch). Large pooling layers keep the tournament's fewer MSBs.
 */
const useAllPairs = (m: number, len: number) => len >= 2 && len <= 16 && (m * len * (len - 1)) / 2 <= 1 << 16;

/**
 * The first maximum of each row of a [m, L] tensor from all L(L−1)/2 comparisons at once
 * (short rows: softmax over classes, small pooling windows). 5 rounds whatever L (two MSBs
 * and one product, against 4·⌈log2 L⌉ for the tournament), at L(L−1)/2 + L MSBs per row
 * instead of L − 1.
 *  1. lt_ij = [x_i < x_j] for every pair i < j, in one batched MSB (2 rounds)
 *  2. x_i is the first maximum iff x_i ≥ x_j for every j > i and x_i > x_j for every j < i.
 *     Its failed conditions number f_i = Σ_{j>i} lt_ij + Σ_{j<i} (1 − lt_ji), a local sum of
 *     0/1 shares in [0, L − 1]; so onehot_i = [f_i = 0] = 1 − [−f_i < 0], one MSB (2 rounds)
 *  3. max = Σ_i x_i·onehot_i (1 round)
 * Returns the one-hot [m, L] (fracBits 0) and the maximum [m, 1].
 */
function allPairsFirstMax(p: SecureNN, rows: TfeTensor): { max: TfeTensor; oneHot: PondPrivateTensor } {
  const len = rows.shape[1];
  const m = rows.shape[0];
  const pairs: [number, number][] = [];
  const pairIndex: number[][] = Array.from({ length: len }, () => []); // [i][j], i < j
  for (let i = 0; i < len; i++) for (let j = i + 1; j < len; j++) pairIndex[i][j] = pairs.push([i, j]) - 1;
  const lt = less(p, p.gather(rows, pairs.map(([i]) => i), 1), p.gather(rows, pairs.map(([, j]) => j), 1));
  // Column c < P of `facts` is lt of pair c, column P + c is its complement.
  const facts = p.concat([lt, oneMinus(p, lt)], 1);
  // Block k (columns kL..kL+L−1) holds whether the k-th condition of every x_i fails.
  const columns: number[] = [];
  for (let k = 0; k < len - 1; k++) {
    for (let i = 0; i < len; i++) {
      const j = k < i ? k : k + 1;
      columns.push(j > i ? pairIndex[i][j] : pairs.length + pairIndex[j][i]);
    }
  }
  const failures = p.reshape(p.gather(facts, columns, 1), [m, len - 1, len]);
  const failed = p.toPrivate(p.reduceSum(failures, 1));
  const oneHot = oneMinus(p, isNegative(p, p.neg(failed)));
  const max = p.reduceSum(p.mul(rows, oneHot), 1, true);
  return { max, oneHot };
}

/**
 * The maximum of each row of a [m, L] tensor: by all pairwise comparisons at once where
 * {@link useAllPairs} says so, else by a log-depth tournament: pairs (2i, 2i+1) are compared in
 * parallel (one MSB and one SelectShare per level; an odd last element waits a level),
 * ceil(log2 L) levels of 4 rounds. Returns [m, 1].
 */
function rowMax(p: SecureNN, rows: TfeTensor): TfeTensor {
  if (useAllPairs(rows.shape[0], rows.shape[1])) return allPairsFirstMax(p, rows).max;
  let cur = rows;
  let len = rows.shape[1];
  const m = rows.shape[0];
  while (len > 1) {
    const half = Math.floor(len / 2);
    const a = p.stridedSlice(cur, [0, 0], [m, 2 * half], [1, 2]);
    const b = p.stridedSlice(cur, [0, 1], [m, 2 * half], [1, 2]);
    let next = select(p, less(p, a, b), b, a);
    if (len % 2 === 1) next = p.concat([next, p.slice(cur, [0, len - 1], [m, 1])], 1);
    if (cur !== rows) p.dispose(cur);
    cur = next;
    len = Math.ceil(len / 2);
  }
  return cur;
}

/**
 * Maximum over `axis` (exact), like tf.max(x, axis, keepDims). Short rows, few in all: all
 * pairs at once, 5 rounds; otherwise a log-depth tree, ceil(log2 L)·4 rounds.
 * @example
 * ```ts
 * const m = reduceMax(snn, x, 1);
 * ```
 */
export function reduceMax(p: SecureNN, x: TensorLike, axis = -1, keepDims = false): TfeTensor {
  const xt = p.toTensor(x);
  const { rows, outer, a } = toRows(p, xt, axis, 'reduceMax');
  const m = rowMax(p, rows);
  const shape = keepDims ? xt.shape.map((d, i) => (i === a ? 1 : d)) : outer;
  return p.reshape(m, shape);
}

/**
 * One-hot of the FIRST maximum of each row of [m, L] (tfjs's argMax picks the first index on
 * ties). Short rows, few in all: {@link allPairsFirstMax}. Otherwise: e_j = [x_j ≥ max] marks every maximum; c_j = Σ_{k<j} e_k (a local exclusive cumsum)
 * counts earlier maxima; first_j = e_j·[c_j = 0] = e_j·(1 − MSB(−c_j)). Rounds: the tree,
 * then 3 + 3 + 1.
 */
function firstMaxOneHot(p: SecureNN, rows: TfeTensor): { max: TfeTensor; oneHot: PondPrivateTensor } {
  if (useAllPairs(rows.shape[0], rows.shape[1])) return allPairsFirstMax(p, rows);
  const max = rowMax(p, rows);
  const isMax = oneMinus(p, less(p, rows, max));
  const before = mapLocal(p, isMax, 'CumSum', { axis: 1, exclusive: true, reverse: false }, false) as PondPrivateTensor;
  const negBefore = p.toPrivate(p.neg(before));
  const [anyBefore] = batchedMsb(p, [negBefore]);
  const noneBefore = oneMinus(p, anyBefore);
  const oneHot = p.toPrivate(p.mul(isMax, noneBefore));
  for (const v of [isMax, before, negBefore, anyBefore, noneBefore]) p.dispose(v);
  return { max, oneHot };
}

/**
 * Index of the first maximum over `axis`, as tfjs argMax (ties: the smallest index), as a
 * private integer tensor (fracBits 0); with `oneHot`, a private 0/1 tensor with the axis kept
 * (the one-hot placed where the axis was).
 * @example
 * ```ts
 * const idx = argmax(snn, logits, 1);                  // [batch]
 * const hot = argmax(snn, logits, 1, { oneHot: true }); // [batch, classes]
 * ```
 */
export function argmax(p: SecureNN, x: TensorLike, axis = -1, opts: { oneHot?: boolean } = {}): TfeTensor {
  const xt = p.toTensor(x);
  const { rows, len, outer, a } = toRows(p, xt, axis, 'argmax');
  const { max, oneHot } = firstMaxOneHot(p, rows);
  p.dispose(max);
  if (opts.oneHot) {
    const moved = p.reshape(oneHot, [...outer, len]);
    const rank = xt.rank;
    if (a === rank - 1) return moved;
    const inv = [...Array(rank).keys()].map((i) => (i < a ? i : i === a ? rank - 1 : i - 1));
    return p.transpose(moved, inv);
  }
  const positions = p.defineConstant(Array.from({ length: len }, (_, i) => i), { integer: true });
  const idx = p.reduceSum(p.mul(oneHot, positions), 1);
  return p.reshape(idx, outer);
}

/** Normalised pooling geometry, TensorFlow semantics. */
function geometry(shape: readonly number[], opts: Pool2DOptions) {
  if (shape.length !== 4) throw new ValueError(`\`maxPool2d\` expects NHWC input of rank 4, got shape [${shape.join(',')}]`);
  const pool = typeof opts.poolSize === 'number' ? [opts.poolSize, opts.poolSize] : opts.poolSize;
  const s = opts.strides ?? pool;
  const strides = typeof s === 'number' ? [s, s] : s;
  const padding = opts.padding ?? 'valid';
  if ([...pool, ...strides].some((v) => !Number.isInteger(v) || v < 1)) {
    throw new ValueError(`\`poolSize\` and \`strides\` must be positive integers, got [${pool.join(',')}] and [${strides.join(',')}]`);
  }
  if (padding !== 'same' && padding !== 'valid') throw new ValueError(`\`padding\` must be 'same' or 'valid', got ${String(padding)}`);
  const [, h, w] = shape;
  const out = (len: number, k: number, st: number) => (padding === 'same' ? Math.ceil(len / st) : Math.ceil((len - k + 1) / st));
  const outH = out(h, pool[0], strides[0]);
  const outW = out(w, pool[1], strides[1]);
  if (outH < 1 || outW < 1) throw new ValueError(`\`maxPool2d\`: pool [${pool.join(',')}] does not fit input [${shape.join(',')}] with 'valid' padding`);
  const padTop = padding === 'same' ? Math.floor(Math.max((outH - 1) * strides[0] + pool[0] - h, 0) / 2) : 0;
  const padLeft = padding === 'same' ? Math.floor(Math.max((outW - 1) * strides[1] + pool[1] - w, 0) / 2) : 0;
  return { pool: pool as [number, number], strides: strides as [number, number], padding, outH, outW, padTop, padLeft };
}

/**
 * Public 0/1 mask [1, oh, ow, kh·kw, 1] of window positions that fall on padding ('same').
 */
function paddingMask(h: number, w: number, g: ReturnType<typeof geometry>): { mask: Float64Array; any: boolean } {
  const [kh, kw] = g.pool;
  const mask = new Float64Array(g.outH * g.outW * kh * kw);
  let any = false;
  for (let i = 0; i < g.outH; i++) for (let j = 0; j < g.outW; j++) for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
    const y = i * g.strides[0] - g.padTop + dy;
    const x = j * g.strides[1] - g.padLeft + dx;
    const pad = y < 0 || y >= h || x < 0 || x >= w;
    if (pad) { mask[((i * g.outW + j) * kh + dy) * kw + dx] = 1; any = true; }
  }
  return { mask, any };
}

/**
 * Max pooling (NHWC, any pool size, strides and padding, TensorFlow semantics: 'same' ignores
 * the padding) and the one-hot mask of each window's first maximum, shape
 * [n, oh, ow, kh·kw, c], for the backward pass (SecureNN, §"Maxpool", with a log-depth tree in
 * place of the paper's linear scan).
 *  1. Im2Col on each share (local) gives every window; positions on 'same' padding get
 *     −2^62 ring units (so 'same' needs |x| < 2^62 ring units, the Pond truncation bound)
 *  2. a tournament of MSB comparisons and SelectShares gives each window's maximum
 *     (ceil(log2(kh·kw)) levels of 4 rounds, 258 bytes per comparison)
 *  3. the mask marks the first position equal to the maximum (7 rounds)
 * @example
 * ```ts
 * const { y, mask } = maxPool2dWithArgmax(snn, x, { poolSize: 2 });
 * ```
 */
export function maxPool2dWithArgmax(p: SecureNN, x: TensorLike, opts: Pool2DOptions, withMask = true): { y: TfeTensor; mask?: TfeTensor } {
  const xt = p.toTensor(x);
  const g = geometry(xt.shape, opts);
  const [n, h, w, c] = xt.shape;
  const k = g.pool[0] * g.pool[1];
  const cols = mapLocal(p, xt, 'Im2Col', { kernelSize: g.pool, strides: g.strides, padding: g.padding }, false);
  let windows = p.reshape(cols, [n, g.outH, g.outW, k, c]);
  const pad = paddingMask(h, w, g);
  if (pad.any) {
    const low = -(2 ** (62 - xt.fracBits));
    const fill = p.defineConstant(Float64Array.from(pad.mask, (v) => v * low), { shape: [1, g.outH, g.outW, k, 1] });
    windows = p.add(windows, fill);
  }
  const rows = p.reshape(p.transpose(windows, [0, 1, 2, 4, 3]), [n * g.outH * g.outW * c, k]);
  if (!withMask) return { y: p.reshape(rowMax(p, rows), [n, g.outH, g.outW, c]) };
  const { max, oneHot } = firstMaxOneHot(p, rows);
  const y = p.reshape(max, [n, g.outH, g.outW, c]);
  const mask = p.transpose(p.reshape(oneHot, [n, g.outH, g.outW, c, k]), [0, 1, 2, 4, 3]);
  return { y, mask };
}
