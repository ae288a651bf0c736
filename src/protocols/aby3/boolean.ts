/**
 * ABY3's boolean circuits on replicated XOR shares of 64-bit words (Mohassel and Rindal,
 * CCS 2018, §5.3): xor, and, not and shifts, and A2B with a Kogge–Stone parallel prefix adder
 * (the sign alone has a cheaper circuit: msb.ts). An AND is the multiplication of §5.1 over GF(2)^64: local cross terms, a
 * zero-sharing and one resharing (1 round, 3 words per element).
 *
 * @example
 * ```ts
 * const b = a2b(p, x.shares);         // boolean shares of x's 64 bits
 * ```
 */
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import type { ReplicatedShares } from './aby3_tensors.js';
import { mapShares } from './linear.js';
import { maskAndReshare } from './sharing.js';

/** x ⊕ y, locally. */
export function xor(p: ABY3, x: ReplicatedShares, y: ReplicatedShares): ReplicatedShares {
  return mapShares(x, (h, i, slot) => p.rt.op(h.player, 'BitwiseXor', [h, y[i][slot]]));
}

/** x ⊕ c for a public word c (on every server): c enters share 0. */
export function xorPublic(p: ABY3, x: ReplicatedShares, c: bigint): ReplicatedShares {
  return mapShares(x, (h, i, slot) => {
    if ((i === 0 && slot === 0) || (i === 2 && slot === 1)) {
      const k = p.rt.fill(h.player, [], c, U64);
      const out = p.rt.op(h.player, 'BitwiseXor', [h, k]);
      p.rt.free(k);
      return out;
    }
    return p.copy(h);
  });
}

/** ¬x (every bit), locally. */
export function not(p: ABY3, x: ReplicatedShares): ReplicatedShares { return xorPublic(p, x, (1n << 64n) - 1n); }

/** x & c for a public word c, locally. */
export function andPublic(p: ABY3, x: ReplicatedShares, c: bigint): ReplicatedShares {
  return mapShares(x, (h) => {
    const k = p.rt.fill(h.player, [], c, U64);
    const out = p.rt.op(h.player, 'BitwiseAnd', [h, k]);
    p.rt.free(k);
    return out;
  });
}

/** Logical shift of every share (a linear map over GF(2)), locally. */
export function shift(p: ABY3, x: ReplicatedShares, kernel: 'ShiftLeft' | 'ShiftRightLogical', bits: number): ReplicatedShares {
  return mapShares(x, (h) => p.rt.op(h.player, kernel, [h], { bits }));
}

/**
 * x & y for several pairs in ONE round (ABY3 §5.3; the §5.1 product over GF(2)).
 *  1. server i: z_i = x_i·(y_i ⊕ y_{i+1}) ⊕ x_{i+1}·y_i (local)
 *  2. z_i ⊕= α_i, a zero-sharing from the pairwise PRF keys (local)
 *  3. server i sends z_i to server i−1 (1 round, 3 words per element)
 * @example
 * ```ts
 * const [g, q] = andMany(p, [[x, y], [u, v]]);
 * ```
 */
export function andMany(p: ABY3, pairs: readonly (readonly [ReplicatedShares, ReplicatedShares])[]): ReplicatedShares[] {
  const { rt } = p;
  return pairs.map(([x, y]) => {
    const terms = [0, 1, 2].map((i) => {
      const s = p.servers[i];
      const yy = rt.op(s, 'BitwiseXor', [y[i][0], y[i][1]]);
      const a = rt.op(s, 'BitwiseAnd', [x[i][0], yy]);
      const b = rt.op(s, 'BitwiseAnd', [x[i][1], y[i][0]]);
      const z = rt.op(s, 'BitwiseXor', [a, b]);
      rt.free(yy, a, b);
      return z;
    });
    return maskAndReshare(p, terms, 'boolean');
  });
}

/**
 * The AND of boolean shares over their last axis (width W ≥ 1), as a tree: each level ANDs the
 * first ⌊w/2⌋ columns with the next ⌊w/2⌋ in one {@link andMany} and carries an odd last column
 * over. ⌈log2 W⌉ rounds; 3 words per AND. The input is kept.
 * @example
 * ```ts
 * const all = andAlongLastAxis(p, conditions); // [..., W] → [..., 1]
 * ```
 */
export function andAlongLastAxis(p: ABY3, x: ReplicatedShares): ReplicatedShares {
  const { rt } = p;
  const shape = x[0][0].shape;
  const last = shape.length - 1;
  const cols = (h: Handle, from: number, n: number) =>
    rt.op(h.player, 'Slice', [h], { begin: shape.map((_, k) => (k === last ? from : 0)), size: h.shape.map((d, k) => (k === last ? n : d)), strides: shape.map(() => 1) });
  let cur = x; // the caller's shares are read, never freed
  while (cur[0][0].shape[last] > 1) {
    const w = cur[0][0].shape[last];
    const half = Math.floor(w / 2);
    const lo = mapShares(cur, (h) => cols(h, 0, half));
    const hi = mapShares(cur, (h) => cols(h, half, half));
    const [both] = andMany(p, [[lo, hi]]);
    const from = cur;
    const next = w % 2 === 0 ? both : mapShares(both, (h, i, slot) => rt.op(h.player, 'Concat', [h, cols(from[i][slot], w - 1, 1)], { axis: last }));
    freeShares(p, lo, hi);
    if (cur !== x) freeShares(p, cur);
    if (next !== both) freeShares(p, both);
    cur = next;
  }
  return cur === x ? mapShares(x, (h) => cols(h, 0, 1)) : cur;
}

