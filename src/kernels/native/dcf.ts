/**
 * The distributed comparison function's kernels on the addon (native/dcf.cc): `DcfGen` and
 * `DcfEval`, bit for bit the reference's (src/kernels/reference/dcf.ts).
 */
import type { HostArray } from '../dtype.js';
import { dcfKeyWords, type DcfAttrs, type DcfEvalAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

const u = (t: RingTensor) => host(t) as BigUint64Array;

function gen([alpha, beta, seeds]: RingTensor[], a: DcfAttrs, async: boolean) {
  return loadBinding().dcfGen(u(alpha), u(beta), u(seeds), a.bits, a.width, async, takeOutput(true, 2 * alpha.size * dcfKeyWords(a.bits, a.width)));
}

function evaluate([keys, x]: RingTensor[], a: DcfEvalAttrs, async: boolean) {
  return loadBinding().dcfEval(u(keys), u(x), keys.shape[1], a.bits, a.width, a.party, async, takeOutput(true, a.width * x.size));
}

const shapeOf = (xs: RingTensor[], a: DcfAttrs, name: string) => (name === 'DcfGen' ? [2, dcfKeyWords(a.bits, a.width), xs[0].size] : [a.width, xs[1].size]);

/** The DCF kernels. @example `dcfKernels.map((k) => k.kernelName) // ['DcfGen', 'DcfEval']` */
export const dcfKernels: NativeKernel[] = ([['DcfGen', gen], ['DcfEval', evaluate]] as const).map(([kernelName, call]) => ({
  kernelName,
  kernelFunc: (xs, attrs, be) => wrap(be, shapeOf(xs, attrs as DcfAttrs, kernelName), 'u64', undefined, call(xs, attrs as DcfEvalAttrs, false) as BigUint64Array as HostArray),
  kernelFuncAsync: async (xs, attrs, be) => wrap(be, shapeOf(xs, attrs as DcfAttrs, kernelName), 'u64', undefined, (await call(xs, attrs as DcfEvalAttrs, true)) as HostArray),
}));
