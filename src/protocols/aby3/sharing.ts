/**
 * ABY3's sharing primitives (Mohassel and Rindal, "ABY3: A Mixed Protocol Framework for
 * Machine Learning", CCS 2018, §2 and §5.1): zero-sharings from pairwise PRF keys, the
 * one-round resharing of a 3-out-of-3 sum into 2-out-of-3 replicated shares, the conversion
 * from a 2-out-of-2 sharing (server0, server1) and input sharing.
 *
 * @example
 * ```ts
 * const z = reshare(p, [z0, z1, z2], 'Sub'); // replicated shares of z0 + z1 + z2
 * ```
 */
import { U64, type RingSpec } from '../../kernels/dtype.js';
import { dealPair, type DealtParties } from '../dealt_keys.js';
import type { Handle } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import type { ReplicatedShares, SharePair } from './aby3_tensors.js';

/** Arithmetic (mod 2^64) or boolean (XOR) sharing. */
export type ShareKind = 'arithmetic' | 'boolean';

const combine = (kind: ShareKind) => (kind === 'arithmetic' ? 'Add' : 'BitwiseXor') as 'Add' | 'BitwiseXor';

/**
 * A zero-sharing α0 + α1 + α2 = 0 (or α0 ⊕ α1 ⊕ α2 = 0), α_i on server i, from the PRF keys
 * k_i that servers i−1 and i share: α_i = F(k_i, n) − F(k_{i+1}, n) at one fresh nonce n, one
 * `sample` instruction per server (`Runtime.sampleZero`). No message.
 * @example
 * ```ts
 * const [a0, a1, a2] = zeroShare(p, [4], 'arithmetic');
 * ```
 */
export function zeroShare(p: ABY3, shape: readonly number[], kind: ShareKind, ring: RingSpec = U64): [Handle, Handle, Handle] {
  return p.rt.sampleZero(p.servers, shape, ring, kind);
}

/**
 * Turns a 3-out-of-3 sharing z = z0 + z1 + z2 (z_i on server i, already masked by a
 * zero-sharing) into replicated shares: server i sends z_i to server i−1. 1 round,
 * 3 messages of one element per element (24 bytes per element for u64). The inputs are freed.
 * @example
 * ```ts
 * const shares = reshare(p, [z0, z1, z2], 'arithmetic');
 * ```
 */
export function reshare(p: ABY3, z: readonly Handle[], _kind: ShareKind): ReplicatedShares {
  const { rt, servers: S } = p;
  const received = [0, 1, 2].map((i) => rt.send(z[(i + 1) % 3], S[i]));
  return [0, 1, 2].map((i) => [z[i], received[i]] as SharePair) as unknown as ReplicatedShares;
}

/**
 * Adds a fresh zero-sharing to local terms z_i and reshares (the last two steps of every ABY3
 * multiplication). 1 round, 3 elements per element.
 * @example
 * ```ts
 * const shares = maskAndReshare(p, terms, 'boolean');
 * ```
 */
export function maskAndReshare(p: ABY3, terms: readonly Handle[], kind: ShareKind): ReplicatedShares {
  const { rt } = p;
  const alpha = zeroShare(p, terms[0].shape, kind, terms[0].ring);
  const z = terms.map((t, i) => rt.op(t.player, combine(kind), [t, alpha[i]]));
  rt.free(...alpha, ...terms);
  return reshare(p, z, kind);
}

/**
 * Replicated arithmetic shares from a 2-out-of-2 sharing a + b (a on server0, b on server1).
 * 1 round, 2 elements per element.
 *  1. y0 = F(k_{02}) on server0 and server2, y2 = F(k_{12}) on server1 and server2 (no message)
 *  2. server0 sends a − y0 to server1, server1 sends b − y2 to server0
 *  3. both compute y1 = (a − y0) + (b − y2); shares: (y0, y1), (y1, y2), (y2, y0)
 * Server2 receives nothing; server0 learns a + b − y0 − y2 = its share y1 only.
 * The inputs are freed unless `keepInputs`.
 * @example
 * ```ts
 * const shares = fromTwoOfTwo(p, a, b);
 * ```
 */
export function fromTwoOfTwo(p: ABY3, a: Handle, b: Handle, keepInputs = false): ReplicatedShares {
  const { rt, servers: [s0, s1, s2] } = p;
  const [y0at0, y0at2] = rt.sampleShared([s0, s2], a.shape, U64);
  const [y2at1, y2at2] = rt.sampleShared([s1, s2], a.shape, U64);
  const d0 = rt.op(s0, 'Sub', [a, y0at0]);
  const d1 = rt.op(s1, 'Sub', [b, y2at1]);
  const d1at0 = rt.send(d1, s0);
  const d0at1 = rt.send(d0, s1);
  const y1at0 = rt.op(s0, 'Add', [d0, d1at0]);
  const y1at1 = rt.op(s1, 'Add', [d0at1, d1]);
  rt.free(d0, d1, d0at1, d1at0);
  if (!keepInputs) rt.free(a, b);
  return [[y0at0, y1at0], [y1at1, y2at1], [y2at2, y0at2]];
}

/** Corrections server2 has dealt per runtime since its last `setRandomSeed` (see {@link correctionGoesToServer0}). */
const dealtCount = new WeakMap<object, { epoch: number; count: number }>();

