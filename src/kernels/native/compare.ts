/** Comparisons of public values (output bits) and `Select`, with broadcasting and async forms. */
import type { HostArray } from '../dtype.js';
import type { CompareAttrs } from '../kernel_names.js';
import { COMPARE_KERNELS } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { binaryPlan, broadcastShape, broadcastStrides, host, numel, wrap } from './util.js';

type Call = (xs: RingTensor[], attrs: any, async: boolean) => [number[], RingTensor, HostArray | Promise<HostArray>];

const compare = (op: number): Call => ([a, b], attrs: CompareAttrs, async) => {
  const p = binaryPlan(a.shape, b.shape);
  const v = loadBinding().compare(op, host(a), host(b), p.flat, p.sa, p.sb, a.dtype === 'u64' && !!attrs.signed, async, takeOutput(false, numel(p.shape)));
  return [p.shape, a, v];
};

const select: Call = ([c, a, b], _attrs, async) => {
  const shape = broadcastShape(c.shape, a.shape, b.shape);
  const s = (t: RingTensor) => broadcastStrides(shape, t.shape);
  return [shape, a, loadBinding().select(host(c) as Uint8Array, host(a), host(b), shape, s(c), s(a), s(b), async, takeOutput(a.dtype === 'u64', numel(shape)))];
};

const CALLS: [string, Call][] = [...COMPARE_KERNELS.map((k, op): [string, Call] => [k, compare(op)]), ['Select', select]];

/** Output ring: bits for comparisons, the operands' ring for Select. */
const ring = (name: string, t: RingTensor): ['u64' | 'u8', number | undefined] =>
  name === 'Select' ? [t.dtype, t.modulus] : ['u8', 2];

/** The comparison kernels and Select. @example `compareKernels.length // 7` */
export const compareKernels: NativeKernel[] = CALLS.map(([kernelName, call]) => ({
  kernelName,
  kernelFunc: (inputs, attrs, be) => {
    const [shape, t, v] = call(inputs, attrs, false);
    return wrap(be, shape, ...ring(kernelName, t), v as HostArray);
  },
  kernelFuncAsync: async (inputs, attrs, be) => {
    const [shape, t, v] = call(inputs, attrs, true);
    return wrap(be, shape, ...ring(kernelName, t), await v);
  },
}));
