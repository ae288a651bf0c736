/** `AddModOdd`: (a + b) mod (2^64 − 1), SecureNN's odd ring, with BigInt (see kernel_names.ts). */
import { U64 } from '../dtype.js';
import type { RefKernel } from './reference_backend.js';
import { output, u64 } from './util.js';

const N = (1n << 64n) - 1n;

/** The odd-ring reference kernel. @example `oddRingKernels[0].kernelName // 'AddModOdd'` */
export const oddRingKernels: RefKernel[] = [
  {
    kernelName: 'AddModOdd',
    kernelFunc: ([a, b], _attrs, be) => {
      const [x, y] = [u64(a), u64(b)];
      const at = (i: number) => (y.length === 1 ? y[0] : y[i]);
      return output(be, a.shape, U64, BigUint64Array.from(x, (v, i) => (v + at(i)) % N));
    },
  },
];
