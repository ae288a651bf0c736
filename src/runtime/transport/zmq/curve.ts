import * as zmq from 'zeromq';
import { ValueError } from '../../../errors.js';
import type { Hostmap } from '../../config/hostmap.js';
import { SERVING_ZAP_DOMAIN } from './serving_sockets.js';

/**
 * ZeroMQ CURVE security for networked runs (DESIGN.md §5): encryption plus mutual
 * authentication. The hostmap gives every player's public key and, in the `master` entry,
 * the driver's; each process brings its own secret key (`tfe player --curve-secret-key-file`,
 * `RemoteConfigArgs.curveSecretKey`, or `TFE_CURVE_SECRET_KEY`). A player accepts
 * connections only from the keys in the hostmap: its peers and the driver.
 *
 * @example
 * ```json
 * { "master":  { "address": "10.0.0.9:4439",  "curvePublicKey": "<40 chars Z85>" },
 *   "server0": { "address": "10.0.0.10:4440", "curvePublicKey": "<40 chars Z85>" } }
 * ```
 */
export interface CurveKeys {
  /** This process's key pair. */
  publicKey: string;
  secretKey: string;
  /** Public key of each player, by name. */
  players: Map<string, string>;
  /** Keys allowed to connect to a player: every player and the driver. */
  allowed: Set<string>;
  /** The driver's public key: the only key whose connections may send driver instructions. */
  driver: string;
}

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/**
 * Z85-encodes bytes (length a multiple of 4), as ZeroMQ writes keys.
 * @example
 * ```ts
 * z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f])); // 'Hello'
 * ```
 */
export function z85Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let v = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
    let chunk = '';
    for (let k = 0; k < 5; k++) {
      chunk = Z85[v % 85] + chunk;
      v = Math.floor(v / 85);
    }
    out += chunk;
  }
  return out;
}

const isKey = (k: unknown): k is string => typeof k === 'string' && k.length === 40 && [...k].every((c) => Z85.includes(c));

/**
 * The CURVE settings of a hostmap for the process holding `secretKey` (`self` names a
 * player; omit it for the driver), or undefined when the hostmap has no keys (plain TCP).
 * Throws `ValueError` when only some entries have keys, the driver key is missing, or the
 * secret key is missing or malformed.
 *
 * @example
 * ```ts
 * const keys = curveKeys(hostmap, process.env.TFE_CURVE_SECRET_KEY, 'server0');
 * ```
 */
export function curveKeys(hostmap: Hostmap, secretKey: string | undefined, self?: string): CurveKeys | undefined {
  const keyed = hostmap.players.filter((e) => e.curvePublicKey);
  if (keyed.length === 0 && !hostmap.master?.curvePublicKey) return undefined;
  const missing = hostmap.players.find((e) => !e.curvePublicKey);
  if (missing) throw new ValueError(`hostmap entry \`${missing.name}\` has no \`curvePublicKey\`; with CURVE every player needs one`);
  if (!hostmap.master?.curvePublicKey) throw new ValueError('with CURVE the `master` entry must give the driver\'s `curvePublicKey`');
  if (!isKey(secretKey)) {
    throw new ValueError(`${self ? `player \`${self}\`` : 'the driver'} needs its 40-character Z85 CURVE secret key (TFE_CURVE_SECRET_KEY or the secret-key option)`);
  }
  const players = new Map(hostmap.players.map((e) => [e.name, e.curvePublicKey!]));
  // One key, one role: a key shared by two entries could act as either.
  const all = [...players.values(), hostmap.master.curvePublicKey];
  if (new Set(all).size !== all.length) throw new ValueError('every `curvePublicKey` in the config must be different (one key per player and one for the driver)');
  const publicKey = self ? players.get(self)! : hostmap.master.curvePublicKey;
  return { publicKey, secretKey, players, allowed: new Set(all), driver: hostmap.master.curvePublicKey };
}

/** Socket options of a CURVE client talking to `serverKey`. */
export function clientOptions(keys: CurveKeys | undefined, serverKey: string | undefined): Partial<zmq.SocketOptions<zmq.Dealer>> {
  if (!keys || !serverKey) return {};
  return { curveServerKey: serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey };
}

/** Socket options of a player's CURVE server socket. */
export function serverOptions(keys: CurveKeys | undefined): Partial<zmq.SocketOptions<zmq.Router>> {
  if (!keys) return {};
  return { curveServer: true, curveSecretKey: keys.secretKey, zapDomain: 'tfe' };
}

/**
 * Starts the ZAP handler that lets only `allowed` CURVE keys connect (RFC 27: ZeroMQ asks it
 * about every handshake on `inproc://zeromq.zap.01`). Returns a function that stops it.
 * @example
 * ```ts
 * const stop = await startZapHandler(keys.allowed, (line) => console.error(line));
 * ```
 */
export async function startZapHandler(allowed: Set<string>, log: (line: string) => void): Promise<() => void> {
  const zap = new zmq.Router({ linger: 0 });
  await zap.bind('inproc://zeromq.zap.01');
  void (async () => {
    try {
      for await (const [id, delim, version, requestId, domain, address, , mechanism, key] of zap) {
        const client = mechanism?.toString() === 'CURVE' && key?.length === 32 ? z85Encode(key) : '';
        // serving addresses take anonymous clients (any key; still encrypted): serving_sockets.ts
        const ok = allowed.has(client) || (client !== '' && domain?.toString() === SERVING_ZAP_DOMAIN);
        if (!ok) log(`rejected a connection from ${address?.toString() || 'unknown address'}: CURVE key not in the config`);
        await zap.send([id, delim, version, requestId, ok ? '200' : '400', ok ? 'OK' : 'key not allowed', ok ? client : '', '']);
      }
    } catch {
      // closed
    }
  })();
  return () => zap.close();
}

/**
 * A fresh CURVE key pair (Z85 text), for `tfe keygen`.
 * @example
 * ```ts
 * const { publicKey, secretKey } = newCurveKeyPair();
 * ```
 */
export function newCurveKeyPair(): { publicKey: string; secretKey: string } {
  return zmq.curveKeyPair();
}
