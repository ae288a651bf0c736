import { ProtocolError } from '../../errors.js';
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';

const TWO_62 = 1n << 62n;

/** Truncations made so far in this process (orders their records). */
let truncations = 0;

/** The largest |x| (in ring units, before truncation) that private truncation handles. */
export const TRUNCATION_BOUND = TWO_62;

/**
 * Truncates a private tensor by k bits (the result is labelled `fracBits`, by default the input's): y ≈ x / 2^k, exact to one unit in the last place
 * (y = floor(x / 2^k) or floor(x / 2^k) + 1), with no probabilistic large error, for every
 * |x| < 2^62. Dealer-assisted ring truncation with the MSB trick (Escudero, Ghosh, Keller,
 * Rachuri, Scholl, "Improved primitives for MPC over mixed arithmetic-binary circuits",
 * CRYPTO 2020). 1 round.
 *  1. shift x' = x + 2^62, so x' ∈ [0, 2^63): its top bit is 0
 *  2. the producer draws r = r0 + r1 (r_i expanded from the seed it shares with server_i) and
 *     deals shares of t = (r mod 2^63) >> k and of m = r >> 63 (only the server1 shares are sent)
 *  3. the servers open c = x' + r (each sends its share to the other)
 *  4. with w = c63 ⊕ m (the carry out of the low 63 bits, linear in m since c63 is public):
 *     y' = (c mod 2^63) >> k − t + 2^(63−k)·w, and y = y' − 2^(62−k)
 * Because x' = (c mod 2^63) − (r mod 2^63) + 2^63·w, y' differs from floor(x'/2^k) only by
 * the borrow of the low k bits: 0 or +1.
 * Communication: 8 + 8 bytes per element between the servers, 16 from the producer.
 * The result keeps the opened c and the producer's t and m (a `TruncationRecord`), so that a
 * product of it needs no opening of its own (truncated_product.ts).
 */
export function truncatePrivate(p: Pond, x: PondPrivateTensor, k: number, fracBits = x.fracBits): PondPrivateTensor {
  if (k === 0) return x;
  checkShift(k);
  const { rt, s0, s1, cp } = p;
  p.debugCheckRange(x, 'truncate');
  // Step 2: the dealer's randomness. Server0's r0, t0 and m0 come from one draw of the stream
  // it shares with the dealer, and server1's dealt t1, m1 travel as one message.
  const n = x.size;
  const [rtmCp, rtm0] = rt.sampleShared([cp, s0], [3 * n], U64);
  const [r1cp, r1] = rt.sampleShared([cp, s1], [n], U64);
  const tm1cp = rt.op(cp, 'TruncDealStacked', [rtmCp, r1cp], { bits: k });
  const tm1 = rt.send(tm1cp, s1);
  rt.free(r1cp);
  // Steps 1 and 3: open c = x + 2^62 + r (the shift on server0).
  const cOwn0 = rt.op(s0, 'TruncMask', [x.shares[0], rtm0], { first: true });
  const cOwn1 = rt.op(s1, 'TruncMask', [x.shares[1], r1], { first: false });
  const cAt0 = rt.send(cOwn1, s0);
  const cAt1 = rt.send(cOwn0, s1);
  // Step 4, on each server, fused with the opening's addition.
  const y0 = rt.op(s0, 'TruncFinishStacked', [cOwn0, cAt0, rtm0], { bits: k, first: true });
  const y1 = rt.op(s1, 'TruncFinishStacked', [cOwn1, cAt1, tm1], { bits: k, first: false });
  rt.free(rtm0, r1, tm1);
  // kept for a product of y (truncated_product.ts); freed with y or at the end of the scope
  const y = new PondPrivateTensor(p, fracBits, [y0, y1]);
  y.truncation = { k, c: [[cOwn0, cAt0], [cOwn1, cAt1]], dealt: [rtmCp, tm1cp], epoch: rt.randomEpoch, order: ++truncations };
  return y;
}

/** Truncates a public tensor by k bits: an exact arithmetic shift on each server's copy. */
export function truncatePublic(p: Pond, x: PondPublicTensor, k: number, fracBits = x.fracBits): PondPublicTensor {
  if (k === 0) return x;
  checkShift(k);
  const values = x.values.map((h) => p.rt.op(h.player, 'ShiftRightArithmetic', [h], { bits: k })) as [Handle, Handle];
  return new PondPublicTensor(p, fracBits, values);
}

function checkShift(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > 62) throw new ProtocolError(`truncation by ${k} bits: expected 1..62`);
}
