/** `Pad` (zeros around x) and `Concat` (along an axis), as strided copies into one output. */
import type { ConcatAttrs, PadAttrs } from '../kernel_names.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { outputArray } from './out_cache.js';
import { host, numel, rowStrides, wrap } from './util.js';

/** The join kernels. @example `joinKernels.map((k) => k.kernelName) // ['Pad', 'Concat']` */
export const joinKernels: NativeKernel[] = [
  {
    kernelName: 'Pad',
    kernelFunc: ([x], a: PadAttrs, be) => {
      const nb = loadBinding();
      const shape = x.shape.map((s, i) => s + a.paddings[i][0] + a.paddings[i][1]);
      const os = rowStrides(shape);
      const out = outputArray(x.dtype === 'u64', numel(shape), true);
      const offset = a.paddings.reduce((acc, [before], i) => acc + before * os[i], 0);
      nb.stridedCopy(out, offset, os, host(x), 0, rowStrides(x.shape), x.shape);
      return wrap(be, shape, x.dtype, x.modulus, out);
    },
  },
  {
    kernelName: 'Concat',
    kernelFunc: (xs, a: ConcatAttrs, be) => {
      const nb = loadBinding();
      const shape = [...xs[0].shape];
      shape[a.axis] = xs.reduce((acc, t) => acc + t.shape[a.axis], 0);
      const os = rowStrides(shape);
      const out = outputArray(xs[0].dtype === 'u64', numel(shape));
      let at = 0;
      for (const t of xs) {
        nb.stridedCopy(out, at * os[a.axis], os, host(t), 0, rowStrides(t.shape), t.shape);
        at += t.shape[a.axis];
      }
      return wrap(be, shape, xs[0].dtype, xs[0].modulus, out);
    },
  },
];
