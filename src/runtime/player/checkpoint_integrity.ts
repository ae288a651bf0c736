import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProtocolError, ValueError } from '../../errors.js';

/**
 * Integrity of the share files a player writes and reads back (checkpoints, `raw` sink and
 * loader; issue 16):
 * 1. each player has its own MAC key: `$TFE_PLAYER_MAC_KEY` (64 hex digits) or a random key
 *    kept in `<data-dir>/.tfe_mac_key` (mode 0600; names starting `.tfe_` are reserved, no
 *    loader or sink may open them);
 * 2. writing `<file>` also writes `<file>.mac` = HMAC-SHA256(key, `tfe-share|<path>|` + bytes),
 *    the path as the driver named it;
 * 3. reading a file that has a `.mac` (or is asked to be verified) recomputes it; a mismatch
 *    (flipped bytes, a file swapped from another path or from another player) is a
 *    `ProtocolError` that names the path, never the bytes.
 * An older version of the same file, with its own MAC, still verifies (no rollback protection).
 *
 * @example
 * ```ts
 * const key = playerMacKey('/srv/data');
 * writeMac('/srv/data/w.bin', 'w.bin', bytes, key);
 * verifyMac('/srv/data/w.bin', 'w.bin', bytes, key, true);
 * ```
 */
export function playerMacKey(dataDir: string): Buffer {
  const env = process.env.TFE_PLAYER_MAC_KEY;
  if (env) {
    if (!/^[0-9a-fA-F]{64}$/.test(env)) throw new ValueError('TFE_PLAYER_MAC_KEY must be 64 hex digits');
    return Buffer.from(env, 'hex');
  }
  const file = join(dataDir, RESERVED_PREFIX + 'mac_key');
  if (!existsSync(file)) {
    // Players sharing a data dir race here: link() is atomic and fails if the key exists,
    // so all of them end up with the one key on disk.
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, randomBytes(32), { mode: 0o600, flag: 'wx' });
    try { linkSync(tmp, file); } catch { /* another player created it first */ } finally { rmSync(tmp, { force: true }); }
  }
  const k = readFileSync(file);
  if (k.length !== 32) throw new ValueError('the player\'s MAC key file `.tfe_mac_key` is damaged (32 bytes expected)');
  return k;
}

/** Names starting with this are the player's own files; loaders and sinks may not open them. */
export const RESERVED_PREFIX = '.tfe_';

function macOf(rel: string, bytes: Uint8Array, key: Buffer, label?: string): Buffer {
  return createHmac('sha256', key).update(label ? `tfe-share|${rel}|${label}|` : `tfe-share|${rel}|`).update(bytes).digest();
}

/**
 * Writes `<full>.mac` for `bytes` written at `full` (named `rel` by the driver). `label` (inside
 * the MAC, so no one without the key can change it) says what the bytes are: `share` or
 * `public`; none for a raw input of the player (provenance.ts), so loading the file back keeps
 * its origin.
 * @example
 * ```ts
 * writeMac(full, 'w.bin', bytes, key);
 * ```
 */
export function writeMac(full: string, rel: string, bytes: Uint8Array, key: Buffer, label?: 'share' | 'public'): void {
  rmSync(`${full}.mac.tmp`, { force: true });
  writeFileSync(`${full}.mac.tmp`, macOf(rel, bytes, key, label).toString('hex') + (label ? ` ${label}` : ''), { flag: 'wx' });
  renameSync(`${full}.mac.tmp`, `${full}.mac`);
}

/**
 * Checks `bytes` read from `full` against `<full>.mac`; throws `ProtocolError` on a mismatch,
 * or when `required` and there is no MAC. Returns the verified label (`share`, `public`), if any.
 * @example
 * ```ts
 * verifyMac(full, 'w.bin', bytes, key, false);
 * ```
 */
export function verifyMac(full: string, rel: string, bytes: Uint8Array, key: Buffer, required: boolean): string | undefined {
  let stored: Buffer;
  let label: string | undefined;
  try {
    const [hex, l] = readFileSync(`${full}.mac`, 'utf8').trim().split(' ');
    stored = Buffer.from(hex, 'hex');
    label = l === 'share' || l === 'public' ? l : undefined;
  } catch {
    if (required) throw new ProtocolError(`share file \`${rel}\` has no integrity check (\`${rel}.mac\` missing)`);
    return undefined;
  }
  const want = macOf(rel, bytes, key, label);
  if (stored.length !== want.length || !timingSafeEqual(stored, want)) {
    throw new ProtocolError(`share file \`${rel}\` fails its integrity check: changed, truncated, or written for another path or player`);
  }
  return label;
}

/**
 * Parses a JSON file's text, turning a truncated or corrupt file into a `ValueError` that
 * names the file but quotes none of its bytes.
 * @example
 * ```ts
 * const m = parseJsonText(readFileSync(path, 'utf8'), 'tfe_model.json');
 * ```
 */
export function parseJsonText(text: string, shown: string): unknown {
  try { return JSON.parse(text); } catch {
    throw new ValueError(`\`${shown}\` is not valid JSON (truncated or corrupt)`);
  }
}
