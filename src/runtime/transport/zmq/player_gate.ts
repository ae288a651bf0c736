import { ProtocolError } from '../../../errors.js';
import { MsgType } from '../../wire/codec.js';
import type { CurveKeys } from './curve.js';
import { RoleBook } from './roles.js';

/**
 * The `tfe player` daemon's admission check for every message (issue 16), before it can touch
 * a session:
 * 1. with CURVE, driver messages (batch, ping, bye) only from a connection proven to hold the
 *    driver key, peer frames only from the key of the player the frame names ({@link RoleBook});
 * 2. a session is bound to the driver connection whose batch opened it: another driver, even
 *    one with the driver key, can neither submit to it nor end it;
 * 3. new sessions are bounded in number (`maxSessions`), per driver connection (`perDriver`),
 *    and those opened by peer frames before their driver's first batch (`perDriver` too), so
 *    one connection flooding session ids cannot lock an honest driver out.
 *
 * @example
 * ```ts
 * const gate = new PlayerGate(curve, 64);
 * gate.driver(rid, MsgType.Batch, session, player.sessions); // throws ProtocolError when refused
 * ```
 */
export class PlayerGate {
  private readonly roles?: RoleBook;
  private readonly owners = new Map<string, string>();

  constructor(curve: CurveKeys | undefined, private readonly maxSessions: number, private readonly perDriver = 8) {
    if (curve) this.roles = new RoleBook(curve, [curve.driver]);
  }

  /** Admits a driver message of `type` for `session`; throws `ProtocolError` when refused. */
  driver(rid: Buffer, type: MsgType, session: string, live: ReadonlyMap<string, unknown>): void {
    if (this.roles && this.roles.roleOf(rid)?.kind !== 'driver') {
      throw new ProtocolError('driver messages are accepted only from a connection holding the driver\'s CURVE key');
    }
    const who = rid.toString('latin1');
    const owner = this.owners.get(session);
    if (owner !== undefined && owner !== who) throw new ProtocolError(`session ${session} belongs to another driver connection`);
    if (owner === undefined && type === MsgType.BatchReplay) throw new ProtocolError(`a batch replay for session ${session}, which no batch opened`);
    if (owner === undefined && type === MsgType.Batch) {
      if (!live.has(session)) {
        if (live.size >= this.maxSessions) throw new ProtocolError(`too many sessions (at most ${this.maxSessions})`);
        let mine = 0;
        for (const [id, o] of this.owners) if (o === who && live.has(id)) mine++;
        if (mine >= this.perDriver) throw new ProtocolError(`too many sessions for one driver connection (at most ${this.perDriver})`);
      }
      this.owners.set(session, who);
    }
  }

  /** Admits a frame from peer `name`, for `session`; throws `ProtocolError` when refused. */
  peer(rid: Buffer, name: string, session: string, live: ReadonlyMap<string, unknown>): void {
    if (this.roles) {
      const role = this.roles.roleOf(rid);
      if (role?.kind !== 'player' || role.name !== name) throw new ProtocolError(`frames naming player \`${name}\` are accepted only from that player's CURVE key`);
    }
    if (session && !live.has(session)) {
      if (live.size >= this.maxSessions) throw new ProtocolError(`too many sessions (at most ${this.maxSessions})`);
      let unowned = 0;
      for (const id of live.keys()) if (!this.owners.has(id)) unowned++;
      if (unowned >= this.perDriver) throw new ProtocolError(`too many sessions opened by peers before their driver (at most ${this.perDriver})`);
    }
  }

  /** Forgets the owners of sessions no longer in `live`. */
  prune(live: ReadonlyMap<string, unknown>): void {
    for (const id of this.owners.keys()) if (!live.has(id)) this.owners.delete(id);
  }
}
