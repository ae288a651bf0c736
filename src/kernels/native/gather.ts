/** `Gather`: picks public `indices` along `axis` (whole slabs copied by the addon). */
import type { GatherAttrs } from '../kernel_names.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, numel, wrap } from './util.js';

/** The gather kernel. @example `gatherKernels[0].kernelName // 'Gather'` */
export const gatherKernels: NativeKernel[] = [
  {
    kernelName: 'Gather',
    kernelFunc: ([x], a: GatherAttrs, be) => {
      const outer = numel(x.shape.slice(0, a.axis)), inner = numel(x.shape.slice(a.axis + 1));
      const v = loadBinding().gather(host(x), outer, x.shape[a.axis], inner, a.indices, takeOutput(x.dtype === 'u64', outer * a.indices.length * inner));
      const shape = [...x.shape];
      shape[a.axis] = a.indices.length;
      return wrap(be, shape, x.dtype, x.modulus, v);
    },
  },
];
