import { U64, type RingSpec } from '../../kernels/dtype.js';
import { PERMUTE_LAST_AXIS } from '../../kernels/kernel_names.js';
import type { Handle } from '../../runtime/api.js';
import type { Pond } from '../pond/pond.js';
import type { Scratch } from '../pond/scratch.js';
import { ODD_MODULUS } from './odd_ring.js';

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
 *     see c's shares), and permute the 64 positions with a fresh uniform permutation π per
 *     element, common to both servers and hidden from server2 (TF Encrypted left this out)
 *  6. both servers send d to server2, which reconstructs it and sets β' = 1 iff some d_i = 0
 * Communication: 2 · 64 field elements per element (one byte each), servers → server2.
 * The result is a bit tensor of shape [n] on server2. `edgeCase: false` skips step 4 for callers
 * whose r is below 2^64 − 1 (ComputeMSB: r ∈ Z_N).
 * @example
 * ```ts
 * const betaPrime = privateCompare(pond, scratch, { xBits: [b0, b1], r: [r0, r1], beta: [c0, c1] }, 67);
 * ```
 */
export function privateCompare(p: Pond, t: Scratch, inp: PrivateCompareInputs, prime: number, opts: { edgeCase?: boolean } = {}): Handle {
  const { rt, s0, s1, cp } = p;
  const n = inp.r[0].shape[0];
  const field: RingSpec = { dtype: 'u8', modulus: prime };
  const shape = [n, BIT_LENGTH];
  // Common randomness of the servers (from their shared seed; server2 never sees it).
  const [s0s, s1s] = rt.sampleShared([s0, s1], shape, { dtype: 'u8', modulus: prime - 1 }).map((h) => t.track(h));
  const [z0, z1] = rt.sampleShared([s0, s1], shape, field).map((h) => t.track(h));
  const [k0, k1] = rt.sampleShared([s0, s1], shape, U64).map((h) => t.track(h));
  const d = [0, 1].map((j) => {
    const player = j === 0 ? s0 : s1;
    const op = (kernel: string, inputs: Handle[], attrs?: object) => t.op(player, kernel, inputs, attrs);
    const x = inp.xBits[j];
    const r = inp.r[j];
    const beta = inp.beta[j];
    // Step 1.
    const rPlus1 = op('Add', [r, t.fill(player, 1n, U64)]);
    const rho = op('Select', [beta, rPlus1, r]);
    const rb = op('BitDecompose', [rho], { modulus: prime });
    // Step 2: w_j = x_j·(1 − 2ρ) (+ ρ on server0).
    const oneMinus2rb = op('Sub', [t.fill(player, 1n, field), op('Add', [rb, rb])]);
    let w = op('Mul', [x, oneMinus2rb]);
    if (j === 0) w = op('Add', [w, rb]);
    const suffix = op('CumSum', [w], { axis: 1, exclusive: true, reverse: true });
    // Step 3: c_j = σ·(ρ − x_j) + Σ_{k>i} w_k (+ 1 on server0).
    const betaP = op('Reshape', [op('Cast', [beta], { dtype: 'u8', modulus: prime })], { shape: [n, 1] });
    const sigma = op('Sub', [t.fill(player, 1n, field), op('Add', [betaP, betaP])]);
    const diff = j === 0 ? op('Sub', [rb, x]) : op('Neg', [x]);
    let c = op('Add', [op('Mul', [sigma, diff]), suffix]);
    if (j === 0) c = op('Add', [c, t.fill(player, 1n, field)]);
    // Step 4: the edge case (skipped when the caller knows r < 2^64 − 1, e.g. r ∈ Z_N).
    if (opts.edgeCase !== false) {
      const isMax = op('Equal', [r, t.fill(player, ODD_MODULUS, U64)], { signed: false });
      const edge = op('Reshape', [op('BitwiseAnd', [isMax, beta])], { shape: [n, 1] });
      c = op('Select', [edge, edgeVector(p, t, player, j === 0, prime), c]);
    }
    // Step 5: blind, re-randomise, permute.
    const sNonZero = op('Add', [op('Cast', [j === 0 ? s0s : s1s], { dtype: 'u8', modulus: prime }), t.fill(player, 1n, field)]);
    const blinded = op('Mul', [sNonZero, c]);
    const rerandomised = j === 0 ? op('Add', [blinded, z0]) : op('Sub', [blinded, z1]);
    return op(PERMUTE_LAST_AXIS, [rerandomised, j === 0 ? k0 : k1]);
  });
  // Step 6.
  const [d0, d1] = d.map((h) => rt.send(h, cp));
  if (helperView) helperView(d0, d1);
  else { t.track(d0); t.track(d1); }
  const sum = t.op(cp, 'Add', [d0, d1]);
  const zero = t.op(cp, 'Equal', [sum, t.fill(cp, 0n, field)], { signed: false });
  return t.op(cp, 'ReduceSum', [zero], { axes: [1], keepDims: false });
}

/** The edge-case vector (0, 1, …, 1) on server0 and zeros on server1, as a [1, 64] field tensor. */
function edgeVector(p: Pond, t: Scratch, player: string, first: boolean, prime: number): Handle {
  const field: RingSpec = { dtype: 'u8', modulus: prime };
  if (!first) return t.fill(player, 0n, field, [1, BIT_LENGTH]);
  const ones = t.fill(player, 1n, field, [1, BIT_LENGTH - 1]);
  return t.op(player, 'Concat', [t.fill(player, 0n, field, [1, 1]), ones], { axis: 1 });
}
