/**
 * Shared helpers of the SecureNN tests: raw ring values in and out of the protocol (no
 * fixed-point), BigInt oracles, and deterministic random u64 data.
 */
import { ring, newSeed } from '../../src/kernels/index.js';
import { U64 } from '../../src/kernels/dtype.js';
import type { Handle } from '../../src/runtime/api.js';
import type { Pond } from '../../src/protocols/pond/pond.js';
import { PondPrivateTensor } from '../../src/protocols/pond/pond_tensors.js';
import { shareFrom } from '../../src/protocols/pond/sharing.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';

export const rt = () => currentRuntime();

/** Secret-shares raw u64 values (as if fixed point with `fracBits`), from server0. */
export function shareRaw(p: Pond, values: BigUint64Array, fracBits = 0): PondPrivateTensor {
  return shareFrom(p, rt().upload(p.s0, ring.fromValues(values, [values.length])), fracBits);
}

/** Opens a private tensor's raw ring values (u64). */
export async function openRaw(x: PondPrivateTensor): Promise<BigUint64Array> {
  const [a, b] = await Promise.all(x.shares.map((h) => rt().reveal(h)));
  return ring.add(a, b).values() as BigUint64Array;
}

/** Opens the sum of two handles in Z_N (odd ring). */
export async function openOdd(pair: readonly [Handle, Handle]): Promise<bigint[]> {
  const [a, b] = await Promise.all(pair.map((h) => rt().reveal(h)));
  const N = (1n << 64n) - 1n;
  const av = a.values() as BigUint64Array, bv = b.values() as BigUint64Array;
  return Array.from(av, (v, i) => (v + bv[i]) % N);
}

/** Uniform u64 values from a fresh seed. */
export function randomU64(n: number): BigUint64Array {
  return ring.uniform(newSeed(), [n], U64, { nonce: 0n }).values() as BigUint64Array;
}

const s = (v: bigint) => BigInt.asIntN(64, v);

/**
 * Edge values of the ring: 0, ±1 ulp, ±2, the largest and smallest representable values,
 * values around 2^62 and 2^63, powers of two, and pairs differing only in the top or bottom bit.
 */
export function edgeValues(): BigUint64Array {
  const v: bigint[] = [0n, 1n, -1n, 2n, -2n, (1n << 63n) - 1n, -(1n << 63n), -(1n << 63n) + 1n, (1n << 63n) - 2n,
    1n << 62n, (1n << 62n) - 1n, -(1n << 62n), -(1n << 62n) - 1n, 65536n, -65536n, 65535n, -65537n];
  for (let k = 0; k < 63; k += 7) v.push(1n << BigInt(k), -(1n << BigInt(k)));
  const base = 0x1234_5678_9abc_def0n;
  v.push(base, base ^ 1n, s(base ^ (1n << 63n)), s((base ^ (1n << 63n)) ^ 1n), base ^ (1n << 62n));
  return BigUint64Array.from(v, (x) => BigInt.asUintN(64, x));
}

/** Plaintext oracle of MSB: 1 when the value is negative as a signed 64-bit integer. */
export const msbOf = (v: bigint) => (v >> 63n) & 1n;
/** Signed view. */
export const signed = s;
