/**
 * Bit injection (ABY3 §5.4, "Computing [[a]]^B·[[x]]^A"): the product of a boolean-shared bit
 * d and an arithmetic sharing x, as arithmetic shares, in 2 rounds and 40 bytes per element
 * (32 for x = 1, the B2A of a bit), using only who already knows what:
 *
 * d = t ⊕ d1 with t = d2 ⊕ d0 known to server2 and d1 known to server0 and server1;
 * x = Xa + Xb with Xa = x2 + x0 known to server2 and Xb = x1 known to server0 and server1. So
 *   x·d = Xb·d1 + t·Y + d1·D + t·Xa,  Y = Xb·(1 − 2·d1),  D = Xa·(1 − 2·t),
 * where each cross product has one factor known to server2 alone and the other to server0 and
 * server1: server2 sends it masked to server1 (mask from its seed with server0), server1
 * multiplies by the masked value and server0 by the mask.
 *  1. server2 sends t − ρ and D − ρ' to server1 (1 round, 16 bytes; 8 when x = 1)
 *  2. the three local terms T0 = Xb·d1 + Y·ρ + d1·ρ', T1 = Y·(t − ρ) + d1·(D − ρ'),
 *     T2 = t·Xa are masked by a zero-sharing and reshared (1 round, 24 bytes)
 * Server1 sees only values masked by ρ, ρ' (uniform); server0 receives nothing new.
 *
 * @example
 * ```ts
 * const relu = injectBit(p, signBits(p, x.shares), x.shares, true); // x·(1 − sign)
 * ```
 */
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import { tidy } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import type { ReplicatedShares } from './aby3_tensors.js';
import { mapShares } from './linear.js';
import { flatPadded, msbPacked, unpackBits } from './msb.js';
import { maskAndReshare } from './sharing.js';

/**
 * The sign bits of a sharing as bit injection needs them: d1 on server0 and on server1, and
 * t = d2 ⊕ d0 on server2 (0/1 words, flat and padded), with the layout to undo afterwards.
 */
export interface SignBits {
  d1At0: Handle;
  d1At1: Handle;
  tAt2: Handle;
  /** The sharing the bits belong to, and its flat, padded view (bit injection reuses it). */
  source?: ReplicatedShares;
  flat?: ReplicatedShares;
  n: number;
  shape: readonly number[];
}

/**
 * The sign bits of every element of x ({@link msbPacked}, 7 rounds, about 51 bytes per
 * element), unpacked to one bit per word on the three handles that bit injection reads.
 * @example
 * ```ts
 * const bits = signBits(p, x.shares);
 * ```
 */
export function signBits(p: ABY3, x: ReplicatedShares): SignBits {
  const { flat, n } = flatPadded(p, x);
  const packed = msbPacked(p, flat);
  const t = p.rt.op(p.servers[2], 'BitwiseXor', [packed[2][0], packed[2][1]]);
  return { d1At0: unpackBits(p, packed[0][1]), d1At1: unpackBits(p, packed[1][0]), tAt2: unpackBits(p, t), source: x, flat, n, shape: x[0][0].shape };
}

/**
 * The same view of boolean shares of bits (bit 0 of each word, the other bits zero), e.g.
 * from a comparison circuit, for {@link injectBit}.
 * @example
 * ```ts
 * const a = injectBit(p, bitsOf(p, b)); // B2A of a bit
 * ```
 */
export function bitsOf(p: ABY3, b: ReplicatedShares): SignBits {
  const shape = b[0][0].shape;
  const n = shape.reduce((a, c) => a * c, 1);
  const flat = (h: Handle) => p.rt.op(h.player, 'Reshape', [h], { shape: [n] });
  const t = p.rt.op(p.servers[2], 'BitwiseXor', [flat(b[2][0]), flat(b[2][1])]);
  return { d1At0: flat(b[0][1]), d1At1: flat(b[1][0]), tAt2: t, n, shape };
}

/**
 * d·x (or d when `x` is omitted) as arithmetic shares of the original shape; `negate` uses
 * 1 − d instead of d (relu keeps x where the sign is 0). See the file comment for the steps.
 * @example
 * ```ts
 * const isNeg = injectBit(p, signBits(p, x.shares));
 * ```
 */
export function injectBit(p: ABY3, bits: SignBits, x?: ReplicatedShares, negate = false): ReplicatedShares {
  const { rt } = p;
  return tidy(() => {
    const out = maskAndReshare(p, injectTerms(p, bits, x, negate), 'arithmetic');
    // the padding cut off (none when n fills the words), in the bits' shape
    return mapShares(out, (h) => {
      const cut = h.shape[0] === bits.n ? h : rt.op(h.player, 'Slice', [h], { begin: [0], size: [bits.n], strides: [1] });
      return rt.op(h.player, 'Reshape', [cut], { shape: [...bits.shape] });
    });
  });
}

/**
 * Steps 1 and 2 of {@link injectBit}: the three local terms T0 (server0), T1 (server1) and T2
 * (server2) whose sum is d·x (or d), one per bit word, before the zero-sharing and the
 * resharing. Linear combinations of them are local, so a caller that only needs public
 * weighted sums of many bits reshares the sums alone (bit_sums.ts).
 * @example
 * ```ts
 * const [t0, t1, t2] = injectTerms(p, bits); // t0 + t1 + t2 = d
 * ```
 */
export function injectTerms(p: ABY3, bits: SignBits, x?: ReplicatedShares, negate = false): [Handle, Handle, Handle] {
  const { rt, servers: [s0, s1, s2] } = p;
  return tidy(() => {
    const mul = (a: Handle, b: Handle) => rt.op(a.player, 'Mul', [a, b]);
    const add = (a: Handle, b: Handle) => rt.op(a.player, 'Add', [a, b]);
    const sub = (a: Handle, b: Handle) => rt.op(a.player, 'Sub', [a, b]);
    const twice = (a: Handle) => rt.op(a.player, 'ShiftLeft', [a], { bits: 1 });
    const flip = (h: Handle) => (negate ? rt.op(h.player, 'BitwiseXor', [h, rt.fill(h.player, [], 1n, U64)]) : h);
    const d1At0 = flip(bits.d1At0), d1At1 = flip(bits.d1At1), t = bits.tAt2;
    const shape = t.shape;
    const flat = !x ? undefined : x === bits.source && bits.flat ? bits.flat : flatPadded(p, x, shape[0]).flat;
    const xa = flat ? add(flat[2][0], flat[2][1]) : rt.fill(s2, [], 1n, U64);
    const f0 = mul(t, xa);
    const [r1At2, r1At0] = rt.sampleShared([s2, s0], shape, U64);
    const dMasked = rt.send(sub(sub(xa, twice(f0)), r1At2), s1);
    let t0 = mul(d1At0, r1At0);
    let t1 = mul(d1At1, dMasked);
    const t2 = f0.shape.length === shape.length ? f0 : add(f0, rt.fill(s2, shape, 0n, U64));
    if (flat) {
      const [r0At2, r0At0] = rt.sampleShared([s2, s0], shape, U64);
      const tMasked = rt.send(sub(t, r0At2), s1);
      const y = (xb: Handle, d1: Handle) => { const xd = mul(xb, d1); return { xd, y: sub(xb, twice(xd)) }; };
      const a0 = y(flat[0][1], d1At0), a1 = y(flat[1][0], d1At1);
      t0 = add(t0, add(a0.xd, mul(a0.y, r0At0)));
      t1 = add(t1, mul(a1.y, tMasked));
    }
    return [t0, t1, t2];
  });
}
