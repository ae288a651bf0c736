import { ProtocolError } from '../../errors.js';
import { RingTensor } from '../kernel_link.js';
import type { Instruction } from '../wire/instructions.js';

/** After running woken instructions this long, the rest waits for the next event-loop turn (I/O keeps flowing). */
const YIELD_AFTER_MS = 10;

/** What the dataflow scheduler needs from its session. */
export interface DataflowHost {
  readonly handles: ReadonlyMap<number, RingTensor | Promise<RingTensor>>;
  /** Runs an instruction whose inputs are all here (a promise: it finishes later). */
  run(instr: Instruction): void | Promise<void>;
  /** Drops a handle (the `free` of one id). */
  forget(id: number): void;
  /** Fails the session with `e`, raised by `instr`. */
  fail(e: unknown, instr: Instruction): void;
}

type Waiting = Extract<Instruction, { op: 'kernel' | 'send' }>;

/** The handles an instruction reads before it can run. */
const readsOf = (i: Waiting): readonly number[] => (i.op === 'kernel' ? i.inputs : [i.src]);

/**
 * Lets a player's stream run past a wait. A player runs its instructions in order, but a
 * kernel or send whose input is still on its way from a peer (or is the output of such an
 * instruction) is set aside, and the stream runs on: the next independent chain sends its
 * messages in the same flight instead of one round later. For example, a polynomial's powers
 * and an exact comparison on the same input, or the two operands of a product, proceed
 * together. An instruction set aside runs as soon as its last input arrives.
 *
 * What keeps it correct:
 * - handles are written once, so an instruction can only wait on earlier ones;
 * - a `free` of a handle that a waiting instruction reads, or that a waiting instruction will
 *   write, is put off until that instruction has run;
 * - every other op (reveal, sink, input, sync, counters, …) is a barrier: it runs once nothing
 *   waits, so replies and side effects keep the stream's order;
 * - sends are matched by tag, and randomness by nonce, so their order does not matter.
 *
 * @example
 * ```ts
 * const flow = new Dataflow(session);
 * if (!flow.offer(instr)) await flow.idle(); // a barrier: wait until nothing waits
 * ```
 */
