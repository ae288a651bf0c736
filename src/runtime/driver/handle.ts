import type { RingSpec } from '../kernel_link.js';
import { ringName } from '../kernel_link.js';
import { ValueError } from '../../errors.js';
import type { Handle } from '../api.js';

/**
 * What a handle needs from the runtime that made it.
 * @example
 * ```ts
 * h.owner.free(h); // what h.dispose() does
 * ```
 */
export interface HandleOwner {
  readonly session: string;
  free(...hs: Handle[]): void;
}

/**
 * The driver's reference to a tensor on a player (see {@link Handle}). It never holds the
 * tensor; printing shows the player, id, ring and shape only, and `valueOf`/`toJSON` throw so
 * a handle cannot leak into arithmetic or logs by accident.
 *
 * @example
 * ```ts
 * const h = rt.fill('server0', [2], 1n, U64);
 * String(h); // 'Handle(server0#1, u64, [2])'
 * ```
 */
export class PlayerHandle implements Handle {
  /** True once freed (by `dispose`, `free` or the end of a `tidy` scope). */
  disposed = false;
  /** True when `keep()` exempted it from `tidy` cleanup. */
  kept = false;
  /**
   * @internal Communication depth: the longest chain of peer messages this tensor depends on,
   * counted since the runtime's counters were last reset (`depthEpoch`).
   */
  depth = 0;
  /** @internal The counter epoch `depth` belongs to. */
  depthEpoch = 0;

  constructor(
    readonly player: string,
    readonly id: number,
    readonly shape: readonly number[],
    readonly ring: RingSpec,
    /** @internal */ readonly owner: HandleOwner,
  ) {}

  /** Number of elements. */
  get size(): number { return this.shape.reduce((a, b) => a * b, 1); }

  /** Frees the tensor on its player. */
  dispose(): void { this.owner.free(this); }

  toString(): string { return `Handle(${this.player}#${this.id}, ${ringName(this.ring)}, [${this.shape.join(',')}])`; }
  valueOf(): never { throw new ValueError(`${this.toString()} is a reference to a tensor on a player; use reveal() to open it`); }
  toJSON(): never { return this.valueOf(); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}
