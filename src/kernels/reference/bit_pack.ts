/**
 * The packed boolean-circuit kernels with BigInt (see kernel_names.ts): `BitUnzipPack` and the
 * carry-tree kernels of ABY3's sign circuit, `SignLeafTerms`, `PrefixTerms`, `PrefixNextG`,
 * `PrefixNextP` and `BitUnpackTree`, and the levels of Pond's comparison tree, `PondLeaves`,
 * `PondPrefixMask`, `PondPrefixCombine` and `PondPrefixDeal`.
 */
import { U64 } from '../dtype.js';
import type { RefKernel } from './reference_backend.js';
import { output, u64 } from './util.js';

const ALL = (1n << 64n) - 1n;

/** The 32 even (odd when `odd`) bits of w, gathered into bits 0..31 in order. */
function half(w: bigint, odd: boolean): bigint {
  let out = 0n;
  for (let i = 0n; i < 32n; i++) out |= ((w >> (2n * i + (odd ? 1n : 0n))) & 1n) << i;
  return out;
}

/** s = 2^(level−1) and the mask of the low s bits of every 2s-bit block. */
function levelMask(level: number): [bigint, bigint] {
  const s = 1n << BigInt(level - 1);
  let m = 0n;
  for (let b = 0n; b < 64n; b += 2n * s) m |= ((1n << s) - 1n) << b;
  return [s, m];
}

/** out[j] = r[j] | r[j + m/2] << s: the two halves of a word array merged. */
function merged(r: bigint[], s: bigint): BigUint64Array {
  const h = r.length / 2;
  return BigUint64Array.from({ length: h }, (_, j) => (r[j] | (r[j + h] << s)) & ALL);
}

/** One level's unzip of `words` (as BitUnzipPack): even or odd bits of word pairs. */
function unzip(words: BigUint64Array, odd: boolean): bigint[] {
  return Array.from({ length: Math.ceil(words.length / 2) }, (_, j) =>
    half(words[2 * j], odd) | ((2 * j + 1 < words.length ? half(words[2 * j + 1], odd) : 0n) << 32n));
}

/** The k parts of m words each of a flat word array. */
const parts = (w: BigUint64Array, k: number): BigUint64Array[] => Array.from({ length: k }, (_, i) => w.subarray(i * (w.length / k), (i + 1) * (w.length / k)));

/** The five bits of q reversed. */
const rev5 = (q: number) => ((q & 1) << 4) | ((q & 2) << 2) | (q & 4) | ((q & 8) >> 2) | ((q & 16) >> 4);

