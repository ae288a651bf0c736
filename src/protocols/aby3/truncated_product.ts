/**
 * ABY3 elementwise products whose operand was just truncated, without the truncation's second
 * round (the ABY3 counterpart of pond/truncated_product.ts).
 *
 * A truncation (truncate.ts) opens c = z + 2^62 + r to server0 and server1 and leaves
 * y = E + A as a 2-out-of-2 sharing y0 + y1 there, with E public to both (from c) and
 * A = 2^(63−k)·s⊙m − t, where t = (r mod 2^63) >> k and m = r >> 63 are server2's (dealt to
 * the others as t = t0 + t1, m = m0 + m1) and s = 1 − 2·c63. Its second round only makes y
 * replicated. A product of y needs neither that round nor a Beaver opening, because the
 * secret part A is made of values server2 knows; the product comes out as a 2-out-of-2 sharing
 * that goes straight into the next truncation (whose first round opens it) or, untruncated,
 * into {@link fromTwoOfTwo}. So a chain of truncated products costs 1 round per link, not 2.
 *
 * y⊙z, z replicated (z_i, z_{i+1} on server i) and broadcasting to y's shape; 0 rounds
 * besides server2's one message, which needs only z and goes out as soon as z exists:
 *  1. server2 computes [t⊙(z2 + z0) | m⊙(z2 + z0)] from its pair (z2, z0) and deals it
 *     ({@link dealTwoOfTwo}: server0's part from a seed, server1's sent)
 *  2. server i adds [t_i⊙z1 | m_i⊙z1] (both hold z1), so the two hold shares of [t⊙z | m⊙z];
 *     `TruncFinishStacked` (k bits, `first: false`) turns them into shares of A⊙z
 *  3. plus E⊙z: server0 E⊙(z0 + z1), server1 E⊙z2
 * Σ = A⊙z + E⊙z = y⊙z.
 *
 * y⊙y: y² = 2E⊙y − E² + A² with A² = t² − 2^(64−k)·s⊙(t⊙m) + 2^(126−2k)·m (s² = 1, m² = m;
 * the last term vanishes mod 2^64 for k ≤ 31). Server2 deals [t⊙t | t⊙m] (and m for k > 31);
 * `TruncFinishStacked` with k − 1 bits gives −(t² − 2^(64−k)·s⊙(t⊙m)) per share.
 *
 * Security: server0 and server1 already hold c (so E and s); what server2 deals reaches
 * server1 masked by the seed server2 shares with server0, and server2 receives nothing. The
 * 2-out-of-2 result is uniform to each holder and is opened only masked, by the next
 * truncation or resharing. A record is used while all its handles are alive, the tensor still
 * has the shares it describes, and no `setRandomSeed` came after it; otherwise the ordinary
 * product runs. Matrix products cannot use it (server2 would need s inside the sums).
 *
 * @example
 * ```ts
 * const y = aby3.mul(x, w);   // truncated: y carries a record
 * const z = aby3.mul(y, v);   // y's second round is not waited for
 * ```
 */
import type { Handle } from '../runtime_link.js';
import { dealerTm, squareDealing, truncationPublicPart } from '../truncation_parts.js';
import type { ABY3 } from './aby3.js';
import { ABY3PrivateTensor, type ABY3TruncationRecord } from './aby3_tensors.js';
import { dealTwoOfTwo, fromTwoOfTwo } from './sharing.js';
import { truncateSum } from './truncate.js';

type Fresh = ABY3PrivateTensor & { truncation: ABY3TruncationRecord };

/** Every handle a record holds (freed with its tensor). */
export function recordHandles(r: ABY3TruncationRecord): Handle[] {
  return [...r.c[0], ...r.c[1], ...r.twoOfTwo, ...r.parts, ...r.dealt];
}

/** True when `x` carries a truncation record a product can use now (a stale one is dropped). */
export function hasLiveTruncation(p: ABY3, x: ABY3PrivateTensor): x is Fresh {
  const r = x.truncation;
  if (!r) return false;
  const live = r.of === x.shares && r.epoch === p.rt.randomEpoch && [...recordHandles(r), ...x.shares.flat()].every((h) => !h.disposed);
  if (!live) {
    x.truncation = undefined;
    p.rt.free(...recordHandles(r).filter((h) => !h.disposed)); // nothing else frees them now
  }
  return live;
}

/** True when `z`'s shape broadcasts to `y`'s (so y⊙z has y's shape). */
function broadcastsTo(z: readonly number[], y: readonly number[]): boolean {
  if (z.length > y.length) return false;
  return z.every((d, i) => d === 1 || d === y[y.length - z.length + i]);
}

/**
 * x⊙y through a fresh operand's record, truncated by k bits (k = 0: resharing only) and
 * labelled `fracBits`; undefined when neither operand can be used (see the module comment).
 * A square takes its own path; of two fresh operands the later truncation's record is used.
 */
export function fusedProduct(p: ABY3, x: ABY3PrivateTensor, y: ABY3PrivateTensor, k: number, fracBits: number): ABY3PrivateTensor | undefined {
  let terms: [Handle, Handle] | undefined;
  if (x === y || x.shares === y.shares) {
    if (hasLiveTruncation(p, x) && x.truncation.k >= 2) terms = squareTerms(p, x);
  } else {
    const usable = [x, y].filter((v, i) => hasLiveTruncation(p, v) && broadcastsTo((i ? x : y).shape, v.shape)) as Fresh[];
    const fresh = usable.sort((a, b) => b.truncation.order - a.truncation.order)[0];
    if (fresh) terms = productTerms(p, fresh, fresh === x ? y : x);
  }
  if (!terms) return undefined;
  if (k > 0) return truncateSum(p, terms, k, fracBits, true); // the terms stay as its sign source (sign_view.ts)
  return new ABY3PrivateTensor(p, fracBits, fromTwoOfTwo(p, terms[0], terms[1]));
}

