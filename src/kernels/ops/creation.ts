/**
 * Front doors that make tensors: from host values, constants, one-hot rows, and uniform
 * samples from the PRG. Host values go to the active backend's storage.
 */
import { ValueError } from '../../errors.js';
import { normalizeRing, U64, type HostArray, type RingSpec } from '../dtype.js';
import { getBackend } from '../engine.js';
import { RingTensor } from '../ring_tensor.js';
import { checkTensor, op } from './run_op.js';
import { checkShape, fmtShape } from './validate.js';

function make(values: HostArray, shape: number[], ring: RingSpec): RingTensor {
  return new RingTensor(shape, ring.dtype, getBackend().upload(values, ring.dtype), ring.modulus);
}

function checkCount(n: number, shape: number[], what: string): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (n !== size) throw new ValueError(`\`${what}\` holds ${n} elements but \`shape\` ${fmtShape(shape)} needs ${size}`);
}

/** u8 element check: an integer in [0, m). */
function checkSmall(what: string, i: number, v: number | bigint, m: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n >= m) {
    throw new ValueError(`\`${what}\`[${i}] must be an integer in [0, ${m}) for ring u8 mod ${m}, got a value outside it`);
  }
  return n;
}

/**
 * A tensor from host numbers (or a BigUint64Array / Uint8Array). For u64, numbers must be safe
 * integers and negatives wrap to two's complement; for u8 mod m, integers in [0, m).
 * @example
 * ```ts
 * ring.fromValues([1, 2, -1], [3]);                            // u64: 1, 2, 2^64 − 1
 * ring.fromValues([0, 1, 1], [3], { dtype: 'u8', modulus: 2 }); // bits
 * ```
 */
export function fromValues(values: ArrayLike<number> | BigUint64Array, shape: number[], ring: RingSpec = U64): RingTensor {
  const r = normalizeRing(ring);
  const s = checkShape('shape', shape);
  if (values == null || typeof (values as ArrayLike<number>).length !== 'number') {
    throw new ValueError(`\`values\` must be an array or typed array, got ${typeof values}`);
  }
  checkCount(values.length, s, 'values');
  if (values instanceof BigUint64Array) return fromBigInts(values, s, r);
  if (r.dtype === 'u64') {
    const out = new BigUint64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isSafeInteger(v)) throw new ValueError(`\`values\`[${i}] must be a safe integer for ring u64, got a non-integer or unsafe number`);
      out[i] = BigInt(v);
    }
    return make(out, s, r);
  }
  return make(Uint8Array.from({ length: values.length }, (_, i) => checkSmall('values', i, values[i] as number, r.modulus!)), s, r);
}

/**
 * A tensor from bigints: for u64 each value is taken mod 2^64 (so −1n is 2^64 − 1); for u8
 * mod m, values must be in [0, m).
 * @example
 * ```ts
 * ring.fromBigInts([0n, 1n, 2n ** 63n, 2n ** 64n - 1n], [2, 2]);
 * ```
 */
export function fromBigInts(bigints: ArrayLike<bigint> | bigint[], shape: number[], ring: RingSpec = U64): RingTensor {
  const r = normalizeRing(ring);
  const s = checkShape('shape', shape);
  checkCount(bigints.length, s, 'bigints');
  for (let i = 0; i < bigints.length; i++) {
    if (typeof bigints[i] !== 'bigint') throw new ValueError(`\`bigints\`[${i}] must be a bigint, got ${typeof bigints[i]}`);
  }
  if (r.dtype === 'u64') return make(BigUint64Array.from(bigints as ArrayLike<bigint>, (v) => BigInt.asUintN(64, v)), s, r);
  return make(Uint8Array.from({ length: bigints.length }, (_, i) => checkSmall('bigints', i, bigints[i], r.modulus!)), s, r);
}

/** Splits a ring into the kernels' `dtype`/`modulus` attributes. */
function ringAttrs(ring: RingSpec): { dtype: 'u64' | 'u8'; modulus?: number } {
  const r = normalizeRing(ring);
  return r.dtype === 'u64' ? { dtype: 'u64' } : { dtype: 'u8', modulus: r.modulus };
}

/**
 * A tensor of `shape` with every element `value` (reduced into the ring; negatives wrap).
 * @example
 * ```ts
 * ring.fill([2, 2], -1n); // 2^64 − 1 everywhere
 * ```
 */
export function fill(shape: number[], value: bigint | number, ring: RingSpec = U64): RingTensor {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new ValueError(`\`value\` must be a bigint or a safe integer, got ${value}`);
  }
  return op('Fill', [], { shape, value: BigInt(value), ...ringAttrs(ring) });
}

/** All zeros. @example `ring.zeros([3, 4], BITS)` */
export function zeros(shape: number[], ring: RingSpec = U64): RingTensor {
  return fill(shape, 0n, ring);
}

/**
 * One-hot rows: [...indices.shape, depth], 1 at each u64 index (all zero when ≥ depth).
 * @example
 * ```ts
 * ring.oneHot(ring.fromValues([2, 0], [2]), 3); // [[0,0,1],[1,0,0]]
 * ```
 */
export function oneHot(indices: RingTensor, depth: number, ring: RingSpec = U64): RingTensor {
  return op('OneHot', [checkTensor('indices', indices)], { depth, ...ringAttrs(ring) });
}

/** Stream position of {@link uniform}: `nonce` selects a stream, `offset` a 16-byte block in it. @example `ring.uniform(seed, [8], U64, { nonce: 1n, offset: 4n })` */
export interface UniformOptions { nonce?: bigint; offset?: bigint }

/**
 * Uniform ring elements from AES-128-CTR keyed by `seed` (identical on every backend).
 * @example
 * ```ts
 * const seed = newSeed();
 * const r = ring.uniform(seed, [1024], U64, { nonce: 7n });
 * const z = ring.uniform(seed, [10], { dtype: 'u8', modulus: 67 });
 * ```
 */
export function uniform(seed: Uint8Array, shape: number[], ring: RingSpec = U64, options: UniformOptions = {}): RingTensor {
  const r = normalizeRing(ring);
  return op('PrgUniform', [], { seed, nonce: options.nonce ?? 0n, offset: options.offset ?? 0n, shape, ...ringAttrs(r) });
}
