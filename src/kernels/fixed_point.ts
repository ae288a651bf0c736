/**
 * Fixed-point encoding (DESIGN.md §4): a real x becomes round(x·2^f) mod 2^64 (ties to even, as
 * TF Encrypted's numpy rounding), and a ring element decodes as its two's-complement value
 * divided by 2^f. No per-element BigInt: each element is written and read as two 32-bit halves
 * through a Uint32Array view (little-endian element layout).
 */
import { endianness } from 'node:os';
import { ValueError } from '../errors.js';
import { U64 } from './dtype.js';
import { getBackend, runKernel } from './engine.js';
import { RingTensor } from './ring_tensor.js';

/** Options of the fixed-point codec: `fracBits` (f), default 16. @example `encodeFixed([0.5], [1], { fracBits: 20 })` */
export interface FixedPointOptions { fracBits?: number }

/** The default number of fractional bits. @example `fixedRange(DEFAULT_FRAC_BITS)` */
export const DEFAULT_FRAC_BITS = 16;

/** The minimal surface of a tfjs Tensor that encoding reads. @example `encodeFixed(tf.tensor1d([1, 2]))` */
export interface TensorLike { shape: number[]; dataSync(): ArrayLike<number> }

/**
 * The reals representable with `fracBits` fractional bits: x with |x·2^f| < 2^63, i.e.
 * (−2^(63−f), 2^(63−f)), in steps of 2^−f.
 * @example
 * ```ts
 * fixedRange(16); // { min: -140737488355328, max: 140737488355328, resolution: 0.0000152587890625 }
 * ```
 */
export function fixedRange(fracBits = DEFAULT_FRAC_BITS): { min: number; max: number; resolution: number } {
  checkFracBits(fracBits);
  return { min: -(2 ** (63 - fracBits)), max: 2 ** (63 - fracBits), resolution: 2 ** -fracBits };
}

function checkFracBits(f: unknown): number {
  if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f > 62) {
    throw new ValueError(`\`fracBits\` must be an integer in [0, 62], got ${String(f)}`);
  }
  return f;
}

const isTensorLike = (v: unknown): v is TensorLike =>
  typeof v === 'object' && v !== null && typeof (v as TensorLike).dataSync === 'function' && Array.isArray((v as TensorLike).shape);

const LITTLE_ENDIAN = endianness() === 'LE';

/** Round half to even. */
function roundEven(v: number): number {
  const r = Math.round(v); // ties toward +∞
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A zeroed u64 host array for a new tensor of `size` elements. Large ones come from the active
 * backend's output pool where it keeps host storage (the native addon's huge-page blocks, which
 * are recycled when the tensor is released): on some machines the first touch of freshly
 * mapped memory costs more than encoding into it.
 * @example
 * ```ts
 * const out = allocU64(1 << 20); // BigUint64Array(1048576), all zero
 * ```
 */
export function allocU64(size: number): BigUint64Array {
  if (size < 1 << 16 || getBackend().storageKind !== 'host') return new BigUint64Array(size);
  return runKernel('Fill', [], { shape: [size], value: 0n, dtype: 'u64' }).values() as BigUint64Array;
}

/**
 * The encoding loop behind {@link encodeFixed}, for callers that assemble a tensor piece by
 * piece (the table loaders): writes round(src[i]·2^f) to `dst[at + i·stride]` for every i, and
 * returns −1, or the index of the first value that is NaN, ±Infinity or out of range (the caller
 * names it in its own error). No per-element BigInt: two 32-bit halves per element.
 * @example
 * ```ts
 * const out = new BigUint64Array(4);
 * encodeFixedInto(Float64Array.of(1, 2), out, 1, 2, 16); // out = [0, 65536, 0, 131072], returns -1
 * ```
 */
