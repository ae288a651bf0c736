import { BITS, U64 } from '../../kernels/dtype.js';
import { BIT_DECOMPOSE_SUB } from '../../kernels/kernel_names.js';
import type { Handle } from '../runtime_link.js';
import type { Pond } from '../pond/pond.js';
import type { Scratch } from '../scratch.js';
import { addOdd, reduceOdd, subOdd } from './odd_ring.js';
import { BIT_LENGTH, privateCompare } from './private_compare.js';

type Pair = readonly [Handle, Handle];

/**
 * ShareConvert (Wagh, Gupta, Chandran, "SecureNN", PETS 2019, §"ShareConvert"): shares (a0, a1)
 * of a ∈ Z_2^64 become shares of the same integer a in the odd ring Z_N, N = 2^64 − 1, for
 * a ≠ 2^64 − 1 (which Z_N cannot represent). Since 2^64 ≡ 1 (mod N),
 * a0 + a1 = a + 2^64·θ gives a ≡ a0 + a1 − θ (mod N) with θ = wrap(a0, a1); the protocol
 * computes shares of θ without opening anything. 4 rounds.
 *  1. common randomness of the servers: r = r0 + r1 (both know r0, r1 and α = wrap(r0, r1))
 *     and a bit η''; server j computes ã_j = a_j + r_j and β_j = wrap(a_j, r_j)
 *  2. server j sends ã_j to server2 (round 1), which computes x = ã0 + ã1 and
 *     δ = wrap(ã0, ã1), and deals Z_p shares of x's bits and Z_N shares of δ (round 2)
 *  3. PrivateCompare(x, r − 1, η'') gives server2 η' = η'' ⊕ (x ≥ r) (round 3)
 *  4. server2 deals Z_N shares of η' (round 4); η = η' ⊕ η'' = η' + η'' − 2η''η' locally
 *  5. θ = β0 + β1 + δ + η − 1 − α, and y_j = a_j − θ_j (mod N)
 * Correct because a + r wraps iff x < r, i.e. 1 − η. Fails with probability 2^−64 (r = 0).
 * Communication per element: 16 (ã) + 64 + 8 (bits, δ) + 128 (PrivateCompare) + 8 (η') =
 * 224 bytes.
 * @example
 * ```ts
 * const [y0, y1] = shareConvert(pond, scratch, x.shares, 67); // (y0 + y1) mod N = x
 * ```
 */
export function shareConvert(p: Pond, t: Scratch, a: Pair, prime: number): Pair {
  const { rt, s0, s1, cp } = p;
  const n = a[0].shape[0];
  const field = { dtype: 'u8' as const, modulus: prime };
  const cmp = { signed: false };
  // Step 1.
  const r0 = rt.sampleShared([s0, s1], [n], U64).map((h) => t.track(h));
  const r1 = rt.sampleShared([s0, s1], [n], U64).map((h) => t.track(h));
  const eta2 = rt.sampleShared([s0, s1], [n], BITS).map((h) => t.track(h));
  const players = [s0, s1];
  const local = players.map((player, j) => {
    const own = j === 0 ? r0[0] : r1[1];
    const aTilde = t.op(player, 'Add', [a[j], own]);
    const beta = t.op(player, 'Cast', [t.op(player, 'Less', [aTilde, a[j]], cmp)], { dtype: 'u64' });
    const r = t.op(player, 'Add', [r0[j], r1[j]]);
    const alpha = t.op(player, 'Cast', [t.op(player, 'Less', [r, r0[j]], cmp)], { dtype: 'u64' });
    return { aTilde, beta, r, alpha };
  });
  // Step 2.
  const at0 = t.send(local[0].aTilde, cp);
  const at1 = t.send(local[1].aTilde, cp);
  const x = t.op(cp, 'Add', [at0, at1]);
  const delta = t.op(cp, 'Cast', [t.op(cp, 'Less', [x, at0], cmp)], { dtype: 'u64' });
  const [xb0cp, xb0] = rt.sampleShared([cp, s0], [n, BIT_LENGTH], field).map((h) => t.track(h));
  const xb1 = t.send(t.op(cp, BIT_DECOMPOSE_SUB, [x, xb0cp]), s1);
  const deltaShares = dealOdd(p, t, delta);
  // Step 3.
  const rMinus1 = local.map((l, j) => t.op(players[j], 'Sub', [l.r, t.fill(players[j], 1n, U64)]));
  const etaPrime = privateCompare(p, t, { xBits: [xb0, xb1], r: [rMinus1[0], rMinus1[1]], beta: [eta2[0], eta2[1]] }, prime);
  // Step 4.
  const etaShares = dealOdd(p, t, t.op(cp, 'Cast', [etaPrime], { dtype: 'u64' }));
  return players.map((player, j) => {
    const e2 = t.op(player, 'Cast', [eta2[j]], { dtype: 'u64' });
    const prod = t.op(player, 'Mul', [e2, etaShares[j]]); // η''·η'_j < N: a product with a bit
    let eta = subOdd(t, player, etaShares[j], addOdd(t, player, prod, prod));
    if (j === 0) eta = addOdd(t, player, eta, e2);
    // Step 5.
    let theta = addOdd(t, player, addOdd(t, player, local[j].beta, deltaShares[j]), eta);
    if (j === 0) theta = subOdd(t, player, theta, addOdd(t, player, local[j].alpha, t.fill(player, 1n, U64)));
    return subOdd(t, player, reduceOdd(t, player, a[j]), theta);
  }) as unknown as Pair;
}

/** server2 deals Z_N shares of a u64 tensor v < N: v0 from the seed shared with server0, v1 = v − v0 sent to server1. */
function dealOdd(p: Pond, t: Scratch, v: Handle): Pair {
  const { rt, s0, s1, cp } = p;
  const [v0cp, v0raw] = rt.sampleShared([cp, s0], v.shape, U64).map((h) => t.track(h));
  const v1 = t.send(subOdd(t, cp, v, reduceOdd(t, cp, v0cp)), s1);
  return [reduceOdd(t, s0, v0raw), v1];
}
