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
  const { rt, s0, s1, cp } = p;
  const [v0cp, v0] = rt.sampleShared([cp, s0], v.shape, v.ring);
  const v1cp = rt.op(cp, 'Sub', [v, v0cp]);
  const v1 = rt.send(v1cp, s1);
  rt.free(v0cp, v1cp);
  return [v0, v1];
}

