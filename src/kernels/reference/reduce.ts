/**
 * Reductions: `ReduceSum` over a set of axes (mod the ring) and `CumSum` along one axis
 * (`exclusive` leaves out the element itself, `reverse` runs from the end).
 */
import type { CumSumAttrs, ReduceSumAttrs } from '../kernel_names.js';
import type { RefKernel } from './reference_backend.js';
import { modulusOf, output, sizeOf, stridesOf, unravel } from './util.js';

/** Sums mod m as bigints, then stores in the tensor's storage type. */
function store(dtype: 'u64' | 'u8', sums: bigint[], m: bigint): BigUint64Array | Uint8Array {
  return dtype === 'u64' ? BigUint64Array.from(sums, (s) => s % m) : Uint8Array.from(sums, (s) => Number(s % m));
}

/** The reduction reference kernels. @example `reduceKernels.map((k) => k.kernelName)` */
export const reduceKernels: RefKernel[] = [
  {
    kernelName: 'ReduceSum',
    kernelFunc: ([x], { axes, keepDims }: ReduceSumAttrs, be) => {
      const kept = x.shape.map((n, d) => (axes.includes(d) ? 1 : n));
      const sums = new Array<bigint>(sizeOf(kept)).fill(0n);
      const ks = stridesOf(kept);
      const v = x.values();
      for (let i = 0; i < v.length; i++) {
        const c = unravel(i, x.shape);
        const j = c.reduce((acc, cd, d) => acc + (axes.includes(d) ? 0 : cd * ks[d]), 0);
        sums[j] += BigInt(v[i]);
      }
      const shape = keepDims ? kept : x.shape.filter((_, d) => !axes.includes(d));
      return output(be, shape, x.ring, store(x.dtype, sums, modulusOf(x.ring)));
    },
  },
  {
    kernelName: 'CumSum',
    kernelFunc: ([x], { axis, exclusive, reverse }: CumSumAttrs, be) => {
      const v = x.values();
      const [n, step] = [x.shape[axis], stridesOf(x.shape)[axis]];
      const sums = new Array<bigint>(v.length).fill(0n);
      for (let i = 0; i < v.length; i++) {
        if (Math.floor(i / step) % n !== 0) continue; // start only at the first element of each line
        let acc = 0n;
        for (let t = 0; t < n; t++) {
          const j = i + (reverse ? n - 1 - t : t) * step;
          if (exclusive) { sums[j] = acc; acc += BigInt(v[j]); } else { acc += BigInt(v[j]); sums[j] = acc; }
        }
      }
      return output(be, x.shape, x.ring, store(x.dtype, sums, modulusOf(x.ring)));
    },
  },
];
