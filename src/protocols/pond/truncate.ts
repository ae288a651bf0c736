import { ProtocolError } from '../../errors.js';
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../../runtime/api.js';
import type { Pond } from './pond.js';
import { dealShares } from './dealer.js';
import { openShares } from './open.js';
import { PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';

const TWO_62 = 1n << 62n;

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
 */
export function truncatePrivate(p: Pond, x: PondPrivateTensor, k: number, fracBits = x.fracBits): PondPrivateTensor {
  if (k === 0) return x;
  checkShift(k);
  const { rt, s0, s1, cp } = p;
  const shape = x.shape;
  p.debugCheckRange(x, 'truncate');
  // Step 2: the dealer's randomness.
  const [r0cp, r0] = rt.sampleShared([cp, s0], shape, U64);
  const [r1cp, r1] = rt.sampleShared([cp, s1], shape, U64);
  const r = rt.op(cp, 'Add', [r0cp, r1cp]);
  const rLow = rt.op(cp, 'ShiftLeft', [r], { bits: 1 });
  const t = rt.op(cp, 'ShiftRightLogical', [rLow], { bits: k + 1 });
  const m = rt.op(cp, 'ShiftRightLogical', [r], { bits: 63 });
  const [t0, t1] = dealShares(p, t);
  const [m0, m1] = dealShares(p, m);
  rt.free(r0cp, r1cp, r, rLow, t, m);
  // Steps 1 and 3: open c = x + 2^62 + r.
  const shift = rt.fill(s0, [], TWO_62, U64);
  const xShifted = rt.op(s0, 'Add', [x.shares[0], shift]);
  const cOwn0 = rt.op(s0, 'Add', [xShifted, r0]);
  const cOwn1 = rt.op(s1, 'Add', [x.shares[1], r1]);
  rt.free(shift, xShifted, r0, r1);
  const [[c0, c1]] = openShares(rt, [[cOwn0, cOwn1]], 'Add');
  // Step 4, on each server.
  const y0 = finish(p, s0, true, c0, t0, m0, k);
  const y1 = finish(p, s1, false, c1, t1, m1, k);
  return new PondPrivateTensor(p, fracBits, [y0, y1]);
}

/** Server-side step 4: y_i = [i=0]((c mod 2^63) >> k − 2^(62−k) + 2^(63−k)·c63) + 2^(63−k)·(m_i − 2·c63·m_i) − t_i. */
function finish(p: Pond, player: string, first: boolean, c: Handle, t: Handle, m: Handle, k: number): Handle {
  const { rt } = p;
  const owned: Handle[] = [c, t, m];
  const op = (kernel: string, inputs: Handle[], attrs?: object) => {
    const h = rt.op(player, kernel, inputs, attrs);
    owned.push(h);
    return h;
  };
  const c63 = op('ShiftRightLogical', [c], { bits: 63 });
  const c63m = op('Mul', [c63, m]);
  let w = op('Sub', [m, op('ShiftLeft', [c63m], { bits: 1 })]);
  if (first) w = op('Add', [w, c63]);
  let y = op('Sub', [op('ShiftLeft', [w], { bits: 63 - k }), t]);
  if (first) {
    const cLow = op('ShiftRightLogical', [op('ShiftLeft', [c], { bits: 1 })], { bits: k + 1 });
    const offset = rt.fill(player, [], 1n << BigInt(62 - k), U64);
    owned.push(offset);
    y = op('Sub', [op('Add', [y, cLow]), offset]);
  }
  owned.pop(); // y is the result
  rt.free(...owned);
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
