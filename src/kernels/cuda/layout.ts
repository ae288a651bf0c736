/**
 * The `cuda` backend's data movement, reductions, products and window kernels. Movement is
 * strided device copies (as the CPU addon's), Reshape shares the device buffer, and MatMul /
 * Conv2D pick the tensor-core limb kernel or the tiled u64 kernel in the addon.
 */
import type {
  Col2ImAttrs, ConcatAttrs, Conv2DAttrs, CumSumAttrs, GatherAttrs, Im2ColAttrs, MatMulAttrs, PadAttrs, ReduceSumAttrs,
  ReshapeAttrs, SliceAttrs, TileAttrs, TransposeAttrs,
} from '../kernel_names.js';
import { geom } from '../native/conv_geom.js';
import { matmulPlan, modCode, numel, rowStrides } from '../native/util.js';
import { RingTensor } from '../ring_tensor.js';
import type { CudaBackend } from './cuda_backend.js';
import type { CudaKernel } from './elementwise.js';

const h = (be: CudaBackend, t: RingTensor) => be.handleOf(t.storage);

/** A fresh tensor of `shape` whose element idx is x[offset + idx·strides]. */
function gatherView(be: CudaBackend, x: RingTensor, shape: number[], offset: number, strides: number[]): RingTensor {
  const out = be.device.alloc(x.dtype === 'u64', numel(shape), false);
  be.device.stridedCopy(out, 0, rowStrides(shape), h(be, x), offset, strides, shape);
  return be.wrap(shape, x.dtype, x.modulus, out);
}

function matmul([a, b]: RingTensor[], at: MatMulAttrs, be: CudaBackend): RingTensor {
  const { M, K, N, batch, sa, sb } = matmulPlan(a, b, at);
  const out = be.device.matmul(h(be, a), h(be, b), batch, sa, sb, M, K, N, !!at.transposeA, !!at.transposeB, modCode(a));
  return be.wrap([...batch, M, N], a.dtype, a.modulus, out);
}

/** Movement, reduction, product and window kernels by name. @example `layoutKernels.MatMul` */
export const layoutKernels: Record<string, CudaKernel> = {
  Transpose: ([x], a: TransposeAttrs, be) => {
    const xs = rowStrides(x.shape);
    return gatherView(be, x, a.perm.map((p) => x.shape[p]), 0, a.perm.map((p) => xs[p]));
  },
  Reshape: ([x], a: ReshapeAttrs, be) => new RingTensor([...a.shape], x.dtype, be.share(x.storage), x.modulus),
  Slice: ([x], a: SliceAttrs, be) => {
    const xs = rowStrides(x.shape);
    const st = a.strides ?? a.size.map(() => 1);
    const offset = a.begin.reduce((acc, b, i) => acc + b * xs[i], 0);
    return gatherView(be, x, [...a.size], offset, xs.map((s, i) => s * st[i]));
  },
  Tile: ([x], a: TileAttrs, be) => {
    const xs = rowStrides(x.shape);
    const t = gatherView(be, x, x.shape.flatMap((s, i) => [a.reps[i], s]), 0, xs.flatMap((s) => [0, s]));
    return new RingTensor(x.shape.map((s, i) => s * a.reps[i]), x.dtype, t.storage, x.modulus);
  },
  Pad: ([x], a: PadAttrs, be) => {
    const shape = x.shape.map((s, i) => s + a.paddings[i][0] + a.paddings[i][1]);
    const os = rowStrides(shape);
    const out = be.device.alloc(x.dtype === 'u64', numel(shape), true);
    const offset = a.paddings.reduce((acc, [before], i) => acc + before * os[i], 0);
    be.device.stridedCopy(out, offset, os, h(be, x), 0, rowStrides(x.shape), x.shape);
    return be.wrap(shape, x.dtype, x.modulus, out);
  },
  Concat: (xs, a: ConcatAttrs, be) => {
    const shape = [...xs[0].shape];
    shape[a.axis] = xs.reduce((acc, t) => acc + t.shape[a.axis], 0);
    const os = rowStrides(shape);
    const out = be.device.alloc(xs[0].dtype === 'u64', numel(shape), false);
    let at = 0;
    for (const t of xs) {
      be.device.stridedCopy(out, at * os[a.axis], os, h(be, t), 0, rowStrides(t.shape), t.shape);
      at += t.shape[a.axis];
    }
    return be.wrap(shape, xs[0].dtype, xs[0].modulus, out);
  },
  Gather: ([x], a: GatherAttrs, be) => {
    const outer = numel(x.shape.slice(0, a.axis)), inner = numel(x.shape.slice(a.axis + 1));
    const shape = [...x.shape];
    shape[a.axis] = a.indices.length;
    return be.wrap(shape, x.dtype, x.modulus, be.device.gather(h(be, x), outer, x.shape[a.axis], inner, a.indices));
  },
  ReduceSum: ([x], a: ReduceSumAttrs, be) => {
    const axes = new Set(a.axes.map((d) => (d < 0 ? d + x.rank : d)));
    const dims = x.shape.map((_, i) => i);
    const [kept, reduced] = [dims.filter((d) => !axes.has(d)), dims.filter((d) => axes.has(d))];
    const xs = rowStrides(x.shape);
    const order = [...kept, ...reduced];
    const outSize = numel(kept.map((d) => x.shape[d]));
    const out = be.device.reduceSum(h(be, x), order.map((d) => x.shape[d]), order.map((d) => xs[d]), outSize, modCode(x));
    const shape = a.keepDims ? x.shape.map((s, i) => (axes.has(i) ? 1 : s)) : kept.map((d) => x.shape[d]);
    return be.wrap(shape, x.dtype, x.modulus, out);
  },
  CumSum: ([x], a: CumSumAttrs, be) => {
    const axis = a.axis < 0 ? a.axis + x.rank : a.axis;
    const outer = numel(x.shape.slice(0, axis)), inner = numel(x.shape.slice(axis + 1));
    const out = be.device.cumSum(h(be, x), outer, x.shape[axis], inner, !!a.exclusive, !!a.reverse, modCode(x));
    return be.wrap(x.shape, x.dtype, x.modulus, out);
  },
  MatMul: matmul,
  Conv2D: ([x, w], a: Conv2DAttrs, be) => {
    const g = geom(x.shape, [w.shape[0], w.shape[1]], a.strides, a.padding);
    const F = w.shape[3];
    return be.wrap([g[0], g[10], g[11], F], 'u64', undefined, be.device.conv2d(h(be, x), h(be, w), F, ...g));
  },
  Im2Col: ([x], a: Im2ColAttrs, be) => {
    const g = geom(x.shape, a.kernelSize, a.strides, a.padding);
    return be.wrap([g[0] * g[10] * g[11], g[4] * g[5] * g[3]], x.dtype, x.modulus, be.device.im2col(h(be, x), ...g));
  },
  Col2Im: ([cols], a: Col2ImAttrs, be) => {
    const g = geom(a.inputShape, a.kernelSize, a.strides, a.padding);
    return be.wrap([...a.inputShape], cols.dtype, cols.modulus, be.device.col2im(h(be, cols), ...g, modCode(cols)));
  },
};
