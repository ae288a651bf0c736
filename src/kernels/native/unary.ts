/** `Neg`, `BitwiseNot` and the u64 shifts by a public amount; async forms for large inputs. */
import type { HostArray } from '../dtype.js';
import type { ShiftAttrs } from '../kernel_names.js';
import { SHIFT_KERNELS, UNARY_KERNELS } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, modCode, wrap } from './util.js';

type Call = (x: RingTensor, attrs: any, async: boolean) => HostArray | Promise<HostArray>;

const CALLS: [string, Call][] = [
  ...UNARY_KERNELS.map((name, op): [string, Call] => [name, (x, _a, async) =>
    loadBinding().unary(op, host(x), modCode(x), async, takeOutput(x.dtype === 'u64', x.size))]),
  ...SHIFT_KERNELS.map((name, op): [string, Call] => [name, (x, a: ShiftAttrs, async) =>
    loadBinding().shift(op, host(x) as BigUint64Array, a.bits, async, takeOutput(true, x.size))]),
];

/** The unary and shift kernels. @example `unaryKernels[0].kernelName // 'Neg'` */
export const unaryKernels: NativeKernel[] = CALLS.map(([kernelName, call]) => ({
  kernelName,
  kernelFunc: ([x], attrs, be) => wrap(be, x.shape, x.dtype, x.modulus, call(x, attrs, false) as HostArray),
  kernelFuncAsync: async ([x], attrs, be) => wrap(be, x.shape, x.dtype, x.modulus, await call(x, attrs, true)),
}));
