/**
 * Shared helpers of the ABY3 tests: raw ring values in and out of the protocol (no fixed
 * point), boolean shares, and communication measurement.
 */
import { ring } from '../../src/kernels/index.js';
import type { ABY3 } from '../../src/protocols/aby3/aby3.js';
import { ABY3BooleanTensor, ABY3PrivateTensor, type ReplicatedShares } from '../../src/protocols/aby3/aby3_tensors.js';
import { shareFrom, summands } from '../../src/protocols/aby3/sharing.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';
import type { TfeTensor } from '../../src/protocols/tensor.js';

export const rt = () => currentRuntime();

/** Secret-shares raw u64 values (labelled with `fracBits`), from server0. */
export function shareRaw(p: ABY3, values: BigUint64Array, fracBits = 0): ABY3PrivateTensor {
  return new ABY3PrivateTensor(p, fracBits, shareFrom(p, rt().upload(p.servers[0], ring.fromValues(values, [values.length]))));
}

/** Opens replicated arithmetic (or, with `xor`, boolean) shares' raw ring values. */
export async function openShares(shares: ReplicatedShares, xor = false): Promise<BigUint64Array> {
  const [a, b, c] = await Promise.all(summands(shares).map((h) => rt().reveal(h)));
  const join = xor ? ring.bitwiseXor : ring.add;
  return join(join(a, b), c).values() as BigUint64Array;
}

/** Opens a private ABY3 tensor's raw ring values. */
export async function openRaw(x: TfeTensor): Promise<BigUint64Array> {
  if (x instanceof ABY3BooleanTensor) return openShares(x.shares, true);
  return openShares((x as ABY3PrivateTensor).shares);
}

/** Every share of a replicated sharing must be consistent: server i's second = server i+1's first. */
export async function consistent(shares: ReplicatedShares): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    const [a, b] = await Promise.all([rt().reveal(shares[i][1]), rt().reveal(shares[(i + 1) % 3][0])]);
    const av = a.values(), bv = b.values();
    for (let k = 0; k < av.length; k++) if (av[k] !== bv[k]) return false;
  }
  return true;
}

export { measure } from '../helpers/counters.js';
