/**
 * B2A of whole words (ABY3 §5.3, "Binary to arithmetic"): replicated XOR shares of 64-bit
 * words become replicated arithmetic shares of the same values mod 2^64.
 *
 * @example
 * ```ts
 * const x = b2a(p, a2b(p, y.shares)); // the same values as y, freshly shared
 * ```
 */
import { U64 } from '../../kernels/dtype.js';
import type { Handle } from '../runtime_link.js';
import { tidy } from '../runtime_link.js';
import type { ABY3 } from './aby3.js';
import type { ReplicatedShares } from './aby3_tensors.js';
import { prefixCarries, shift, xor } from './boolean.js';

/**
 * x from boolean shares of x (ABY3 §5.3):
 *  1. x1 = F(k01) (server0, server1) and x2 = F(k12) (server1, server2): random, no message
 *  2. server1 knows w = −x1 − x2 and shares it as XOR shares (0, w ⊕ ρ, ρ), ρ = F(k12),
 *     sending w ⊕ ρ to server0 (1 round, 1 word)
 *  3. x0 = x + w by the Kogge–Stone adder on boolean shares ({@link prefixCarries}: 7 rounds,
 *     36 words)
 *  4. x0 is opened to server0 and server2, who hold it in the replicated sharing; server1,
 *     who knows x1 and x2, never sees it (1 round, 2 words)
 * 9 rounds, 39 words (312 bytes) per element. The input is kept.
 * @example
 * ```ts
 * const arithmetic = b2a(p, bits);
 * ```
 */
export function b2a(p: ABY3, b: ReplicatedShares): ReplicatedShares {
  const { rt, servers: [s0, s1, s2] } = p;
  const shape = b[0][0].shape;
  return tidy(() => {
    const [x1At0, x1At1] = rt.sampleShared([s0, s1], shape, U64);
    const [x2At1, x2At2] = rt.sampleShared([s1, s2], shape, U64);
    const [rhoAt1, rhoAt2] = rt.sampleShared([s1, s2], shape, U64);
    const w = rt.op(s1, 'Neg', [rt.op(s1, 'Add', [x1At1, x2At1])]);
    const wMasked = rt.op(s1, 'BitwiseXor', [w, rhoAt1]);
    const zero = (s: string) => rt.fill(s, shape, 0n, U64);
    const ws: ReplicatedShares = [[zero(s0), rt.send(wMasked, s0)], [wMasked, rhoAt1], [rhoAt2, zero(s2)]];
    const { g, p0 } = prefixCarries(p, b, ws);
    const sum = xor(p, p0, shift(p, g, 'ShiftLeft', 1));
    // server0 lacks share 2 (server1 has it), server2 lacks share 1 (server0 has it)
    const open = (i: number, missing: Handle) => rt.op(p.servers[i], 'BitwiseXor', [rt.op(p.servers[i], 'BitwiseXor', [sum[i][0], sum[i][1]]), missing]);
    const x0At0 = open(0, rt.send(sum[1][1], s0));
    const x0At2 = open(2, rt.send(sum[0][1], s2));
    return [[x0At0, x1At0], [x1At1, x2At1], [x2At2, x0At2]] as ReplicatedShares;
  });
}
