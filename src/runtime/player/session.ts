import { createHash, randomBytes } from 'node:crypto';
import { ProtocolError, TfeError, ValueError } from '../../errors.js';
import { RingTensor, sameRing } from '../kernel_link.js';
import type { PlayerCounters } from '../api.js';
import type { DataContext } from './data_sources.js';
import type { Expect, Instruction, OpName, PlayerReply } from '../wire/instructions.js';
import type { PeerNet, SessionPort } from '../transport/transport.js';
import { errorReply } from '../wire/reply_errors.js';
import { EXEC } from './executors.js';
import { Mailbox, type ByteBudget } from './mailbox.js';
import type { PlayerPolicy } from './policy.js';
import { Provenance } from './provenance.js';
import { markEscaped, releaseStorage, retainStorage } from './storage_refs.js';
import { Dataflow } from './dataflow.js';

/**
 * A hook for observing a player (counting, tracing): called after each instruction and for each
 * message to or from a peer.
 * @example
 * ```ts
 * player.observer = { instruction: (s, op, t0, t1) => spans.push({ op, t0, t1 }) };
 * ```
 */
export interface PlayerObserver {
  /**
   * After each instruction: its op, when it started and ended (performance.now() ms), and
   * `detail`: the instruction itself, its index in the session's stream, and how long it
   * waited for tensors from peers before it could run.
   */
  instruction?(session: string, op: OpName, startMs: number, endMs: number, detail?: InstructionDetail): void;
  message?(session: string, direction: 'sent' | 'received', peer: string, bytes: number): void;
  /** A batch from a networked driver was decoded and validated (start and end, ms). */
  batchDecoded?(session: string, instructions: number, startMs: number, endMs: number): void;
  /** The session ended on this player (the driver said goodbye, went silent, or failed). */
  sessionEnd?(session: string): void;
}

/**
 * What an observer learns about one instruction (never a value).
 * @example
 * ```ts
 * const d: InstructionDetail = { instruction: { op: 'free', ids: [3] }, index: 41, waitMs: 0 };
 * ```
 */
export interface InstructionDetail { instruction: Instruction; index: number; waitMs: number }

/**
 * What a session needs from its player.
 * @example
 * ```ts
 * const session = new PlayerSession(id, player); // a Player is a SessionHost
 * ```
 */
export interface SessionHost {
  readonly name: string;
  readonly net: PeerNet;
  readonly data: DataContext;
  /** True when the driver lives in this process, so `provide`/`callback` are allowed. */
  readonly inProcess: boolean;
  /**
   * Whether declared input bounds are checked on loaded data. Each check answers the driver one
   * bit (inside or not), so a networked owner opts in (`tfe player --check-bounds`).
   */
  readonly checkBounds?: boolean;
  /** What drivers may do with this player's data (policy.ts); none: anything. */
  readonly policy?: PlayerPolicy;
  /** Bytes of unread peer tensors over all sessions, bounded (issue 16); none: unbounded. */
  readonly unreadBudget?: ByteBudget;
  /**
   * Kernels of at most this much work run on the player's own thread, larger ones on the
   * addon's executor (executors.ts `kernelWork`; default `INLINE_ELEMENTS`).
   */
  readonly inlineWork?: number;
  observer?: PlayerObserver;
}

/** The executor yields to the event loop after running this long without a pause. */
const YIELD_AFTER_MS = 10;

/**
 * Fresh zeroed counters.
 * @example
 * ```ts
 * zeroCounters().rounds; // 0
 * ```
 */
export function zeroCounters(): PlayerCounters {
  return { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0, rounds: 0, instructions: 0, liveHandles: 0 };
}

/**
 * Bytes an unread peer tensor holds, for the `--max-unread-mb` budget: 8 per u64 element, 1 per
 * u8 element (SecureNN's Z_67 and bit tensors).
 * @example `unreadBytes(t) // 800 for a [100] u64 tensor, 100 for a [100] u8 one`
 */
export const unreadBytes = (t: RingTensor): number => t.size * (t.dtype === 'u64' ? 8 : 1);

