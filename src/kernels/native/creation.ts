/** `Fill`: every element `value` reduced into the ring (negative values wrap). */
import type { FillAttrs } from '../kernel_names.js';
import type { NativeKernel } from './binary.js';
import { outputArray } from './out_cache.js';
import { numel, wrap } from './util.js';

/** The creation kernels. @example `creationKernels[0].kernelName // 'Fill'` */
export const creationKernels: NativeKernel[] = [
  {
    kernelName: 'Fill',
    kernelFunc: (_inputs, a: FillAttrs, be) => {
      const n = numel(a.shape);
      const value = BigInt(a.value);
      if (a.dtype === 'u64') {
        const v = BigInt.asUintN(64, value);
        const out = outputArray(true, n, v === 0n) as BigUint64Array;
        if (v !== 0n) out.fill(v);
        return wrap(be, a.shape, 'u64', undefined, out);
      }
      const m = BigInt(a.modulus ?? 256);
      const out = outputArray(false, n) as Uint8Array;
      out.fill(Number(((value % m) + m) % m));
      return wrap(be, a.shape, 'u8', Number(m), out);
    },
  },
];
