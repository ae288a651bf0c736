import { ValueError } from '../errors.js';

/**
 * Element types of ring tensors.
 * - `u64`: elements of Z_2^64, stored in a `BigUint64Array`, arithmetic wraps around.
 * - `u8`: elements of a small ring Z_m with 2 ≤ m ≤ 256, stored in a `Uint8Array`. m = 2 gives
 *   bits (boolean shares), a small prime p gives SecureNN's Z_p, m = 256 gives plain bytes.
 *
 * @example
 * ```ts
 * const bits = ring.fromValues(new Uint8Array([0, 1, 1]), [3], { dtype: 'u8', modulus: 2 });
 * ```
 */
export type DType = 'u64' | 'u8';

/**
 * Host storage for each element type.
 * @example
 * ```ts
 * const host: HostArray = allocHost('u8', 3); // Uint8Array(3)
 * ```
 */
export type HostArray = BigUint64Array | Uint8Array;

/**
 * The ring a tensor lives in: its element type and, for `u8`, its modulus.
 * @example
 * ```ts
 * const ring67: RingSpec = { dtype: 'u8', modulus: 67 }; // SecureNN's odd ring
 * ```
 */
export interface RingSpec {
  dtype: DType;
  /** Modulus of a `u8` tensor (2..256). Absent for `u64`, whose modulus is 2^64. */
  modulus?: number;
}

/**
 * The ring Z_2^64.
 * @example
 * ```ts
 * const zeros = ring.zeros([2, 2], U64);
 * ```
 */
export const U64: RingSpec = Object.freeze({ dtype: 'u64' });
/**
 * Bits: Z_2 in `u8` storage.
 * @example
 * ```ts
 * const bits = ring.fromValues(new Uint8Array([1, 0]), [2], BITS);
 * ```
 */
export const BITS: RingSpec = Object.freeze({ dtype: 'u8', modulus: 2 });

/**
 * Checks and normalises a ring spec.
 * @example
 * ```ts
 * normalizeRing({ dtype: 'u8', modulus: 67 }); // ok
 * normalizeRing({ dtype: 'u8', modulus: 1000 }); // throws ValueError
 * ```
 */
export function normalizeRing(spec: RingSpec): RingSpec {
  if (spec.dtype === 'u64') {
    if (spec.modulus !== undefined) throw new ValueError(`a u64 tensor has modulus 2^64; got \`modulus\` ${spec.modulus}`);
    return U64;
  }
  if (spec.dtype === 'u8') {
    const m = spec.modulus ?? 256;
    if (!Number.isInteger(m) || m < 2 || m > 256) {
      throw new ValueError(`\`modulus\` of a u8 tensor must be an integer in [2, 256], got ${m}`);
    }
    return { dtype: 'u8', modulus: m };
  }
  throw new ValueError(`\`dtype\` must be 'u64' or 'u8', got ${String((spec as RingSpec).dtype)}`);
}

/**
 * Allocates zeroed host storage for `size` elements of `dtype`.
 * @example
 * ```ts
 * allocHost('u64', 4); // BigUint64Array(4)
 * ```
 */
export function allocHost(dtype: DType, size: number): HostArray {
  return dtype === 'u64' ? new BigUint64Array(size) : new Uint8Array(size);
}

/**
 * Bytes per element of `dtype`.
 * @example
 * ```ts
 * bytesPerElement('u64'); // 8
 * bytesPerElement('u8'); // 1
 * ```
 */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'u64' ? 8 : 1;
}

/**
 * True when two ring specs describe the same ring.
 * @example
 * ```ts
 * sameRing(BITS, { dtype: 'u8', modulus: 2 }); // true
 * sameRing(U64, BITS); // false
 * ```
 */
export function sameRing(a: RingSpec, b: RingSpec): boolean {
  return a.dtype === b.dtype && (a.modulus ?? 0) === (b.modulus ?? 0);
}

/**
 * A readable name of a ring, for error messages: `u64` or `u8 mod 67`.
 * @example
 * ```ts
 * ringName({ dtype: 'u8', modulus: 67 }); // 'u8 mod 67'
 * ```
 */
export function ringName(r: RingSpec): string {
  return r.dtype === 'u64' ? 'u64' : `u8 mod ${r.modulus}`;
}
