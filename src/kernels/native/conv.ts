/** `Conv2D` (implicit im2col into the u64 GEMM), `Im2Col`, `Col2Im`; each with an async form. */
import type { HostArray } from '../dtype.js';
import type { Col2ImAttrs, Conv2DAttrs, Im2ColAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { KernelBackend } from '../backend.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { geom } from './conv_geom.js';
import { host, modCode, wrap } from './util.js';

type Run = (inputs: RingTensor[], attrs: any, be: KernelBackend, async: boolean) => [number[], RingTensor, HostArray | Promise<HostArray>];

const RUNS: Record<string, Run> = {
  Conv2D: ([x, w], a: Conv2DAttrs, _be, async) => {
    const g = geom(x.shape, [w.shape[0], w.shape[1]], a.strides, a.padding);
    const F = w.shape[3];
    return [[g[0], g[10], g[11], F], x, loadBinding().conv2d(host(x) as BigUint64Array, host(w) as BigUint64Array, F, ...g, async, takeOutput(true, g[0] * g[10] * g[11] * F))];
  },
  Im2Col: ([x], a: Im2ColAttrs, _be, async) => {
    const g = geom(x.shape, a.kernelSize, a.strides, a.padding);
    return [[g[0] * g[10] * g[11], g[4] * g[5] * g[3]], x, loadBinding().im2col(host(x), ...g, async, takeOutput(x.dtype === 'u64', g[0] * g[10] * g[11] * g[4] * g[5] * g[3]))];
  },
  Col2Im: ([cols], a: Col2ImAttrs, _be, async) => {
    const g = geom(a.inputShape, a.kernelSize, a.strides, a.padding);
    return [[...a.inputShape], cols, loadBinding().col2im(host(cols), ...g, modCode(cols), async)];
  },
};

/** The window kernels. @example `convKernels.map((k) => k.kernelName)` */
export const convKernels: NativeKernel[] = Object.entries(RUNS).map(([kernelName, run]) => ({
  kernelName,
  kernelFunc: (inputs, attrs, be) => {
    const [shape, t, v] = run(inputs, attrs, be, false);
    return wrap(be, shape, t.dtype, t.modulus, v as HostArray);
  },
  kernelFuncAsync: async (inputs, attrs, be) => {
    const [shape, t, v] = run(inputs, attrs, be, true);
    return wrap(be, shape, t.dtype, t.modulus, await v);
  },
}));
