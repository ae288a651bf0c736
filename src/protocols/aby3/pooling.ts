/**
 * ABY3's reductions built on exact comparison: reduceMax (a tree of pairwise maxima),
 * argmax as a one-hot (all pairs of a row compared at once), max pooling with its argmax mask,
 * and a bitonic sorting network. All work on rows: the reduced axis is moved last.
 *
 * @example
 * ```ts
 * const m = reduceMax(p, x, -1, false);
 * ```
 */
import { ValueError } from '../../errors.js';
import type { Pool2DOptions } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { fromRows, toRows } from '../generic/rows.js';
import { ABY3PrivateTensor, type ReplicatedShares } from './aby3_tensors.js';
import { bitsOf, injectBit, signBits } from './inject.js';
import { andAlongLastAxis, andPublic, xorPublic } from './boolean.js';
import { bitToArithmetic } from './comparisons.js';
import { mapLocal, mapShares } from './linear.js';
import { msbBit } from './msb.js';
import { poolGeometry } from './shape.js';

/**
 * A public value added to padding so it never wins a maximum or sorts before a real value:
 * 2^30 (inputs must lie in (−2^30, 2^30), far inside the comparison range).
 */
export const PAD_MAGNITUDE = 2 ** 30;

/**
 * True when short rows are better served by {@link argmaxOneHot}'s all-pairs comparison
 * (at most 13 rounds with the sum) than by the tree (11 rounds per level): L ≤ 16 and at
 * most 2^16 comparisons in all (softmax over classes, small pooling windows).
 */
const useAllPairs = (m: number, len: number) => len >= 3 && len <= 16 && (m * len * (len - 1)) / 2 <= 1 << 16;

/**
 * Maximum over `axis`. Short rows: Σ x·onehot, the one-hot bits of {@link argmaxOneHot} injected
 * into x (≤ 13 rounds for L ≤ 16; 13 for softmax's L = 10). Long
 * rows: ⌈log2 L⌉ levels, each one batched comparison of the two halves of every row and one
 * select (11 rounds per level, L − 1 comparisons per row).
 * @example
 * ```ts
 * const m = reduceMax(p, logits, -1, true);
 * ```
 */
export function reduceMax(p: ABY3, x: TfeTensor, axis: number, keepDims: boolean): TfeTensor {
  const { rows, outer, a, len } = toRows(p, x, axis, 'reduceMax');
  const shape = keepDims ? x.shape.map((d, i) => (i === a ? 1 : d)) : outer;
  if (useAllPairs(rows.shape[0], len)) {
    // Σ x·[x is the first max] by bit injection of the boolean one-hot: its B2A and the
    // product in 2 rounds instead of 3
    const priv = p.toPrivate(rows);
    const picked = new ABY3PrivateTensor(p, rows.fracBits, injectBit(p, bitsOf(p, firstMaxBits(p, priv)), priv.shares));
    return p.reshape(p.reduceSum(picked, 1), shape);
  }
  let cur = rows;
  while (cur.shape[1] > 1) {
    const half = Math.floor(cur.shape[1] / 2);
    const lo = p.slice(cur, [0, 0], [-1, half]);
    const hi = p.slice(cur, [0, half], [-1, half]);
    const m = p.maximum(lo, hi);
    cur = cur.shape[1] % 2 === 1 ? p.concat([m, p.slice(cur, [0, 2 * half], [-1, 1])], 1) : m;
  }
  return p.reshape(cur, shape);
}

/**
 * One-hot of the first maximum of each row, all pairs at once (as SecureNN's short-row path):
 *  1. lt_ij = [x_i < x_j] for every pair i < j: one batched sign circuit, the bits left as
 *     boolean shares (7 rounds)
 *  2. x_i is the first maximum iff x_i ≥ x_j for j > i (¬lt_ij) and x_i > x_j for j < i
 *     (lt_ji): its L − 1 conditions gathered per candidate (local; ¬ is local on XOR shares)
 *  3. their AND over each candidate, a tree of boolean ANDs (⌈log2(L − 1)⌉ rounds)
 *  4. B2A of the result bit (2 rounds)
 * 7 + ⌈log2(L − 1)⌉ + 2 rounds (13 for L = 10, where comparing the failed-condition counts with
 * a second sign circuit took 18); L(L−1)/2 comparisons per row.
 * @example
 * ```ts
 * const oh = argmaxOneHot(p, logits, -1);
 * ```
 */
export function argmaxOneHot(p: ABY3, x: TfeTensor, axis: number): TfeTensor {
  const { rows, len, outer, a, perm } = toRows(p, x, axis, 'argmax');
  if (len === 1) return fromRows(p, p.toPrivate(p.defineConstant(new Float64Array(rows.size).fill(1), { shape: [...rows.shape], integer: true })), outer, a, perm);
  const onehot = new ABY3PrivateTensor(p, 0, bitToArithmetic(p, firstMaxBits(p, p.toPrivate(rows))));
  return fromRows(p, onehot, outer, a, perm);
}

/**
 * Steps 1–3 of {@link argmaxOneHot} on rows [R, L] (L ≥ 2): boolean shares of the one-hot of
 * each row's first maximum, bit 0 of each word (7 + ⌈log2(L − 1)⌉ rounds).
 */
