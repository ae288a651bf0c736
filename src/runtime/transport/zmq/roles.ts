import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { ValueError } from '../../../errors.js';
import type { CurveKeys } from './curve.js';

/**
 * Binds every CURVE-authenticated connection to one role (DESIGN.md §5, issue 16). ZAP only
 * says that a connecting key is somewhere in the config, and zeromq.js does not expose the
 * key behind a message, so each client names its role in its ZeroMQ routing id and proves it:
 *
 *   routing id = `<role>|<nonce>|<tag>`, role `D` (driver) or `P:<name>` (a player),
 *   tag = HMAC-SHA256(X25519(client secret, server public), `tfe-role|<role>|<nonce>`)[0..16]
 *
 * Only the holder of the role's secret key (or the server itself) can compute the tag; a ROUTER
 * refuses a second connection with a routing id in use; the id travels encrypted. The server
 * recomputes the tag from the role's public key in the config and its own secret key.
 *
 * @example
 * ```ts
 * const dealer = new zmq.Dealer({ routingId: roleRoutingId(keys, 'D', serverKey) });
 * ```
 */
export function roleRoutingId(keys: CurveKeys | undefined, role: string, serverKey: string | undefined): string {
  const nonce = randomBytes(12).toString('hex');
  if (!keys || !serverKey) return `${role}|${nonce}|`;
  const id = `${role}|${nonce}|${tagOf(keys.secretKey, serverKey, role, nonce)}`;
  if (id.length > 255) throw new ValueError(`player name in role \`${role}\` is too long for a ZeroMQ routing id (at most 200 characters)`);
  return id;
}

/** What a verified routing id says about its connection. */
export type Role = { kind: 'driver'; key: string } | { kind: 'player'; name: string; key: string };

/**
 * A server's cache of verified routing ids (bounded: the oldest are forgotten first).
 * @example
 * ```ts
 * const roles = new RoleBook(keys);
 * const role = roles.roleOf(rid); // undefined: not a proven role
 * ```
 */
export class RoleBook {
  private readonly known = new Map<string, Role | null>();

  constructor(private readonly keys: CurveKeys, private readonly driverKeys: string[], private readonly limit = 4096) {}

  /** The proven role of routing id `rid`, or undefined when its tag does not verify. */
  roleOf(rid: Buffer): Role | undefined {
    const id = rid.toString('latin1');
    let role = this.known.get(id);
    if (role === undefined) {
      role = this.verify(id);
      this.known.set(id, role);
      if (this.known.size > this.limit) this.known.delete(this.known.keys().next().value!);
    }
    return role ?? undefined;
  }

  private verify(id: string): Role | null {
    const parts = id.split('|');
    if (parts.length !== 3 || !/^[0-9a-f]{24}$/.test(parts[1]) || !/^[0-9a-f]{32}$/.test(parts[2])) return null;
    const [role, nonce, tag] = parts;
    const candidates: Role[] = role === 'D'
      ? this.driverKeys.map((key) => ({ kind: 'driver', key }))
      : role.startsWith('P:') && this.keys.players.has(role.slice(2))
        ? [{ kind: 'player', name: role.slice(2), key: this.keys.players.get(role.slice(2))! }]
        : [];
    for (const c of candidates) {
      const want = Buffer.from(tagOf(this.keys.secretKey, c.key, role, nonce), 'hex');
      if (timingSafeEqual(want, Buffer.from(tag, 'hex'))) return c;
    }
    return null;
  }
}

function tagOf(secretKey: string, publicKey: string, role: string, nonce: string): string {
  const shared = x25519.getSharedSecret(z85Decode(secretKey), z85Decode(publicKey));
  return createHmac('sha256', shared).update(`tfe-role|${role}|${nonce}`).digest().subarray(0, 16).toString('hex');
}

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/**
 * Decodes a Z85 string (length a multiple of 5), as ZeroMQ writes keys.
 * @example
 * ```ts
 * z85Decode('HelloWorld'); // Uint8Array [0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]
 * ```
 */
export function z85Decode(s: string): Uint8Array {
  const out = new Uint8Array((s.length / 5) * 4);
  for (let i = 0, o = 0; i < s.length; i += 5, o += 4) {
    let v = 0;
    for (let k = 0; k < 5; k++) v = v * 85 + Z85.indexOf(s[i + k]);
    out[o] = v >>> 24; out[o + 1] = (v >>> 16) & 255; out[o + 2] = (v >>> 8) & 255; out[o + 3] = v & 255;
  }
  return out;
}
