/** `BitExtract`, `BitDecompose`, `Cast`, `OneHot`. */
import type { BitDecomposeAttrs, BitExtractAttrs, CastAttrs, OneHotAttrs } from '../kernel_names.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

const u64 = (x: { values(): unknown }) => x.values() as BigUint64Array;

/** The bit and conversion kernels. @example `bitKernels.map((k) => k.kernelName)` */
export const bitKernels: NativeKernel[] = [
  {
    kernelName: 'BitExtract',
    kernelFunc: ([x], a: BitExtractAttrs, be) => wrap(be, x.shape, 'u8', 2, loadBinding().bitExtract(u64(x), a.bit, takeOutput(false, x.size))),
  },
  {
    kernelName: 'BitDecompose',
    kernelFunc: ([x], a: BitDecomposeAttrs, be) =>
      wrap(be, [...x.shape, 64], 'u8', a.modulus, loadBinding().bitDecompose(u64(x), takeOutput(false, 64 * x.size))),
  },
  {
    kernelName: 'Cast',
    kernelFunc: ([x], a: CastAttrs, be) => {
      const m = a.dtype === 'u64' ? 0 : (a.modulus ?? 256);
      return wrap(be, x.shape, a.dtype, m, loadBinding().cast(host(x), a.dtype === 'u64', m));
    },
  },
  {
    kernelName: 'OneHot',
    kernelFunc: ([x], a: OneHotAttrs, be) =>
      wrap(be, [...x.shape, a.depth], a.dtype, a.modulus ?? 256, loadBinding().oneHot(u64(x), a.depth, a.dtype === 'u64')),
  },
];
