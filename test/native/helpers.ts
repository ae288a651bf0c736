/**
 * Shared helpers of the native-addon tests: deterministic u64 data and tensors on the native
 * backend.
 */
import { HostStorage } from '../../src/kernels/backend.js';
import '../../src/kernels/native/register.js';
import { RingTensor } from '../../src/kernels/ring_tensor.js';

/** A deterministic xorshift stream of u64 values with edge values mixed in. @example `u64s(4, 1)` */
export function u64s(n: number, seed: number): BigUint64Array {
  const edges = [0n, 1n, 1n << 63n, (1n << 64n) - 1n];
  let s = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  const out = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= (s << 13n) & 0xffffffffffffffffn; s ^= s >> 7n; s ^= (s << 17n) & 0xffffffffffffffffn;
    out[i] = i % 11 === 3 ? edges[i % 4] : s;
  }
  return out;
}

/** A u64 tensor of `shape` with values from {@link u64s}. @example `tensor([2, 3], 7)` */
export function tensor(shape: number[], seed: number): RingTensor {
  return new RingTensor(shape, 'u64', new HostStorage(u64s(shape.reduce((a, b) => a * b, 1), seed)));
}

/** Plain BigInt matrix product mod 2^64 of row-major M×K and K×N arrays. @example `bigMatmul(a, b, 2, 3, 4)` */
export function bigMatmul(a: BigUint64Array, b: BigUint64Array, M: number, K: number, N: number): BigUint64Array {
  const out = new BigUint64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0n;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      out[i * N + j] = BigInt.asUintN(64, s);
    }
  }
  return out;
}

/** True when two typed arrays hold the same elements. @example `same(a, a) // true` */
export function same(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
