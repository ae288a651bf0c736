/**
 * Kernels that make or re-type tensors: `Cast`, `Fill`, `OneHot`.
 * - Cast: u64 → u8 mod m takes x mod m; u8 → u64 takes the value; u8 → u8 mod m' takes the
 *   value mod m'; u64 → u64 copies.
 * - Fill: every element is `value` reduced into the ring (negative values wrap).
 * - OneHot: [...x.shape, depth], 1 at index x (as an unsigned u64), zeros elsewhere.
 */
import type { CastAttrs, FillAttrs, OneHotAttrs } from '../kernel_names.js';
import type { RefKernel } from './reference_backend.js';
import { modulusOf, output, ringOf, sizeOf, u64 } from './util.js';

/** `value` reduced into [0, m). @example `reduceInto(-1n, 67n) // 66n` */
export function reduceInto(value: bigint, m: bigint): bigint {
  return ((value % m) + m) % m;
}

/** The creation reference kernels. @example `creationKernels.map((k) => k.kernelName)` */
export const creationKernels: RefKernel[] = [
  {
    kernelName: 'Cast',
    kernelFunc: ([x], attrs: CastAttrs, be) => {
      const ring = ringOf(attrs.dtype, attrs.modulus);
      const m = modulusOf(ring);
      const v = x.values();
      const out = ring.dtype === 'u64'
        ? BigUint64Array.from(v as ArrayLike<bigint>, (e) => BigInt(e))
        : Uint8Array.from(v as ArrayLike<bigint>, (e) => Number(BigInt(e) % m));
      return output(be, x.shape, ring, out);
    },
  },
  {
    kernelName: 'Fill',
    kernelFunc: (_inputs, attrs: FillAttrs, be) => {
      const ring = ringOf(attrs.dtype, attrs.modulus);
      const v = reduceInto(attrs.value, modulusOf(ring));
      const n = sizeOf(attrs.shape);
      const out = ring.dtype === 'u64' ? new BigUint64Array(n).fill(v) : new Uint8Array(n).fill(Number(v));
      return output(be, attrs.shape, ring, out);
    },
  },
  {
    kernelName: 'OneHot',
    kernelFunc: ([x], attrs: OneHotAttrs, be) => {
      const ring = ringOf(attrs.dtype, attrs.modulus);
      const [v, d] = [u64(x), attrs.depth];
      const out = ring.dtype === 'u64' ? new BigUint64Array(v.length * d) : new Uint8Array(v.length * d);
      for (let i = 0; i < v.length; i++) {
        if (v[i] < BigInt(d)) out[i * d + Number(v[i])] = ring.dtype === 'u64' ? 1n : 1;
      }
      return output(be, [...x.shape, d], ring, out);
    },
  },
];
