import type { KernelAttrsArg, KernelName, RingSpec } from '../kernels/index.js';
import type { Handle, Runtime } from './runtime_link.js';

/**
 * Intermediate handles of one protocol function, freed together when it is done (frees run in
 * stream order, so after every instruction that reads them). Results are taken out with
 * `keep`.
 *
 * @example
 * ```ts
 * const tmp = new Scratch(rt);
 * const y = tmp.keep(tmp.op('server0', 'Add', [a, tmp.op('server0', 'Neg', [b])]));
 * tmp.release();
 * ```
 */
export class Scratch {
  private readonly handles = new Set<Handle>();
  constructor(private readonly rt: Runtime) {}

  /** Runs a kernel; the output is scratch until kept. */
  op<K extends KernelName>(player: string, kernel: K, inputs: Handle[], ...attrs: KernelAttrsArg<K>): Handle {
    return this.track(this.rt.op(player, kernel, inputs, ...attrs));
  }

  /** A public constant on a player (scratch). */
  fill(player: string, value: bigint, ring: RingSpec, shape: readonly number[] = []): Handle {
    return this.track(this.rt.fill(player, shape, value, ring));
  }

  /** Sends a handle; the copy on `to` is scratch. */
  send(h: Handle, to: string): Handle { return this.track(this.rt.send(h, to)); }

  /** Adds handles made elsewhere to the scratch set. */
  track<T extends Handle>(h: T): T { this.handles.add(h); return h; }

  /** Takes a handle out of the scratch set: it survives `release`. */
  keep(h: Handle): Handle { this.handles.delete(h); return h; }

  /** Frees every scratch handle. */
  release(): void {
    if (this.handles.size) this.rt.free(...this.handles);
    this.handles.clear();
  }
}
