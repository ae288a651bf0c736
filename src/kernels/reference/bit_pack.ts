/** `BitUnzipPack`: one level of a bit-packed prefix tree, with BigInt (see kernel_names.ts). */
import { U64 } from '../dtype.js';
import type { RefKernel } from './reference_backend.js';
import { output, u64 } from './util.js';

/** The 32 even (odd when `odd`) bits of w, gathered into bits 0..31 in order. */
function half(w: bigint, odd: boolean): bigint {
  let out = 0n;
  for (let i = 0n; i < 32n; i++) out |= ((w >> (2n * i + (odd ? 1n : 0n))) & 1n) << i;
  return out;
}

/** The packed-circuit reference kernel. @example `bitPackKernels[0].kernelName // 'BitUnzipPack'` */
export const bitPackKernels: RefKernel[] = [
  {
    kernelName: 'BitUnzipPack',
    kernelFunc: ([x], attrs, be) => {
      const words = u64(x);
      const odd = Boolean(attrs.odd);
      const out = new BigUint64Array(Math.ceil(words.length / 2));
      for (let j = 0; j < out.length; j++) {
        const hi = 2 * j + 1 < words.length ? half(words[2 * j + 1], odd) : 0n;
        out[j] = half(words[2 * j], odd) | (hi << 32n);
      }
      return output(be, [out.length], U64, out);
    },
  },
];
