/**
 * Output buffers handed back by the runtime, kept for the next kernel output of the same size
 * class. A fresh output costs an external ArrayBuffer (an N-API buffer, a finalizer, V8's
 * accounting: about 3 µs, and garbage to collect), and V8 counts every new external buffer
 * toward its next mark-compact ("external memory pressure"), even one the addon recycles at
 * once. A training step makes thousands of outputs of a few repeated sizes, so reusing the
 * buffers themselves saves that work: a cached buffer serves any output of its size class that
 * fits it (the addon's classes: powers of two, then whole 2 MiB huge pages), as a fresh view.
 * Only pool-leased arrays the runtime has proved unread come here (`NativeBackend.release`,
 * driven by storage_refs.ts, which counts references per buffer), and their old storage is
 * emptied, so a stale tensor reads zero elements; what does not fit goes back to the addon's
 * pool, detached.
 * @internal
 */
import { totalmem } from 'node:os';
import type { HostArray } from '../dtype.js';
import { loadBinding } from './binding.js';

/** At most this many buffers wait per size class... @example `OUTPUT_CACHE_PER_SIZE // 256` */
export const OUTPUT_CACHE_PER_SIZE = 256;
/**
 * ...and this many bytes in all (the buffers kept longest ago are evicted past it): 1/8 of the
 * machine's memory, at most 2 GiB. A 10^6-element ABY3 relu frees about 1 GB of 1–8 MB arrays
 * per call (issue 17). Measured on the 2-core bench machine, steady state: with 768 MiB, a
 * third of its outputs came back as fresh external buffers and V8 answered with a mark-compact
 * every 25–30 ms (relu 240–360 ms); with 2 GiB, almost none, no mark-compacts, 130–200 ms.
 * The cache only fills to the largest working set the process has run.
 * @example `OUTPUT_CACHE_BYTES // 2147483648 on a machine with 16 GiB or more`
 */
export const OUTPUT_CACHE_BYTES = Math.min(Math.floor(totalmem() / 8), 2 ** 31);

/** TFE_NATIVE_NO_OUTPUT_CACHE=1 turns the cache off (like TFE_NATIVE_NO_POOL for the pool). */
const disabled = !!process.env.TFE_NATIVE_NO_OUTPUT_CACHE;

const HUGE_PAGE = 2 ** 21;

/**
 * The addon's block size for `bytes` (buffer_pool.cc): powers of two from 64 bytes below 2 MiB,
 * whole 2 MiB huge pages from there on.
 * @example `sizeClass(4_000_000) // 4194304`
 */
export function sizeClass(bytes: number): number {
  if (bytes >= HUGE_PAGE) return Math.ceil(bytes / HUGE_PAGE) * HUGE_PAGE;
  let c = 64;
  while (c < bytes) c *= 2;
  return c;
}

/** Waiting arrays by size class; each list grows at the end, so its oldest array is first. */
const free = new Map<number, HostArray[]>();
/** Every cached array, oldest first (a Set keeps insertion order): what a full cache evicts. */
const age = new Set<HostArray>();
let bytes = 0;

function remove(list: HostArray[], at: number, key: number): HostArray {
  const [v] = list.splice(at, 1);
  if (!list.length) free.delete(key);
  age.delete(v!);
  bytes -= v!.buffer.byteLength;
  return v!;
}

/**
 * A cached output of `n` u64 (or u8) elements, with stale contents, or undefined: the newest
 * waiting buffer of the size class that holds n elements, as a view of that length. On a miss,
 * a buffer of the class too small for n goes back to the addon, whose pool then hands its
 * block to the allocation that follows (no fresh pages).
 * @example
 * ```ts
 * const out = takeOutput(true, 16384); // pass to the addon as the output slot
 * ```
 */
export function takeOutput(u64: boolean, n: number): HostArray | undefined {
  const need = u64 ? 8 * n : n;
  if (need === 0) return undefined;
  const key = sizeClass(need);
  const list = free.get(key);
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i]!.buffer.byteLength < need) continue;
    const v = remove(list, i, key);
    if (u64 && v instanceof BigUint64Array && v.length === n) return v;
    if (!u64 && v instanceof Uint8Array && v.length === n) return v;
    return u64 ? new BigUint64Array(v.buffer, 0, n) : new Uint8Array(v.buffer, 0, n);
  }
  loadBinding().recycle(remove(list, list.length - 1, key));
  return undefined;
}

/**
 * An output array of `n` u64 (or u8) elements: a cached one ({@link takeOutput}) or a fresh
 * pool block from the addon; zero-filled when `zero`, otherwise with stale contents. For kernels
 * that fill their output themselves (copies, pads, fills) rather than pass it to the addon.
 * @example
 * ```ts
 * const out = outputArray(true, 1024, true); // 1024 zeros
 * ```
 */
export function outputArray(u64: boolean, n: number, zero = false): HostArray {
  const reused = takeOutput(u64, n);
  if (!reused) return loadBinding().alloc(u64, n, zero);
  if (zero) {
    if (reused instanceof BigUint64Array) reused.fill(0n);
    else reused.fill(0);
  }
  return reused;
}

/** Gives the arrays cached longest ago back to the addon (detached) until `need` bytes went. */
function evictOldest(need: number): void {
  let freed = 0;
  while (freed < need && age.size) {
    const old = age.values().next().value!;
    const key = sizeClass(old.buffer.byteLength);
    const list = free.get(key)!;
    freed += old.buffer.byteLength;
    loadBinding().recycle(remove(list, list.indexOf(old), key));
  }
}

/**
 * Keeps `v` (a pool block's array, its runtime tensor released) for reuse, handing the arrays
 * cached longest ago back to the addon (detached) when the cache would pass its size. False
 * (and nothing kept) for arrays it does not cache: views at an offset, Node Buffers, a class
 * with {@link OUTPUT_CACHE_PER_SIZE} arrays waiting already, or a buffer larger than the
 * whole cache.
 * @example
 * ```ts
 * if (!keepOutput(values)) binding.recycle(values);
 * ```
 */
export function keepOutput(v: HostArray): boolean {
  if (disabled) return false;
  // plain arrays from the buffer's start only (not a Node Buffer, whose slice() is a view)
  if (v.constructor !== BigUint64Array && v.constructor !== Uint8Array) return false;
  const size = v.buffer.byteLength;
  if (v.length === 0 || v.byteOffset !== 0 || size > OUTPUT_CACHE_BYTES || age.has(v)) return false;
  const key = sizeClass(size);
  if ((free.get(key)?.length ?? 0) >= OUTPUT_CACHE_PER_SIZE) return false;
  evictOldest(bytes + size - OUTPUT_CACHE_BYTES); // may empty (and drop) this class's list
  let list = free.get(key);
  if (!list) free.set(key, (list = []));
  list.push(v);
  age.add(v);
  bytes += size;
  return true;
}
