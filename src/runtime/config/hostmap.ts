import { readFileSync } from 'node:fs';
import { ValueError } from '../../errors.js';

/**
 * One player of a networked config: its name and the `host:port` its `tfe player` daemon
 * binds, and its ZeroMQ CURVE public key when the deployment uses CURVE (see `curve.ts`).
 *
 * @example
 * ```ts
 * const e: HostEntry = { name: 'server0', host: '127.0.0.1', port: 4440, address: '127.0.0.1:4440' };
 * ```
 */
export interface HostEntry {
  name: string;
  host: string;
  port: number;
  /** `host:port` as written in the config. */
  address: string;
  /** Z85 CURVE public key of the player (or of the driver, on `master`). */
  curvePublicKey?: string;
}

/**
 * A parsed hostmap: the players in config order and the optional leading `master` entry
 * (the driver's own address, as in TF Encrypted's configs).
 *
 * @example
 * ```ts
 * const map = parseHostmap({ master: '127.0.0.1:4439', server0: '127.0.0.1:4440' });
 * map.players[0].name; // 'server0'
 * ```
 */
export interface Hostmap {
  players: HostEntry[];
  master?: HostEntry;
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function parseAddress(name: string, value: unknown): { host: string; port: number; address: string; curvePublicKey?: string } {
  let address = value;
  let curvePublicKey: string | undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    address = v.address;
    if (v.curvePublicKey !== undefined) {
      if (typeof v.curvePublicKey !== 'string' || v.curvePublicKey.length !== 40) {
        throw new ValueError(`hostmap entry \`${name}\`: \`curvePublicKey\` must be a 40-character Z85 string`);
      }
      curvePublicKey = v.curvePublicKey;
    }
  }
  if (typeof address !== 'string') {
    throw new ValueError(`hostmap entry \`${name}\` must be a "host:port" string, got ${typeof address}`);
  }
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(address);
  if (!m) throw new ValueError(`hostmap entry \`${name}\` must look like "host:port", got "${address}"`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) {
    throw new ValueError(`hostmap entry \`${name}\`: port must be in [1, 65535], got ${port}`);
  }
  return { host: m[1], port, address, curvePublicKey };
}

/**
 * Validates a hostmap object `{name: "host:port", ...}` (a value may also be
 * `{address, curvePublicKey}`). Errors are `ValueError`s naming the entry: an empty map, a
 * malformed `host:port`, a bad player name, or two entries with the same `host:port`.
 *
 * @example
 * ```ts
 * parseHostmap({ server0: '127.0.0.1:4440', server1: '127.0.0.1:4440' });
 * // ValueError: hostmap entries `server0` and `server1` both use 127.0.0.1:4440
 * ```
 */
export function parseHostmap(raw: unknown, source = 'hostmap'): Hostmap {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValueError(`${source} must be a JSON object {"server0": "host:port", ...}, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const players: HostEntry[] = [];
  let master: HostEntry | undefined;
  const seen = new Map<string, string>();
  for (const [name, value] of entries) {
    if (!NAME_RE.test(name)) {
      throw new ValueError(`${source}: player name \`${name}\` must be 1-64 characters of letters, digits, '_', '.', '-'`);
    }
    const parsed = parseAddress(name, value);
    const key = `${parsed.host.toLowerCase()}:${parsed.port}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new ValueError(`${source}: entries \`${other}\` and \`${name}\` both use ${parsed.address}`);
    }
    seen.set(key, name);
    const entry: HostEntry = { name, ...parsed };
    if (name === 'master') master = entry;
    else players.push(entry);
  }
  if (players.length === 0) {
    throw new ValueError(`${source} is empty: expected at least one player entry {"server0": "host:port", ...}`);
  }
  return { players, master };
}

/**
 * Reads and validates a hostmap file (JSON). An unreadable file or bad JSON is a
 * `ValueError` naming the path.
 *
 * @example
 * ```ts
 * const map = loadHostmap('config.json');
 * ```
 */
export function loadHostmap(path: string): Hostmap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValueError(`cannot read config file \`${path}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`config file \`${path}\` is not valid JSON: ${(e as Error).message}`);
  }
  return parseHostmap(raw, `config file \`${path}\``);
}