/** 2-out-of-2 shares (server0, server1) of y⊙z, not truncated. */
function productTerms(p: ABY3, y: Fresh, z: ABY3PrivateTensor): [Handle, Handle] {
  const { rt, servers: [s0, s1, s2] } = p;
  const r = y.truncation;
  const stackedShape = [2, ...y.shape];
  // Step 1: server2's [t⊙(z2 + z0) | m⊙(z2 + z0)], dealt.
  const tm = fullTm(p, y);
  const zOuter = rt.op(s2, 'Add', [z.shares[2][0], z.shares[2][1]]);
  const outer = flat(p, rt.op(s2, 'Mul', [tm, zOuter]));
  const dealt = dealTwoOfTwo(p, outer);
  rt.free(tm, zOuter, outer);
  return [0, 1].map((i) => {
    const player = i === 0 ? s0 : s1;
    // Step 2: plus [t_i⊙z1 | m_i⊙z1], then A⊙z's share.
    const own = ownTm(p, y, i, stackedShape);
    const z1 = i === 0 ? z.shares[0][1] : z.shares[1][0];
    const local = flat(p, rt.op(player, 'Mul', [own, z1]));
    const stacked = rt.op(player, 'Add', [dealt[i], local]);
    const [cOwn, cOther] = r.c[i];
    const az = rt.op(player, 'TruncFinishStacked', [cOwn, cOther, stacked], { bits: r.k, first: false });
    // Step 3: plus E⊙z's share.
    const e = publicPart(p, y, i);
    const zPart = i === 0 ? rt.op(s0, 'Add', [z.shares[0][0], z.shares[0][1]]) : z.shares[1][1];
    const ez = rt.op(player, 'Mul', [e, zPart]);
    const out = rt.op(player, 'Add', [az, ez]);
    rt.free(own, local, stacked, dealt[i], az, e, ez, ...(i === 0 ? [zPart] : []));
    return out;
  }) as [Handle, Handle];
}

/** 2-out-of-2 shares (server0, server1) of y⊙y, not truncated, for k ≥ 2. */
function squareTerms(p: ABY3, y: Fresh): [Handle, Handle] {
  const { rt, servers: [s0, s1, s2] } = p;
  const r = y.truncation;
  const n = y.size, k = r.k;
  const withM = k > 31; // 2^(126−2k)·m vanishes mod 2^64 for k ≤ 31
  const tm = fullTm(p, y);
  const stacked = squareDealing(rt, s2, tm, y.shape, k);
  const dealt = dealTwoOfTwo(p, stacked);
  rt.free(tm, stacked);
  return [0, 1].map((i) => {
    const player = i === 0 ? s0 : s1;
    const [cOwn, cOther] = r.c[i];
    const minusASquared = rt.op(player, 'TruncFinishStacked', [cOwn, cOther, dealt[i]], { bits: k - 1, first: false });
    const e = publicPart(p, y, i);
    const twoY = rt.op(player, 'ShiftLeft', [r.twoOfTwo[i]], { bits: 1 });
    const twoEy = rt.op(player, 'Mul', [e, twoY]);
    const terms = [twoEy, rt.op(player, 'Neg', [minusASquared])];
    if (withM) {
      const mFlat = rt.op(player, 'Slice', [dealt[i]], { begin: [0], size: [n], strides: [1] });
      const mShare = rt.op(player, 'Reshape', [mFlat], { shape: [...y.shape] });
      terms.push(rt.op(player, 'ShiftLeft', [mShare], { bits: 126 - 2 * k }));
      rt.free(mFlat, mShare);
    }
    if (i === 0) {
      const eSquared = rt.op(player, 'Mul', [e, e]);
      terms.push(rt.op(player, 'Neg', [eSquared]));
      rt.free(eSquared);
    }
    const out = rt.op(player, 'AddN', terms);
    rt.free(minusASquared, twoY, e, dealt[i], ...terms);
    return out;
  }) as [Handle, Handle];
}

/** On server2: [t | m] of the truncation, shape [2, ...y.shape]. */
function fullTm(p: ABY3, y: Fresh): Handle {
  return dealerTm(p.rt, p.servers[2], y.truncation.dealt, y.shape);
}

/** On server i (0 or 1): its [t_i | m_i], shaped [2, ...y.shape]. */
function ownTm(p: ABY3, y: Fresh, i: number, shape: number[]): Handle {
  const { rt } = p;
  const n = y.size;
  const parts = y.truncation.parts[i]; // the stream it drew, [r_i | t_i | m_i], or the [t_i | m_i] it was sent
  const tm = parts.shape[0] === 3 * n ? rt.op(parts.player, 'Slice', [parts], { begin: [n], size: [2 * n], strides: [1] }) : parts;
  const out = rt.op(parts.player, 'Reshape', [tm], { shape });
  if (tm !== parts) rt.free(tm);
  return out;
}

/** A handle flattened to one axis (the layout `TruncFinishStacked` reads). */
function flat(p: ABY3, h: Handle): Handle {
  const out = p.rt.op(h.player, 'Reshape', [h], { shape: [h.shape.reduce((a, b) => a * b, 1)] });
  p.rt.free(h);
  return out;
}

/** E, the public part of y, on server i (0 or 1). */
function publicPart(p: ABY3, y: Fresh, i: number): Handle {
  return truncationPublicPart(p.rt, y.truncation.c[i], y.truncation.k, y.size);
}
