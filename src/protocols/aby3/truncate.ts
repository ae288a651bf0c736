/**
 * ABY3 truncation, exact to one unit in the last place for |x| < 2^62 (before truncation),
 * with no probabilistic large error.
 *
 * Choice (issue 18 asks to document it): dealer-assisted truncation with the MSB trick
 * (Escudero, Ghosh, Keller, Rachuri, Scholl, CRYPTO 2020), server2 dealing for server0 and
 * server1 as TF Encrypted's "secureq8" has one party deal for the other two, and as Pond
 * does. ABY3's own truncation pairs (Mohassel and Rindal, §5.1, Π_trunc2) compute
 * [x] − [r] and open it, which fails with probability ≈ |x|/2^64 by a large error and is off by
 * up to 1 ulp otherwise; the MSB trick removes the large-error case, which matters for long
 * training runs (10^7 truncations per epoch). Cost: 2 rounds instead of 1.
 *
 * @example
 * ```ts
 * const y = truncateSum(p, [z0, z1, z2], 16, 16); // (z0 + z1 + z2) >> 16, labelled 2^-16
 * ```
 */
import { ProtocolError } from '../../errors.js';
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import { ABY3PrivateTensor, type ReplicatedShares } from './aby3_tensors.js';
import { correctionGoesToServer0, fromTwoOfTwo, twoOfTwoOf } from './sharing.js';

const TWO_62 = 1n << 62n;

/** The largest |x| (ring units, before truncation) that private truncation handles exactly. */
export const TRUNCATION_BOUND = TWO_62;

/** Creation order of truncation records (of two fresh operands, the later record is used). */
let nextOrder = 0;

/**
 * Truncates z = z0 + z1 (+ z2) by k bits into replicated shares, labelled `fracBits`:
 * y = floor(z / 2^k) or floor(z / 2^k) + 1 for |z| < 2^62. z0 is on server0, z1 on server1,
 * z2 (optional) on server2 and masked by a zero-sharing. 2 rounds.
 *  1. server2 deals, from seeds it shares with server_i: r = r0 + r1, shares of
 *     t = (r mod 2^63) >> k and m = r >> 63; one server draws [r_i | t_i | m_i] from its seed,
 *     the other draws r_j and is sent [t_j | m_j] (server1 and server0 in turn)
 *  2. round 1: server0 sends z0 + 2^62 + r0 to server1, server1 sends z1 + r1 to server0,
 *     server2 sends z2 to both; each of server0/1 holds c = z + 2^62 + r
 *  3. with w = c63 ⊕ m: y' = (c mod 2^63) >> k − t + 2^(63−k)·w and y = y' − 2^(62−k) as a
 *     2-out-of-2 sharing (the `TruncFinishStacked` kernel, shared with Pond)
 *  4. round 2: {@link fromTwoOfTwo} makes it replicated
 * Server0's view (z0, z2, z1 + r1) and server1's (z1, z2, z0 + r0 + 2^62) are uniform given
 * their shares; server2 receives nothing.
 * Communication per element: 16 bytes from the dealer, 32 in round 1, 16 in round 2.
 * The inputs are freed, unless `keepSource`: then they stay with the result as its sign source
 * (sign_view.ts), with server1's copy of z2 from round 1. The result keeps what a product of it needs to skip round 2
 * (an `ABY3TruncationRecord`: c's parts, the 2-out-of-2 y, the dealt t and m;
 * truncated_product.ts), freed with it.
 */
export function truncateSum(p: ABY3, z: readonly [Handle, Handle, Handle?], k: number, fracBits: number, keepSource = false): ABY3PrivateTensor {
  if (!Number.isInteger(k) || k < 1 || k > 62) throw new ProtocolError(`truncation by ${k} bits: expected 1..62`);
  const { rt, servers: [s0, s1, s2] } = p;
  const [z0, z1, z2] = z;
  const n = z0.shape.reduce((a, b) => a * b, 1);
  // One server's r, t, m in one draw of its stream with the dealer; the other's t, m in one message.
  const toServer0 = correctionGoesToServer0(p);
  const [streamAt, sentTo] = toServer0 ? [s1, s0] : [s0, s1];
  const [rtmCp, rtm] = rt.sampleShared([s2, streamAt], [3 * n], U64);
  const [rCp, r] = rt.sampleShared([s2, sentTo], [n], U64);
  const tmCp = rt.op(s2, 'TruncDealStacked', [rtmCp, rCp], { bits: k }); // symmetric in the two r's
  const tm = rt.send(tmCp, sentTo);
  rt.free(rCp);
  // each server's mask (the head of what it drew) and its [.. t | m] (the tail)
  const [mask0, tm0, mask1, tm1] = toServer0 ? [r, tm, rtm, rtm] : [rtm, rtm, r, tm];
  const cOwn0 = rt.op(s0, 'TruncMask', [z0, mask0], { first: true });
  const cOwn1 = rt.op(s1, 'TruncMask', [z1, mask1], { first: false });
  const cAt0 = rt.send(cOwn1, s0);
  const cAt1 = rt.send(cOwn0, s1);
  let other0 = cAt0, other1 = cAt1, z2At1: Handle | undefined;
  if (z2) {
    const z2at0 = rt.send(z2, s0);
    z2At1 = rt.send(z2, s1);
    other0 = rt.op(s0, 'Add', [cAt0, z2at0]);
    other1 = rt.op(s1, 'Add', [cAt1, z2At1]);
    rt.free(z2at0, cAt0, cAt1, ...(keepSource ? [] : [z2, z2At1]));
  }
  const y0 = rt.op(s0, 'TruncFinishStacked', [cOwn0, other0, tm0], { bits: k, first: true });
  const y1 = rt.op(s1, 'TruncFinishStacked', [cOwn1, other1, tm1], { bits: k, first: false });
  rt.free(r, ...(keepSource ? [] : [z0, z1]));
  const shares = fromTwoOfTwo(p, y0, y1, true);
  const out = new ABY3PrivateTensor(p, fracBits, shares);
  out.truncation = {
    k, c: [[cOwn0, other0], [cOwn1, other1]], twoOfTwo: [y0, y1], parts: [tm0, tm1], dealt: [rtmCp, tmCp],
    of: shares, epoch: rt.randomEpoch, order: nextOrder++,
  };
  if (keepSource) out.signSource = { k, terms: [z0, z1, z2], z2AtServer1: z2At1, addends: [], owned: true };
  return out;
}

/**
 * Truncates replicated shares by k bits (see {@link truncateSum}): server0 adds its two
 * shares, server1 takes its second, server2 sends nothing. 2 rounds, 48 bytes per element.
 * The input shares are kept.
 */
export function truncateShares(p: ABY3, x: ReplicatedShares, k: number, fracBits: number): ABY3PrivateTensor {
  return truncateSum(p, twoOfTwoOf(p, x), k, fracBits);
}
