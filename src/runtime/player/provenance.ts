import { PolicyError } from '../../errors.js';
import type { PlayerPolicy } from './policy.js';

/**
 * Where a handle's value comes from, as far as the player can tell:
 * - `raw`: this player's data as a loader produced it, or computed from such data and public
 *   values only (reshape, add a constant, multiply by one, ...): the driver could undo that;
 * - `public`: known to the driver (filled, uploaded, or sampled after `tfe.setRandomSeed`,
 *   which lets the driver recompute every sample);
 * - `secret` (the default): anything that involves a value the driver does not know: a share
 *   or mask sampled from a private or pairwise seed, a tensor from a peer, a loaded share.
 * @example
 * ```ts
 * const o: Origin = 'raw';
 * ```
 */
export type Origin = 'raw' | 'public' | 'secret';

/**
 * The origins of a session's handles (issue 16, finding 3). Only `raw` and `public` are
 * stored; everything else is `secret`. A kernel's output is `secret` if any input is, else
 * `raw` if any input is, else `public`.
 *
 * This is what a player can check on its own: it refuses to let a raw input leave unmasked.
 * It cannot tell an honest opening from a driver that programs it to reveal a masked value
 * and, separately, the mask (x − r, then r): a driver with an accepted key is trusted to run
 * the protocol; the README's trust model says so.
 *
 * @example
 * ```ts
 * const p = new Provenance();
 * p.mark(1, 'raw'); p.mark(2, 'public');
 * p.derive(3, [1, 2]); p.of(3); // 'raw'
 * ```
 */
export class Provenance {
  private readonly origins = new Map<number, 'raw' | 'public'>();

  /** The origin of handle `id`. */
  of(id: number): Origin {
    return this.origins.get(id) ?? 'secret';
  }

  /** Sets the origin of handle `id`. */
  mark(id: number, origin: Origin): void {
    if (origin === 'secret') this.origins.delete(id);
    else this.origins.set(id, origin);
  }

  /** The origin of a kernel's output `out` computed from `inputs`. */
  derive(out: number, inputs: readonly number[]): void {
    let raw = false;
    for (const id of inputs) {
      const o = this.origins.get(id);
      if (o === undefined) return this.origins.delete(out), undefined;
      if (o === 'raw') raw = true;
    }
    this.origins.set(out, raw ? 'raw' : 'public');
  }

  /** Forgets handle `id` (freed). */
  forget(id: number): void {
    this.origins.delete(id);
  }

  /** Forgets every handle. */
  clear(): void {
    this.origins.clear();
  }
}

/**
 * Throws a {@link PolicyError} when a value of origin `origin` may not leave the player the way
 * `how` says (`'be revealed to the driver'`, `'be sent to `server1`'`, ...).
 * @example
 * ```ts
 * refuseRaw(policy, 'raw', 'server0', 'be revealed to the driver'); // PolicyError
 * ```
 */
export function refuseRaw(policy: PlayerPolicy | undefined, origin: Origin, player: string, how: string): void {
  if (!policy || origin !== 'raw' || policy.revealRawInputs === true) return;
  throw new PolicyError(
    `player \`${player}\` refuses: a raw input (its data as loaded, or computed from it and public values only) may not ${how} in plaintext (policy rule \`revealRawInputs\`); only shares leave the owner`,
    'revealRawInputs',
  );
}
