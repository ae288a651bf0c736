import { CommunicationError, NotImplementedError, ProtocolError, TfeError, ValueError } from '../errors.js';
import type { Instruction, PlayerReply } from './instructions.js';

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
}

const ERRORS: Record<string, new (m: string) => TfeError> = {
  ERR_VALUE: ValueError, ERR_NOT_IMPLEMENTED: NotImplementedError, ERR_PROTOCOL: ProtocolError,
};

/**
 * Rebuilds the typed error a player reported.
 * @example
 * ```ts
 * errorFromReply({ kind: 'error', code: 'ERR_VALUE', message: '...' }); // ValueError
 * ```
 */
export function errorFromReply(r: Extract<PlayerReply, { kind: 'error' }>, from: string): TfeError {
  if (r.code === 'ERR_COMMUNICATION') return new CommunicationError(r.message, r.player ?? from, r.address);
  const Ctor = ERRORS[r.code];
  return Ctor ? new Ctor(r.message) : new TfeError(r.message, r.code);
}