/**
 * One driver's session on a player: its handle table, its receive mailbox, its pairwise and
 * private PRG seeds, its counters, and the executor that runs its instruction stream in order.
 * A failed instruction fails the session: the error goes to the driver and the rest of the
 * stream is dropped. On a networked player an instruction set aside to wait for its inputs
 * (see {@link Dataflow}) may fail after later independent instructions have run, sends
 * included; each of those passed the same checks (policy, validation) on its own.
 *
 * @example
 * ```ts
 * const s = new PlayerSession('0123456789abcdef', host);
 * s.port = { reply: (r) => console.log(r.kind) };
 * s.enqueue([{ op: 'sync', req: 1 }]); // logs 'ack'
 * ```
 */
export class PlayerSession {
  readonly handles = new Map<number, RingTensor | Promise<RingTensor>>();
  /** Runs kernels and sends whose inputs are on their way aside, so the stream runs on. */
  private readonly flow = new Dataflow({
    handles: this.handles,
    run: (instr) => this.runOne(instr),
    forget: (id) => this.forget(id),
    fail: (e, instr) => this.fail(asTfeError(e, this.host.name, instr.op, this.host.data.relativize)),
  });
  readonly mailbox: Mailbox<RingTensor>;
  readonly seedBox = new Mailbox<Uint8Array>();
  /** Where each handle's value comes from (raw input, public, secret): the policy's view. */
  readonly origins = new Provenance();
  privateSeed: Uint8Array = randomBytes(16);
  private readonly seeds = new Map<string, Promise<Uint8Array>>();
  /** The pairwise seeds already known, so sampling needs no microtask. */
  private readonly readySeeds = new Map<string, Uint8Array>();
  /** Set by `reseed`: every seed then derives from it. */
  private seedHex?: string;
  private queue: Instruction[] = [];
  private running = false;
  counters = zeroCounters();
  failure?: TfeError;
  port?: SessionPort;
  lastDriverSeen = Date.now();

  /** Zeroes the counters; rounds count afresh from here. */
  resetCounters(): void {
    this.counters = zeroCounters();
  }

  constructor(readonly id: string, readonly host: SessionHost) {
    this.mailbox = new Mailbox<RingTensor>(undefined, host.unreadBudget, unreadBytes);
  }

  /** The tensor of handle `id`, or the pending receive that will produce it. */
  get(id: number): RingTensor | Promise<RingTensor> {
    const t = this.handles.get(id);
    if (!t) throw new ProtocolError(`handle ${id} is not on player \`${this.host.name}\` (freed or never created)`);
    return t;
  }

  /** Several handles at once; synchronous when none is pending. */
  useAll(ids: readonly number[]): RingTensor[] | Promise<RingTensor[]> {
    const ts = ids.map((id) => this.get(id));
    return ts.every((t) => t instanceof RingTensor) ? (ts as RingTensor[]) : Promise.all(ts);
  }

  /** Resolves when every receive still held in the table has arrived (undefined if none). */
  pendingReceives(): Promise<unknown> | undefined {
    const waiting = [...this.handles.values()].filter((t): t is Promise<RingTensor> => t instanceof Promise);
    return waiting.length ? Promise.all(waiting) : undefined;
  }

  /** Drops handle `id`; storage no other handle reads goes back to its backend at once. */
  forget(id: number): void {
    const t = this.handles.get(id);
    this.handles.delete(id);
    this.origins.forget(id);
    if (t instanceof RingTensor) releaseStorage(t);
  }

  /** Stores a pending receive under handle `id`; the tensor replaces it when it arrives. */
  expect(id: number, pending: Promise<RingTensor>): void {
    pending.catch(() => undefined); // a session failure rejects it; whoever reads it reports that
    this.handles.set(id, pending);
    void pending.then((t) => {
      if (this.handles.get(id) !== pending) return;
      // a tensor off a wire was copied into the backend's memory (Player.deliverTensor): ours
      this.set(id, t);
      if (this.host.net.sharesTensors) releaseStorage(t); // the sender's in-flight count
      this.flow.arrived(id);
    }, () => undefined);
  }

