/**
 * The distributed comparison function's kernels with BigInt and node:crypto's AES (see
 * kernel_names.ts, `DcfGen` and `DcfEval`): the reference the native kernels (native/dcf.cc)
 * are checked against, bit for bit.
 */
import { createCipheriv } from 'node:crypto';
import { U64 } from '../dtype.js';
import { dcfKeyWords, type DcfAttrs, type DcfEvalAttrs } from '../kernel_names.js';
import type { RefKernel } from './reference_backend.js';
import { output, u64 } from './util.js';

const ALL = (1n << 64n) - 1n;
const LOW2 = ALL ^ 3n;

/** The PRG's fixed AES-128 key: the 16 ASCII bytes `tfe-js dcf prg/1`. */
const DCF_PRG_KEY = Buffer.from('tfe-js dcf prg/1', 'ascii');

/** A 128-bit seed as its low and high words. */
type Seed = [bigint, bigint];

/** One PRG expansion: the two child seeds (low two bits cleared), their control bits, and the `width` values of each side. */
interface Expansion { sL: Seed; tL: bigint; sR: Seed; tR: bigint; vL: bigint[]; vR: bigint[] }

/** G(s) for many seeds at once: 2 + width AES blocks each, G_j(s) = AES_K(s ⊕ j) ⊕ s ⊕ j. */
function expand(seeds: Seed[], width: number): Expansion[] {
  const blocks = 2 + width;
  const input = Buffer.alloc(16 * blocks * seeds.length);
  seeds.forEach(([lo, hi], i) => {
    for (let j = 0; j < blocks; j++) {
      input.writeBigUInt64LE(lo ^ BigInt(j), 16 * (blocks * i + j));
      input.writeBigUInt64LE(hi, 16 * (blocks * i + j) + 8);
    }
  });
  const aes = createCipheriv('aes-128-ecb', DCF_PRG_KEY, null).setAutoPadding(false);
  const enc = Buffer.concat([aes.update(input), aes.final()]);
  return seeds.map((_, i) => {
    const w = (k: number) => enc.readBigUInt64LE(16 * blocks * i + 8 * k) ^ input.readBigUInt64LE(16 * blocks * i + 8 * k);
    const [l0, l1, r0, r1] = [0, 1, 2, 3].map(w);
    const values = Array.from({ length: 2 * width }, (_, c) => w(4 + c));
    return { sL: [l0 & LOW2, l1], tL: l0 & 1n, sR: [r0 & LOW2, r1], tR: r0 & 1n, vL: values.slice(0, width), vR: values.slice(width) };
  });
}

const neg = (v: bigint) => (-v) & ALL;

/** Both parties' keys of DCF_{α,β} on `bits`-bit inputs with β of `width` words, dcfKeyWords(bits, width) words each. */
function generate(alpha: bigint, beta: bigint[], seeds: [Seed, Seed], bits: number): [bigint[], bigint[]] {
  const width = beta.length;
  const cws: bigint[] = [];
  let [s0, s1] = seeds;
  let t0 = 0n, t1 = 1n;
  const vAlpha = beta.map(() => 0n);
  for (let l = 0; l < bits; l++) {
    const a = (alpha >> BigInt(bits - 1 - l)) & 1n;
    const [g0, g1] = expand([s0, s1], width);
    const [keep0, keep1, lose0, lose1] = a ? [g0.sR, g1.sR, g0.sL, g1.sL] : [g0.sL, g1.sL, g0.sR, g1.sR];
    const sCw: Seed = [lose0[0] ^ lose1[0], lose0[1] ^ lose1[1]];
    const sign = (v: bigint) => (t1 ? neg(v) : v & ALL);
    const vCw = beta.map((b, c) => {
      const [vKeep0, vKeep1, vLose0, vLose1] = a ? [g0.vR[c], g1.vR[c], g0.vL[c], g1.vL[c]] : [g0.vL[c], g1.vL[c], g0.vR[c], g1.vR[c]];
      let cw = sign(vLose1 - vLose0 - vAlpha[c]);
      if (a) cw = (cw + sign(b)) & ALL;
      vAlpha[c] = (vAlpha[c] - vKeep1 + vKeep0 + sign(cw)) & ALL;
      return cw;
    });
    const tLCw = g0.tL ^ g1.tL ^ a ^ 1n, tRCw = g0.tR ^ g1.tR ^ a;
    const tKeepCw = a ? tRCw : tLCw;
    const [tKeep0, tKeep1] = a ? [g0.tR, g1.tR] : [g0.tL, g1.tL];
    s0 = t0 ? [keep0[0] ^ sCw[0], keep0[1] ^ sCw[1]] : keep0;
    s1 = t1 ? [keep1[0] ^ sCw[0], keep1[1] ^ sCw[1]] : keep1;
    [t0, t1] = [tKeep0 ^ (t0 & tKeepCw), tKeep1 ^ (t1 & tKeepCw)];
    cws.push(sCw[0] | tLCw | (tRCw << 1n), sCw[1], ...vCw);
  }
  // Convert(s) = word c of the final seed
  for (let c = 0; c < width; c++) cws.push(t1 ? neg(s1[c] - s0[c] - vAlpha[c]) : (s1[c] - s0[c] - vAlpha[c]) & ALL);
  return [[...seeds[0], ...cws], [...seeds[1], ...cws]];
}

