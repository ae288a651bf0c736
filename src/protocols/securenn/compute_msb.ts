import { BITS, U64 } from '../../kernels/dtype.js';
import { BIT_DECOMPOSE_SUB } from '../../kernels/kernel_names.js';
import type { Handle } from '../runtime_link.js';
import { dealShares } from '../pond/dealer.js';
import type { Pond } from '../pond/pond.js';
import type { Scratch } from '../scratch.js';
import { addOdd } from './odd_ring.js';
import { BIT_LENGTH, privateCompare } from './private_compare.js';
import { shareConvert } from './share_convert.js';

type Pair = readonly [Handle, Handle];

/**
 * ComputeMSB (Wagh, Gupta, Chandran, "SecureNN", PETS 2019, §"ComputeMSB"), with two extra
 * private bits folded in. server0 and server1 hold shares (w0, w1) of w in the odd ring
 * Z_N (N = 2^64 − 1) and private bits m0 (server0) and m1 (server1); they get shares over
 * Z_2^64 of MSB_N(w) ⊕ m0 ⊕ m1, where MSB_N(w) = [w ≥ 2^63] = LSB(2w mod N). 3 rounds.
 *  1. server2 draws y uniform in Z_N (y_j expanded from the seed it shares with server j, no
 *     message) and deals Z_p shares of y's 64 bits (64 bytes to server1)
 *  2. server j computes r_j = 2·w_j + y_j mod N; the servers open r = 2w + y mod N (round 1)
 *  3. PrivateCompare(y, r, β) with a common random β gives server2 β' = β ⊕ (y > r)
 *     (round 2); in the same round server j sends m_j ⊕ ρ_j, with common random bits ρ_j
 *  4. since N is odd, LSB(2w mod N) = r_0 ⊕ y_0 ⊕ (y > r): server2 computes
 *     h = β' ⊕ y_0 ⊕ (m0 ⊕ ρ0) ⊕ (m1 ⊕ ρ1) — each term it sees is a uniform bit — and deals
 *     Z_2^64 shares of h (8 bytes to server1, round 3)
 *  5. the servers XOR in the public k = β ⊕ r_0 ⊕ ρ0 ⊕ ρ1 locally: α = h + k − 2k·h
 * The paper's steps 5–8 (server2 shares β' and y_0, then one Beaver product for the XOR) are
 * replaced by 4–5: the same result, one round and 16 bytes fewer.
 * Communication per element: 16 (open r) + 64 (bit shares) + 128 (PrivateCompare) + 2 (the
 * masked bits) + 8 (h) = 218 bytes.
 * @example
 * ```ts
 * const [a0, a1] = computeMsbCore(pond, scratch, [w0, w1], undefined, 67); // shares of [w ≥ 2^63]
 * ```
 */
