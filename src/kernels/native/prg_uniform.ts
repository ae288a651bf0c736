/** `PrgUniform`: uniform ring elements from AES-128-CTR with AES-NI (see kernel_names.ts). */
import type { HostArray } from '../dtype.js';
import type { PrgUniformAttrs } from '../kernel_names.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { numel, wrap } from './util.js';

const call = (a: PrgUniformAttrs, async: boolean) => {
  const n = numel(a.shape);
  return loadBinding().prgUniform(a.seed, BigInt.asUintN(64, a.nonce), BigInt.asUintN(64, a.offset), n,
    a.dtype === 'u64' ? 0 : (a.modulus ?? 256), async, takeOutput(a.dtype === 'u64', n));
};

/** The PRG kernel. @example `prgKernels[0].kernelName // 'PrgUniform'` */
export const prgKernels: NativeKernel[] = [
  {
    kernelName: 'PrgUniform',
    kernelFunc: (_inputs, a: PrgUniformAttrs, be) =>
      wrap(be, a.shape, a.dtype, a.modulus ?? 256, call(a, false) as HostArray),
    kernelFuncAsync: async (_inputs, a: PrgUniformAttrs, be) =>
      wrap(be, a.shape, a.dtype, a.modulus ?? 256, await call(a, true)),
  },
];
