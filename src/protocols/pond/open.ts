import type { Handle, Runtime } from '../runtime_link.js';

/** A value shared between two servers: part 0 on one, part 1 on the other. */
export type SharedPair = readonly [Handle, Handle];

/**
 * Opens several shared values in ONE round: every server first sends its part of every value
 * to the other, and only then combines (`Add` for arithmetic shares, `BitwiseXor` for boolean
 * ones). Receives do not stop a player's stream, so both servers' sends leave before either
 * waits. Returns the opened value on both servers; the parts sent are freed.
 *
 * @example
 * ```ts
 * const [alpha, beta] = openShares(rt, [[x0a0, x1a1], [y0b0, y1b1]], 'Add');
 * ```
 */
export function openShares(rt: Runtime, parts: readonly SharedPair[], kernel: 'Add' | 'BitwiseXor'): [Handle, Handle][] {
  const received = parts.map(([p0, p1]) => [rt.send(p1, p0.player), rt.send(p0, p1.player)] as const);
  return parts.map(([p0, p1], i) => {
    const [at0, at1] = received[i];
    const opened: [Handle, Handle] = [rt.op(p0.player, kernel, [p0, at0]), rt.op(p1.player, kernel, [at1, p1])];
    rt.free(p0, p1, at0, at1);
    return opened;
  });
}
