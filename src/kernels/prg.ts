/**
 * The PRG: AES-128 in counter mode keyed by a 128-bit seed (DESIGN.md §4). This is the
 * reference side, on node:crypto; the native backend computes the same stream with AES-NI.
 *
 * Block i of the stream at (`nonce`, `offset`) encrypts the counter block
 * nonce (8 bytes big-endian) ‖ offset + i (8 bytes big-endian), exactly what node:crypto's
 * 'aes-128-ctr' produces from that IV. So the stream at offset k is the stream at offset 0
 * without its first 16·k bytes. How keystream bytes become elements is fixed by the
 * `PrgUniform` kernel contract (kernel_names.ts).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { ValueError } from '../errors.js';
import type { DType, HostArray } from './dtype.js';

/** Bytes of a PRG seed (an AES-128 key). @example `newSeed().length === SEED_BYTES // true` */
export const SEED_BYTES = 16;

/**
 * A fresh random seed from node:crypto `randomBytes`.
 * @example
 * ```ts
 * const seed = newSeed(); // Uint8Array(16)
 * ```
 */
export function newSeed(): Uint8Array {
  return new Uint8Array(randomBytes(SEED_BYTES));
}

/** The 16-byte IV (first counter block) for a nonce and a block offset. */
function counterBlock(nonce: bigint, offset: bigint): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt.asUintN(64, nonce), 0);
  iv.writeBigUInt64BE(BigInt.asUintN(64, offset), 8);
  return iv;
}

/**
 * A keystream reader: successive calls continue the same AES-128-CTR stream.
 * @example
 * ```ts
 * const next = keystream(newSeed(), 0n, 0n);
 * const first32 = next(32); // Uint8Array(32)
 * ```
 */
export function keystream(seed: Uint8Array, nonce: bigint, offset: bigint): (nbytes: number) => Uint8Array {
  if (seed.length !== SEED_BYTES) throw new ValueError(`\`seed\` must be ${SEED_BYTES} bytes, got ${seed.length}`);
  const cipher = createCipheriv('aes-128-ctr', seed, counterBlock(nonce, offset));
  return (nbytes) => {
    const out = new Uint8Array(nbytes); // encrypting zeros yields the keystream itself
    const ks = cipher.update(out);
    out.set(ks);
    return out;
  };
}

/** Stream bytes per request when rejection sampling. */
const REJECTION_CHUNK = 4096;

/**
 * Uniform host values from the stream at (`nonce`, `offset`), by the `PrgUniform` rules:
 * u64 little-endian words; u8 mod 2 bit-packed, least significant bit first; u8 mod m byte
 * rejection sampling (accept b < 256 − 256 mod m, yield b mod m).
 * @example
 * ```ts
 * const words = prgValues(seed, 0n, 0n, 4, 'u64'); // BigUint64Array(4)
 * const zp = prgValues(seed, 1n, 0n, 10, 'u8', 67); // Uint8Array(10), all < 67
 * ```
 */
export function prgValues(seed: Uint8Array, nonce: bigint, offset: bigint, size: number, dtype: DType, modulus = 256): HostArray {
  const next = keystream(seed, nonce, offset);
  if (dtype === 'u64') {
    const bytes = next(8 * size);
    const out = new BigUint64Array(bytes.buffer, 0, size);
    if (endianness() !== 'LE') {
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < size; i++) out[i] = view.getBigUint64(8 * i, true);
    }
    return out;
  }
  const out = new Uint8Array(size);
  if (modulus === 2) {
    const bytes = next(Math.ceil(size / 8));
    for (let k = 0; k < size; k++) out[k] = (bytes[k >> 3] >> (k & 7)) & 1;
    return out;
  }
  const limit = 256 - (256 % modulus);
  for (let k = 0; k < size;) {
    for (const b of next(REJECTION_CHUNK)) {
      if (k === size) break;
      if (b < limit) out[k++] = b % modulus;
    }
  }
  return out;
}
