/**
 * The transport interfaces: how the driver reaches players ({@link DriverNet}, {@link DriverLink})
 * and how a player reaches its peers and its driver ({@link PeerNet}, {@link SessionPort}).
 * Implemented in memory by `local/` and over ZeroMQ by `zmq/`.
 * @example
 * ```ts
 * const net: DriverNet = new LocalNetwork();
 * ```
 */
import type { CommunicationError } from '../../errors.js';
import type { RingTensor } from '../kernel_link.js';
import type { Instruction, PlayerReply } from '../wire/instructions.js';

/**
 * What a driver link reports back: replies from its player, and transport failures (the
 * player died, its socket closed, or it went silent past the timeout).
 * @example
 * ```ts
 * const events: LinkEvents = { reply: (p, r) => onReply(p, r), fail: (e) => runtime.fail(e) };
 * ```
 */
export interface LinkEvents {
  reply(player: string, r: PlayerReply): void;
  fail(err: CommunicationError): void;
}

/**
 * The driver's channel to one player (in memory or ZeroMQ).
 * @example
 * ```ts
 * link.submit(session, [{ op: 'sync', req: 1 }]);
 * ```
 */
export interface DriverLink {
  readonly player: string;
  readonly address: string;
  /** Sends one batch (one message) to the player. */
  submit(session: string, batch: Instruction[]): void;
  /** The number of requests awaiting a reply; links watch liveness while it is non-zero. */
  setPending(n: number): void;
  /** Round trip of a small message to the player and back, in milliseconds. */
  ping(): Promise<number>;
  /** Ends the session on the player (frees its handles) and closes the channel. */
  close(session: string): Promise<void>;
}

/**
 * A config's view for the driver: which players exist, and links to them.
 * @example
 * ```ts
 * net.ensurePlayer('server3'); // throws ValueError unless known or auto-added
 * ```
 */
export interface DriverNet {
  /** Known players, in config order. */
  players(): readonly string[];
  /** Accepts `name` (adding it when the config auto-adds players) or throws `ValueError`. */
  ensurePlayer(name: string): void;
  /** True when the player lives in this process (provider inputs and callbacks allowed). */
  inProcess(name: string): boolean;
  /** Opens a link to `name` for a driver session. */
  link(name: string, events: LinkEvents): DriverLink;
  /** Called once, before the first batch goes out. */
  firstUse?(): void;
  /** Adds players a protocol will use, where the config auto-adds players; ignores them otherwise. */
  announce?(names: readonly string[]): void;
}

/**
 * How a player reaches its peers (in memory or over ZeroMQ). Returns bytes put on the wire.
 * @example
 * ```ts
 * const bytes = net.sendTensor('server1', session, tag, t);
 * ```
 */
export interface PeerNet {
  /** True when `sendTensor` hands the tensor object itself to a peer in this process (no copy). */
  readonly sharesTensors?: boolean;
  /**
   * True when `sendTensor` puts a copy of `t`'s elements on the wire, so `t` stays the player's
   * own (its buffer is reused once freed); false or absent when the wire may read `t`'s memory
   * after `sendTensor` returns (that buffer is never reused).
   */
  copiesTensor?(t: RingTensor): boolean;
  sendTensor(to: string, session: string, tag: number, t: RingTensor): number;
  /**
   * Hands every message sent so far to the wire now, before the player computes for a while
   * on its own thread; without it a transport may hold them until the end of the JavaScript
   * turn (to bundle a round's messages).
   */
  flush?(): void;
  sendSeed(to: string, session: string, seed: Uint8Array): number;
  /** The peer's address, for error messages. */
  addressOf(peer: string): string;
  /** True when `name` is another player this one is wired to (instructions naming anyone else are refused). */
  isPeer(name: string): boolean;
}

/**
 * Where a session's replies to its driver go.
 * @example
 * ```ts
 * const port: SessionPort = { reply: (r) => console.log(r.kind) };
 * ```
 */
export interface SessionPort { reply(r: PlayerReply): void }