export function computeMsbCore(p: Pond, t: Scratch, w: Pair, m: Pair | undefined, prime: number): Pair {
  const { rt, s0, s1, cp } = p;
  const n = w[0].shape[0];
  const field = { dtype: 'u8' as const, modulus: prime };
  // Step 1.
  // (addOdd reduces its inputs, so the raw u64 draws y_j serve as their residues mod N.)
  const [y0cp, y0raw] = rt.sampleShared([cp, s0], [n], U64).map((h) => t.track(h));
  const [y1cp, y1raw] = rt.sampleShared([cp, s1], [n], U64).map((h) => t.track(h));
  const yRaw = [y0raw, y1raw];
  const y = addOdd(t, cp, y0cp, y1cp);
  // Step 2 (issued before the bit shares travel, so no server waits for server2 to open r).
  const own = [0, 1].map((j) => {
    const player = j === 0 ? s0 : s1;
    return addOdd(t, player, addOdd(t, player, w[j], w[j]), yRaw[j]); // 2·w_j + y_j mod N
  });
  const r = [addOdd(t, s0, own[0], t.send(own[1], s0)), addOdd(t, s1, t.send(own[0], s1), own[1])] as const;
  // Step 1, continued: the Z_p shares of y's bits.
  const [yb0cp, yb0] = rt.sampleShared([cp, s0], [n, BIT_LENGTH], field).map((h) => t.track(h));
  const yb1 = t.send(t.op(cp, BIT_DECOMPOSE_SUB, [y, yb0cp]), s1);
  // Step 3.
  const beta = rt.sampleShared([s0, s1], [n], BITS).map((h) => t.track(h)) as unknown as Pair;
  const betaPrime = privateCompare(p, t, { xBits: [yb0, yb1], r, beta }, prime, { edgeCase: false }); // r < N
  let h = t.op(cp, 'BitwiseXor', [betaPrime, t.op(cp, 'BitExtract', [y], { bit: 0 })]);
  let rhoSum: Pair | undefined;
  if (m) {
    const rho0 = rt.sampleShared([s0, s1], [n], BITS).map((x) => t.track(x));
    const rho1 = rt.sampleShared([s0, s1], [n], BITS).map((x) => t.track(x));
    const masked0 = t.send(t.op(s0, 'BitwiseXor', [m[0], rho0[0]]), cp);
    const masked1 = t.send(t.op(s1, 'BitwiseXor', [m[1], rho1[1]]), cp);
    h = t.op(cp, 'BitwiseXor', [h, t.op(cp, 'BitwiseXor', [masked0, masked1])]);
    rhoSum = [t.op(s0, 'BitwiseXor', [rho0[0], rho1[0]]), t.op(s1, 'BitwiseXor', [rho0[1], rho1[1]])];
  }
  // Step 4.
  const [h0, h1] = dealShares(p, t.op(cp, 'Cast', [h], { dtype: 'u64' })).map((x) => t.track(x));
  // Step 5.
  return [0, 1].map((j) => {
    const player = j === 0 ? s0 : s1;
    let k = t.op(player, 'BitwiseXor', [beta[j], t.op(player, 'BitExtract', [r[j]], { bit: 0 })]);
    if (rhoSum) k = t.op(player, 'BitwiseXor', [k, rhoSum[j]]);
    const k64 = t.op(player, 'Cast', [k], { dtype: 'u64' });
    const oneMinus2k = t.op(player, 'Sub', [t.fill(player, 1n, U64), t.op(player, 'ShiftLeft', [k64], { bits: 1 })]);
    const hk = t.op(player, 'Mul', [j === 0 ? h0 : h1, oneMinus2k]);
    return j === 0 ? t.op(player, 'Add', [hk, k64]) : hk;
  }) as unknown as Pair;
}

/**
 * The most significant bit of x ∈ Z_2^64 from its shares (x0, x1), for every x (the whole
 * ring, including 2^64 − 1 = −1 ulp, which the odd-ring conversion cannot represent). Write
 * x_j = m_j·2^63 + u_j; then w = u0 + u1 < 2^64 − 1 never wraps, so (u0, u1) are already
 * shares of w in Z_N — no ShareConvert is needed — and MSB(x) = m0 ⊕ m1 ⊕ [w ≥ 2^63]
 * (the carry into bit 63). {@link computeMsbCore} computes exactly that. 3 rounds,
 * 218 bytes per element.
 * @example
 * ```ts
 * const [a0, a1] = msbShares(pond, scratch, x.shares, 67); // shares of [x < 0]
 * ```
 */
export function msbShares(p: Pond, t: Scratch, x: Pair, prime: number): Pair {
  const { s0, s1 } = p;
  const low = (player: string, h: Handle) => t.op(player, 'BitwiseAnd', [h, t.fill(player, (1n << 63n) - 1n, U64)]);
  const top = (player: string, h: Handle) => t.op(player, 'BitExtract', [h], { bit: 63 });
  return computeMsbCore(p, t, [low(s0, x[0]), low(s1, x[1])], [top(s0, x[0]), top(s1, x[1])], prime);
}

/**
 * The paper's DReLU pipeline (SecureNN, §"DReLU"): ShareConvert to Z_N, then ComputeMSB.
 * Exact for every x except 2^64 − 1 (−1 ulp), which Z_N cannot represent (it reads as 0, so
 * its MSB comes out 0). 7 rounds, 224 + 216 = 440 bytes per element. Kept to reproduce the
 * paper's costs; {@link msbShares} is the default.
 * @example
 * ```ts
 * const [a0, a1] = msbSharesViaShareConvert(pond, scratch, x.shares, 67);
 * ```
 */
export function msbSharesViaShareConvert(p: Pond, t: Scratch, x: Pair, prime: number): Pair {
  return computeMsbCore(p, t, shareConvert(p, t, x, prime), undefined, prime);
}
