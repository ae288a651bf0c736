import { dealPair, type DealtParties } from '../dealt_keys.js';
import type { Handle } from '../runtime_link.js';
import type { Pond } from './pond.js';

/**
 * The producer secret-shares a tensor it holds between the servers: share0 is expanded on
 * server0 from the seed the two share (no message), share1 = v − share0 is sent to server1.
 * Communication: one element per element of v, producer → server1.
 * @example
 * ```ts
 * const [c0, c1] = dealShares(pond, c); // c on the producer
 * ```
 */
export function dealShares(p: Pond, v: Handle): [Handle, Handle] {
  return dealPair(pondParties(p), v);
}

/**
 * Server0 and server1 as the holders and the crypto producer as the dealer (dealt_keys.ts).
 * @example `dealtThresholdSteps(pondParties(pond), [x0, x1], 16, [0])`
 */
export function pondParties(p: Pond): DealtParties {
  return { rt: p.rt, holders: [p.s0, p.s1], dealer: p.cp };
}

