/**
 * Data movement as strided copies in the addon: `Transpose`, `Reshape` (shares storage),
 * `Slice`, `Tile` (a broadcast of x viewed as [1, s0, 1, s1, ...]).
 */
import type { ReshapeAttrs, SliceAttrs, TileAttrs, TransposeAttrs } from '../kernel_names.js';
import { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { rowStrides, stridedGather, wrap } from './util.js';

/** The layout kernels. @example `layoutKernels.map((k) => k.kernelName)` */
export const layoutKernels: NativeKernel[] = [
  {
    kernelName: 'Transpose',
    kernelFunc: ([x], a: TransposeAttrs, be) => {
      const xs = rowStrides(x.shape);
      const shape = a.perm.map((p) => x.shape[p]);
      return wrap(be, shape, x.dtype, x.modulus, stridedGather(x, shape, 0, a.perm.map((p) => xs[p])));
    },
  },
  {
    kernelName: 'Reshape',
    kernelFunc: ([x], a: ReshapeAttrs) => new RingTensor([...a.shape], x.dtype, x.storage, x.modulus),
  },
  {
    kernelName: 'Slice',
    kernelFunc: ([x], a: SliceAttrs, be) => {
      const xs = rowStrides(x.shape);
      const st = a.strides ?? a.size.map(() => 1);
      const offset = a.begin.reduce((acc, b, i) => acc + b * xs[i], 0);
      return wrap(be, a.size, x.dtype, x.modulus, stridedGather(x, [...a.size], offset, xs.map((s, i) => s * st[i])));
    },
  },
  {
    kernelName: 'Tile',
    kernelFunc: ([x], a: TileAttrs, be) => {
      const xs = rowStrides(x.shape);
      const view = x.shape.flatMap((s, i) => [a.reps[i], s]);
      const out = stridedGather(x, view, 0, xs.flatMap((s) => [0, s]));
      return wrap(be, x.shape.map((s, i) => s * a.reps[i]), x.dtype, x.modulus, out);
    },
  },
];