/**
 * Party `b`'s shares ([width][points]) of the DCF at each point; point i is evaluated with key
 * keyOf(i) of `keys` ([w, n]: word j of key q at j·n + q).
 */
function evaluate(keys: BigUint64Array, w: number, n: number, width: number, points: bigint[], keyOf: (i: number) => number, b: number, bits: number): bigint[][] {
  const word = (q: number, j: number) => keys[j * n + q];
  const per = 2 + width;
  const seeds: Seed[] = points.map((_, i) => [word(keyOf(i), 0), word(keyOf(i), 1)]);
  const ts = points.map(() => BigInt(b));
  const vs = Array.from({ length: width }, () => points.map(() => 0n));
  const signed = (v: bigint) => (b ? neg(v) : v & ALL);
  for (let l = 0; l < bits; l++) {
    const g = expand(seeds, width);
    points.forEach((x, i) => {
      const k = 2 + per * l, q = keyOf(i);
      const cw0 = word(q, k), t = ts[i];
      const right = (x >> BigInt(bits - 1 - l)) & 1n;
      const e = g[i];
      for (let c = 0; c < width; c++) vs[c][i] = (vs[c][i] + signed((right ? e.vR : e.vL)[c] + (t ? word(q, k + 2 + c) : 0n))) & ALL;
      const s = right ? e.sR : e.sL;
      seeds[i] = t ? [s[0] ^ (cw0 & LOW2), s[1] ^ word(q, k + 1)] : s;
      ts[i] = (right ? e.tR : e.tL) ^ (t & (right ? cw0 >> 1n : cw0) & 1n);
    });
  }
  return vs.map((v, c) => v.map((acc, i) => (acc + signed(seeds[i][c] + (ts[i] ? word(keyOf(i), w - width + c) : 0n))) & ALL));
}

/** The DCF kernels. @example `dcfKernels.map((k) => k.kernelName) // ['DcfGen', 'DcfEval']` */
export const dcfKernels: RefKernel[] = [
  {
    kernelName: 'DcfGen',
    kernelFunc: ([alpha, beta, seeds], attrs, be) => {
      const { bits, width } = attrs as unknown as DcfAttrs;
      const [a, bt, sd] = [u64(alpha), u64(beta), u64(seeds)];
      const n = a.length, w = dcfKeyWords(bits, width);
      const mask = bits === 64 ? ALL : (1n << BigInt(bits)) - 1n;
      const out = new BigUint64Array(2 * n * w);
      for (let i = 0; i < n; i++) {
        const b = Array.from(bt.subarray(i * width, (i + 1) * width));
        const [k0, k1] = generate(a[i] & mask, b, [[sd[4 * i], sd[4 * i + 1]], [sd[4 * i + 2], sd[4 * i + 3]]], bits);
        for (let j = 0; j < w; j++) [out[j * n + i], out[(w + j) * n + i]] = [k0[j], k1[j]];
      }
      return output(be, [2, w, n], U64, out);
    },
  },
  {
    kernelName: 'DcfEval',
    kernelFunc: ([keys, x], attrs, be) => {
      const { bits, width, party } = attrs as unknown as DcfEvalAttrs;
      const [w, n] = keys.shape;
      const mask = bits === 64 ? ALL : (1n << BigInt(bits)) - 1n;
      const points = Array.from(u64(x), (v) => v & mask);
      const out = evaluate(u64(keys), w, n, width, points, (i) => i % n, party, bits);
      return output(be, [width, points.length], U64, BigUint64Array.from(out.flat()));
    },
  },
];