export class Dataflow {
  /** Waiting instructions by the handle each waits for. */
  private readonly waiters = new Map<number, Waiting[]>();
  /** Outputs of waiting instructions (not made yet). */
  private readonly unmade = new Set<number>();
  /** How many waiting instructions read each handle. */
  private readonly readers = new Map<number, number>();
  /** Frees put off until their handle's readers have run or it has been made. */
  private readonly putOff = new Set<number>();
  private readonly runnable: Waiting[] = [];
  private waitingCount = 0;
  private draining = false;
  /** A woken instruction is running off the event loop (a large kernel): the next waits for it. */
  private busy = false;
  /** Bumped by {@link clear}: a large kernel that finishes after it changes nothing. */
  private generation = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly host: DataflowHost) {}

  /** Instructions set aside, not run yet. */
  get waiting(): number { return this.waitingCount; }

  /**
   * Takes `instr` when it can be handled without running it now in order: a kernel or send
   * that must wait (set aside), or a free (run now or put off). Returns false for an
   * instruction the caller runs now; for a barrier ({@link isBarrier}) the caller first awaits
   * {@link idle} while anything {@link waiting}.
   */
  offer(instr: Instruction): boolean {
    if (instr.op === 'free') {
      for (const id of instr.ids) this.free(id);
      return true;
    }
    if (instr.op !== 'kernel' && instr.op !== 'send') return false;
    // Handles are written once: a second write (which a waiting instruction could never see
    // made) is refused.
    if (instr.op === 'kernel' && (this.unmade.has(instr.out) || this.host.handles.has(instr.out))) {
      throw new ProtocolError(`handle ${instr.out} is written twice`);
    }
    const missing = this.missingInput(instr);
    if (missing === undefined) return false;
    this.waitingCount++;
    if (instr.op === 'kernel') this.unmade.add(instr.out);
    for (const id of readsOf(instr)) this.readers.set(id, (this.readers.get(id) ?? 0) + 1);
    this.waitOn(missing, instr);
    return true;
  }

  /** True when `instr` is a barrier: it must wait until nothing waits. */
  isBarrier(instr: Instruction): boolean {
    return !(instr.op === 'kernel' || instr.op === 'send' || instr.op === 'free' || instr.op === 'recv' || instr.op === 'fill' || instr.op === 'sample');
  }

  /** Resolves when nothing waits. */
  idle(): Promise<void> {
    if (this.waitingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Handle `id` now holds its tensor (a receive arrived, or an instruction made it): wake its waiters. */
  arrived(id: number): void {
    const ws = this.waiters.get(id);
    if (!ws) return;
    this.waiters.delete(id);
    for (const w of ws) {
      const missing = this.missingInput(w);
      if (missing === undefined) this.runnable.push(w);
      else this.waitOn(missing, w);
    }
    this.drain();
  }

  /** Forgets everything (the session failed or closed). */
  clear(): void {
    this.generation++;
    this.busy = false;
    this.waiters.clear();
    this.unmade.clear();
    this.readers.clear();
    this.putOff.clear();
    this.runnable.length = 0;
    this.waitingCount = 0;
    this.wakeIdle();
  }

  private missingInput(instr: Waiting): number | undefined {
    for (const id of readsOf(instr)) {
      if (this.unmade.has(id) || this.host.handles.get(id) instanceof Promise) return id;
    }
    return undefined;
  }

  private waitOn(id: number, instr: Waiting): void {
    const ws = this.waiters.get(id);
    if (ws) ws.push(instr);
    else this.waiters.set(id, [instr]);
  }

  private free(id: number): void {
    if (this.unmade.has(id) || this.readers.has(id)) this.putOff.add(id);
    else this.host.forget(id);
  }

  /**
   * Runs woken instructions until none is left (yielding to the event loop now and then). One
   * large kernel at a time: they already use the worker threads, and running several at once
   * would only hold more memory.
   */
  private drain(): void {
    if (this.draining || this.busy) return;
    this.draining = true;
    const t0 = performance.now();
    try {
      while (this.runnable.length) {
        if (performance.now() - t0 > YIELD_AFTER_MS) {
          setImmediate(() => this.drain());
          return;
        }
        const w = this.runnable.shift()!;
        let r: void | Promise<void>;
        try {
          r = this.host.run(w);
        } catch (e) {
          this.host.fail(e, w);
          return;
        }
        if (r) {
          this.busy = true;
          const generation = this.generation;
          r.then(() => {
            if (generation !== this.generation) return;
            this.busy = false;
            this.done(w);
            this.drain();
          }, (e) => {
            if (generation !== this.generation) return;
            this.busy = false;
            this.host.fail(e, w);
          });
          return;
        }
        this.done(w);
      }
    } finally {
      this.draining = false;
    }
  }

  /** `w` has run: its output is made, its reads are released, put-off frees happen. */
  private done(w: Waiting): void {
    this.waitingCount--;
    for (const id of readsOf(w)) {
      const n = this.readers.get(id)! - 1;
      if (n > 0) this.readers.set(id, n);
      else {
        this.readers.delete(id);
        this.settle(id);
      }
    }
    if (w.op === 'kernel') {
      this.unmade.delete(w.out);
      this.settle(w.out);
      this.arrived(w.out);
    }
    if (this.waitingCount === 0) this.wakeIdle();
  }

  /** A put-off free of `id` happens once nothing waiting reads or makes it. */
  private settle(id: number): void {
    if (this.putOff.has(id) && !this.unmade.has(id) && !this.readers.has(id)) {
      this.putOff.delete(id);
      this.host.forget(id);
    }
  }

  private wakeIdle(): void {
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }
}
