/**
 * Sign bits of values known to be small, |x| < 2^31 ring units (2^15 at f = 16), two per
 * word: the carry circuit of msb.ts on 32-bit lanes, at about half its cost (25.4 bytes per
 * element in all, against 51.25; 6 rounds, against 7). Callers that can bound their input use
 * it: Adam's inverse square root compares v̂ + δ ∈ [2^-14, 2^12] against six thresholds
 * (generic/inv_sqrt_range.ts through `piecewiseConstant`).
 *
 * Why it is exact: x mod 2^32 = (u + v) mod 2^32 with u = x0 + x1 (server0) and v = x2
 * (server1 and server2), and for |x| < 2^31 its bit 31 is the sign. The first half of the
 * elements goes into the low 32 bits of each word and the second half into the high 32 bits
 * (a local repacking of each addend). The tree's levels 1..5 only combine bits inside 32-bit
 * blocks, so with bits 31 and 63 as neutral leaves (u := 1, v := 0 there, as msb.ts does with
 * bit 63) level 5 leaves, per lane, the carry into the lane's top bit: no root level.
 * The sign is that carry ⊕ u31 ⊕ v31 (of the lane). v's top bits join server2's part t of the
 * bit; u's are known to server0 alone, so server0 sends them to server1 masked by a pad it
 * shares with server2 (1 bit per element, in the first round), and the pad cancels in t.
 *  1. repack u, v into lanes (local, one `LanePack` each); the top bits in the tree's layout
 *     (one `SignBitsTree` with `lanes`)
 *  2. level one: 2 rounds, 14 bytes per element
 *  3. levels 2..5: 4 rounds, 11.25 bytes per element
 *  4. d1 ⊕= u's top bits (server0 → server1, 0.125 bytes per element), t ⊕= v's; one
 *     `BitUnpackTree` with `lanes` per handle back to one bit per element
 *
 * @example
 * ```ts
 * const bits = signBitsBounded(p, x.shares); // for |x| < 2^31 ring units
 * const isNeg = injectBit(p, bits);
 * ```
 */
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import { tidy } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import type { ReplicatedShares } from './aby3_tensors.js';
import type { SignBits } from './inject.js';
import { level, levelOne, MSB_BLOCK, words } from './msb.js';

/** Bits 31 and 63: each lane's top bit, the neutral leaves of the circuit. */
const LANE_TOPS = (1n << 31n) | (1n << 63n);
/** The exclusive bound on |x| (ring units) below which {@link signBitsBounded} reads signs exactly. */
export const LANE_BOUND = 2 ** 31;

/**
 * Sign bits of x (every |x| < 2^31 ring units; larger values give arbitrary bits), in the
 * form bit injection reads (see the module comment for the steps).
 * @example
 * ```ts
 * const bits = signBitsBounded(p, x.shares);
 * ```
 */
export function signBitsBounded(p: ABY3, x: ReplicatedShares): SignBits {
  const { rt, servers: [s0, s1, s2] } = p;
  const w = words(p);
  const shape = x[0][0].shape;
  const n = shape.reduce((a, b) => a * b, 1);
  // two lanes per word, and the tree wants a multiple of 64 words
  const half = Math.max(MSB_BLOCK, Math.ceil(n / (2 * MSB_BLOCK)) * MSB_BLOCK);
  return tidy(() => {
    const flat = (h: Handle) => rt.op(h.player, 'Reshape', [h], { shape: [n] });
    /** Element e (< half) in bits 0..31 of word e, element half + e in bits 32..63 (zero past n). */
    const lanes = (h: Handle) => rt.op(h.player, 'LanePack', [h], { half });
    /** Each lane's top bit where level 5 leaves the lane's carry. */
    const tops = (h: Handle) => rt.op(h.player, 'SignBitsTree', [h], { lanes: true });
    const u = lanes(rt.op(s0, 'Add', [flat(x[0][0]), flat(x[0][1])]));
    const v1 = lanes(flat(x[1][1])), v2 = lanes(flat(x[2][0]));
    const uTops = tops(u), vTops = tops(v2);
    const [padAt0, padAt2] = rt.sampleShared([s0, s2], uTops.shape, U64);
    const uTopsAt1 = rt.send(w.xor(uTops, padAt0), s1);
    const notTops = ~LANE_TOPS & (2n ** 64n - 1n);
    let { g, pr } = tidy(() => levelOne(p, w.orC(u, LANE_TOPS), w.andC(v1, notTops), w.andC(v2, notTops)));
    for (let L = 2; L <= 5; L++) ({ g, pr } = tidy(() => level(p, g, pr, L)));
    const d1At0 = w.xor(w.xor(g[0][1], uTops), padAt0);
    const d1At1 = w.xor(g[1][0], uTopsAt1);
    const tAt2 = w.xor(w.xor(w.xor(g[2][0], g[2][1]), vTops), padAt2);
    /** One bit per word, in element order: the low lanes, then the high ones, the first n. */
    const unpack = (h: Handle) => rt.op(h.player, 'BitUnpackTree', [h], { count: n, lanes: true });
    return { d1At0: unpack(d1At0), d1At1: unpack(d1At1), tAt2: unpack(tAt2), n, shape };
  });
}
