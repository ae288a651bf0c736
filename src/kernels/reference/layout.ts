/**
 * Data-movement kernels: `Transpose`, `Reshape`, `Slice`, `Pad`, `Gather`, `Tile`, `Concat`.
 * Each (but Concat) is written as "output coordinates → input flat index (or −1 for a zero)",
 * which is the whole definition of the kernel.
 */
import type { KernelBackend } from '../backend.js';
import type { ConcatAttrs, GatherAttrs, PadAttrs, ReshapeAttrs, SliceAttrs, TileAttrs, TransposeAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { RefKernel } from './reference_backend.js';
import { output, sizeOf, stridesOf, unravel } from './util.js';

type SourceOf = (c: number[]) => number;

/** Builds a tensor of `shape` whose element at coordinates c is x's element `src(c)` (0 when −1). */
function remap(x: RingTensor, shape: number[], src: SourceOf, be: KernelBackend): RingTensor {
  const v = x.values();
  const out = x.dtype === 'u64' ? new BigUint64Array(sizeOf(shape)) : new Uint8Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) {
    const j = src(unravel(i, shape));
    if (j >= 0) out[i] = v[j];
  }
  return output(be, shape, x.ring, out);
}

/** Flat index of coordinates c in a tensor with strides s. */
const flat = (c: number[], s: number[]) => c.reduce((acc, ci, d) => acc + ci * s[d], 0);

const LAYOUT: Record<string, (x: RingTensor, attrs: any) => [number[], SourceOf]> = {
  Transpose: (x, { perm }: TransposeAttrs) => {
    const s = stridesOf(x.shape);
    return [perm.map((p) => x.shape[p]), (c) => c.reduce((acc, ci, i) => acc + ci * s[perm[i]], 0)];
  },
  Slice: (x, { begin, size, strides }: SliceAttrs) => {
    const s = stridesOf(x.shape);
    return [[...size], (c) => flat(c.map((ci, d) => begin[d] + ci * strides[d]), s)];
  },
  Pad: (x, { paddings }: PadAttrs) => {
    const s = stridesOf(x.shape);
    const shape = x.shape.map((n, d) => paddings[d][0] + n + paddings[d][1]);
    return [shape, (c) => {
      const ci = c.map((cd, d) => cd - paddings[d][0]);
      return ci.every((cd, d) => cd >= 0 && cd < x.shape[d]) ? flat(ci, s) : -1;
    }];
  },
  Gather: (x, { axis, indices }: GatherAttrs) => {
    const s = stridesOf(x.shape);
    const shape = x.shape.map((n, d) => (d === axis ? indices.length : n));
    return [shape, (c) => flat(c.map((cd, d) => (d === axis ? indices[cd] : cd)), s)];
  },
  Tile: (x, { reps }: TileAttrs) => {
    const s = stridesOf(x.shape);
    return [x.shape.map((n, d) => n * reps[d]), (c) => flat(c.map((cd, d) => cd % x.shape[d]), s)];
  },
};

function concat(xs: RingTensor[], axis: number, be: KernelBackend): RingTensor {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((a, x) => a + x.shape[axis], 0);
  const out = xs[0].dtype === 'u64' ? new BigUint64Array(sizeOf(shape)) : new Uint8Array(sizeOf(shape));
  const outer = sizeOf(shape.slice(0, axis));
  const rowOut = sizeOf(shape.slice(axis));
  let at = 0; // where this input's block starts within an output row
  for (const x of xs) {
    const v = x.values();
    const row = sizeOf(x.shape.slice(axis));
    for (let o = 0; o < outer; o++) for (let k = 0; k < row; k++) out[o * rowOut + at + k] = v[o * row + k];
    at += row;
  }
  return output(be, shape, xs[0].ring, out);
}

/** The data-movement reference kernels. @example `layoutKernels.map((k) => k.kernelName)` */
export const layoutKernels: RefKernel[] = [
  ...Object.entries(LAYOUT).map(([kernelName, plan]): RefKernel => ({
    kernelName,
    kernelFunc: ([x], attrs, be) => remap(x, ...plan(x, attrs), be),
  })),
  {
    kernelName: 'Reshape',
    kernelFunc: ([x], { shape }: ReshapeAttrs, be) => output(be, shape, x.ring, x.values()),
  },
  { kernelName: 'Concat', kernelFunc: (xs, { axis }: ConcatAttrs, be) => concat(xs, axis, be) },
];
