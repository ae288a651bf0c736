/**
 * The fused kernels of Pond's elementwise chains (`AddN`, `TruncDealLow`, `TruncDealMsb`,
 * `TruncFinish`, and the stacked truncation's `TruncMask`, `TruncDealStacked`,
 * `TruncFinishStacked`; see kernel_names.ts), written as the chains of ring operations they
 * replace.
 * u64 values wrap mod 2^64 on assignment into a `BigUint64Array`.
 */
import type { KernelBackend } from '../backend.js';
import type { TruncDealLowAttrs, TruncFinishAttrs, TruncMaskAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { RefKernel } from './reference_backend.js';
import { output, sizeOf, u64 } from './util.js';

const TWO_63 = 1n << 63n;
const TWO_62 = 1n << 62n;

/** Runs `f` at every index of the common shape of same-shape u64 inputs. */
function each(inputs: RingTensor[], be: KernelBackend, f: (xs: bigint[]) => bigint): RingTensor {
  const shape = inputs[0].shape;
  const vs = inputs.map(u64);
  const out = new BigUint64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = f(vs.map((v) => v[i]));
  return output(be, shape, inputs[0].ring, out);
}

function addN(xs: RingTensor[], be: KernelBackend): RingTensor {
  const full = xs.find((x) => x.rank > 0) ?? xs[0];
  const vs = xs.map(u64);
  const out = new BigUint64Array(full.size);
  for (let i = 0; i < out.length; i++) {
    let s = 0n;
    for (let j = 0; j < xs.length; j++) s += vs[j][xs[j].rank === 0 ? 0 : i];
    out[i] = s;
  }
  return output(be, full.shape, full.ring, out);
}

function truncFinish(c: bigint, t: bigint, m: bigint, k: bigint, first: boolean): bigint {
  const c63 = BigInt.asUintN(64, c) >> 63n;
  let w = m - 2n * c63 * m;
  if (first) w += c63;
  let y = (w << (63n - k)) - t;
  if (first) y += (BigInt.asUintN(64, c) % TWO_63 >> k) - (1n << (62n - k));
  return y;
}

/** The fused Pond reference kernels. @example `fusedPondKernels.map((k) => k.kernelName)` */
export const fusedPondKernels: RefKernel[] = [
  { kernelName: 'AddN', kernelFunc: (xs, _attrs, be) => addN(xs, be) },
  {
    kernelName: 'TruncDealLow',
    kernelFunc: (xs, a: TruncDealLowAttrs, be) => each(xs, be, ([r0, r1, s]) => (((r0 + r1) % TWO_63) >> BigInt(a.bits)) - s),
  },
  {
    kernelName: 'TruncDealMsb',
    kernelFunc: (xs, _attrs, be) => each(xs, be, ([r0, r1, s]) => (BigInt.asUintN(64, r0 + r1) >> 63n) - s),
  },
  {
    kernelName: 'TruncFinish',
    kernelFunc: (xs, a: TruncFinishAttrs, be) =>
      each(xs, be, ([own, other, t, m]) => truncFinish(own + other, t, m, BigInt(a.bits), a.first === true)),
  },
  {
    kernelName: 'TruncMask',
    kernelFunc: ([x, r], a: TruncMaskAttrs, be) => {
      const [xv, rv] = [u64(x), u64(r)];
      const out = BigUint64Array.from(xv, (v, i) => BigInt.asUintN(64, v + rv[i] + (a.first ? TWO_62 : 0n)));
      return output(be, x.shape, x.ring, out);
    },
  },
  {
    kernelName: 'TruncDealStacked',
    kernelFunc: ([rtm, r1], a: TruncDealLowAttrs, be) => {
      const [v, r1v] = [u64(rtm), u64(r1)];
      const n = r1v.length;
      const out = new BigUint64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const r = v[i] + r1v[i];
        out[i] = ((r % TWO_63) >> BigInt(a.bits)) - v[n + i];
        out[n + i] = (BigInt.asUintN(64, r) >> 63n) - v[2 * n + i];
      }
      return output(be, [2 * n], r1.ring, out);
    },
  },
  {
    kernelName: 'TruncFinishStacked',
    kernelFunc: ([own, other, tm], a: TruncFinishAttrs, be) => {
      const [ov, xv, tmv] = [u64(own), u64(other), u64(tm)];
      const n = ov.length;
      const [t0, m0] = [tmv.length - 2 * n, tmv.length - n];
      const out = BigUint64Array.from(ov, (c, i) => truncFinish(c + xv[i], tmv[t0 + i], tmv[m0 + i], BigInt(a.bits), a.first === true));
      return output(be, own.shape, own.ring, out);
    },
  },
];
