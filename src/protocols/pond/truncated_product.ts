/**
 * Products whose operand was just truncated, in the truncation's round. A truncation opens
 * c = x + 2^62 + r and leaves y = E + A, with E public (from c) and A = 2^(63−k)·s⊙m − t
 * secret, where t = (r mod 2^63) >> k and m = r >> 63 are the producer's and s = 1 − 2·c63 is
 * public (see truncate.ts). A is a Beaver mask of y that is already open: e = y − A = E, so a
 * product needs no opening of y, and the round that opened y's mask before is saved.
 *
 * Elementwise product y⊙z (Beaver '91, with y's mask A; 1 round for z's opening, 0 when z is
 * masked already; the truncation's c and z's β travel together when z is at hand):
 *  1. z is masked as usual: b from the seeds, β = z − b opened
 *  2. the producer, which knows t, m and b, deals [t⊙b | m⊙b] (one message to server1)
 *  3. server i: (A⊙b)_i = 2^(63−k)·s⊙(m⊙b)_i − (t⊙b)_i, which `TruncFinishStacked` computes
 *     with `first: false`; then z_i = (A⊙b)_i + E⊙b_i + y_i⊙β
 * Correct because Σ z_i = A⊙b + E⊙b + y⊙β = y⊙(b + β).
 *
 * Square y⊙y (no opening at all): y² = 2E⊙y − E² + A², A² = t² − 2^(64−k)·s⊙(t⊙m) +
 * 2^(126−2k)·m (s² = 1, m² = m; the last term is 0 mod 2^64 for k ≤ 31). The producer deals
 * [t⊙t | t⊙m] (and m for k > 31); `TruncFinishStacked` with k − 1 bits and `first: false`
 * gives the first two terms' negation per share.
 *
 * A public addend or a negation keeps the record (y' = ±y + v: E' = ±E + v, A' = ±A; A'⊙b is
 * ±(A⊙b), A'² = A²), so Newton's 2 − x·y is as fresh as x·y; when both operands carry one, the
 * later truncation's is used (the earlier operand's mask opens before it is needed).
 *
 * Nothing new is opened (c was, β is the usual Beaver opening of z), and the dealt products
 * reach server1 masked by the seed it does not share with server0. A record is used only
 * while all its handles are alive and no `setRandomSeed` came after it; a tensor with a live
 * ordinary mask uses that instead (no round either way).
 */
import type { Handle } from '../runtime_link.js';
import { dealerTm, squareDealing, truncationPublicPart } from '../truncation_parts.js';
import { isLive, mask } from './beaver.js';
import { dealShares } from './dealer.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor, type PondMaskedTensor, type TruncationRecord } from './pond_tensors.js';

/** True when `x` carries a truncation record a product can use now. */
export function hasLiveTruncation(p: Pond, x: PondPrivateTensor | PondMaskedTensor): x is PondPrivateTensor & { truncation: TruncationRecord } {
  if (!(x instanceof PondPrivateTensor) || !x.truncation) return false;
  const live = (h: Handle) => !h.disposed;
  if (x.masked && isLive(p, x.masked)) return false;
  const r = x.truncation;
  if (r.epoch !== p.rt.randomEpoch || ![...recordHandles(r), ...x.shares].every(live)) {
    x.truncation = undefined;
    p.rt.free(...recordHandles(r).filter(live)); // nothing else frees them now
    return false;
  }
  return true;
}

/** Every handle a record holds (freed with its tensor). */
export function recordHandles(r: TruncationRecord): Handle[] {
  return [...r.c[0], ...r.c[1], ...r.dealt, ...(r.offset ?? [])];
}

/**
 * The record of sign·x + vSign·v (v public on each server, of the result's shape or broadcast
 * to it) for an `x` with a live record of the result's shape: E becomes sign·E + vSign·v and A
 * becomes sign·A, so a product of the result still needs no opening (Newton's 2 − x·y and
 * 1.5 − b). Undefined otherwise.
 * @example
 * ```ts
 * out.truncation = shiftedRecord(p, x, 1, pub.values, -1, out.shape); // x − v
 * ```
 */
export function shiftedRecord(p: Pond, x: PondPrivateTensor, sign: 1 | -1, v: readonly [Handle, Handle] | undefined, vSign: 1 | -1, shape: readonly number[]): TruncationRecord | undefined {
  if (!hasLiveTruncation(p, x) || x.shape.length !== shape.length || x.shape.some((d, i) => d !== shape[i])) return undefined;
  const r = x.truncation;
  const { rt } = p;
  // offset' = sign·offset + vSign·v, one new handle per server (the record owns it)
  const signed = (h: Handle, sg: 1 | -1) => (sg === 1 ? p.copy(h) : rt.op(h.player, 'Neg', [h]));
  const fixed = r.offset || v ? [0, 1].map((i) => {
    const old = r.offset?.[i];
    const vi = v?.[i];
    if (!old) return signed(vi!, vSign);
    const own = signed(old, sign);
    if (!vi) return own;
    const out = rt.op(own.player, vSign === 1 ? 'Add' : 'Sub', [own, vi]);
    rt.free(own);
    return out;
  }) as [Handle, Handle] : undefined;
  return { ...r, negate: sign === -1 ? !r.negate : r.negate, offset: fixed };
}

