/**
 * `PermuteLastAxis` (see `src/kernels/kernel_names_securenn.ts`): a per-row Fisher–Yates
 * shuffle of the last axis driven by u64 keys, on host typed arrays. Pure data movement, so one
 * TypeScript body serves both host backends (`reference` and `native`).
 * @internal
 */
import type { KernelBackend } from '../backend.js';
import type { HostArray } from '../dtype.js';
import { RingTensor } from '../ring_tensor.js';

const TWO_32 = 4294967296;

/**
 * floor(key · n / 2^64) for key = hi·2^32 + lo and n ≤ 2^20, exactly, in doubles:
 * key·n / 2^64 = (hi·n + lo·n / 2^32) / 2^32, and flooring the inner fraction first is exact.
 */
function scaled(hi: number, lo: number, n: number): number {
  return Math.floor((hi * n + Math.floor((lo * n) / TWO_32)) / TWO_32);
}

/**
 * Shuffles every row of `x` (last axis) in place of a copy, by the rows of `keys`.
 * @example
 * ```ts
 * permuteLastAxis(x, keys, backend); // same keys → same permutation on every player
 * ```
 */
export function permuteLastAxis(x: RingTensor, keys: RingTensor, backend: KernelBackend): RingTensor {
  const k = x.shape[x.shape.length - 1] ?? 1;
  const src = x.values();
  const out = src.slice() as HostArray;
  const kv = keys.values() as BigUint64Array;
  const words = new Uint32Array(kv.buffer, kv.byteOffset, kv.length * 2); // little-endian halves
  const rows = k === 0 ? 0 : x.size / k;
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    for (let i = k - 1; i >= 1; i--) {
      const w = 2 * (base + i);
      const j = scaled(words[w + 1], words[w], i + 1);
      const a = out[base + i];
      out[base + i] = out[base + j];
      out[base + j] = a;
    }
  }
  return new RingTensor([...x.shape], x.dtype, backend.upload(out, x.dtype), x.modulus);
}