function firstMaxBits(p: ABY3, rows: ABY3PrivateTensor): ReplicatedShares {
  const len = rows.shape[1];
  const { rt } = p;
  const pairs = new Map<string, number>();
  const is: number[] = [], js: number[] = [];
  for (let i = 0; i < len; i++) for (let j = i + 1; j < len; j++) { pairs.set(`${i},${j}`, is.length); is.push(i); js.push(j); }
  const P = is.length;
  const diff = p.toPrivate(p.sub(p.gather(rows, is, 1), p.gather(rows, js, 1)));
  const lt = msbBit(p, diff.shares); // [R, P], bit 0 of each word
  const both = mapShares(xorPublic(p, lt, 1n), (h, i, slot) => rt.op(h.player, 'Concat', [lt[i][slot], h], { axis: 1 })); // [lt | ¬lt]
  // candidate i's conditions: ¬lt_ij (column P + k) for j > i, lt_ji (column k) for j < i
  const picks: number[] = [];
  for (let i = 0; i < len; i++) for (let j = 0; j < len; j++) if (j !== i) picks.push(j > i ? P + pairs.get(`${i},${j}`)! : pairs.get(`${j},${i}`)!);
  const R = rows.shape[0];
  const conds = mapShares(both, (h) => rt.op(h.player, 'Reshape', [rt.op(h.player, 'Gather', [h], { axis: 1, indices: picks })], { shape: [R, len, len - 1] }));
  // the ANDs' zero-sharing leaves noise above bit 0 of each share: B2A reads 0/1 words
  return mapShares(andPublic(p, andAlongLastAxis(p, conds), 1n), (h) => rt.op(h.player, 'Reshape', [h], { shape: [R, len] }));
}

/**
 * Max pooling (NHWC) with the one-hot mask [n, oh, ow, kh·kw, c] of each window's first
 * maximum: im2col on each share, padding pushed down by {@link PAD_MAGNITUDE} so it never
 * wins ('same'), {@link argmaxOneHot} over the window, and y = Σ window·onehot (1 round).
 * @example
 * ```ts
 * const { y, mask } = maxPool2d(p, x, { poolSize: 2 }, true);
 * ```
 */
export function maxPool2d(p: ABY3, x: TfeTensor, opts: Pool2DOptions, withMask: boolean): { y: TfeTensor; mask?: TfeTensor } {
  if (x.rank !== 4) throw new ValueError(`\`maxPool2d\` expects NHWC input of rank 4, got shape [${x.shape.join(',')}]`);
  const { pool, strides, padding, outH, outW, counts } = poolGeometry(x.shape, opts);
  const [n, h, w, c] = x.shape;
  const kk = pool[0] * pool[1];
  const cols = mapLocal(p, x, 'Im2Col', { kernelSize: pool, strides, padding });
  let windows = p.reshape(cols, [n, outH, outW, kk, c]);
  if (counts.some((v) => v !== kk)) {
    const ones = p.defineConstant(new Float64Array(h * w).fill(1), { shape: [1, h, w, 1], integer: true });
    const inBounds = p.reshape(mapLocal(p, ones, 'Im2Col', { kernelSize: pool, strides, padding }), [1, outH, outW, kk, 1]);
    windows = p.add(windows, p.mul(p.sub(inBounds, p.defineConstant(1, { integer: true })), PAD_MAGNITUDE));
  }
  if (!withMask && kk > 16) return { y: reduceMax(p, windows, 3, false) };
  const mask = argmaxOneHot(p, windows, 3);
  const y = p.reduceSum(p.mul(windows, mask), 3, false);
  return { y, mask: withMask ? mask : undefined };
}

/**
 * Sorts every row along the last axis, ascending, with Batcher's bitonic network (rows padded
 * to a power of two with {@link PAD_MAGNITUDE}, removed after). Each of the
 * log2 L·(log2 L + 1)/2 stages is one batched sign circuit on B − A and one bit injection of
 * its bits into B − A (the swap amount): 8 rounds per stage (440 for L = 1024),
 * L/2 comparisons per row per stage. Inputs must lie in (−2^30, 2^30).
 * @example
 * ```ts
 * const s = sort(p, x); // [[3, 1, 2]] → [[1, 2, 3]]
 * ```
 */
export function sort(p: ABY3, x: TfeTensor): TfeTensor {
  const { rows, len, outer, a, perm } = toRows(p, x, -1, 'sort');
  let size = 1;
  while (size < len) size *= 2;
  let cur = size === len ? rows : p.concat([rows, p.defineConstant(new Float64Array(rows.shape[0] * (size - len)).fill(PAD_MAGNITUDE), { shape: [rows.shape[0], size - len] })], 1);
  for (let k = 2; k <= size; k *= 2) {
    for (let j = k / 2; j >= 1; j /= 2) {
      const lows: number[] = [], highs: number[] = [];
      for (let i = 0; i < size; i++) {
        const l = i ^ j;
        if (l <= i) continue;
        const ascending = (i & k) === 0;
        lows.push(ascending ? i : l);
        highs.push(ascending ? l : i);
      }
      const A = p.gather(cur, lows, 1);
      const B = p.gather(cur, highs, 1);
      // d = (B − A)·[B < A]: the sign bits of B − A injected into B − A (one injection where
      // less() and a product took two, in the same 8 rounds per stage)
      const diff = p.toPrivate(p.sub(B, A));
      const d = new ABY3PrivateTensor(p, diff.fracBits, injectBit(p, signBits(p, diff.shares), diff.shares));
      const merged = p.concat([p.add(A, d), p.sub(B, d)], 1);
      const position = [...lows, ...highs];
      const inverse = new Array<number>(size);
      position.forEach((pos, idx) => { inverse[pos] = idx; });
      cur = p.gather(merged, inverse, 1);
    }
  }
  if (size !== len) cur = p.slice(cur, [0, 0], [-1, len]);
  return fromRows(p, cur, outer, a, perm);
}
