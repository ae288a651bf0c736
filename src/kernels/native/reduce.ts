/** `ReduceSum` over axes and `CumSum` along one axis, mod the ring. */
import type { CumSumAttrs, ReduceSumAttrs } from '../kernel_names.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, modCode, numel, rowStrides, wrap } from './util.js';

/** The reduction kernels. @example `reduceKernels.map((k) => k.kernelName) // ['ReduceSum', 'CumSum']` */
export const reduceKernels: NativeKernel[] = [
  {
    kernelName: 'ReduceSum',
    kernelFunc: ([x], a: ReduceSumAttrs, be) => {
      const axes = new Set(a.axes.map((d) => (d < 0 ? d + x.rank : d)));
      const kept = x.shape.map((s, i) => (axes.has(i) ? 1 : s));
      const ks = rowStrides(kept);
      const outStrides = x.shape.map((_, i) => (axes.has(i) ? 0 : ks[i]));
      const v = loadBinding().reduceSum(host(x), x.shape, outStrides, numel(kept), modCode(x), takeOutput(x.dtype === 'u64', numel(kept)));
      const shape = a.keepDims ? kept : x.shape.filter((_, i) => !axes.has(i));
      return wrap(be, shape, x.dtype, x.modulus, v);
    },
  },
  {
    kernelName: 'CumSum',
    kernelFunc: ([x], a: CumSumAttrs, be) => {
      const axis = a.axis < 0 ? a.axis + x.rank : a.axis;
      const outer = numel(x.shape.slice(0, axis)), inner = numel(x.shape.slice(axis + 1));
      const v = loadBinding().cumSum(host(x), outer, x.shape[axis], inner, !!a.exclusive, !!a.reverse, modCode(x));
      return wrap(be, x.shape, x.dtype, x.modulus, v);
    },
  },
];
