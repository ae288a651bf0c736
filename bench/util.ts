import { getProtocol } from '../src/protocols/protocol.js';
import type { TfeTensor } from '../src/protocols/tensor.js';
import { setConfig } from '../src/runtime/config/config.js';
import { startLocalCluster } from '../src/runtime/transport/zmq/local_cluster.js';

/** One benchmark figure: `{name, value, unit}` plus optional context. */
export interface BenchResult { name: string; value: number; unit: string; [extra: string]: unknown }

/**
 * Times `fn` (sync or async): `warmup` runs, then repeats until `minMs` has passed (at least
 * `minRuns` runs), and returns the median time in milliseconds.
 * @example
 * ```ts
 * const ms = await timeMedian(() => ring.matmul(a, b));
 * ```
 */
export async function timeMedian(fn: () => unknown, opts: { warmup?: number; minRuns?: number; minMs?: number } = {}): Promise<number> {
  const { warmup = 1, minRuns = 3, minMs = 500 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    // Outside the timed region: one event-loop turn, as every real caller gets, so finalizers
    // run and native output buffers return to their pool instead of piling up.
    await new Promise((resolve) => setImmediate(resolve));
    if (times.length >= 1000) break;
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/**
 * Untimed training steps before a step is timed: 10 on LocalConfig, 120 with `tfe player`
 * processes. V8 optimises a function after a number of calls, and on LocalConfig one process
 * runs all three players' instructions, so it reaches that number three times sooner; the
 * players' young generation also grows to its working size over the first steps. Measured on
 * the 2-core bench machine on 2026-12-07 (SecureNN network A, medians of blocks of 40 networked
 * steps over 560): 121, 92 and 81 ms for steps 0–119, then 70–77 ms for every block up to 559,
 * the players' CPU falling from 210 to about 105 ms per step; LocalConfig's blocks of 30 were
 * 37–51 ms from the first on. ABY3's Adam step: 461, 419, then 407–417 ms in blocks of 20 up
 * to step 99, 373–384 after. (With 30 untimed steps, as before, the networked figure read
 * 10–30 % above its steady state.) A training epoch of MNIST has 469 steps, so steady state is
 * what a user sees.
 * @example
 * ```ts
 * await timeMedian(step, { warmup: warmupSteps(suffix !== '') });
 * ```
 */
export function warmupSteps(networked: boolean): number {
  return networked ? 120 : 10;
}

/**
 * Deterministic benchmark data in [-1, 1) (an LCG: reproducible runs; not for secrets).
 * @example
 * ```ts
 * const xs = randomValues(1024, 1);
 * ```
 */
export function randomValues(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/**
 * Runs `figures` with three `tfe player` processes on 127.0.0.1 as the config (the `_networked`
 * figures), then stops them. A failure becomes one figure `what` carrying the error, so the
 * LocalConfig figures of the same run still print.
 * @example
 * ```ts
 * out.push(...await onThreePlayers('pond_networked', async () => [{ name: 'x_networked', value: 1, unit: 'ms' }]));
 * ```
 */
export async function onThreePlayers(what: string, figures: () => Promise<BenchResult[]>): Promise<BenchResult[]> {
  const cluster = await startLocalCluster(['server0', 'server1', 'server2']);
  setConfig(cluster.config);
  try {
    return (await figures()).map((r) => ({ ...r, players: 'three tfe player processes on 127.0.0.1' }));
  } catch (e) {
    return [{ name: what, value: NaN, unit: 'ms', error: (e as Error).message.slice(0, 200) }];
  } finally {
    await cluster.config.close().catch(() => undefined);
    await cluster.stop();
  }
}

/**
 * A private tensor shared by the driver with the active protocol: the same code on LocalConfig
 * and on three `tfe player` processes. A variable, so it outlives `tidy` scopes until disposed.
 * @example
 * ```ts
 * const x = privateOf(randomValues(1e6, 1), [1e6]);
 * ```
 */
export function privateOf(values: Float64Array, shape: number[]): TfeTensor {
  return getProtocol().definePrivateVariable(values, { shape });
}
