import { createHash } from 'node:crypto';
import { ValueError } from '../../errors.js';
import { setDriverSeed } from '../../random.js';
import { getRuntime } from './config.js';

let warned = false;

/**
 * Makes the current runtime's randomness reproducible, like `tf.randomSeed`: from this call
 * on, every player derives its private and pairwise PRG seeds from `seed`, and the PRG nonces
 * restart, so the same seed followed by the same operations gives bit-identical results
 * (probabilistic truncation included). The driver's public random choices (initial weights,
 * `fit`'s shuffling, dropout masks) follow the seed too, so training is repeatable. Masks
 * cached before the call are not reused.
 *
 * **For tests and debugging only.** The seed is chosen by the driver and sent to every
 * player, so anyone who knows it can rebuild every share: nothing computed afterwards is
 * secret. A warning says so once per process. A fresh runtime starts with secure player seeds
 * again; the driver's stream stays seeded until `setConfig` or the next `setRandomSeed`.
 *
 * @example
 * ```ts
 * tfe.setRandomSeed(42);
 * const a = await model.predict(x).reveal();
 * tfe.setRandomSeed(42);
 * const b = await model.predict(x).reveal(); // identical to a, bit for bit
 * ```
 */
export function setRandomSeed(seed: number | bigint | string): void {
  const ok = (typeof seed === 'number' && Number.isSafeInteger(seed)) || typeof seed === 'bigint' || (typeof seed === 'string' && seed.length > 0);
  if (!ok) throw new ValueError(`\`setRandomSeed\` needs an integer, a bigint or a non-empty string, got ${typeof seed === 'number' ? seed : typeof seed}`);
  if (!warned) {
    warned = true;
    console.warn('tfe.setRandomSeed: all players now draw their randomness from a seed the driver knows; results are reproducible but NOT secret (tests and debugging only).');
  }
  const bytes = createHash('sha256').update(`${typeof seed}:${String(seed)}`).digest().subarray(0, 16);
  getRuntime().setRandomSeed(new Uint8Array(bytes));
  // The driver's own public choices (initial weights, shuffling, dropout) from a separate stream.
  setDriverSeed(new Uint8Array(createHash('sha256').update(`driver:${typeof seed}:${String(seed)}`).digest().subarray(0, 16)));
}