/** The packed-circuit reference kernels. @example `bitPackKernels[0].kernelName // 'BitUnzipPack'` */
export const bitPackKernels: RefKernel[] = [
  {
    kernelName: 'BitUnzipPack',
    kernelFunc: ([x], attrs, be) => {
      const words = u64(x);
      const odd = Boolean(attrs.odd);
      const out = new BigUint64Array(Math.ceil(words.length / 2));
      for (let j = 0; j < out.length; j++) {
        const hi = 2 * j + 1 < words.length ? half(words[2 * j + 1], odd) : 0n;
        out[j] = half(words[2 * j], odd) | (hi << 32n);
      }
      return output(be, [out.length], U64, out);
    },
  },
  {
    kernelName: 'PrefixTerms',
    kernelFunc: ([g0, g1, p0, p1], attrs, be) => {
      const [s, m] = levelMask(attrs.level as number);
      const [a, b, c, d] = [u64(g0), u64(g1), u64(p0), u64(p1)];
      const out = BigUint64Array.from({ length: a.length }, (_, i) => {
        const x = (p: bigint) => { const ph = (p >> s) & m; return (ph | (ph << s)) & ALL; };
        const y = (g: bigint, p: bigint) => ((g & m) | ((p & m) << s)) & ALL;
        const [x0, x1, y0, y1] = [x(c[i]), x(d[i]), y(a[i], c[i]), y(b[i], d[i])];
        return (x0 & (y0 ^ y1)) ^ (x1 & y0);
      });
      return output(be, [out.length], U64, out);
    },
  },
  {
    kernelName: 'PrefixNextG',
    kernelFunc: ([g, z], attrs, be) => {
      const [s, m] = levelMask(attrs.level as number);
      const [gv, zv] = [u64(g), u64(z)];
      const out = merged(Array.from(gv, (w, i) => ((w >> s) & m) ^ (zv[i] & m)), s);
      return output(be, [out.length], U64, out);
    },
  },
  {
    kernelName: 'PrefixNextP',
    kernelFunc: ([z], attrs, be) => {
      const [s, m] = levelMask(attrs.level as number);
      const out = merged(Array.from(u64(z), (w) => (w >> s) & m), s);
      return output(be, [out.length], U64, out);
    },
  },
  {
    kernelName: 'SignLeafTerms',
    kernelFunc: ([u, c, v], attrs, be) => {
      const [uv, cv, vv0] = [u64(u), u64(c), u64(v)];
      const h = cv.length;
      const M = 0x5555555555555555n, T = 1n << 63n;
      const r = Array.from(uv, (uu, e) => {
        const cf = e < h ? cv[e] & M : (cv[e - h] >> 1n) & M;
        const vv = vv0[e] & ~T & ALL, vs = vv >> 1n, us = uu >> 1n, vhl = vs & vv & M;
        const g = (us & vs) ^ (cf & vv) ^ (uu & vhl);
        const pr = (us & vv) ^ (uu & vs) ^ cf ^ (attrs.withV ? vhl : 0n);
        return (attrs.generate ? g : pr) & M;
      });
      const out = merged(r, 1n);
      return output(be, [out.length], U64, out);
    },
  },
  {
    kernelName: 'BitUnpackTree',
    kernelFunc: ([h], attrs, be) => {
      const hv = u64(h);
      const w = hv.length;
      const count = attrs.count as number;
      // q ≥ 32 only with `lanes`: the high lane, 32 bits up
      const bit = (q: number) => BigInt(rev5(q % 32) + (q >= 32 ? 32 : 0));
      const out = BigUint64Array.from({ length: count }, (_, e) => (hv[e % w] >> bit(Math.floor(e / w))) & 1n);
      return output(be, [count], U64, out);
    },
  },
  {
    kernelName: 'SignBitsTree',
    kernelFunc: ([h], attrs, be) => {
      const hv = u64(h);
      const w = hv.length / 32;
      const out = new BigUint64Array(w);
      hv.forEach((x, e) => {
        const r = BigInt(rev5(Math.floor(e / w)));
        out[e % w] |= attrs.lanes ? (((x >> 31n) & 1n) << r) | ((x >> 63n) << (32n + r)) : (x >> 63n) << r;
      });
      return output(be, [w], U64, out);
    },
  },
  {
    kernelName: 'LanePack',
    kernelFunc: ([x], attrs, be) => {
      const xv = u64(x);
      const half = attrs.half as number;
      const at = (i: number) => (i < xv.length ? xv[i] : 0n);
      const out = BigUint64Array.from({ length: half }, (_, e) => (at(e) & 0xffffffffn) | ((at(half + e) << 32n) & ALL));
      return output(be, [half], U64, out);
    },
  },
  {
    kernelName: 'PondLeaves',
    kernelFunc: ([r, c], attrs, be) => {
      const T = 1n << 63n;
      const [rv, cv] = [u64(r), u64(c)];
      const n = rv.length;
      const out = new BigUint64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const notCTop = (~cv[i] & ALL) | T;
        out[i] = (rv[i] & notCTop) ^ (attrs.first ? cv[i] & T : 0n);
        out[n + i] = (rv[i] & ~T & ALL) ^ (attrs.first ? notCTop : 0n);
      }
      return output(be, [2 * n], U64, out);
    },
  },
  {
    kernelName: 'PondPrefixMask',
    kernelFunc: ([ge, masks], attrs, be) => {
      const w = u64(ge);
      const [g, e] = parts(w, 2);
      const ops = [unzip(e, true), unzip(g, false), ...(attrs.last ? [] : [unzip(e, false)])];
      const ms = parts(u64(masks), ops.length);
      const out = BigUint64Array.from(ops.flatMap((op, i) => op.map((x, j) => x ^ ms[i][j])));
      return output(be, [out.length], U64, out);
    },
  },
  {
    kernelName: 'PondPrefixCombine',
    kernelFunc: ([ge, opened, masks, ands], attrs, be) => {
      const k = attrs.last ? 2 : 3;
      const [g] = parts(u64(ge), 2);
      const [os, ms, cs] = [parts(u64(opened), k), parts(u64(masks), k), parts(u64(ands), k - 1)];
      const [d, a] = [os[0], ms[0]];
      const product = (j: number) => Array.from(d, (dv, x) => cs[j - 1][x] ^ (dv & ms[j][x]) ^ (os[j][x] & a[x]) ^ (attrs.first ? dv & os[j][x] : 0n));
      const gOdd = unzip(g, true);
      const next = [product(1).map((p, x) => gOdd[x] ^ p), ...(attrs.last ? [] : [product(2)])];
      const out = BigUint64Array.from(next.flat());
      return output(be, [out.length], U64, out);
    },
  },
  {
    kernelName: 'PondPrefixDeal',
    kernelFunc: ([masks], attrs, be) => {
      const k = attrs.last ? 2 : 3;
      const [a, ...bs] = parts(u64(masks), k);
      const out = BigUint64Array.from(bs.flatMap((b) => Array.from(b, (bv, x) => a[x] & bv)));
      return output(be, [out.length], U64, out);
    },
  },
];