export function encodeFixedInto(src: Float64Array, dst: BigUint64Array, at: number, stride: number, fracBits: number): number {
  const scale = 2 ** checkFracBits(fracBits);
  const limit = 2 ** 63;
  const n = src.length;
  if (n > 0 && (at < 0 || at + (n - 1) * stride >= dst.length)) throw new ValueError(`encodeFixedInto: ${n} values at ${at} with stride ${stride} do not fit in ${dst.length}`);
  if (LITTLE_ENDIAN) {
    const w = new Uint32Array(dst.buffer, dst.byteOffset, 2 * dst.length);
    for (let i = 0, j = 2 * at; i < n; i++, j += 2 * stride) {
      const v = roundEven(src[i]! * scale);
      if (!(Math.abs(v) < limit)) return i; // also catches NaN
      const hi = Math.floor(v / 4294967296);
      w[j] = v - hi * 4294967296;
      w[j + 1] = hi >>> 0;
    }
    return -1;
  }
  for (let i = 0; i < n; i++) {
    const v = roundEven(src[i]! * scale);
    if (!(Math.abs(v) < limit)) return i;
    dst[at + i * stride] = BigInt.asUintN(64, BigInt(v));
  }
  return -1;
}

/**
 * Encodes reals (an array, a typed array, or a tfjs Tensor) as a u64 ring tensor. NaN, ±Infinity
 * and values with |x·2^f| ≥ 2^63 throw a ValueError naming the index and the allowed range.
 * @example
 * ```ts
 * const t = encodeFixed([1.5, -2], [2]);     // 1.5·2^16, 2^64 − 2·2^16
 * const u = encodeFixed(tf.tensor2d([[1, 2], [3, 4]]), undefined, { fracBits: 20 });
 * ```
 */
export function encodeFixed(values: ArrayLike<number> | TensorLike, shape?: readonly number[], options: FixedPointOptions = {}): RingTensor {
  const f = checkFracBits(options.fracBits ?? DEFAULT_FRAC_BITS);
  const data: ArrayLike<number> = isTensorLike(values) ? values.dataSync() : values;
  if (data == null || typeof data.length !== 'number') throw new ValueError(`\`values\` must be an array, typed array or tfjs Tensor, got ${typeof values}`);
  const s = [...(shape ?? (isTensorLike(values) ? values.shape : [data.length]))];
  const size = s.reduce((a, b) => a * b, 1);
  if (!s.every((n) => Number.isInteger(n) && n >= 0) || size !== data.length) {
    throw new ValueError(`\`shape\` [${s.join(',')}] must describe the ${data.length} elements of \`values\``);
  }
  const out = allocU64(size);
  const src = data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
  const bad = encodeFixedInto(src, out, 0, 1, f);
  if (bad >= 0) {
    const x = src[bad]!;
    const what = Number.isNaN(x) ? 'NaN' : !Number.isFinite(x) ? String(x) : 'out of range';
    const { min, max } = fixedRange(f);
    throw new ValueError(`\`values\`[${bad}] is ${what}; fixed point with ${f} fractional bits encodes reals in (${min}, ${max})`);
  }
  return new RingTensor(s, 'u64', getBackend().upload(out, 'u64'));
}

/**
 * Decodes a u64 ring tensor as signed fixed point: two's complement / 2^f.
 * @example
 * ```ts
 * decodeFixed(encodeFixed([1.5, -2], [2])); // Float64Array [1.5, -2]
 * ```
 */
export function decodeFixed(t: RingTensor, options: FixedPointOptions = {}): Float64Array {
  const f = checkFracBits(options.fracBits ?? DEFAULT_FRAC_BITS);
  if (!(t instanceof RingTensor) || t.dtype !== U64.dtype) {
    throw new ValueError(`\`t\` must be a u64 RingTensor, got ${t instanceof RingTensor ? t.toString() : typeof t}`);
  }
  let v = t.values() as BigUint64Array;
  if (endianness() !== 'LE') v = v.map((e) => (e >> 32n) | (e << 32n));
  const [lo, hi] = [new Uint32Array(v.buffer, v.byteOffset, 2 * v.length), new Int32Array(v.buffer, v.byteOffset, 2 * v.length)];
  const out = new Float64Array(v.length);
  const inv = 2 ** -f;
  for (let i = 0; i < out.length; i++) out[i] = (hi[2 * i + 1] * 4294967296 + lo[2 * i]) * inv;
  return out;
}