  /** Stores a tensor under handle `id`. */
  set(id: number, t: RingTensor): void {
    retainStorage(t);
    this.handles.set(id, t);
  }

  /** Stores a loaded input after checking it against its declared shape and ring. */
  setInput(id: number, t: unknown, what: string, expect?: Expect, req?: number): void {
    if (!(t instanceof RingTensor)) throw new ValueError(`${what} on player \`${this.host.name}\` must produce a RingTensor`);
    markEscaped(t);
    if (expect && (expect.shape.length !== t.shape.length || expect.shape.some((d, k) => d !== t.shape[k]) || !sameRing(expect.ring, t.ring))) {
      throw new ValueError(`${what} on player \`${this.host.name}\` produced ${t.toString()}, declared shape [${expect.shape.join(',')}]`);
    }
    this.set(id, t);
    if (req !== undefined) this.reply({ kind: 'shape', req, shape: [...t.shape], ring: t.ring });
  }

  /**
   * Counts an outgoing peer message of communication round `round` (the driver's depth of the
   * message: one more than the longest chain of messages it depends on).
   */
  countSent(peer: string, bytes: number, round: number): void {
    if (round > this.counters.rounds) this.counters.rounds = round;
    this.counters.messagesSent++;
    this.counters.bytesSent += bytes;
    this.host.observer?.message?.(this.id, 'sent', peer, bytes);
  }

  /** Counts an incoming peer message. */
  countReceived(peer: string, bytes: number): void {
    this.counters.messagesReceived++;
    this.counters.bytesReceived += bytes;
    this.host.observer?.message?.(this.id, 'received', peer, bytes);
  }

  /**
   * The PRG seed shared with `peer` for this session: the player with the smaller name makes
   * 16 random bytes and sends them to the other over their channel; the driver never sees it.
   */
  pairSeed(peer: string): Uint8Array | Promise<Uint8Array> {
    if (peer === this.host.name) return Promise.reject(new ValueError(`sampleShared needs two different players, got \`${peer}\` twice`));
    // a name outside the wiring would wait forever for a seed no one sends
    if (!this.host.net.isPeer(peer)) return Promise.reject(new ValueError(`\`${peer}\` is not a peer of \`${this.host.name}\`: no shared seed`));
    const ready = this.readySeeds.get(peer);
    if (ready) return ready;
    let seed = this.seeds.get(peer);
    if (!seed) {
      if (this.seedHex !== undefined) {
        seed = Promise.resolve(this.derivedSeed('pair', ...[peer, this.host.name].sort()));
      } else if (this.host.name < peer) {
        const fresh = randomBytes(16);
        const bytes = this.host.net.sendSeed(peer, this.id, fresh);
        this.countSent(peer, bytes, 1);
        seed = Promise.resolve(new Uint8Array(fresh));
      } else {
        seed = this.seedBox.take(peer, 'seed');
      }
      this.seeds.set(peer, seed);
      const pending = seed;
      seed.then((v) => { if (this.seeds.get(peer) === pending) this.readySeeds.set(peer, v); }, () => undefined);
    }
    return seed;
  }

  /**
   * Replaces every seed of this session with one derived from the driver's `seedHex`
   * (`tfe.setRandomSeed`): the private seed from (seed, own name), each pairwise seed from
   * (seed, both names), so all players agree without a message. Deterministic and insecure by
   * design: the driver knows the seed.
   */
  reseed(seedHex: string): void {
    this.seedHex = seedHex;
    this.privateSeed = this.derivedSeed('private', this.host.name);
    this.seeds.clear();
    this.readySeeds.clear();
  }

  /** True after `reseed`: the driver knows every seed, so samples are public. */
  get reseeded(): boolean {
    return this.seedHex !== undefined;
  }

  private derivedSeed(...labels: string[]): Uint8Array {
    const digest = createHash('sha256').update('tfe-seed/v1').update(this.seedHex!).update(labels.join('\0')).digest();
    return new Uint8Array(digest.subarray(0, 16));
  }

  /** Sends a reply to the driver, if one is attached. */
  reply(r: PlayerReply): void {
    this.port?.reply(r);
  }

