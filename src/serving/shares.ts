import { randomFillSync } from 'node:crypto';
import { ValueError } from '../errors.js';
import { encodeFixed } from '../kernels/fixed_point.js';

/**
 * The client's side of the arithmetic: fixed-point encoding and 2-out-of-2 additive sharing
 * over Z_2^64 (Pond, SecureNN), and reconstruction of the output shares.
 *  1. x̄ = round(x·2^f) mod 2^64 (`encodeFixed`: NaN, ±Inf and out-of-range values are refused).
 *  2. r uniform in Z_2^64 from node:crypto (never Math.random); share0 = r, share1 = x̄ − r.
 *  3. Reconstruction: y = y0 + y1 mod 2^64, read as signed and divided by 2^f.
 * Either share alone is uniform, so a server learns nothing about x. No communication.
 *
 * @example
 * ```ts
 * const [s0, s1] = shareInput([1.5, -2], 16);
 * reconstruct(s0, s1, 16); // Float64Array [1.5, -2]
 * ```
 */
export function shareInput(values: ArrayLike<number>, fracBits: number): [BigUint64Array, BigUint64Array] {
  const x = encodeFixed(values, [values.length], { fracBits }).values() as BigUint64Array;
  const r = new BigUint64Array(x.length);
  randomFillSync(r);
  const other = new BigUint64Array(x.length);
  for (let i = 0; i < x.length; i++) other[i] = x[i] - r[i]; // BigUint64Array stores mod 2^64
  return [r, other];
}

/**
 * Adds two u64 shares and decodes them as signed fixed point with `fracBits` fractional bits.
 * @example
 * ```ts
 * reconstruct(new BigUint64Array([1n << 16n]), new BigUint64Array([0n]), 16); // Float64Array [1]
 * ```
 */
export function reconstruct(a: BigUint64Array, b: BigUint64Array, fracBits: number): Float64Array {
  if (a.length !== b.length) throw new ValueError(`output shares have ${a.length} and ${b.length} elements; they must match`);
  const out = new Float64Array(a.length);
  const scale = 2 ** fracBits;
  for (let i = 0; i < a.length; i++) out[i] = Number(BigInt.asIntN(64, a[i] + b[i])) / scale;
  return out;
}

/**
 * Little-endian bytes of a u64 array (a view, no copy on little-endian hosts).
 * @example
 * ```ts
 * u64Bytes(new BigUint64Array([1n])).length; // 8
 * ```
 */
export function u64Bytes(v: BigUint64Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * A u64 array read from little-endian bytes (copied, so the frame can go).
 * @example
 * ```ts
 * bytesU64(Buffer.alloc(16)).length; // 2
 * ```
 */
export function bytesU64(b: Uint8Array): BigUint64Array {
  if (b.byteLength % 8 !== 0) throw new ValueError(`a u64 payload must be a multiple of 8 bytes, found ${b.byteLength}`);
  const copy = new Uint8Array(b);
  return new BigUint64Array(copy.buffer, 0, b.byteLength / 8);
}
