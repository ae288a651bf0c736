/**
 * Helpers shared by the native kernels: wrapping addon outputs as tensors, broadcast strides,
 * and ring codes for the addon (`modulus` 0 means u64).
 * @internal
 */
import type { KernelBackend } from '../backend.js';
import type { DType, HostArray } from '../dtype.js';
import { loadBinding } from './binding.js';
import { outputArray } from './out_cache.js';
import { RingTensor } from '../ring_tensor.js';

/** Wraps host values as a tensor. @example `wrap(be, [2], 'u64', undefined, values)` */
export function wrap(be: KernelBackend, shape: readonly number[], dtype: DType, modulus: number | undefined, v: HostArray): RingTensor {
  return new RingTensor([...shape], dtype, be.upload(v, dtype), dtype === 'u64' ? undefined : modulus);
}

/** A tensor's host array. @example `host(t).length` */
export function host(t: RingTensor): HostArray {
  return t.values();
}

/** Addon ring code: 0 for u64, m for u8. @example `modCode(t) // 0` */
export function modCode(t: { dtype: DType; modulus?: number }): number {
  return t.dtype === 'u64' ? 0 : (t.modulus ?? 256);
}

/** Row-major strides. @example `rowStrides([2, 3]) // [3, 1]` */
export function rowStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** numpy broadcast of shapes. @example `broadcastShape([2, 1], [3]) // [2, 3]` */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    let d = 1;
    for (const s of shapes) { const x = s[s.length - r + i] ?? 1; if (x !== 1) d = x; }
    out.push(d);
  }
  return out;
}

/** Strides reading `inShape` broadcast to `outShape` (0 on repeated axes). @example `broadcastStrides([2, 3], [3]) // [0, 1]` */
export function broadcastStrides(outShape: readonly number[], inShape: readonly number[]): number[] {
  const own = rowStrides(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, d) => (d < lead || inShape[d - lead] === 1 ? 0 : own[d - lead]));
}

/** Product of dims. @example `numel([2, 3]) // 6` */
/**
 * The geometry of a (batched, broadcast) matmul as the addons take it: M, K, N, the batch
 * shape and each operand's batch strides in elements.
 * @example
 * ```ts
 * const { M, K, N, batch, sa, sb } = matmulPlan(a, b, { transposeB: true });
 * ```
 */
export function matmulPlan(a: RingTensor, b: RingTensor, at: { transposeA?: boolean; transposeB?: boolean }): { M: number; K: number; N: number; batch: number[]; sa: number[]; sb: number[] } {
  const [ra, rb] = [a.rank, b.rank];
  const [M, K] = at.transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const N = at.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const [ba, bb] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const batch = broadcastShape(ba, bb);
  const sa = broadcastStrides(batch, ba).map((s) => s * M * K);
  const sb = broadcastStrides(batch, bb).map((s) => s * K * N);
  return { M, K, N, batch, sa, sb };
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Fresh host values of `shape` whose element idx is x[offset + idx·strides] (a strided view
 * copied out by the addon).
 * @example
 * ```ts
 * stridedGather(x, [3, 2], 0, [1, 3]); // the transpose of a [2, 3] tensor
 * ```
 */
export function stridedGather(x: RingTensor, shape: number[], offset: number, strides: number[]): HostArray {
  const nb = loadBinding();
  const out = outputArray(x.dtype === 'u64', numel(shape));
  nb.stridedCopy(out, 0, rowStrides(shape), host(x), offset, strides, shape);
  return out;
}

/**
 * The output shape of a broadcast binary op and the addon's view of it: equal shapes and a
 * size-1 operand collapse to one flat axis, so small ops pass short arrays.
 * @example
 * ```ts
 * binaryPlan([2, 3], [2, 3]); // { shape: [2, 3], flat: [6], sa: [1], sb: [1] }
 * ```
 */
export function binaryPlan(a: readonly number[], b: readonly number[]): { shape: number[]; flat: number[]; sa: number[]; sb: number[] } {
  const shape = broadcastShape(a, b);
  const n = numel(shape);
  const [na, nb] = [numel(a), numel(b)];
  if (na === n && nb === n) return { shape, flat: [n], sa: [1], sb: [1] };
  if (na === n && nb === 1) return { shape, flat: [n], sa: [1], sb: [0] };
  if (na === 1 && nb === n) return { shape, flat: [n], sa: [0], sb: [1] };
  return { shape, flat: shape, sa: broadcastStrides(shape, a), sb: broadcastStrides(shape, b) };
}
