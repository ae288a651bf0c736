/** `PrivateCompareMask`, `PrivateCompareZeroTest`, `BitDecomposeSub`: SecureNN's PrivateCompare pipeline fused (native/securenn_compare.cc). */
import type { PrivateCompareMaskAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

const u8 = (t: RingTensor) => host(t) as Uint8Array;

const mask = ([x, r, beta, s, z, rot]: RingTensor[], a: PrivateCompareMaskAttrs, async: boolean) =>
  loadBinding().privateCompareMask(u8(x), host(r) as BigUint64Array, u8(beta), u8(s), u8(z), u8(rot),
    !!a.first, x.modulus!, !!a.edgeCase, async, takeOutput(false, x.size));

const zeroTest = ([d0, d1]: RingTensor[], async: boolean) =>
  loadBinding().privateCompareZeroTest(u8(d0), u8(d1), d0.modulus!, async, takeOutput(false, d0.size / 64));

const bitSub = ([x, s]: RingTensor[], async: boolean) =>
  loadBinding().bitDecomposeSub(host(x) as BigUint64Array, u8(s), s.modulus!, async, takeOutput(false, 64 * x.size));

/** The fused PrivateCompare kernels. @example `privateCompareKernels.length // 3` */
export const privateCompareKernels: NativeKernel[] = [
  {
    kernelName: 'PrivateCompareMask',
    kernelFunc: (inputs, a: PrivateCompareMaskAttrs, be) => wrap(be, inputs[0].shape, 'u8', inputs[0].modulus, mask(inputs, a, false) as Uint8Array),
    kernelFuncAsync: async (inputs, a: PrivateCompareMaskAttrs, be) => wrap(be, inputs[0].shape, 'u8', inputs[0].modulus, await mask(inputs, a, true)),
  },
  {
    kernelName: 'PrivateCompareZeroTest',
    kernelFunc: (inputs, _a, be) => wrap(be, inputs[0].shape.slice(0, -1), 'u8', 2, zeroTest(inputs, false) as Uint8Array),
    kernelFuncAsync: async (inputs, _a, be) => wrap(be, inputs[0].shape.slice(0, -1), 'u8', 2, await zeroTest(inputs, true)),
  },
  {
    kernelName: 'BitDecomposeSub',
    kernelFunc: (inputs, _a, be) => wrap(be, inputs[1].shape, 'u8', inputs[1].modulus, bitSub(inputs, false) as Uint8Array),
    kernelFuncAsync: async (inputs, _a, be) => wrap(be, inputs[1].shape, 'u8', inputs[1].modulus, await bitSub(inputs, true)),
  },
];
