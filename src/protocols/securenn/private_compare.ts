import { PRIVATE_COMPARE_MASK, PRIVATE_COMPARE_ZERO_TEST, type PrivateCompareMaskAttrs } from '../../kernels/kernel_names.js';
import type { Handle } from '../runtime_link.js';
import type { Pond } from '../pond/pond.js';
import type { Scratch } from '../scratch.js';

/**
 * Bits compared by PrivateCompare (ℓ = 64).
 * @example
 * ```ts
 * rt.sampleShared([cp, s0], [n, BIT_LENGTH], field);
 * ```
 */
export const BIT_LENGTH = 64;

/**
 * Inputs of {@link privateCompare}; every pair is (server0's handle, server1's handle).
 * @example
 * ```ts
 * const inputs: PrivateCompareInputs = { xBits: [b0, b1], r: [r0, r1], beta: [c0, c1] };
 * ```
 */
export interface PrivateCompareInputs {
  /** Shares over Z_p of the bits of x, least significant first: u8 mod p, shape [n, 64]. */
  xBits: readonly [Handle, Handle];
  /** The public u64 r, shape [n], the same on both servers. */
  r: readonly [Handle, Handle];
  /** The common random bit β (u8 mod 2), shape [n], the same on both servers. */
  beta: readonly [Handle, Handle];
}

let helperView: ((d0: Handle, d1: Handle) => void) | undefined;

/**
 * Test hook: receives the two tensors server2 gets in every PrivateCompare (the handles on
 * server2, which the observer must free). `undefined` turns it off. @internal
 * @example
 * ```ts
 * observeHelperView((d0, d1) => seen.push([d0, d1]));
 * ```
 */
export function observeHelperView(fn: ((d0: Handle, d1: Handle) => void) | undefined): void { helperView = fn; }

/**
 * PrivateCompare (Wagh, Gupta, Chandran, "SecureNN", PETS 2019, Algorithm 3). server0 and
 * server1 hold Z_p shares of the bits of x and a common public r and random bit β; server2
 * learns β' = β ⊕ (x > r) and nothing else. 1 round.
 *  1. t = r + 1; the compared value is ρ = r when β = 0 and t when β = 1
 *  2. w_i = x_i ⊕ ρ_i = x_i + ρ_i − 2ρ_i·x_i (shared; ρ is public)
 *  3. c_i = σ·(ρ_i − x_i) + 1 + Σ_{k>i} w_k with σ = 1 − 2β: c_i = 0 exactly at the highest
 *     differing bit when x > r (β = 0) or t > x (β = 1); every other c_i lies in [1, 65], so
 *     non-zero mod p for p > 66
 *  4. edge case β = 1, r = 2^64 − 1 (t wraps; x ≤ r always): c = (0, 1, …, 1)
 *  5. blind: d_i = s_i·c_i with s_i uniform in Z_p^* (common to both servers), re-randomise
 *     the two shares with a common zero-sharing (server2 dealt the bit shares, so it must not
 *     see c's shares), and permute the 64 positions per element with a permutation common to
 *     both servers and hidden from server2 (TF Encrypted left this out): a uniform rotation
 *     i ↦ i + k mod 64. That is all the permutation has to hide: every d_i with c_i ≠ 0 is
 *     uniform in Z_p^* and independent of the rest (s_i is), so server2's view is fixed by
 *     where the zero lands, and under a uniform rotation it lands uniformly — exactly (6 bits
 *     of common randomness per element) where a full Fisher–Yates shuffle needs 63 keys
 *  6. both servers send d to server2, which reconstructs it and sets β' = 1 iff some d_i = 0
 * Steps 1–5 are one fused kernel per server (`PrivateCompareMask`), step 6 one on server2
 * (`PrivateCompareZeroTest`); the common randomness s, z, k comes from the servers' shared
 * PRG seed. Communication: 2 · 64 field elements per element (one byte each), servers →
 * server2. The result is a bit tensor of shape [n] on server2. `edgeCase: false` skips step 4
 * for callers whose r is below 2^64 − 1 (ComputeMSB: r ∈ Z_N).
 * @example
 * ```ts
 * const betaPrime = privateCompare(pond, scratch, { xBits: [b0, b1], r: [r0, r1], beta: [c0, c1] }, 67);
 * ```
 */
export function privateCompare(p: Pond, t: Scratch, inp: PrivateCompareInputs, prime: number, opts: { edgeCase?: boolean } = {}): Handle {
  const { rt, s0, s1, cp } = p;
  const n = inp.r[0].shape[0];
  const shape = [n, BIT_LENGTH];
  // Common randomness of the servers (from their shared seed; server2 never sees it).
  const s = rt.sampleShared([s0, s1], shape, { dtype: 'u8', modulus: prime - 1 }).map((h) => t.track(h));
  const z = rt.sampleShared([s0, s1], shape, { dtype: 'u8', modulus: prime }).map((h) => t.track(h));
  const k = rt.sampleShared([s0, s1], [n], { dtype: 'u8', modulus: BIT_LENGTH }).map((h) => t.track(h));
  // Steps 1–5.
  const attrs = (j: number): PrivateCompareMaskAttrs => ({ first: j === 0, edgeCase: opts.edgeCase !== false });
  const d = [s0, s1].map((player, j) =>
    t.op(player, PRIVATE_COMPARE_MASK, [inp.xBits[j], inp.r[j], inp.beta[j], s[j], z[j], k[j]], attrs(j)));
  // Step 6.
  const [d0, d1] = d.map((h) => rt.send(h, cp));
  if (helperView) helperView(d0, d1);
  else { t.track(d0); t.track(d1); }
  return t.op(cp, PRIVATE_COMPARE_ZERO_TEST, [d0, d1]);
}
