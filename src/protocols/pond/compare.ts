import { U64 } from '../../kernels/index.js';
import type { Handle } from '../runtime_link.js';
import { dealShares } from './dealer.js';
import { openShares } from './open.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor } from './pond_tensors.js';
import { Scratch } from '../scratch.js';

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
 *  3. msb(x) = c63 ⊕ r63 ⊕ [c mod 2^63 < r mod 2^63]. Per bit, g = r ∧ ¬c ("r is larger
 *     here") and e = ¬(r ⊕ c) ("equal here") are local; bit 63 carries (c63 ⊕ r63, 1). The
 *     answer is g of the prefix combination (g, e) ∘ (g', e') = (g ⊕ e∧g', e∧e') over all 64
 *     bits, an associative operator, evaluated as a tree of 6 levels (1 round of ANDs each).
 *     (`PondLeaves` makes both words per element). The tree is bit-packed: each level pairs
 *     neighbouring groups as `BitUnzipPack` does, so level k works on n/2^k words instead of
 *     n (see {@link prefixTree})
 *  4. the packed result bits are converted to arithmetic shares with dealt random bits known
 *     in both forms: open v = b ⊕ s (packed, n/64 words), then b = v + s − 2·v·s (1 round)
 * Communication per element: about 100 bytes (16 to open c, 8 dealt, about 64 for the tree
 * levels together, 8 dealt for the conversion), against about 420 with unpacked words.
 */
export function msb(p: Pond, x: PondPrivateTensor): PondPrivateTensor {
  const t = new Scratch(p.rt);
  const out = packedBitsToArithmetic(p, t, msbPacked(p, t, x), x.shape);
  out.shares.forEach((h) => t.keep(h));
  t.release();
  return out;
}

/**
 * x·msb(x), exactly (relu is x minus it), in msb's rounds: the conversion of the packed bits and
 * the product share one opening. 8 rounds (msb and then a Beaver product: 9). `signOf` (default
 * x) is what the bits are taken from: a tensor with x's sign, such as the untruncated product
 * x came from (sign_source.ts).
 *  1. steps 1–3 of {@link msb}: XOR-shared packed bits b = [x < 0]
 *  2. the producer draws random words s (dealt as XOR shares, and each bit as arithmetic shares)
 *     and a mask a for x (from its seeds), and deals a·s per element
 *  3. the servers open v = b ⊕ s (packed) and e = x − a together with it (e needs only x, so it
 *     travels early)
 *  4. with b = v + s − 2vs: x·b = x·v + (e·s + a·s)·(1 − 2v), local (v and e public; s and a·s
 *     shared; every product is by an integer, so nothing is truncated)
 * @example
 * ```ts
 * const relu = pond.sub(x, timesMsb(pond, x));
 * ```
 */
export function timesMsb(p: Pond, x: PondPrivateTensor, signOf: PondPrivateTensor = x): PondPrivateTensor {
  const { rt, s0, cp } = p;
  const t = new Scratch(rt);
  // Steps 1–3 for the bits (the dealing of s and the opening of v), ...
  const { sBits, sArith, v: vs } = openedBits(p, t, msbPacked(p, t, signOf), x.shape);
  // ... step 2 for x's mask and a·s, and step 3's e (it depends on x alone, so it travels early).
  const [a0cp, a0] = rt.sampleShared([cp, s0], x.shape, U64).map((h) => t.track(h));
  const [a1cp, a1] = rt.sampleShared([cp, p.s1], x.shape, U64).map((h) => t.track(h));
  const as = dealShares(p, t.op(cp, 'Mul', [t.op(cp, 'Add', [a0cp, a1cp]), sBits])).map((h) => t.track(h));
  const [e] = openAll(p, t, [[t.op(s0, 'Sub', [x.shares[0], a0]), t.op(p.s1, 'Sub', [x.shares[1], a1])]], 'Add');
  // Step 4.
  const out = [0, 1].map((i) => {
    const v = vs[i];
    const player = v.player;
    const oneMinus2v = t.op(player, 'Sub', [t.track(rt.fill(player, [], 1n, U64)), t.op(player, 'ShiftLeft', [v], { bits: 1 })]);
    const xs = t.op(player, 'Add', [t.op(player, 'Mul', [e[i], sArith[i]]), as[i]]);
    return t.op(player, 'Add', [t.op(player, 'Mul', [x.shares[i], v]), t.op(player, 'Mul', [xs, oneMinus2v])]);
  });
  out.forEach((h) => t.keep(h));
  t.release();
  return new PondPrivateTensor(p, x.fracBits, out as [Handle, Handle]);
}

/** Steps 1–3 of {@link msb}: XOR-shared packed bits of [x < 0] (word floor(k / 64), bit k mod 64). */
function msbPacked(p: Pond, t: Scratch, x: PondPrivateTensor): BoolShares {
  const { rt, s0, s1, cp } = p;
  const n = x.size;
  const flat = (h: Handle) => t.op(h.player, 'Reshape', [h], { shape: [n] });
  // Step 1.
  const [r0cp, r0] = rt.sampleShared([cp, s0], x.shape, U64).map((h) => t.track(h));
  const [r1cp, r1] = rt.sampleShared([cp, s1], x.shape, U64).map((h) => t.track(h));
  const rBits = dealXor(p, t, flat(t.op(cp, 'Add', [r0cp, r1cp])));
  // Step 2: open c = x + r.
  const own: BoolShares = [flat(t.op(s0, 'Add', [x.shares[0], r0])), flat(t.op(s1, 'Add', [x.shares[1], r1]))];
  const [c] = openAll(p, t, [own], 'Add');
  // Step 3: g = r ∧ ¬c and e = ¬(r ⊕ c) on the low 63 bits; bit 63 holds (c63 ⊕ r63, 1).
  const ge: BoolShares = [0, 1].map((i) => t.op(rBits[i].player, 'PondLeaves', [rBits[i], c[i]], { first: i === 0 })) as BoolShares;
  return prefixTree(p, t, ge);
}

/**
 * The g of the prefix combination over each element's 64 groups, bit-packed: level k unzips
 * every word into its even (lower) and odd (higher) groups and packs two words' halves into
 * one, so neighbouring groups of one element line up; then (g, e) ← (gOdd ⊕ eOdd∧gEven,
 * eOdd∧eEven) with one round of Beaver ANDs (the last level needs no e). After 6 levels element
 * k's bit is bit k mod 64 of word floor(k / 64). `ge` holds each server's g words then its e
 * words. 6 rounds. Per level and server, one `PondPrefixMask` masks the AND operands, one
 * exchange opens them, and one `PondPrefixCombine` makes the next (g, e); the producer draws
 * the masks from the seeds it shares with each server and deals their ANDs with one
 * `PondPrefixDeal`.
 */
function prefixTree(p: Pond, t: Scratch, ge: BoolShares): BoolShares {
  const { rt, s0, s1, cp } = p;
  for (let level = 0; level < 6; level++) {
    const last = level === 5;
    const k = last ? 2 : 3;
    const m = Math.ceil(ge[0].shape[0] / 4);
    const [masksCp0, masks0] = rt.sampleShared([cp, s0], [k * m], U64).map((h) => t.track(h));
    const [masksCp1, masks1] = rt.sampleShared([cp, s1], [k * m], U64).map((h) => t.track(h));
    const ands = dealXor(p, t, t.op(cp, 'PondPrefixDeal', [t.op(cp, 'BitwiseXor', [masksCp0, masksCp1])], { last }));
    const masks: BoolShares = [masks0, masks1];
    const [opened] = openAll(p, t, [[0, 1].map((i) => t.op(ge[i].player, 'PondPrefixMask', [ge[i], masks[i]], { last })) as BoolShares], 'BitwiseXor');
    ge = [0, 1].map((i) => t.op(ge[i].player, 'PondPrefixCombine', [ge[i], opened[i], masks[i], ands[i]], { first: i === 0, last })) as BoolShares;
  }
  return ge;
}

/** Public packed bits (word floor(k / 64), bit k mod 64) as one u64 0/1 per element, in `shape`. */
function unpackBits(t: Scratch, words: Handle, shape: readonly number[]): Handle {
  const n = shape.reduce((a, b) => a * b, 1);
  const player = words.player;
  const bits = t.op(player, 'Cast', [t.op(player, 'BitDecompose', [words], { modulus: 2 })], { dtype: 'u64' });
  const all = t.op(player, 'Reshape', [bits], { shape: [words.shape[0] * 64] });
  const first = t.op(player, 'Slice', [all], { begin: [0], size: [n], strides: [1] });
  return t.op(player, 'Reshape', [first], { shape: [...shape] });
}

/**
 * B2A of packed XOR-shared bits with dealt random bits known in both forms ("daBits"). 1 round.
 *  1. the producer draws random words s, deals them as XOR shares (packed) and each bit as
 *     arithmetic shares
 *  2. the servers open v = b ⊕ s (packed: one word per 64 elements) and unpack it
 *  3. b = v + s − 2·v·s, with v public (v is added on server0 only)
 */
function packedBitsToArithmetic(p: Pond, t: Scratch, b: BoolShares, shape: readonly number[]): PondPrivateTensor {
  const { s0 } = p;
  const { sArith, v: vs } = openedBits(p, t, b, shape);
  const out = [0, 1].map((i) => {
    const v = vs[i];
    const player = v.player;
    const twoVs = t.op(player, 'ShiftLeft', [t.op(player, 'Mul', [v, sArith[i]])], { bits: 1 });
    const z = t.op(player, 'Sub', [sArith[i], twoVs]);
    return player === s0 ? t.op(player, 'Add', [z, v]) : z;
  });
  return new PondPrivateTensor(p, 0, out as [Handle, Handle]);
}

/**
 * Packed XOR-shared bits b masked by dealt random bits s and opened (1 round): the producer draws
 * words s, deals them as XOR shares and each bit as arithmetic shares; the servers open
 * v = b ⊕ s and unpack it to one u64 0/1 per element in `shape`. Returns s's bits on the
 * producer, their arithmetic shares, and each server's copy of v; then b = v + s − 2vs.
 */
function openedBits(p: Pond, t: Scratch, b: BoolShares, shape: readonly number[]): { sBits: Handle; sArith: Handle[]; v: Handle[] } {
  const { rt, cp } = p;
  const word = t.track(rt.samplePrivate(cp, b[0].shape, U64));
  const sXor = dealXor(p, t, word);
  const sBits = unpackBits(t, word, shape);
  const sArith = dealShares(p, sBits).map((h) => t.track(h));
  const [vPacked] = openAll(p, t, [[t.op(b[0].player, 'BitwiseXor', [b[0], sXor[0]]), t.op(b[1].player, 'BitwiseXor', [b[1], sXor[1]])]], 'BitwiseXor');
  return { sBits, sArith, v: vPacked.map((h) => unpackBits(t, h, shape)) };
}

/** Opens shared words in one round (see openShares); results are scratch, the parts are consumed. */
function openAll(p: Pond, t: Scratch, pairs: BoolShares[], kernel: 'Add' | 'BitwiseXor'): BoolShares[] {
  for (const [a, b] of pairs) { t.keep(a); t.keep(b); }
  return openShares(p.rt, pairs, kernel).map(([a, b]) => [t.track(a), t.track(b)] as BoolShares);
}

/** The producer XOR-shares a word it holds: share0 from the seed shared with server0, share1 sent. */
function dealXor(p: Pond, t: Scratch, w: Handle): BoolShares {
  const { rt, s0, s1, cp } = p;
  const [w0cp, w0] = rt.sampleShared([cp, s0], w.shape, U64).map((h) => t.track(h));
  return [w0, t.send(t.op(cp, 'BitwiseXor', [w, w0cp]), s1)];
}
