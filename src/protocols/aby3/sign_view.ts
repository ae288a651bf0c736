/**
 * ABY3 comparisons of a product's truncated result that start from the untruncated product
 * (the ABY3 counterpart of pond/sign_source.ts). ABY3's sign circuit (msb.ts) reads x as
 * u + v, u on server0 and v on server1 and server2; a product z = Σ z_i (z_i on server i,
 * masked by a zero-sharing) gives that form in one exchange, the round in which its truncation
 * opens c, instead of after the truncation's resharing. The sign of z (plus a bias b·2^k)
 * equals that of the truncated value except where the latter is within one unit of 0.
 *
 * The view, with ρ from the seed of server0 and server1:
 *  1. u = z0 − ρ on server0
 *  2. server1 sends z1 + ρ to server2 (server1 has z2 from the truncation's first round);
 *     both hold v = z1 + ρ + z2
 *  3. a private addend b (replicated) joins as (b0 + b1)·2^k in u and b2·2^k in v
 * Server2 sees z1 + ρ (ρ unknown to it), uniform. 1 round, 8 bytes per element.
 *
 * @example
 * ```ts
 * const bits = signBits(p, signView(p, x) ?? x.shares);
 * ```
 */
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import type { ABY3PrivateTensor, ABY3SignSource, ReplicatedShares } from './aby3_tensors.js';
import { allAlive, sumSignSources } from '../sign_sources.js';

/** The handles a tensor's sign source frees with it (its terms, when it owns them). */
export function ownedSignHandles(s: ABY3SignSource): Handle[] {
  return s.owned ? [...s.terms, s.z2AtServer1].filter((h): h is Handle => !!h && !h.disposed) : [];
}

/** x's sign source when all its handles are alive (a dead one is dropped). */
function liveSource(x: ABY3PrivateTensor): ABY3SignSource | undefined {
  const s = x.signSource;
  if (s && allAlive([...s.terms, s.z2AtServer1, ...s.addends.flatMap((a) => a.shares.flat()), ...x.shares.flat()])) return s;
  x.signSource = undefined;
  return undefined;
}

/**
 * The sign source of x ± y (addSub's private branch; sign_sources.ts).
 * @example
 * ```ts
 * out.signSource = summedSignSource(x, y, 'Add'); // x·w + bias
 * ```
 */
export function summedSignSource(x: ABY3PrivateTensor, y: ABY3PrivateTensor, kernel: 'Add' | 'Sub'): ABY3SignSource | undefined {
  return sumSignSources(liveSource(x), liveSource(y), x.shares, y.shares, kernel);
}

/**
 * Shares that the sign circuit reads as x's sign, from x's live sign source (see the module
 * comment): u in server0's first slot, v in server1's second and server2's first, zeros in
 * the others (the circuit reads x0 + x1 on server0 and x2 on server1 and server2, and nothing
 * else). Undefined when x has none.
 * @example
 * ```ts
 * const view = signView(p, x); // for signBits / msbBit only
 * ```
 */
export function signView(p: ABY3, x: ABY3PrivateTensor): ReplicatedShares | undefined {
  const s = liveSource(x);
  if (!s) return undefined;
  const { rt, servers: [s0, s1, s2] } = p;
  const [z0, z1, z2] = s.terms;
  /** a ∘ b, freeing a, and b unless `keepB`. */
  const op = (a: Handle, kernel: 'Add' | 'Sub', b: Handle, keepB = false) => {
    const out = rt.op(a.player, kernel, [a, b]);
    rt.free(a, ...(keepB ? [] : [b]));
    return out;
  };
  // Steps 1 and 2.
  const [rho0, rho1] = rt.sampleShared([s0, s1], z0.shape, U64);
  let u = rt.op(s0, 'Sub', [z0, rho0]);
  const z1Masked = rt.op(s1, 'Add', [z1, rho1]);
  const at2 = rt.send(z1Masked, s2);
  let v1 = z2 ? op(z1Masked, 'Add', s.z2AtServer1 ?? rt.send(z2, s1), !!s.z2AtServer1) : z1Masked;
  let v2 = z2 ? op(at2, 'Add', z2, true) : at2;
  rt.free(rho0, rho1);
  // Step 3.
  const shifted = (h: Handle) => rt.op(h.player, 'ShiftLeft', [h], { bits: s.k });
  for (const a of s.addends) {
    const kernel = a.sub ? 'Sub' : 'Add';
    const sum0 = rt.op(s0, 'Add', [a.shares[0][0], a.shares[0][1]]);
    u = op(u, kernel, shifted(sum0));
    rt.free(sum0);
    v1 = op(v1, kernel, shifted(a.shares[1][1]));
    v2 = op(v2, kernel, shifted(a.shares[2][0]));
  }
  const zero = (player: string) => rt.fill(player, [...x.shape], 0n, U64);
  return [[u, zero(s0)], [zero(s1), v1], [v2, zero(s2)]];
}
