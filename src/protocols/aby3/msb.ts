/**
 * The sign bit of an arithmetic sharing through an MSB-only carry circuit on bit-packed words
 * (after ABY3 §5.3, with the communication trimmed): about 51 bytes per element in all,
 * against 296 for the full Kogge–Stone A2B.
 *
 * x = u + v with u = x0 + x1 (server0 alone) and v = x2 (server1 and server2). The sign is
 * u63 ⊕ v63 ⊕ c63, where c63, the carry into bit 63, is the generate bit G of bits 0..62:
 * a binary tree of (G, P) combines, G = Gh ⊕ Ph·Gl, P = Ph·Pl (Brent–Kung style, ~2 ANDs per
 * combine). Bit 63 enters as a neutral leaf (g = 0, p = 1; u63 and v63 are added at the end).
 *
 * Layout ("gradual transpose"): level L pairs positions 2^(L−1) apart inside blocks of 2^L
 * bits; its results sit in the low half of each block, so after each level two word arrays
 * are merged into one (A | B << 2^(L−1)). Every word sent is full: level L ≥ 2 sends one word
 * per 2^(L−1) elements per server.
 *
 * Level 1 (pairs of bits) needs no replicated AND: its G and P are sums of products
 * (function of u)·(function of v), so server0 sends u and u_h·u_l masked to server1 (1.5
 * words; the masks come from server0's seed with server2), and server1 and server2 get XOR
 * shares of G and P locally; one exchange makes them replicated.
 *
 * @example
 * ```ts
 * const bits = msbPacked(p, x.shares); // boolean shares of the sign, one bit per word
 * ```
 */
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import { tidy } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import type { ReplicatedShares } from './aby3_tensors.js';
import { mapShares } from './linear.js';
import { maskAndReshare } from './sharing.js';

/** Level L (1..6) keeps the low 2^(L−1) bits of each 2^L-bit block. */
const LOW = [0x5555555555555555n, 0x3333333333333333n, 0x0f0f0f0f0f0f0f0fn, 0x00ff00ff00ff00ffn, 0x0000ffff0000ffffn, 0x00000000ffffffffn];
const TOP = 1n << 63n;
/** Elements are padded to a multiple of this (every merge halves an even word count). */
export const MSB_BLOCK = 64;

/** Word ops on single handles (each runs on the handle's player). */
export function words(p: ABY3) {
  const { rt } = p;
  const constant = (h: Handle, c: bigint) => rt.fill(h.player, [], c, U64);
  const bin = (k: 'BitwiseAnd' | 'BitwiseXor' | 'BitwiseOr') => (a: Handle, b: Handle) => rt.op(a.player, k, [a, b]);
  const w = {
    and: bin('BitwiseAnd'), xor: bin('BitwiseXor'), or: bin('BitwiseOr'),
    andC: (a: Handle, c: bigint) => w.and(a, constant(a, c)),
    orC: (a: Handle, c: bigint) => w.or(a, constant(a, c)),
    shr: (a: Handle, bits: number) => rt.op(a.player, 'ShiftRightLogical', [a], { bits }),
    shl: (a: Handle, bits: number) => rt.op(a.player, 'ShiftLeft', [a], { bits }),
    /** Two halves of a word array packed into one: A | B << s (B's bits are in A's gaps). */
    merge: (a: Handle, s: number) => {
      const half = a.shape[0] / 2;
      const lo = rt.op(a.player, 'Slice', [a], { begin: [0], size: [half], strides: [1] });
      const hi = rt.op(a.player, 'Slice', [a], { begin: [half], size: [half], strides: [1] });
      return w.or(lo, w.shl(hi, s));
    },
  };
  return w;
}

/**
 * A flat [n] → [N] view of every share, zero-padded; N is a multiple of {@link MSB_BLOCK}
 * unless `length` is given.
 * @example
 * ```ts
 * const { flat, n } = flatPadded(p, x.shares);
 * ```
 */
export function flatPadded(p: ABY3, x: ReplicatedShares, length?: number): { flat: ReplicatedShares; n: number; padded: number } {
  const n = x[0][0].shape.reduce((a, b) => a * b, 1);
  const padded = length ?? Math.max(MSB_BLOCK, Math.ceil(n / MSB_BLOCK) * MSB_BLOCK);
  const flat = mapShares(x, (h) => {
    const r = p.rt.op(h.player, 'Reshape', [h], { shape: [n] });
    return padded === n ? r : p.rt.op(h.player, 'Pad', [r], { paddings: [[0, padded - n]] });
  });
  return { flat, n, padded };
}

