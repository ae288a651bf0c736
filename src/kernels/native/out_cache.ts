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
import { totalmem } from 'node:os';
import type { HostArray } from '../dtype.js';
import { loadBinding } from './binding.js';

/** At most this many arrays wait per (kind, length)... @example `OUTPUT_CACHE_PER_SIZE // 256` */
export const OUTPUT_CACHE_PER_SIZE = 256;
/**
 * ...and this many bytes in all (the arrays kept longest ago are evicted past it): 1/128 of the
 * machine's memory, at most 128 MiB. Measured on the 2-core bench machine (issue 17): a 10^6
 * Pond sigmoid frees hundreds of 8 MB arrays per call, and each one the cache cannot take
 * comes back as a fresh external ArrayBuffer, which V8 counts toward its next mark-compact;
 * steady state after three warm-ups, 64 MiB → 740 ms, 128 MiB → 650 ms, 1 GiB → 550 ms. But
 * the cache keeps exact lengths, so a large one holds arrays the next kernel cannot use while
 * the addon allocates fresh pages: the first 10^6 SecureNN relu took 330 ms at 64 MiB, 380 ms
 * at 128 MiB, 620 ms at 1 GiB. (Those runs predate eviction on a miss; with it, 128 MiB, the
 * `pond` suite's timing of one warm-up and three runs gives the sigmoid 780–1040 ms.)
 * @example `OUTPUT_CACHE_BYTES // 134217728 on a machine with 16 GiB or more`
 */
export const OUTPUT_CACHE_BYTES = Math.min(totalmem() / 128, 2 ** 27);

/** TFE_NATIVE_NO_OUTPUT_CACHE=1 turns the cache off (like TFE_NATIVE_NO_POOL for the pool). */
const disabled = !!process.env.TFE_NATIVE_NO_OUTPUT_CACHE;

const free = new Map<number, HostArray[]>();
/** Every cached array, oldest first (a Set keeps insertion order): what a full cache evicts. */
const age = new Set<HostArray>();
let bytes = 0;

/** Cache key: length for u64, −length − 1 for u8 (so 0-length kinds stay apart). */
const keyOf = (u64: boolean, n: number) => (u64 ? n : -n - 1);

/**
 * A cached array of `n` u64 (or u8) elements, with stale contents, or undefined. On a miss the
 * addon allocates, so the cache first gives it back that many bytes of its oldest arrays: the
 * addon's size classes can reuse their pages, where an exact-length cache could not.
 * @example
 * ```ts
 * const out = takeOutput(true, 16384); // pass to the addon as the output slot
 * ```
 */
export function takeOutput(u64: boolean, n: number): HostArray | undefined {
  const list = free.get(keyOf(u64, n));
  const v = list?.pop();
  if (v) {
    bytes -= v.byteLength;
    age.delete(v);
  } else {
    // the addon will allocate: first hand it back as many old bytes, for its size classes to reuse
    evictOldest(u64 ? 8 * n : n);
  }
  return v;
}

/** Gives the arrays cached longest ago back to the addon (detached) until `need` bytes went. */
function evictOldest(need: number): void {
  let freed = 0;
  while (freed < need && age.size) {
    const old = age.values().next().value!;
    age.delete(old);
    const key = keyOf(old instanceof BigUint64Array, old.length);
    const list = free.get(key)!;
    list.shift(); // lists grow at the end and are taken from the end: the oldest of a size is first
    if (!list.length) free.delete(key);
    bytes -= old.byteLength;
    freed += old.byteLength;
    loadBinding().recycle(old);
  }
}

/**
 * Keeps `v` for reuse, handing the arrays cached longest ago back to the addon (detached) when
 * the cache would pass its size, so it follows the sizes the current work uses. False (and
 * nothing kept) for arrays it does not cache: views, Node Buffers, a size with
 * {@link OUTPUT_CACHE_PER_SIZE} arrays waiting already, or one larger than the whole cache.
 * @example
 * ```ts
 * if (!keepOutput(values)) binding.recycle(values);
 * ```
 */
export function keepOutput(v: HostArray): boolean {
  if (disabled) return false;
  // plain whole-buffer arrays only (not a Node Buffer, whose slice() is a view)
  if (v.constructor !== BigUint64Array && v.constructor !== Uint8Array) return false;
  if (v.length === 0 || v.byteOffset !== 0 || v.byteLength !== v.buffer.byteLength || v.byteLength > OUTPUT_CACHE_BYTES) return false;
  const key = keyOf(v instanceof BigUint64Array, v.length);
  if ((free.get(key)?.length ?? 0) >= OUTPUT_CACHE_PER_SIZE) return false;
  evictOldest(bytes + v.byteLength - OUTPUT_CACHE_BYTES); // may empty (and drop) this size's list
  let list = free.get(key);
  if (!list) free.set(key, (list = []));
  list.push(v);
  age.add(v);
  bytes += v.byteLength;
  return true;
}
