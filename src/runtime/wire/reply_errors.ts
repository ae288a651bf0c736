/**
 * Typed errors across the wire: a player turns a failure into an error reply
 * ({@link errorReply}) and the driver rebuilds the same typed error from it
 * ({@link errorFromReply}), so a `ValueError` raised on a player is a `ValueError` in the script.
 * @example
 * ```ts
 * const e = errorFromReply(errorReply(new ValueError('bad shape')), 'server0'); // ValueError
 * ```
 */
import { CommunicationError, NotImplementedError, PolicyError, ProtocolError, TfeError, ValueError } from '../../errors.js';
import type { PlayerReply } from './instructions.js';

/**
 * The reply that carries a session failure to the driver.
 * @example
 * ```ts
 * port.reply(errorReply(new ProtocolError('bad message')));
 * ```
 */
export function errorReply(e: TfeError): PlayerReply {
  const c = e as TfeError & { player?: string; address?: string };
  return { kind: 'error', code: e.code, message: e.message, player: c.player, address: c.address };
}

const ERRORS: Record<string, new (m: string) => TfeError> = {
  ERR_VALUE: ValueError, ERR_NOT_IMPLEMENTED: NotImplementedError, ERR_PROTOCOL: ProtocolError, ERR_POLICY: PolicyError,
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
