/**
 * Bit-level u64 kernels: `ShiftLeft`, `ShiftRightLogical`, `ShiftRightArithmetic` (by a public
 * `bits` in [0, 63]), `BitExtract` (one bit as u8 mod 2) and `BitDecompose` (all 64 bits,
 * least significant first, as u8 mod `modulus`).
 */
import type { BitDecomposeAttrs, BitExtractAttrs, ShiftAttrs } from '../kernel_names.js';
import { BITS } from '../dtype.js';
import type { RefKernel } from './reference_backend.js';
import { output, signed, u64 } from './util.js';

const SHIFTS: Record<string, (x: bigint, s: bigint) => bigint> = {
  ShiftLeft: (x, s) => x << s,
  ShiftRightLogical: (x, s) => x >> s,
  ShiftRightArithmetic: (x, s) => signed(x) >> s,
};

/** The bit-level reference kernels. @example `bitKernels.map((k) => k.kernelName)` */
export const bitKernels: RefKernel[] = [
  ...Object.entries(SHIFTS).map(([kernelName, f]): RefKernel => ({
    kernelName,
    kernelFunc: ([x], attrs: ShiftAttrs, be) => {
      const s = BigInt(attrs.bits);
      return output(be, x.shape, x.ring, BigUint64Array.from(u64(x), (v) => f(v, s)));
    },
  })),
  {
    kernelName: 'BitExtract',
    kernelFunc: ([x], attrs: BitExtractAttrs, be) => {
      const s = BigInt(attrs.bit);
      return output(be, x.shape, BITS, Uint8Array.from(u64(x), (v) => Number((v >> s) & 1n)));
    },
  },
  {
    kernelName: 'BitDecompose',
    kernelFunc: ([x], attrs: BitDecomposeAttrs, be) => {
      const v = u64(x);
      const out = new Uint8Array(v.length * 64);
      for (let i = 0; i < v.length; i++) {
        for (let k = 0; k < 64; k++) out[i * 64 + k] = Number((v[i] >> BigInt(k)) & 1n);
      }
      return output(be, [...x.shape, 64], { dtype: 'u8', modulus: attrs.modulus }, out);
    },
  },
];
