/** `AddModOdd`: addition in SecureNN's odd ring Z_{2^64 − 1} (native/securenn_odd_ring.cc). */
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

const call = (a: ReturnType<typeof host>, b: ReturnType<typeof host>, async: boolean) =>
  loadBinding().addModOdd(a as BigUint64Array, b as BigUint64Array, async, takeOutput(true, a.length));

/** The odd-ring kernel. @example `oddRingKernels[0].kernelName // 'AddModOdd'` */
export const oddRingKernels: NativeKernel[] = [
  {
    kernelName: 'AddModOdd',
    kernelFunc: ([a, b], _attrs, be) => wrap(be, a.shape, 'u64', undefined, call(host(a), host(b), false) as BigUint64Array),
    kernelFuncAsync: async ([a, b], _attrs, be) => wrap(be, a.shape, 'u64', undefined, await call(host(a), host(b), true)),
  },
];
