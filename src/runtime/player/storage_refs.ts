/**
 * Early release of the storage behind a player's handles. A player frees a handle when the
 * driver says so; if no other handle in this process reads the same buffer and the tensor never
 * left its player's tables, its storage goes back to the backend at once (`RingTensor.dispose`:
 * the native backend returns a pooled block and detaches its ArrayBuffer) instead of waiting
 * for a garbage collection.
 *
 * Safety rules, keyed by the underlying buffer (reshape views share one):
 * - every handle-table entry holds one reference; release happens when the last one is freed;
 * - a tensor that escaped — sent to a peer (the in-memory transport hands over the object; a
 *   ZeroMQ send of more than one frame may hold the bytes until sent, while a smaller one
 *   sends a copy and does not escape: wire/codec.ts `copiesPeerTensor`), revealed to the
 *   driver, given to a sink or a callback, or brought in from outside (upload, provider,
 *   loader) — is never released early; the garbage collector frees it. A tensor off a wire is a copy in the backend's own
 *   memory (Player.deliverTensor), released early like any output.
 * @internal
 */
import { HostStorage } from '../kernel_link.js';
import type { RingTensor } from '../kernel_link.js';

const refs = new WeakMap<object, number>();
const escaped = new WeakSet<object>();

/** The buffer a host tensor reads, or undefined for other storage (never released early). */
function bufferOf(t: RingTensor): object | undefined {
  return t.storage instanceof HostStorage ? t.storage.values.buffer : undefined;
}

/**
 * Counts a handle-table entry for `t`.
 * @example
 * ```ts
 * retainStorage(t); // as the tensor enters a player's handle table
 * ```
 */
export function retainStorage(t: RingTensor): void {
  const b = bufferOf(t);
  if (b) refs.set(b, (refs.get(b) ?? 0) + 1);
}

/**
 * Marks `t`'s buffer as visible outside the handle tables: it is never released early.
 * @example
 * ```ts
 * markEscaped(t); // before handing t to a peer, the driver, a sink or a callback
 * ```
 */
export function markEscaped(t: RingTensor): void {
  const b = bufferOf(t);
  if (b) escaped.add(b);
}

/**
 * Drops a handle-table entry for `t`; the last one of a buffer that never escaped releases it.
 * @example
 * ```ts
 * releaseStorage(t); // as the handle is freed
 * ```
 */
export function releaseStorage(t: RingTensor): void {
  const b = bufferOf(t);
  const n = b && refs.get(b);
  if (!b || n === undefined) return;
  if (n > 1) {
    refs.set(b, n - 1);
    return;
  }
  refs.delete(b);
  if (!escaped.has(b)) t.dispose();
}
