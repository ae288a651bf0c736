/**
 * The driver's randomness: public random choices made on the driver — initial weights, the
 * shuffling order of `fit`, dropout masks. By default they come from node:crypto. After
 * `tfe.setRandomSeed(seed)` they come from an AES-128-CTR keystream keyed by the seed (a
 * cryptographic PRG, never `Math.random`), so two runs with the same seed make the same choices
 * and, with the players' seeded PRGs, train to bit-identical weights.
 *
 * @example
 * ```ts
 * setDriverSeed(new Uint8Array(16));  // deterministic from here on
 * const i = driverRandomInt(10);      // in [0, 10)
 * setDriverSeed(undefined);           // back to node:crypto
 * ```
 */
import { createCipheriv, randomBytes, randomInt, type Cipher } from 'node:crypto';

let stream: Cipher | undefined;
const ZEROS = Buffer.alloc(4096);

/**
 * Makes the driver's random choices deterministic from the 16-byte `seed`, or cryptographically
 * random again with `undefined`.
 * @example
 * ```ts
 * setDriverSeed(seedBytes);
 * ```
 */
export function setDriverSeed(seed: Uint8Array | undefined): void {
  stream = seed ? createCipheriv('aes-128-ctr', Buffer.from(seed.subarray(0, 16)), Buffer.alloc(16)) : undefined;
}

/**
 * True while the driver's randomness is seeded.
 * @example
 * ```ts
 * if (driverSeeded()) console.log('reproducible run');
 * ```
 */
export function driverSeeded(): boolean { return stream !== undefined; }

/**
 * `n` random bytes: the seeded keystream when seeded, else node:crypto.
 * @example
 * ```ts
 * const b = driverRandomBytes(32);
 * ```
 */
export function driverRandomBytes(n: number): Buffer {
  if (!stream) return randomBytes(n);
  const parts: Buffer[] = [];
  for (let left = n; left > 0; left -= ZEROS.length) parts.push(stream.update(ZEROS.subarray(0, Math.min(left, ZEROS.length))));
  return Buffer.concat(parts, n);
}

/**
 * A uniform integer in [0, max) (max ≤ 2^32), without modulo bias.
 * @example
 * ```ts
 * const j = driverRandomInt(i + 1); // Fisher–Yates
 * ```
 */
export function driverRandomInt(max: number): number {
  if (!stream) return randomInt(max);
  const limit = Math.floor(2 ** 32 / max) * max;
  for (;;) {
    const v = driverRandomBytes(4).readUInt32LE(0);
    if (v < limit) return v % max;
  }
}
