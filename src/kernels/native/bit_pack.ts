/** `BitUnzipPack`: one level of a bit-packed prefix tree (native/bit_pack.cc). */
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

const call = (x: ReturnType<typeof host>, odd: boolean, async: boolean) =>
  loadBinding().bitUnzipPack(x as BigUint64Array, odd, async, takeOutput(true, Math.ceil(x.length / 2)));

/** The packed-circuit kernel. @example `bitPackKernels[0].kernelName // 'BitUnzipPack'` */
export const bitPackKernels: NativeKernel[] = [
  {
    kernelName: 'BitUnzipPack',
    kernelFunc: ([x], attrs, be) => {
      const out = call(host(x), Boolean(attrs.odd), false) as BigUint64Array;
      return wrap(be, [out.length], 'u64', undefined, out);
    },
    kernelFuncAsync: async ([x], attrs, be) => {
      const out = await call(host(x), Boolean(attrs.odd), true);
      return wrap(be, [out.length], 'u64', undefined, out);
    },
  },
];
