/**
 * Output arrays handed back by the runtime, kept for the next kernel output of the same kind
 * and length. A fresh output costs an external ArrayBuffer (an N-API buffer, a finalizer, V8's
 * accounting: about 3 µs, and garbage to collect); a training step makes about 2,000 outputs,
 * mostly of a few repeated sizes, so reusing the array objects themselves saves that work.
 * Only pool-leased arrays the runtime has proved unread come here (`NativeBackend.release`,
 * driven by storage_refs.ts), and their old storage is emptied, so a stale tensor reads zero
 * elements; what does not fit goes back to the addon's pool, detached.
 * @internal
 */
import type { HostArray } from '../dtype.js';

/** At most this many arrays wait per (kind, length)... */
const PER_SIZE = 32;
/** ...and this many bytes in all. */
const MAX_BYTES = 64 << 20;

/** TFE_NATIVE_NO_OUTPUT_CACHE=1 turns the cache off (like TFE_NATIVE_NO_POOL for the pool). */
const disabled = !!process.env.TFE_NATIVE_NO_OUTPUT_CACHE;

const free = new Map<number, HostArray[]>();
let bytes = 0;

/** Cache key: length for u64, −length − 1 for u8 (so 0-length kinds stay apart). */
const keyOf = (u64: boolean, n: number) => (u64 ? n : -n - 1);

/**
 * A cached array of `n` u64 (or u8) elements, with stale contents, or undefined.
 * @example
 * ```ts
 * const out = takeOutput(true, 16384); // pass to the addon as the output slot
 * ```
 */
export function takeOutput(u64: boolean, n: number): HostArray | undefined {
  const list = free.get(keyOf(u64, n));
  const v = list?.pop();
  if (v) bytes -= v.byteLength;
  return v;
}

/**
 * Keeps `v` for reuse; false (and nothing kept) when the cache is full for its size.
 * @example
 * ```ts
 * if (!keepOutput(values)) binding.recycle(values);
 * ```
 */
export function keepOutput(v: HostArray): boolean {
  if (disabled) return false;
  // plain whole-buffer arrays only (not a Node Buffer, whose slice() is a view)
  if (v.constructor !== BigUint64Array && v.constructor !== Uint8Array) return false;
  if (v.length === 0 || v.byteOffset !== 0 || v.byteLength !== v.buffer.byteLength || bytes + v.byteLength > MAX_BYTES) return false;
  const key = keyOf(v instanceof BigUint64Array, v.length);
  let list = free.get(key);
  if (!list) free.set(key, (list = []));
  if (list.length >= PER_SIZE) return false;
  list.push(v);
  bytes += v.byteLength;
  return true;
}