/**
 * Level 1 (bit pairs h = 2i+1, l = 2i) straight from the addends: u on server0, v's copies on
 * server1 and server2 (`vAt1`, `vAt2`):
 *  G = u_h·v_h ⊕ (u_h·u_l)·v_l ⊕ u_l·(v_h·v_l),  P = u_h·u_l ⊕ v_h·v_l ⊕ u_h·v_l ⊕ u_l·v_h
 *  1. server0 sends ũ = u ⊕ a and merged(u_h·u_l) ⊕ c to server1 (a, c: seed of server0 and
 *     server2): 1.5 words per element
 *  2. server1 evaluates the sums on ũ, server2 on a and c: XOR shares of G and P (local)
 *  3. both merge, mask with seeds shared with server0 and exchange: replicated G, P
 *     (2 words per 2 elements each way)
 * Bit 63 is the neutral leaf: the caller sets u63 := 1, and v63 counts as 0 (msb_lanes.ts
 * makes bit 31 a second neutral leaf the same way). 2 rounds, 28 bytes per element.
 */
export function levelOne(p: ABY3, u: Handle, vAt1: Handle, vAt2: Handle): { g: ReplicatedShares; pr: ReplicatedShares } {
  const { rt, servers: [s0, s1, s2] } = p;
  const w = words(p);
  const N = u.shape[0];
  const M = LOW[0];
  // each part in its own scope: N-word temporaries go back to the addon's pool at once
  const [aAt0, aAt2] = rt.sampleShared([s0, s2], [N], U64);
  const [cAt0, cAt2] = rt.sampleShared([s0, s2], [N / 2], U64);
  const [uMasked, uhlMasked] = tidy(() => {
    const uhl = w.andC(w.and(w.shr(u, 1), u), M);
    return [rt.send(w.xor(u, aAt0), s1), rt.send(w.xor(w.merge(uhl, 1), cAt0), s1)];
  });
  // G = u_h·v_h ⊕ (u_h·u_l)·v_l ⊕ u_l·(v_h·v_l), P = u_h·u_l ⊕ v_h·v_l ⊕ u_h·v_l ⊕ u_l·v_h on
  // the even positions, from shares uu of u and c of u_h·u_l (merged; v_h·v_l enters one side
  // only), merged: one `SignLeafTerms` per word array (kernel_names.ts)
  const xorShares = (uu: Handle, c: Handle, v: Handle, withV: boolean) =>
    [true, false].map((generate) => rt.op(uu.player, 'SignLeafTerms', [uu, c, v], { generate, withV }));
  const [g1, p1] = xorShares(uMasked, uhlMasked, vAt1, true);
  const [g2, p2] = xorShares(aAt2, cAt2, vAt2, false);
  rt.free(aAt0, aAt2, cAt0, cAt2, uMasked, uhlMasked);
  const toReplicated = (a1: Handle, a2: Handle): ReplicatedShares => {
    const [r1At0, r1At1] = rt.sampleShared([s0, s1], a1.shape, U64);
    const [r0At0, r0At2] = rt.sampleShared([s0, s2], a1.shape, U64);
    const e1 = rt.send(w.xor(a1, r1At1), s2);
    const e2 = rt.send(w.xor(a2, r0At2), s1);
    return [[r0At0, r1At0], [r1At1, w.xor(w.xor(a1, r1At1), e2)], [w.xor(e1, w.xor(a2, r0At2)), r0At2]];
  };
  return { g: toReplicated(g1, g2), pr: toReplicated(p1, p2) };
}

/**
 * One tree level L (2..5) on replicated boolean words: (G, P) of pairs 2^(L−1) apart,
 * Ph·Gl and Ph·Pl in ONE word AND (1 round, 3 words per 2^(L−1) elements), then the merge.
 * Each server's local work is one `PrefixTerms` before the resharing and a `PrefixNextG` and
 * `PrefixNextP` per slot after it (kernel_names.ts).
 */
