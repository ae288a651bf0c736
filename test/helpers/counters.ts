/**
 * The runtime's communication counters around one queued computation, for the tests that check
 * bytes, messages and rounds against a protocol's formulas.
 */
import { currentRuntime } from '../../src/protocols/runtime_link.js';
import type { TfeTensor } from '../../src/protocols/tensor.js';

/** Per player: bytes and messages sent, and rounds (communication depth). */
export type Counters = Record<string, { bytesSent: number; messagesSent: number; rounds: number }>;

/**
 * Runs `fn` between two flushes with the counters reset, and returns its result (still alive)
 * with the counters.
 * @example
 * ```ts
 * const { result, counters } = await counted(() => tfe.relu(x));
 * ```
 */
export async function counted<T extends TfeTensor | void>(fn: () => T): Promise<{ result: T; counters: Counters }> {
  const rt = currentRuntime();
  await rt.flush();
  await rt.resetCounters();
  const result = fn();
  await rt.flush();
  return { result, counters: await rt.counters() };
}

/**
 * The counters of `fn`'s computation; its result is disposed.
 * @example
 * ```ts
 * const c = await measure(() => tfe.mul(x, y)); // c.server0.rounds
 * ```
 */
export async function measure(fn: () => TfeTensor | void): Promise<Counters> {
  const { result, counters } = await counted(fn);
  if (result) result.dispose();
  return counters;
}

/**
 * The revealed result of `fn` and its counters.
 * @example
 * ```ts
 * const { out, c } = await revealCounted(() => tfe.sigmoid(x));
 * ```
 */
export async function revealCounted(fn: () => TfeTensor): Promise<{ out: Float64Array; c: Counters }> {
  const { result, counters } = await counted(fn);
  return { out: await result.reveal(), c: counters };
}
