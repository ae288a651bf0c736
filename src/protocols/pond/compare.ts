import { U64, type KernelAttrsArg, type KernelName } from '../../kernels/index.js';
import type { Handle } from '../runtime_link.js';
import { dealShares } from './dealer.js';
import { openShares } from './open.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor } from './pond_tensors.js';
import { Scratch } from './scratch.js';

const LOW63 = (1n << 63n) - 1n;

/** XOR-shared 64-bit words: w = w0 ⊕ w1, w0 on server0, w1 on server1. */
type BoolShares = [Handle, Handle];

/**
 * The most significant bit of a private tensor, exactly, as a private 0/1 integer tensor
 * (fracBits 0): msb(x) = 1 iff x < 0 as a signed value. Dealer-assisted comparison in the
 * style of edaBits (Escudero, Ghosh, Keller, Rachuri, Scholl, CRYPTO 2020): the crypto
 * producer deals r both as arithmetic shares and as XOR shares of its bits, and Beaver
 * triples for AND; it never sees anything derived from x. 8 rounds.
 *  1. the producer draws r = r0 + r1 (from the seeds it shares with each server) and deals
 *     XOR shares of r's bits (one word sent to server1)
 *  2. the servers open c = x + r (1 round)
 *  3. msb(x) = c63 ⊕ r63 ⊕ [c mod 2^63 < r mod 2^63]; the comparison of public c with the
 *     shared bits of r is a log-depth prefix circuit over 64-bit words: per bit
 *     g = r ∧ ¬c ("r is larger here") and e = ¬(r ⊕ c) ("equal here") are local, then for
 *     s = 1, 2, …, 32: g ← (g ≫ s) ⊕ ((e ≫ s) ∧ g), e ← (e ≫ s) ∧ e (6 rounds of ANDs)
 *  4. the result bit (bit 0) is converted to an arithmetic share with a dealt random bit
 *     known in both forms: open v = b ⊕ s, then b = v + s − 2·v·s (1 round)
 * Communication per element: about 420 bytes (8-byte words; 6 AND levels of 3 words each
 * way plus 2 dealt words).
 */
export function msb(p: Pond, x: PondPrivateTensor): PondPrivateTensor {
  const { rt, s0, s1, cp } = p;
  const t = new Scratch(rt);
  const both = <K extends KernelName>(kernel: K, a: BoolShares, b?: BoolShares, ...attrs: KernelAttrsArg<K>): BoolShares =>
    [0, 1].map((i) => t.op(a[i].player, kernel, b ? [a[i], b[i]] : [a[i]], ...attrs)) as BoolShares;
  const pub = (value: bigint): BoolShares => [t.fill(s0, value, U64), t.fill(s1, value, U64)];
  // Step 1.
  const [r0cp, r0] = rt.sampleShared([cp, s0], x.shape, U64).map((h) => t.track(h));
  const [r1cp, r1] = rt.sampleShared([cp, s1], x.shape, U64).map((h) => t.track(h));
  const rBits = dealXor(p, t, t.op(cp, 'Add', [r0cp, r1cp]));
  // Step 2: open c = x + r.
  const own: BoolShares = [t.op(s0, 'Add', [x.shares[0], r0]), t.op(s1, 'Add', [x.shares[1], r1])];
  const [c] = openAll(p, t, [own], 'Add');
  // Step 3: g = r ∧ ¬c and e = ¬(r ⊕ c) on the low 63 bits; bit 63 neutral (g = 0, e = 1).
  const rLow = both('BitwiseAnd', rBits, pub(LOW63));
  const notC = both('BitwiseNot', c);
  let g = both('BitwiseAnd', rLow, notC);
  const notCTopSet = t.op(s0, 'BitwiseOr', [notC[0], t.fill(s0, 1n << 63n, U64)]);
  let e: BoolShares = [t.op(s0, 'BitwiseXor', [rLow[0], notCTopSet]), rLow[1]];
  for (let s = 1; s <= 32; s *= 2) {
    const eHi = both('ShiftRightLogical', e, undefined, { bits: s });
    const gHi = both('ShiftRightLogical', g, undefined, { bits: s });
    const products = andBool(p, t, eHi, s === 32 ? [g] : [g, e]);
    g = both('BitwiseXor', gHi, products[0]);
    if (s < 32) e = products[1];
  }
  // msb = c63 ⊕ r63 ⊕ lt, in bit 0.
  const r63 = both('ShiftRightLogical', rBits, undefined, { bits: 63 });
  const c63 = t.op(s0, 'ShiftRightLogical', [c[0]], { bits: 63 });
  const bit = both('BitwiseAnd', both('BitwiseXor', [t.op(s0, 'BitwiseXor', [r63[0], c63]), r63[1]], g), pub(1n));
  const out = bitToArithmetic(p, t, bit);
  out.shares.forEach((h) => t.keep(h));
  t.release();
  return out;
}