/**
 * x | y = x ⊕ y ⊕ (x & y): one AND. 1 round, 3 words per element.
 * @example
 * ```ts
 * const z = or(p, x, y);
 * ```
 */
export function or(p: ABY3, x: ReplicatedShares, y: ReplicatedShares): ReplicatedShares {
  const [both] = andMany(p, [[x, y]]);
  const either = xor(p, x, y);
  const out = xor(p, either, both);
  freeShares(p, both, either);
  return out;
}

/** Frees every handle of some sharings. */
export function freeShares(p: ABY3, ...xs: ReplicatedShares[]): void {
  p.rt.free(...xs.flatMap((x) => x.flat()));
}

/**
 * Boolean shares of x = x0 + x1 + x2 as two addends known to fewer servers (ABY3 §5.3,
 * "Arithmetic to binary"): u = x0 + x1, computed by server0 alone and shared by it (one word
 * per element to server2: shares (u ⊕ r, r, 0) with r from the seed of server0 and server1),
 * and v = x2, whose boolean sharing (0, 0, x2) is free since server1 and server2 hold x2.
 */
export function addends(p: ABY3, x: ReplicatedShares): [ReplicatedShares, ReplicatedShares] {
  const { rt, servers: [s0, s1, s2] } = p;
  const shape = x[0][0].shape;
  const u = rt.op(s0, 'Add', [x[0][0], x[0][1]]);
  const [rAt0, rAt1] = rt.sampleShared([s0, s1], shape, U64);
  const b0 = rt.op(s0, 'BitwiseXor', [u, rAt0]);
  const b0at2 = rt.send(b0, s2);
  rt.free(u);
  const zero = (s: string) => rt.fill(s, shape, 0n, U64);
  const a: ReplicatedShares = [[b0, rAt0], [rAt1, zero(s1)], [zero(s2), b0at2]];
  const b: ReplicatedShares = [[zero(s0), zero(s0)], [zero(s1), p.copy(x[1][1])], [p.copy(x[2][0]), zero(s2)]];
  return [a, b];
}

/**
 * The generate and propagate words of a + b after a Kogge–Stone prefix network (Kogge and
 * Stone, 1973), computed on boolean shares: G = a & b, P = a ⊕ b, then for s = 1, 2, 4, …, 32:
 * G ← G ⊕ (P & (G << s)), P ← P & (P << s) (both ANDs in one round; the XOR is an OR since
 * a group cannot both generate and propagate). Bit i of the final G is the carry out of bits
 * 0..i. 7 rounds (6 when `bits` limits the levels), 3 + 6·6 − 3 = 36 words per element.
 * Returns the final G and the first-level P (a ⊕ b); the inputs are kept.
 */
export function prefixCarries(p: ABY3, a: ReplicatedShares, b: ReplicatedShares): { g: ReplicatedShares; p0: ReplicatedShares } {
  const p0 = xor(p, a, b);
  let [g] = andMany(p, [[a, b]]);
  let prop = p0;
  for (let s = 1; s < 64; s *= 2) {
    const gs = shift(p, g, 'ShiftLeft', s);
    const last = s === 32;
    const ps = last ? undefined : shift(p, prop, 'ShiftLeft', s);
    const outs = andMany(p, last ? [[prop, gs]] : [[prop, gs], [prop, ps!]]);
    const gNext = xor(p, g, outs[0]);
    freeShares(p, g, gs, outs[0]);
    if (ps) freeShares(p, ps);
    if (prop !== p0) freeShares(p, prop);
    g = gNext;
    prop = last ? p0 : outs[1];
  }
  return { g, p0 };
}

/**
 * A2B (ABY3 §5.3): boolean shares of the 64 bits of an arithmetic sharing x.
 *  1. addends u = x0 + x1 (shared by server0) and v = x2 ({@link addends}; 1 round, 1 word)
 *  2. carries of u + v by {@link prefixCarries} (7 rounds)
 *  3. x = u ⊕ v ⊕ (G << 1) (local)
 * 8 rounds, 1 + 36 = 37 words (296 bytes) per element.
 * @example
 * ```ts
 * const bits = a2b(p, x.shares);
 * ```
 */
export function a2b(p: ABY3, x: ReplicatedShares): ReplicatedShares {
  const [u, v] = addends(p, x);
  const { g, p0 } = prefixCarries(p, u, v);
  const carries = shift(p, g, 'ShiftLeft', 1);
  const out = xor(p, p0, carries);
  freeShares(p, u, v, g, p0, carries);
  return out;
}
