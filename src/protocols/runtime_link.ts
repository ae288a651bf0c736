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

/**
 * The runtime of the active config, as protocols see it (the one link from protocols to the
 * runtime, DESIGN.md §3 import boundaries).
 * @example
 * ```ts
 * const rt = currentRuntime();
 * ```
 */
export function currentRuntime(): Runtime {
  return getRuntime();
}

/**
 * Loads a private input on its owner's player and waits for the player to report its shape
 * (the provider or loader runs there; only the shape reaches the driver).
 * @example
 * ```ts
 * const h = await inputWithShape('input-provider', source);
 * ```
 */
export async function inputWithShape(player: string, source: InputSource): Promise<Handle> {
  const rt: Runtime = getRuntime();
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
