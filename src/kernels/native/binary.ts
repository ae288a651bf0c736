/** `Add`, `Sub`, `Mul`, `BitwiseAnd/Or/Xor` with broadcasting; async form for large outputs. */
import type { HostArray } from '../dtype.js';
import type { KernelConfig } from '../engine.js';
import { BINARY_KERNELS } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { binaryPlan, host, modCode, numel, wrap } from './util.js';

/**
 * A native kernel registration (the backend name is added by `register.ts`).
 * @example
 * ```ts
 * const k: NativeKernel = { kernelName: 'Add', kernelFunc: ([a, b], _attrs, be) => a };
 * ```
 */
export type NativeKernel = Omit<KernelConfig, 'backendName'>;

function call(op: number, a: RingTensor, b: RingTensor, async: boolean): [number[], HostArray | Promise<HostArray>] {
  const p = binaryPlan(a.shape, b.shape);
  const out = takeOutput(a.dtype === 'u64', numel(p.shape));
  return [p.shape, loadBinding().binary(op, host(a), host(b), p.flat, p.sa, p.sb, modCode(a), async, out)];
}

/** The binary kernels. @example `binaryKernels[0].kernelName // 'Add'` */
export const binaryKernels: NativeKernel[] = BINARY_KERNELS.map((kernelName, op) => ({
  kernelName,
  kernelFunc: ([a, b], _attrs, be) => {
    const [shape, v] = call(op, a, b, false);
    return wrap(be, shape, a.dtype, a.modulus, v as HostArray);
  },
  kernelFuncAsync: async ([a, b], _attrs, be) => {
    const [shape, v] = call(op, a, b, true);
    return wrap(be, shape, a.dtype, a.modulus, await v);
  },
}));
