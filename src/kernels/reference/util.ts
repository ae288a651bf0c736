/**
 * Small helpers shared by the reference kernels: strides, broadcasting index maps, and making
 * output tensors. Kernels here assume their inputs were validated by `ops/infer_output.ts`.
 * @internal
 */
import type { KernelBackend } from '../backend.js';
import type { DType, HostArray, RingSpec } from '../dtype.js';
import { RingTensor } from '../ring_tensor.js';

/** Number of elements of a shape. @example `sizeOf([2, 3]) // 6` */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major strides of a shape. @example `stridesOf([2, 3, 4]) // [12, 4, 1]` */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** The coordinates of flat index `i` in `shape`. @example `unravel(5, [2, 3]) // [1, 2]` */
export function unravel(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { c[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return c;
}

/**
 * For each flat index of `outShape`, the flat index of the element of a tensor of shape
 * `inShape` that broadcasts to it (numpy rules: align trailing axes; size-1 axes repeat).
 * @example
 * ```ts
 * broadcastMap([2, 3], [3]); // Float64Array [0, 1, 2, 0, 1, 2]
 * ```
 */
export function broadcastMap(outShape: readonly number[], inShape: readonly number[]): Float64Array {
  const size = sizeOf(outShape);
  const map = new Float64Array(size);
  if (inShape.length === outShape.length && inShape.every((n, d) => n === outShape[d])) {
    for (let i = 0; i < size; i++) map[i] = i; // no broadcasting: the identity
    return map;
  }
  const lead = outShape.length - inShape.length;
  const inStrides = stridesOf(inShape);
  for (let i = 0; i < size; i++) {
    const c = unravel(i, outShape);
    let j = 0;
    for (let d = 0; d < inShape.length; d++) if (inShape[d] !== 1) j += c[d + lead] * inStrides[d];
    map[i] = j;
  }
  return map;
}

/** The numpy broadcast of two shapes (assumed compatible). @example `broadcastShapes([2, 1], [3]) // [2, 3]` */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Wraps host values as a tensor of `backend`. @example `output(be, [2], U64, new BigUint64Array(2))` */
export function output(backend: KernelBackend, shape: readonly number[], ring: RingSpec, values: HostArray): RingTensor {
  return new RingTensor([...shape], ring.dtype, backend.upload(values, ring.dtype), ring.modulus);
}

/** Host values of a u64 tensor. @example `u64(t)[0]` */
export function u64(t: RingTensor): BigUint64Array {
  return t.values() as BigUint64Array;
}

/** Host values of a u8 tensor. @example `u8(t)[0]` */
export function u8(t: RingTensor): Uint8Array {
  return t.values() as Uint8Array;
}

/** The ring of a `{dtype, modulus}` attribute pair. @example `ringOf('u8', 2) // {dtype:'u8', modulus:2}` */
export function ringOf(dtype: DType, modulus?: number): RingSpec {
  return dtype === 'u64' ? { dtype: 'u64' } : { dtype: 'u8', modulus: modulus ?? 256 };
}

/** Modulus of a ring as a bigint: 2^64 for u64. @example `modulusOf(U64) // 18446744073709551616n` */
export function modulusOf(r: RingSpec): bigint {
  return r.dtype === 'u64' ? 1n << 64n : BigInt(r.modulus ?? 256);
}

/** The signed (two's complement) reading of a u64. @example `signed(2n ** 64n - 1n) // -1n` */
export function signed(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}