/** True when {@link truncatedSquare} can square `x` (a truncation by at least 2 bits: it uses k − 1). */
export function canSquareTruncated(p: Pond, x: PondPrivateTensor | PondMaskedTensor): x is PondPrivateTensor & { truncation: TruncationRecord } {
  return hasLiveTruncation(p, x) && x.truncation.k >= 2;
}

/** y⊙z for a `y` with a live truncation record and z of y's shape (see the module comment). */
export function truncatedProduct(p: Pond, y: PondPrivateTensor & { truncation: TruncationRecord }, z: PondPrivateTensor | PondMaskedTensor): PondPrivateTensor {
  const { rt, cp } = p;
  const mz = mask(p, z);
  const tm = fullTm(p, y);
  const b = rt.op(cp, 'Reshape', [mz.a], { shape: [1, ...y.shape] });
  const products = rt.op(cp, 'Mul', [tm, b]); // [t⊙b | m⊙b]
  const dealt = dealFlat(p, products);
  rt.free(tm, b, products);
  const shares = [0, 1].map((i) => {
    const player = y.shares[i].player;
    const [cOwn, cOther] = y.truncation.c[i];
    const abPlain = rt.op(player, 'TruncFinishStacked', [cOwn, cOther, dealt[i]], { bits: y.truncation.k, first: false });
    const ab = y.truncation.negate ? rt.op(player, 'Neg', [abPlain]) : abPlain;
    if (ab !== abPlain) rt.free(abPlain);
    const e = publicPart(p, y, i);
    const terms = [ab, rt.op(player, 'Mul', [e, mz.aShares[i]]), rt.op(player, 'Mul', [y.shares[i], mz.alpha[i]])];
    const out = rt.op(player, 'AddN', terms);
    rt.free(dealt[i], e, ...terms);
    return out;
  }) as [Handle, Handle];
  return new PondPrivateTensor(p, y.fracBits + z.fracBits, shares);
}

/** y⊙y for a `y` that {@link canSquareTruncated} accepts: no round (see the module comment). */
export function truncatedSquare(p: Pond, y: PondPrivateTensor & { truncation: TruncationRecord }): PondPrivateTensor {
  const { rt, cp } = p;
  const n = y.size, k = y.truncation.k;
  const withM = k > 31; // 2^(126−2k)·m vanishes mod 2^64 for k ≤ 31
  const tm = fullTm(p, y);
  const products = squareDealing(rt, cp, tm, y.shape, k);
  const dealt = dealShares(p, products);
  rt.free(tm, products);
  const shares = [0, 1].map((i) => {
    const player = y.shares[i].player;
    const [cOwn, cOther] = y.truncation.c[i];
    const minusASquared = rt.op(player, 'TruncFinishStacked', [cOwn, cOther, dealt[i]], { bits: y.truncation.k - 1, first: false });
    const e = publicPart(p, y, i);
    const twoY = rt.op(player, 'ShiftLeft', [y.shares[i]], { bits: 1 });
    const twoEy = rt.op(player, 'Mul', [e, twoY]);
    let out = rt.op(player, 'Sub', [twoEy, minusASquared]);
    rt.free(minusASquared, twoY, twoEy);
    if (withM) {
      const mShare = rt.op(player, 'Reshape', [rt.op(player, 'Slice', [dealt[i]], { begin: [0], size: [n], strides: [1] })], { shape: [...y.shape] });
      const mTerm = rt.op(player, 'ShiftLeft', [mShare], { bits: 126 - 2 * k });
      const withMTerm = rt.op(player, 'Add', [out, mTerm]);
      rt.free(out, mShare, mTerm);
      out = withMTerm;
    }
    rt.free(dealt[i]);
    if (i === 0) {
      const eSquared = rt.op(player, 'Mul', [e, e]);
      const withE = rt.op(player, 'Sub', [out, eSquared]);
      rt.free(out, eSquared);
      out = withE;
    }
    rt.free(e);
    return out;
  }) as [Handle, Handle];
  return new PondPrivateTensor(p, 2 * y.fracBits, shares);
}

/** On the producer: [t | m] of the truncation, shape [2, ...y.shape]. */
function fullTm(p: Pond, y: PondPrivateTensor & { truncation: TruncationRecord }): Handle {
  return dealerTm(p.rt, p.cp, y.truncation.dealt, y.shape);
}

/** Deals a [2, ...shape] producer tensor as flat [2n] shares, the layout `TruncFinishStacked` reads. */
function dealFlat(p: Pond, v: Handle): [Handle, Handle] {
  const flat = p.rt.op(p.cp, 'Reshape', [v], { shape: [v.shape.reduce((a, b) => a * b, 1)] });
  const shares = dealShares(p, flat);
  p.rt.free(flat);
  return shares;
}

/** E, the public part of y, on server i (then ±, + v for a shifted record). */
function publicPart(p: Pond, y: PondPrivateTensor & { truncation: TruncationRecord }, i: number): Handle {
  const { rt } = p;
  const player = y.shares[i].player;
  let e = truncationPublicPart(rt, y.truncation.c[i], y.truncation.k, y.size);
  const { negate, offset } = y.truncation;
  if (negate || offset) {
    const signed = negate ? rt.op(player, 'Neg', [e]) : e;
    const shifted = offset ? rt.op(player, 'Add', [signed, offset[i]]) : signed;
    rt.free(...new Set([e, signed].filter((h) => h !== shifted)));
    e = shifted;
  }
  return e;
}