/** Opens shared words in one round (see openShares); results are scratch, the parts are consumed. */
function openAll(p: Pond, t: Scratch, pairs: BoolShares[], kernel: 'Add' | 'BitwiseXor'): BoolShares[] {
  for (const [a, b] of pairs) { t.keep(a); t.keep(b); }
  return openShares(p.rt, pairs, kernel).map(([a, b]) => [t.track(a), t.track(b)] as BoolShares);
}

/**
 * B2A with a dealt bit known in both forms (a "daBit"). 1 round.
 *  1. the producer draws a random bit s and deals it as XOR shares and as arithmetic shares
 *  2. the servers open v = b ⊕ s
 *  3. b = v + s − 2·v·s, with v public (v is added on server0 only)
 */
function bitToArithmetic(p: Pond, t: Scratch, b: BoolShares): PondPrivateTensor {
  const { rt, s0, cp } = p;
  const word = t.track(rt.samplePrivate(cp, b[0].shape, U64));
  const sBit = t.op(cp, 'BitwiseAnd', [word, t.fill(cp, 1n, U64)]);
  const sXor = dealXor(p, t, sBit);
  const sArith = dealShares(p, sBit).map((h) => t.track(h));
  const [v] = openAll(p, t, [[t.op(b[0].player, 'BitwiseXor', [b[0], sXor[0]]), t.op(b[1].player, 'BitwiseXor', [b[1], sXor[1]])]], 'BitwiseXor');
  const out = [0, 1].map((i) => {
    const player = v[i].player;
    const twoVs = t.op(player, 'ShiftLeft', [t.op(player, 'Mul', [v[i], sArith[i]])], { bits: 1 });
    const z = t.op(player, 'Sub', [sArith[i], twoVs]);
    return player === s0 ? t.op(player, 'Add', [z, v[i]]) : z;
  });
  return new PondPrivateTensor(p, 0, out as [Handle, Handle]);
}

/** The producer XOR-shares a word it holds: share0 from the seed shared with server0, share1 sent. */
function dealXor(p: Pond, t: Scratch, w: Handle): BoolShares {
  const { rt, s0, s1, cp } = p;
  const [w0cp, w0] = rt.sampleShared([cp, s0], w.shape, U64).map((h) => t.track(h));
  return [w0, t.send(t.op(cp, 'BitwiseXor', [w, w0cp]), s1)];
}

/**
 * ANDs one XOR-shared word tensor u with each of `vs`, with Beaver AND triples that share one
 * mask of u. 1 round: the servers open u ⊕ a and every v ⊕ b together;
 * then u ∧ v = c ⊕ (d ∧ b) ⊕ (e ∧ a) ⊕ [server0](d ∧ e) with d = u ⊕ a, e = v ⊕ b, c = a ∧ b.
 */
function andBool(p: Pond, t: Scratch, u: BoolShares, vs: BoolShares[]): BoolShares[] {
  const { rt, s0, s1, cp } = p;
  const sample = (): [Handle, BoolShares] => {
    const [m0cp, m0] = rt.sampleShared([cp, s0], u[0].shape, U64).map((h) => t.track(h));
    const [m1cp, m1] = rt.sampleShared([cp, s1], u[0].shape, U64).map((h) => t.track(h));
    return [t.op(cp, 'BitwiseXor', [m0cp, m1cp]), [m0, m1]];
  };
  const masked = (w: BoolShares, m: BoolShares): BoolShares =>
    [t.op(s0, 'BitwiseXor', [w[0], m[0]]), t.op(s1, 'BitwiseXor', [w[1], m[1]])];
  const [a, aShares] = sample();
  const triples = vs.map(() => {
    const [b, bShares] = sample();
    return { bShares, cShares: dealXor(p, t, t.op(cp, 'BitwiseAnd', [a, b])) };
  });
  const [d, ...es] = openAll(p, t, [masked(u, aShares), ...vs.map((v, j) => masked(v, triples[j].bShares))], 'BitwiseXor');
  return vs.map((_, j) => {
    const { bShares, cShares } = triples[j];
    const e = es[j];
    return [0, 1].map((i) => {
      const player = d[i].player;
      const cross = t.op(player, 'BitwiseXor', [t.op(player, 'BitwiseAnd', [d[i], bShares[i]]), t.op(player, 'BitwiseAnd', [e[i], aShares[i]])]);
      const z = t.op(player, 'BitwiseXor', [cShares[i], cross]);
      return i === 0 ? t.op(player, 'BitwiseXor', [z, t.op(player, 'BitwiseAnd', [d[i], e[i]])]) : z;
    }) as BoolShares;
  });
}