export function level(p: ABY3, g: ReplicatedShares, pr: ReplicatedShares, L: number): { g: ReplicatedShares; pr: ReplicatedShares } {
  const { rt } = p;
  // z_i = x_i·(y_i ⊕ y_{i+1}) ⊕ x_{i+1}·y_i (the §5.1 product over GF(2)), x the Ph words
  // doubled, y the Gl and Pl words side by side
  const terms = [0, 1, 2].map((i) => rt.op(p.servers[i], 'PrefixTerms', [g[i][0], g[i][1], pr[i][0], pr[i][1]], { level: L }));
  const z = maskAndReshare(p, terms, 'boolean');
  const gNext = mapShares(g, (h, i, slot) => rt.op(h.player, 'PrefixNextG', [h, z[i][slot]], { level: L }));
  const pNext = mapShares(z, (h) => rt.op(h.player, 'PrefixNextP', [h], { level: L }));
  return { g: gNext, pr: pNext };
}

/**
 * The last level (L = 6): root G = Gh ⊕ Ph·Gl, with u63 (server0) and v63 (server1) XORed
 * into the AND's local terms before the resharing, so the result is the sign itself.
 * 1 round, 3 words per 32 elements.
 */
function root(p: ABY3, g: ReplicatedShares, pr: ReplicatedShares, u63: Handle, v63: Handle): ReplicatedShares {
  const { rt } = p;
  const w = words(p);
  const M = LOW[5];
  // the low halves of the level-6 terms are Ph·Gl; the high halves are dropped below
  const terms = [0, 1, 2].map((i) => {
    const z = rt.op(p.servers[i], 'PrefixTerms', [g[i][0], g[i][1], pr[i][0], pr[i][1]], { level: 6 });
    return i === 0 ? w.xor(z, u63) : i === 1 ? w.xor(z, v63) : z;
  });
  const z = maskAndReshare(p, terms, 'boolean');
  // keep the 32 result bits (the high halves hold other products and the zero-sharing's noise)
  return mapShares(g, (h, i, slot) => w.andC(w.xor(w.shr(h, 32), z[i][slot]), M));
}

/** Bit 63 of a word array, moved to where the tree leaves each element's root (merges 1..5), in one `SignBitsTree`. */
function topBitsMerged(p: ABY3, h: Handle): Handle {
  return p.rt.op(h.player, 'SignBitsTree', [h]);
}

/**
 * Boolean shares of the sign bit of each element of an arithmetic sharing, still packed: 32
 * elements per word in the tree's order ({@link unpackBits} restores one bit per element).
 *  1. level one: 2 rounds, 28 bytes per element
 *  2. levels 2..5: 4 rounds, 12 + 6 + 3 + 1.5 bytes
 *  3. root with the top bits: 1 round, 0.75 bytes
 * 7 rounds, 51.25 bytes per element (for element counts that are multiples of 64).
 * @example
 * ```ts
 * const packed = msbPacked(p, flatPadded(p, x.shares).flat);
 * ```
 */
export function msbPacked(p: ABY3, flat: ReplicatedShares): ReplicatedShares {
  const { rt, servers: [s0] } = p;
  return tidy(() => {
    const u = rt.op(s0, 'Add', [flat[0][0], flat[0][1]]);
    const u63 = topBitsMerged(p, u);
    const v63 = topBitsMerged(p, flat[1][1]);
    let { g, pr } = tidy(() => levelOne(p, words(p).orC(u, TOP), flat[1][1], flat[2][0]));
    for (let L = 2; L <= 5; L++) ({ g, pr } = tidy(() => level(p, g, pr, L)));
    return root(p, g, pr, u63, v63);
  });
}

/**
 * Undoes the tree's merges on one share: one bit per word (bit 0), the first `count` of the
 * padded words (all of them by default), in one `BitUnpackTree`.
 * @example
 * ```ts
 * const bit = unpackBits(p, packed[0][0]);
 * ```
 */
export function unpackBits(p: ABY3, h: Handle, count = 32 * h.shape[0]): Handle {
  return p.rt.op(h.player, 'BitUnpackTree', [h], { count });
}

/**
 * The sign bit of each element of an arithmetic sharing, as boolean shares in bit 0 of each
 * word (the other bits zero), in x's shape: {@link msbPacked} and {@link unpackBits}.
 * 7 rounds, about 51 bytes per element.
 * @example
 * ```ts
 * const neg = msbBit(p, x.shares);
 * ```
 */
export function msbBit(p: ABY3, x: ReplicatedShares): ReplicatedShares {
  const { rt } = p;
  const shape = x[0][0].shape;
  return tidy(() => {
    const { flat, n } = flatPadded(p, x);
    return mapShares(msbPacked(p, flat), (h) => rt.op(h.player, 'Reshape', [unpackBits(p, h, n)], { shape: [...shape] }));
  });
}