  /** Appends a batch to the stream and runs it. */
  enqueue(batch: Instruction[]): void {
    if (this.failure) {
      this.reply(errorReply(this.failure));
      return;
    }
    for (const i of batch) this.queue.push(i);
    if (!this.running) {
      this.running = true;
      void Promise.resolve().then(() => this.pump());
    }
  }

  private async pump(): Promise<void> {
    const obs = this.host.observer;
    let lastYield = performance.now();
    while (this.queue.length && !this.failure) {
      const batch = this.queue;
      this.queue = [];
      for (const instr of batch) {
        const t0 = obs ? performance.now() : 0;
        // Observed (traced), the stream runs strictly in order, so each span is one instruction.
        // In-process players (LocalConfig) run in order too: their messages arrive at once, so
        // running past a wait would only cost the scheduler's bookkeeping.
        const waitMs = obs ? await this.waitForInputs(instr) : 0;
        try {
          if (!obs && !this.host.inProcess) {
            if (this.flow.offer(instr)) {
              if (instr.op === 'free') this.counters.instructions++;
              continue;
            }
            if (this.flow.waiting && this.flow.isBarrier(instr)) await this.flow.idle();
            if (this.failure) break;
          }
          const r = EXEC[instr.op](this, instr);
          if (r) {
            await r;
            lastYield = performance.now();
          } else if (performance.now() - lastYield > YIELD_AFTER_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
        } catch (e) {
          this.fail(asTfeError(e, this.host.name, instr.op, this.host.data.relativize));
          break;
        }
        if (this.failure) break;
        this.counters.instructions++;
        obs?.instruction?.(this.id, instr.op, t0, performance.now(), { instruction: instr, index: this.counters.instructions - 1, waitMs });
      }
    }
    this.running = false;
  }

  /** Runs an instruction set aside by the dataflow scheduler, once its inputs are here. */
  private runOne(instr: Instruction): void | Promise<void> {
    if (this.failure) return;
    const r = EXEC[instr.op](this, instr);
    this.counters.instructions++;
    return r;
  }

  /**
   * When observed: waits for the instruction's pending peer tensors first and returns how long
   * that took, so a trace separates waiting on peers from running (the instruction would wait
   * for them anyway).
   */
  private async waitForInputs(instr: Instruction): Promise<number> {
    const i = instr as { inputs?: number[]; src?: number };
    const ids = i.inputs ?? (i.src !== undefined ? [i.src] : []);
    const pending = ids.map((id) => this.handles.get(id)).filter((t): t is Promise<RingTensor> => t instanceof Promise);
    if (!pending.length) return 0;
    const w0 = performance.now();
    await Promise.all(pending).catch(() => undefined);
    return performance.now() - w0;
  }

  /** Fails the session: tells the driver, rejects waiting receives, drops the stream. */
  fail(err: TfeError): void {
    if (this.failure) return;
    this.failure = err;
    this.queue = [];
    this.mailbox.fail(err);
    this.seedBox.fail(err);
    this.flow.clear();
    this.reply(errorReply(err));
  }

  /** Frees everything (the driver said goodbye or vanished). */
  close(reason: TfeError): void {
    this.failure ??= reason;
    this.queue = [];
    this.mailbox.fail(reason);
    this.seedBox.fail(reason);
    this.handles.clear();
    this.origins.clear();
    this.flow.clear();
  }
}

/**
 * The error a failed instruction reports to the driver, naming player and instruction. Any
 * absolute path inside the player's data dir becomes relative (`scrub`), whichever loader,
 * sink or file system call wrote it: the driver learns paths only as it gave them.
 */
function asTfeError(e: unknown, player: string, op: string, scrub: (text: string) => string = (t) => t): TfeError {
  if (e instanceof TfeError) {
    if (e.code === 'ERR_COMMUNICATION') return e;
    return new (e.constructor as new (m: string) => TfeError)(`player \`${player}\`, instruction \`${op}\`: ${scrub(e.message)}`);
  }
  return new ProtocolError(`player \`${player}\`, instruction \`${op}\`: ${scrub((e as Error)?.message ?? String(e))}`);
}
