/**
 * Public weighted sums of private bits, Σ_j c_j·d_j, as arithmetic shares: the B2A of
 * inject.ts (x = 1) with the sums taken on its three local terms (`injectTerms`), before the
 * resharing. Each
 * bit costs server2's one masked word (8 bytes) and each sum one resharing (24 bytes), however
 * many bits it adds: k bits into m sums cost 8k + 24m bytes per element, against 32k for k
 * separate B2As (Adam's six range bits into two scales: 96 bytes, was 192). 2 rounds.
 *
 * With d = t ⊕ d1 (t on server2, d1 on server0 and server1), d = t + d1·(1 − 2t):
 *  1. server2 sends (1 − 2t) − ρ to server1 (ρ from its seed with server0)
 *  2. local terms of each d: T0 = d1·ρ (server0), T1 = d1·((1 − 2t) − ρ) (server1), T2 = t
 *     (server2); each sum Σ_j c_j·T_i,j is local, then masked by a zero-sharing and reshared
 * Server1 sees 1 − 2t masked by ρ (uniform); server0 and server2 receive nothing new.
 *
 * @example
 * ```ts
 * const [s] = weightedBitSums(p, bits, 6, [[1, 2, 4, 8, 16, 32]]); // Σ_j 2^j·d_j
 * ```
 */
import { ValueError } from '../../errors.js';
import type { Handle } from '../runtime_link.js';
import { tidy } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import { ABY3PrivateTensor } from './aby3_tensors.js';
import { injectTerms, type SignBits } from './inject.js';
import { mapShares } from './linear.js';
import { maskAndReshare } from './sharing.js';

/**
 * For bits of `groups` stacked tensors (group j's elements at [j·m, (j+1)·m) of the flat bits,
 * as a stack along axis 0 leaves them), each row c of `weights` (one real per group) gives
 * Σ_j c_j·d_j elementwise, at the protocol's scale f (the weights are encoded there, so powers
 * of two down to 2^-f are exact). Shapes: the bits' shape without its first axis.
 * @example
 * ```ts
 * const [scale, root] = weightedBitSums(p, signBits(p, stacked.shares), 6, [sDiffs, tDiffs]);
 * ```
 */
export function weightedBitSums(p: ABY3, bits: SignBits, groups: number, weights: readonly (readonly number[])[]): ABY3PrivateTensor[] {
  const { rt } = p;
  const m = bits.n / groups;
  const outShape = bits.shape.slice(1);
  return tidy(() => {
    // the bits may come padded (signBits): the padding is cut first, so no word goes out for it
    const cut = (h: Handle) => (h.shape[0] === bits.n ? h : rt.op(h.player, 'Slice', [h], { begin: [0], size: [bits.n], strides: [1] }));
    const terms = injectTerms(p, { d1At0: cut(bits.d1At0), d1At1: cut(bits.d1At1), tAt2: cut(bits.tAt2), n: bits.n, shape: bits.shape });
    const grouped = terms.map((h) => rt.op(h.player, 'Reshape', [h], { shape: [groups, m] }));
    return weights.map((row) => {
      if (row.length !== groups) throw new ValueError(`weightedBitSums: expected ${groups} weights per row (one per group), got ${row.length}`);
      const c = p.defineConstant([...row], { shape: [groups, 1] });
      const sums = grouped.map((h, i) => rt.op(h.player, 'ReduceSum', [rt.op(h.player, 'Mul', [h, c.values[i]])], { axes: [0], keepDims: false }));
      const shares = mapShares(maskAndReshare(p, sums, 'arithmetic'), (h: Handle) => rt.op(h.player, 'Reshape', [h], { shape: [...outShape] }));
      return new ABY3PrivateTensor(p, p.fracBits, shares);
    });
  });
}
