/**
 * The fused Pond kernels `AddN`, `TruncDealLow`, `TruncDealMsb`, `TruncFinish`, and the stacked
 * truncation's `TruncMask`, `TruncDealStacked`, `TruncFinishStacked` (the addon's functions on
 * views of the stacked parts); async forms for large inputs.
 */
import type { HostArray } from '../dtype.js';
import type { TruncDealLowAttrs, TruncFinishAttrs, TruncMaskAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { outputArray, takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

type Call = (xs: RingTensor[], attrs: any, async: boolean) => HostArray | Promise<HostArray>;
/** A kernel's output shape from its inputs. */
type Shape = (xs: RingTensor[]) => readonly number[];
const u = (t: RingTensor) => host(t) as BigUint64Array;

const SHIFT_62 = BigUint64Array.of(1n << 62n);

/** Part `i` (of `n` elements) of a stacked array. */
const part = (a: BigUint64Array, n: number, i: number) => a.subarray(i * n, (i + 1) * n);

/** The dealer's [t1, m1] of one truncation, written into the halves of one output array. */
function truncDealStacked(rtm: BigUint64Array, r1: BigUint64Array, bits: number, async: boolean): HostArray | Promise<HostArray> {
  const n = r1.length;
  const out = outputArray(true, 2 * n) as BigUint64Array;
  const b = loadBinding();
  const low = b.truncDeal(part(rtm, n, 0), r1, part(rtm, n, 1), bits, false, async, part(out, n, 0));
  const msb = b.truncDeal(part(rtm, n, 0), r1, part(rtm, n, 2), 0, true, async, part(out, n, 1));
  return low instanceof Promise ? Promise.all([low, msb]).then(() => out) : out;
}

/** The first input of positive rank (AddN broadcasts scalars; the others have one shape). */
const broadcastShape: Shape = (xs) => (xs.find((x) => x.rank > 0) ?? xs[0]).shape;
/** The first input's shape (the other fused kernels). */
const firstShape: Shape = (xs) => xs[0].shape;

const CALLS: [string, Call, Shape][] = [
  ['AddN', (xs, _a, async) => {
    const n = (xs.find((x) => x.rank > 0) ?? xs[0]).size;
    return loadBinding().addN(xs.map(u), n, async, takeOutput(true, n));
  }, broadcastShape],
  ['TruncDealLow', ([r0, r1, s], a: TruncDealLowAttrs, async) =>
    loadBinding().truncDeal(u(r0), u(r1), u(s), a.bits, false, async, takeOutput(true, r0.size)), firstShape],
  ['TruncDealMsb', ([r0, r1, s], _a, async) => loadBinding().truncDeal(u(r0), u(r1), u(s), 0, true, async, takeOutput(true, r0.size)), firstShape],
  ['TruncFinish', ([own, other, t, m], a: TruncFinishAttrs, async) =>
    loadBinding().truncFinish(u(own), u(other), u(t), u(m), a.bits, a.first === true, async, takeOutput(true, own.size)), firstShape],
  ['TruncMask', ([x, r], a: TruncMaskAttrs, async) => {
    const xs = [u(x), part(u(r), x.size, 0)];
    return loadBinding().addN(a.first ? [...xs, SHIFT_62] : xs, x.size, async, takeOutput(true, x.size));
  }, firstShape],
  ['TruncDealStacked', ([rtm, r1], a: TruncDealLowAttrs, async) => truncDealStacked(u(rtm), u(r1), a.bits, async), ([, r1]) => [2 * r1.size]],
  ['TruncFinishStacked', ([own, other, tm], a: TruncFinishAttrs, async) => {
    const n = own.size, p = tm.size / Math.max(n, 1);
    return loadBinding().truncFinish(u(own), u(other), part(u(tm), n, p - 2), part(u(tm), n, p - 1), a.bits, a.first === true, async, takeOutput(true, n));
  }, firstShape],
];

/** The fused Pond kernels. @example `fusedPondKernels[0].kernelName // 'AddN'` */
export const fusedPondKernels: NativeKernel[] = CALLS.map(([kernelName, call, shapeOf]) => ({
  kernelName,
  kernelFunc: (xs, attrs, be) => wrap(be, shapeOf(xs), 'u64', undefined, call(xs, attrs, false) as HostArray),
  kernelFuncAsync: async (xs, attrs, be) => wrap(be, shapeOf(xs), 'u64', undefined, await call(xs, attrs, true)),
}));
