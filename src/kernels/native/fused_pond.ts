/** The fused Pond kernels `AddN`, `TruncDealLow`, `TruncDealMsb`, `TruncFinish`; async forms for large inputs. */
import type { HostArray } from '../dtype.js';
import type { TruncDealLowAttrs, TruncFinishAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

type Call = (xs: RingTensor[], attrs: any, async: boolean) => HostArray | Promise<HostArray>;
const u = (t: RingTensor) => host(t) as BigUint64Array;

const CALLS: [string, Call][] = [
  ['AddN', (xs, _a, async) => {
    const n = (xs.find((x) => x.rank > 0) ?? xs[0]).size;
    return loadBinding().addN(xs.map(u), n, async, takeOutput(true, n));
  }],
  ['TruncDealLow', ([r0, r1, s], a: TruncDealLowAttrs, async) =>
    loadBinding().truncDeal(u(r0), u(r1), u(s), a.bits, false, async, takeOutput(true, r0.size))],
  ['TruncDealMsb', ([r0, r1, s], _a, async) => loadBinding().truncDeal(u(r0), u(r1), u(s), 0, true, async, takeOutput(true, r0.size))],
  ['TruncFinish', ([own, other, t, m], a: TruncFinishAttrs, async) =>
    loadBinding().truncFinish(u(own), u(other), u(t), u(m), a.bits, a.first === true, async, takeOutput(true, own.size))],
];

const shapeOf = (xs: RingTensor[]) => (xs.find((x) => x.rank > 0) ?? xs[0]).shape;

/** The fused Pond kernels. @example `fusedPondKernels[0].kernelName // 'AddN'` */
export const fusedPondKernels: NativeKernel[] = CALLS.map(([kernelName, call]) => ({
  kernelName,
  kernelFunc: (xs, attrs, be) => wrap(be, shapeOf(xs), 'u64', undefined, call(xs, attrs, false) as HostArray),
  kernelFuncAsync: async (xs, attrs, be) => wrap(be, shapeOf(xs), 'u64', undefined, await call(xs, attrs, true)),
}));
