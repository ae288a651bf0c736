/**
 * The packed boolean-circuit kernels (native/bit_pack.cc): `BitUnzipPack` and the carry-tree
 * kernels of ABY3's sign circuit, `SignLeafTerms`, `PrefixTerms`, `PrefixNextG`, `PrefixNextP`,
 * `BitUnpackTree`, `SignBitsTree`, `LanePack`, and the levels of Pond's comparison tree (native/pond_tree.cc), `PondLeaves`,
 * `PondPrefixMask`, `PondPrefixCombine`, `PondPrefixDeal`.
 */
import type { HostArray } from '../dtype.js';
import type { BitUnpackTreeAttrs, LanePackAttrs, PondLeavesAttrs, PondPrefixAttrs, PondPrefixCombineAttrs, PrefixLevelAttrs, SignBitsTreeAttrs, SignLeafTermsAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, wrap } from './util.js';

type Call = (xs: RingTensor[], attrs: any, async: boolean) => BigUint64Array | Promise<BigUint64Array>;

const u = (t: RingTensor) => host(t) as BigUint64Array;

const CALLS: [string, Call][] = [
  ['BitUnzipPack', ([x], a: { odd?: boolean }, async) =>
    loadBinding().bitUnzipPack(u(x), Boolean(a.odd), async, takeOutput(true, Math.ceil(x.size / 2)))],
  ['PrefixTerms', ([g0, g1, p0, p1], a: PrefixLevelAttrs, async) =>
    loadBinding().prefixTerms(u(g0), u(g1), u(p0), u(p1), a.level, async, takeOutput(true, g0.size))],
  ['PrefixNextG', ([g, z], a: PrefixLevelAttrs, async) => loadBinding().prefixNext(u(z), u(g), a.level, async, takeOutput(true, z.size / 2))],
  ['PrefixNextP', ([z], a: PrefixLevelAttrs, async) => loadBinding().prefixNext(u(z), null, a.level, async, takeOutput(true, z.size / 2))],
  ['SignLeafTerms', ([uu, c, v], a: SignLeafTermsAttrs, async) =>
    loadBinding().signLeafTerms(u(uu), u(c), u(v), a.generate, a.withV, async, takeOutput(true, uu.size / 2))],
  ['BitUnpackTree', ([h], a: BitUnpackTreeAttrs, async) => loadBinding().bitUnpackTree(u(h), a.count, Boolean(a.lanes), async, takeOutput(true, a.count))],
  ['SignBitsTree', ([h], a: SignBitsTreeAttrs, async) => loadBinding().signBitsTree(u(h), Boolean(a.lanes), async, takeOutput(true, h.size / 32))],
  ['LanePack', ([x], a: LanePackAttrs, async) => loadBinding().lanePack(u(x), a.half, async, takeOutput(true, a.half))],
  ['PondLeaves', ([r, c], a: PondLeavesAttrs, async) => loadBinding().pondLeaves(u(r), u(c), a.first, async, takeOutput(true, 2 * r.size))],
  ['PondPrefixMask', ([ge, masks], a: PondPrefixAttrs, async) => loadBinding().pondPrefixMask(u(ge), u(masks), a.last, async, takeOutput(true, masks.size))],
  ['PondPrefixCombine', ([ge, opened, masks, ands], a: PondPrefixCombineAttrs, async) =>
    loadBinding().pondPrefixCombine(u(ge), u(opened), u(masks), u(ands), a.first, a.last, async, takeOutput(true, ands.size))],
  ['PondPrefixDeal', ([masks], a: PondPrefixAttrs, async) =>
    loadBinding().pondPrefixDeal(u(masks), a.last, async, takeOutput(true, (masks.size / (a.last ? 2 : 3)) * (a.last ? 1 : 2)))],
];

/** The packed-circuit kernels. @example `bitPackKernels[0].kernelName // 'BitUnzipPack'` */
export const bitPackKernels: NativeKernel[] = CALLS.map(([kernelName, call]) => ({
  kernelName,
  kernelFunc: (xs, attrs, be) => {
    const out = call(xs, attrs, false) as BigUint64Array;
    return wrap(be, [out.length], 'u64', undefined, out as HostArray);
  },
  kernelFuncAsync: async (xs, attrs, be) => {
    const out = await call(xs, attrs, true);
    return wrap(be, [out.length], 'u64', undefined, out);
  },
}));
