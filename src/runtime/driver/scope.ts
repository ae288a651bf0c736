import { AsyncLocalStorage } from 'node:async_hooks';
import { RingTensor } from '../kernel_link.js';
import { PlayerHandle } from './handle.js';

/** Handles created inside one `tidy` call. */
class Scope {
  readonly handles = new Set<PlayerHandle>();
  constructor(readonly parent?: Scope) {}
}

const current = new AsyncLocalStorage<Scope>();

/**
 * Records a new handle in the innermost `tidy` scope (if any). Called by the runtime.
 * @internal
 * @example
 * ```ts
 * trackHandle(new PlayerHandle('server0', 1, [2], U64, rt));
 * ```
 */
export function trackHandle(h: PlayerHandle): void {
  current.getStore()?.handles.add(h);
}

const MAX_DEPTH = 12;

/**
 * Every handle reachable from `value`: handles themselves, and handles inside arrays, Maps,
 * Sets and object properties (so protocol tensors that wrap handles are found), to a bounded
 * depth. Ring tensors and typed arrays are not searched.
 *
 * @example
 * ```ts
 * collectHandles({ shares: [h0, h1] }); // Set {h0, h1}
 * ```
 */
export function collectHandles(value: unknown, out = new Set<PlayerHandle>(), seen = new Set<object>(), depth = 0): Set<PlayerHandle> {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return out;
  if (value instanceof PlayerHandle) {
    out.add(value);
    return out;
  }
  if (seen.has(value) || value instanceof RingTensor || ArrayBuffer.isView(value) || value instanceof Promise) return out;
  seen.add(value);
  const children = value instanceof Map || value instanceof Set ? value.values() : Array.isArray(value) ? value : Object.values(value);
  for (const v of children) collectHandles(v, out, seen, depth + 1);
  return out;
}

function release(scope: Scope, result: unknown): void {
  const survivors = collectHandles(result);
  const doomed: PlayerHandle[] = [];
  for (const h of scope.handles) {
    if (h.disposed || h.kept) continue;
    if (survivors.has(h)) scope.parent?.handles.add(h);
    else doomed.push(h);
  }
  scope.handles.clear();
  dispose(doomed);
}

/**
 * Runs `fn` in a handle scope, like `tf.tidy`: handles created inside are freed on their
 * players when `fn` finishes, except those reachable from its result (they move to the
 * enclosing scope) and those passed to {@link keep}. `fn` may be async: the scope follows its
 * awaits (AsyncLocalStorage) and ends when its promise settles. On an exception every handle
 * of the scope is freed.
 *
 * @example
 * ```ts
 * const y = tfe.tidy(() => {
 *   const t = rt.op('server0', 'Add', [a, b]); // freed when tidy ends
 *   return rt.op('server0', 'Mul', [t, t]);     // survives
 * });
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Scope(current.getStore());
  let result: T;
  try {
    result = current.run(scope, fn);
  } catch (e) {
    release(scope, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (v) => { release(scope, v); return v; },
      (e) => { release(scope, undefined); throw e; },
    ) as T;
  }
  release(scope, result);
  return result;
}

/**
 * Exempts every handle in `value` from `tidy` cleanup; it lives until {@link dispose}.
 * Returns `value`.
 * @example
 * ```ts
 * tfe.tidy(() => { weights = tfe.keep(rt.fill('server0', [4], 0n, U64)); });
 * ```
 */
export function keep<T>(value: T): T {
  for (const h of collectHandles(value)) h.kept = true;
  return value;
}

/**
 * Frees every handle in `value` (a handle, an array, or an object holding handles) on its
 * player. Freeing twice is harmless.
 * @example
 * ```ts
 * tfe.dispose([a, b]);
 * ```
 */
export function dispose(value: unknown): void {
  const byOwner = new Map<PlayerHandle['owner'], PlayerHandle[]>();
  for (const h of collectHandles(value)) {
    if (h.disposed) continue;
    const list = byOwner.get(h.owner) ?? [];
    list.push(h);
    byOwner.set(h.owner, list);
  }
  for (const [owner, hs] of byOwner) owner.free(...hs);
}
