/**
 * The protocols' one door into the runtime (DESIGN.md §3; lint enforces it): the runtime's
 * instruction API as types, the active runtime, and handle scopes. No other file under
 * `src/protocols` imports from `src/runtime`.
 * @example
 * ```ts
 * import { currentRuntime, type Handle } from '../runtime_link.js';
 * ```
 */
import type { Handle, InputSource, Runtime } from '../runtime/api.js';
import { DriverRuntime, getRuntime, keep } from '../runtime/index.js';

export type { Handle, InputSource, OutputSink, PlayerCounters, Runtime } from '../runtime/api.js';
export { tidy } from '../runtime/index.js';

const announced = new WeakMap<Runtime, Set<string>>();

/**
 * The runtime of the active config, as protocols see it (the one link from protocols to the
 * runtime, DESIGN.md §3 import boundaries). `players` are the protocol's own servers: they are
 * announced to the runtime once, before the protocol's first instruction there, so an
 * auto-adding LocalConfig knows (and logs) every player at once.
 * @example
 * ```ts
 * const rt = currentRuntime(['server0', 'server1', 'server2']);
 * ```
 */
export function currentRuntime(players: readonly string[] = []): Runtime {
  const rt: Runtime = getRuntime();
  if (players.length) {
    let known = announced.get(rt);
    if (!known) announced.set(rt, (known = new Set()));
    const fresh = players.filter((p) => !known!.has(p));
    if (fresh.length) {
      rt.announcePlayers(fresh);
      for (const p of fresh) known.add(p);
    }
  }
  return rt;
}

/**
 * Loads a private input on its owner's player and waits for the player to report its shape
 * (the provider or loader runs there; only the shape reaches the driver).
 * @example
 * ```ts
 * const h = await inputWithShape(prot.rt, 'input-provider', source);
 * ```
 */
export async function inputWithShape(rt: Runtime, player: string, source: InputSource): Promise<Handle> {
  return rt instanceof DriverRuntime ? rt.inputAsync(player, source) : rt.input(player, source);
}

/**
 * Marks a handle to survive the enclosing `tidy` scopes (variables, cached masks).
 * @example
 * ```ts
 * keepHandle(h);
 * ```
 */
export function keepHandle(h: Handle): Handle {
  return keep(h);
}
