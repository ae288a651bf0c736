/**
 * The fused kernels of Pond's elementwise chains (`AddN`, `TruncDealLow`, `TruncDealMsb`,
 * `TruncFinish`; see kernel_names.ts), written as the chains of ring operations they replace.
 * u64 values wrap mod 2^64 on assignment into a `BigUint64Array`.
 */
import type { KernelBackend } from '../backend.js';
import type { TruncDealLowAttrs, TruncFinishAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { RefKernel } from './reference_backend.js';
import { output, sizeOf, u64 } from './util.js';

const TWO_63 = 1n << 63n;

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
];