/**
 * Whether server2's next dealt correction goes to server0 (else server1): every other one,
 * counted per runtime from its last `setRandomSeed`, so a seeded run draws the same masks every
 * time. Server1 received every correction before: 105.5 MB per ABY3 Adam step on network A,
 * against 41.9 MB for server0 (`runtime.counters()`), and it had the most CPU of the three.
 * @example
 * ```ts
 * const [streamAt, sentTo] = correctionGoesToServer0(p) ? [s1, s0] : [s0, s1];
 * ```
 */
export function correctionGoesToServer0(p: ABY3): boolean {
  const rt = p.rt as object;
  let c = dealtCount.get(rt);
  if (!c || c.epoch !== p.rt.randomEpoch) dealtCount.set(rt, (c = { epoch: p.rt.randomEpoch, count: 0 }));
  return (c.count++ & 1) === 1;
}

/**
 * A value server2 holds, dealt as a 2-out-of-2 sharing: one server's part from the seed it
 * shares with server2, the other's (v minus that) sent; server1 and server0 receive in turn
 * (truncate.ts `correctionGoesToServer0`). 1 message. `v` is kept.
 * @example
 * ```ts
 * const [a0, a1] = dealTwoOfTwo(p, v); // a0 + a1 = v, on server0 and server1
 * ```
 */
export function dealTwoOfTwo(p: ABY3, v: Handle): [Handle, Handle] {
  if (!correctionGoesToServer0(p)) return dealPair(aby3Parties(p), v);
  const { rt, servers: [s0, s1, s2] } = p;
  const [a1, a0] = dealPair({ rt, holders: [s1, s0], dealer: s2 }, v);
  return [a0, a1];
}

/**
 * Replicated shares as a 2-out-of-2 sharing between server0 and server1, without a message:
 * x0 + x1 on server0, a copy of x2 on server1 (fresh handles; the shares are kept).
 * @example
 * ```ts
 * const [a, b] = twoOfTwoOf(p, x.shares); // a + b = x
 * ```
 */
export function twoOfTwoOf(p: ABY3, x: ReplicatedShares): [Handle, Handle] {
  const { rt, servers: [s0, s1] } = p;
  return [rt.op(s0, 'Add', [x[0][0], x[0][1]]), rt.op(s1, 'Reshape', [x[1][1]], { shape: [...x[1][1].shape] })];
}

/**
 * Server0 and server1 as the holders of a 2-out-of-2 sharing (x0 + x1 and x2 of replicated
 * shares) and server2 as their dealer (dealt_keys.ts, truncate.ts).
 * @example `dealtThresholdSteps(aby3Parties(aby3), twoOfTwo(aby3, x.shares), 16, [0])`
 */
export function aby3Parties(p: ABY3): DealtParties {
  const [s0, s1, s2] = p.servers;
  return { rt: p.rt, holders: [s0, s1], dealer: s2 };
}

/**
 * Secret-shares a tensor held by `x.player` among the three servers. The owner's value
 * becomes a 2-out-of-2 sharing between server0 and server1 (server0's part expanded from the
 * seed it shares with the owner, so at most one element per element is sent), which
 * {@link fromTwoOfTwo} turns into replicated shares. 2 rounds, at most 3 elements per element.
 * @example
 * ```ts
 * const shares = shareFrom(p, h);
 * ```
 */
export function shareFrom(p: ABY3, x: Handle): ReplicatedShares {
  const { rt, servers: [s0, s1] } = p;
  const owner = x.player;
  let a: Handle, b: Handle;
  if (owner === s0) {
    a = x;
    b = rt.fill(s1, x.shape, 0n, U64);
  } else if (owner === s1) {
    a = rt.fill(s0, x.shape, 0n, U64);
    b = x;
  } else {
    const [rOwner, r0] = rt.sampleShared([owner, s0], x.shape, U64);
    const diff = rt.op(owner, 'Sub', [x, rOwner]);
    b = rt.send(diff, s1);
    a = r0;
    rt.free(rOwner, diff, x);
  }
  return fromTwoOfTwo(p, a, b);
}

/**
 * The three additive shares x0, x1, x2 of a replicated tensor, each taken from a server that
 * holds it (server0 gives x0 and x1, server1 gives x2).
 * @example
 * ```ts
 * const [x0, x1, x2] = summands(x.shares);
 * ```
 */
export function summands(shares: ReplicatedShares): [Handle, Handle, Handle] {
  return [shares[0][0], shares[0][1], shares[1][1]];
}

/**
 * Opens a replicated tensor on every server in one round: server i receives the share it
 * lacks, x_{i+2}, from server i+1 (who holds it as its second). 3 elements per element.
 * Returns the opened value on each server.
 * @example
 * ```ts
 * const [v0, v1, v2] = openAll(p, x.shares, 'arithmetic');
 * ```
 */
export function openAll(p: ABY3, shares: ReplicatedShares, kind: ShareKind): [Handle, Handle, Handle] {
  const { rt, servers: S } = p;
  const missing = [0, 1, 2].map((i) => rt.send(shares[(i + 1) % 3][1], S[i]));
  const out = [0, 1, 2].map((i) => {
    if (kind === 'arithmetic') return rt.op(S[i], 'AddN', [shares[i][0], shares[i][1], missing[i]]);
    const own = rt.op(S[i], 'BitwiseXor', [shares[i][0], shares[i][1]]);
    const all = rt.op(S[i], 'BitwiseXor', [own, missing[i]]);
    rt.free(own);
    return all;
  });
  rt.free(...missing);
  return out as [Handle, Handle, Handle];
}
