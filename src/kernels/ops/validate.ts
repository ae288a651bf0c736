/**
 * Argument checks shared by shape inference and the front-door ops. Each throws a
 * `ValueError` that names the argument in backticks and says what was expected and found.
 * Messages carry shapes and attributes, never tensor values.
 * @internal
 */
import { ValueError } from '../../errors.js';
import { normalizeRing, ringName, sameRing, type RingSpec } from '../dtype.js';

/** What shape inference knows about a tensor. @example `const t: TensorInfo = { shape: [2, 3], ring: U64 }` */
export interface TensorInfo { shape: readonly number[]; ring: RingSpec }

/** `[2,3]` for messages. @example `fmtShape([2, 3]) // '[2,3]'` */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** A value for a message: arrays in brackets, bigints with `n`. */
function fmt(v: unknown): string {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>, fmt).join(',')}]`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return `'${v}'`;
  return String(v);
}

/**
 * Throws unless `v` is an integer ≥ `min` (and ≤ `max`).
 * @example
 * ```ts
 * checkInt('bits', 70, 0, 63); // ValueError: `bits` must be an integer in [0, 63], got 70
 * ```
 */
export function checkInt(name: string, v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new ValueError(`\`${name}\` must be an integer ${range}, got ${fmt(v)}`);
  }
  return v;
}

/**
 * Throws unless `v` is an array of `length` (when given) integers ≥ `min`.
 * @example
 * ```ts
 * checkIntArray('shape', [2, -1]); // ValueError: `shape` must be ... got [2,-1]
 * ```
 */
export function checkIntArray(name: string, v: unknown, length?: number, min = 0): number[] {
  const ok = (Array.isArray(v) || v instanceof Int32Array) &&
    Array.from(v as ArrayLike<unknown>).every((e) => typeof e === 'number' && Number.isInteger(e) && e >= min);
  if (!ok) throw new ValueError(`\`${name}\` must be an array of integers ≥ ${min}, got ${fmt(v)}`);
  const arr = Array.from(v as ArrayLike<number>);
  if (length !== undefined && arr.length !== length) {
    throw new ValueError(`\`${name}\` must have ${length} entries (one per axis), got ${arr.length}: ${fmt(arr)}`);
  }
  return arr;
}

/** Throws unless `v` is a boolean or undefined (absent means false). @example `checkBool('keepDims', 1)` */
export function checkBool(name: string, v: unknown): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw new ValueError(`\`${name}\` must be a boolean, got ${fmt(v)}`);
  return v === true;
}

/** Elements of a tensor of `shape`. @example `sizeOf([2, 3]) // 6` */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Throws unless `v` is one of `options`. @example `checkOneOf('padding', 'full', ['same', 'valid'])` */
export function checkOneOf<T extends string>(name: string, v: unknown, options: readonly T[]): T {
  if (!options.includes(v as T)) throw new ValueError(`\`${name}\` must be one of ${options.map(fmt).join(', ')}, got ${fmt(v)}`);
  return v as T;
}

/** Throws unless `v` is an axis of a rank-`rank` tensor, in [0, rank). @example `checkAxis('axis', 3, 2)` */
export function checkAxis(name: string, v: unknown, rank: number, tensor = 'x'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= rank) {
    throw new ValueError(`\`${name}\` must be an axis of \`${tensor}\` (rank ${rank}), in [0, ${rank}), got ${fmt(v)}`);
  }
  return v;
}

/** Throws unless `t` has rank `rank`. @example `checkRank('x', info, 4)` */
export function checkRank(name: string, t: TensorInfo, rank: number, what = ''): void {
  if (t.shape.length !== rank) {
    throw new ValueError(`\`${name}\` must have rank ${rank}${what}, got shape ${fmtShape(t.shape)}`);
  }
}

/** Throws unless `t` is in one of the allowed rings (by predicate). @example `checkRing('x', info, isU64, 'u64')` */
export function checkRing(name: string, t: TensorInfo, ok: (r: RingSpec) => boolean, expected: string): void {
  if (!ok(t.ring)) throw new ValueError(`\`${name}\` must be ${expected}, got ${ringName(t.ring)}`);
}

/** True for the ring Z_2^64. @example `isU64(U64) // true` */
export const isU64 = (r: RingSpec): boolean => r.dtype === 'u64';
/** True for bits (u8 mod 2). @example `isBits(BITS) // true` */
export const isBits = (r: RingSpec): boolean => r.dtype === 'u8' && r.modulus === 2;

/** Throws unless every named tensor is in the ring of the first. @example `checkSameRing([['a', a], ['b', b]])` */
export function checkSameRing(named: [string, TensorInfo][]): RingSpec {
  const [first, t0] = named[0];
  for (const [name, t] of named.slice(1)) {
    if (!sameRing(t0.ring, t.ring)) {
      throw new ValueError(`\`${name}\` must be in the ring of \`${first}\` (${ringName(t0.ring)}), got ${ringName(t.ring)}`);
    }
  }
  return t0.ring;
}

/**
 * The numpy broadcast of two shapes, or a ValueError naming both arguments.
 * @example
 * ```ts
 * broadcastOrThrow('a', [2, 1], 'b', [3]); // [2, 3]
 * ```
 */
export function broadcastOrThrow(aName: string, a: readonly number[], bName: string, b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new ValueError(`\`${aName}\` of shape ${fmtShape(a)} and \`${bName}\` of shape ${fmtShape(b)} do not broadcast (axis ${i} of the result: ${x} vs ${y})`);
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Checks an output ring from `dtype`/`modulus` attributes (u8 without `modulus` is mod 256). @example `ringFromAttrs({ dtype: 'u8', modulus: 2 })` */
export function ringFromAttrs(attrs: { dtype?: unknown; modulus?: unknown }): RingSpec {
  checkOneOf('dtype', attrs.dtype, ['u64', 'u8'] as const);
  return normalizeRing({ dtype: attrs.dtype as 'u64' | 'u8', modulus: attrs.modulus as number | undefined });
}

/** Throws unless `shape` is an array of non-negative integers. @example `checkShape('shape', [2, 3])` */
export function checkShape(name: string, shape: unknown): number[] {
  return checkIntArray(name, shape, undefined, 0);
}
