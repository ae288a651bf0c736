import { CommunicationError, TfeError } from '../../errors.js';
import { runKernel, type RingTensor } from '../kernel_link.js';
import { dataContext, type DataContext } from './data_sources.js';
import './client_shares.js'; // loader `client-share`, sink `client-reply` (serving)
import type { Instruction } from '../wire/instructions.js';
import type { PeerNet, SessionPort } from '../transport/transport.js';
import { PlayerSession, type PlayerObserver, type SessionHost } from './session.js';
import type { PlayerPolicy } from './policy.js';
import type { ByteBudget } from './mailbox.js';

/**
 * Options of a {@link Player}.
 * @example
 * ```ts
 * const args: PlayerArgs = { name: 'server0', net, inProcess: true };
 * ```
 */
export interface PlayerArgs {
  name: string;
  net: PeerNet;
  /** True when drivers live in this process (LocalConfig): allows provider inputs and callbacks. */
  inProcess: boolean;
  /** Root for data-source loaders and file sinks (default: the working directory). */
  dataDir?: string;
  /** Check declared input bounds on loaded data (one bit to the driver per check; default: only in-process). */
  checkBounds?: boolean;
  /** What drivers may do with this player's data (policy.ts); none: everything (in-process players). */
  policy?: PlayerPolicy;
  /** Most bytes of unread peer tensors kept over all sessions (default: unbounded). */
  maxUnreadBytes?: number;
  /**
   * Kernels of at most this much work run on the player's own thread (executors.ts; default
   * `INLINE_ELEMENTS`). A `tfe player`, alone in its process, passes `ALONE_INLINE_WORK`.
   */
  inlineWork?: number;
}

const ENDED_MEMORY = 1024;

/**
 * A player: a named party that executes instruction streams, one session per driver, each
 * with its own handle table (id → RingTensor). It knows nothing of transports: messages come
 * in through `submit`/`deliver*` and go out through its {@link PeerNet} and each session's
 * port. The same class serves LocalConfig (in memory) and the `tfe player` daemon (ZeroMQ).
 *
 * @example
 * ```ts
 * const p = new Player({ name: 'server0', net, inProcess: true });
 * p.submit(session, [{ op: 'sync', req: 1 }], { reply: (r) => console.log(r) });
 * ```
 */
export class Player implements SessionHost {
  readonly name: string;
  readonly net: PeerNet;
  readonly inProcess: boolean;
  readonly checkBounds: boolean;
  readonly data: DataContext;
  readonly policy?: PlayerPolicy;
  readonly unreadBudget?: ByteBudget;
  readonly inlineWork?: number;
  observer?: PlayerObserver;
  readonly sessions = new Map<string, PlayerSession>();
  private readonly ended = new Set<string>();

  constructor(args: PlayerArgs) {
    this.name = args.name;
    this.net = args.net;
    this.inProcess = args.inProcess;
    this.checkBounds = args.checkBounds ?? args.inProcess;
    this.policy = args.policy;
    this.inlineWork = args.inlineWork;
    if (args.maxUnreadBytes !== undefined) this.unreadBudget = { used: 0, limit: args.maxUnreadBytes };
    this.data = dataContext(args.name, args.dataDir ?? process.cwd(), args.policy);
  }

  /** The session `id`, created on first use; undefined once it has ended. */
  session(id: string): PlayerSession | undefined {
    let s = this.sessions.get(id);
    if (!s && !this.ended.has(id)) {
      s = new PlayerSession(id, this);
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Runs a batch from the driver of session `id`; replies go to `port`. */
  submit(id: string, batch: Instruction[], port: SessionPort): void {
    const s = this.session(id);
    if (!s) {
      port.reply({ kind: 'error', code: 'ERR_PROTOCOL', message: `session ${id} on player \`${this.name}\` has ended` });
      return;
    }
    s.port = port;
    s.lastDriverSeen = Date.now();
    s.enqueue(batch);
  }

  /** Notes that the driver of session `id` is alive. */
  touch(id: string): void {
    const s = this.sessions.get(id);
    if (s) s.lastDriverSeen = Date.now();
  }

  /**
   * A tensor from peer `from` for the receive with `tag`. `owned`: the tensor is in the
   * backend's own memory already (a large one joined from its payload frames, wire/codec.ts),
   * so it is not copied again.
   */
  deliverTensor(id: string, from: string, tag: number, t: RingTensor, bytes: number, owned = false): void {
    const s = this.session(id);
    if (!s) return; // late message for a finished session
    s.countReceived(from, bytes);
    try {
      s.mailbox.put(from, tag, t, this.net.sharesTensors || owned ? undefined : ownCopy);
    } catch (e) {
      s.fail(e as TfeError); // a dropped message would leave its receive waiting forever
      throw e;
    }
  }

  /** The pairwise seed for session `id` from peer `from`. */
  deliverSeed(id: string, from: string, seed: Uint8Array, bytes: number): void {
    const s = this.session(id);
    if (!s) return;
    s.countReceived(from, bytes);
    s.seedBox.put(from, 'seed', seed);
  }

  /** Ends session `id` and frees its handles. */
  endSession(id: string, reason = 'the driver closed the session'): void {
    const s = this.sessions.get(id);
    this.sessions.delete(id);
    this.ended.add(id);
    if (this.ended.size > ENDED_MEMORY) this.ended.delete(this.ended.values().next().value!);
    s?.close(new TfeError(reason));
    if (s) this.observer?.sessionEnd?.(id);
  }

  /** Fails every session waiting on `peer` (it died, or fell silent). */
  peerLost(peer: string, reason: string): void {
    for (const s of this.sessions.values()) {
      if (s.mailbox.waitingOn().has(peer) || s.seedBox.waitingOn().has(peer)) {
        const addr = this.net.addressOf(peer);
        s.fail(new CommunicationError(`player \`${peer}\` at ${addr} ${reason} (seen from \`${this.name}\`)`, peer, addr));
      }
    }
  }

  /** True when some session is waiting on a message from `peer`. */
  waitsOn(peer: string): boolean {
    for (const s of this.sessions.values()) if (s.mailbox.waitingOn().has(peer) || s.seedBox.waitingOn().has(peer)) return true;
    return false;
  }

  /** Ends sessions whose driver has not been heard from for `timeoutMs`; returns their ids. */
  sweep(timeoutMs: number, now = Date.now()): string[] {
    const stale = [...this.sessions.values()].filter((s) => now - s.lastDriverSeen > timeoutMs).map((s) => s.id);
    for (const id of stale) this.endSession(id, `the driver of session ${id} went silent`);
    return stale;
  }

  /** Live handles over all sessions. */
  liveHandles(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.handles.size;
    return n;
  }
}

/**
 * A tensor off a wire, copied into the backend's own memory (a pooled block on the native
 * backend). The copy is released early like any output, and the transport's message buffer
 * is garbage at once; a view of it would hold the message until a mark-compact, so a player's
 * memory grew by every message between collections and each new message landed on fresh pages
 * (page faults were 5 % of a networked player's CPU, issue 17). Small tensors too: keeping
 * those of up to 4 KiB as views of their messages made the networked fraud epoch 20–25 %
 * slower (1.16 → 1.50 s, two interleaved runs of each), though it saved a kernel call each.
 */
function ownCopy(t: RingTensor): RingTensor {
  return runKernel('Slice', [t], { begin: t.shape.map(() => 0), size: [...t.shape] });
}
