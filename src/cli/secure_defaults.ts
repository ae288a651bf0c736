import { realpathSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import type { Hostmap } from '../runtime/config/hostmap.js';
import { UsageError } from './args.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/**
 * The secure defaults of `tfe player` (issue 16):
 * 1. a config with any address that is not loopback needs CURVE keys, unless `insecure`,
 *    which logs a loud warning;
 * 2. the data directory may not contain the player's secret key file (a loader could serve it).
 * Throws `UsageError` naming what to change.
 *
 * @example
 * ```ts
 * checkPlayerDefaults(hostmap, { dataDir: '/srv/data', keyFile: '/etc/tfe/server0.key', insecure: false, log });
 * ```
 */
export function checkPlayerDefaults(hostmap: Hostmap, opts: { dataDir: string; keyFile?: string; insecure: boolean; log: (line: string) => void }): void {
  const keyed = hostmap.players.some((e) => e.curvePublicKey);
  const remote = [...hostmap.players, ...(hostmap.master ? [hostmap.master] : [])].filter((e) => !LOOPBACK.test(e.host));
  if (!keyed && remote.length) {
    const where = remote.map((e) => `${e.name} (${e.address})`).join(', ');
    if (!opts.insecure) {
      throw new UsageError(`the config has addresses that are not loopback (${where}) but no CURVE keys: anyone on the network could drive this player. Add keys (npx tfe keygen NAME) or pass --insecure`);
    }
    opts.log(`WARNING: --insecure: plain TCP without CURVE to ${where}; traffic is unencrypted and ANY host that reaches this port can drive this player and read what it reveals`);
  }
  if (opts.keyFile) {
    const canon = (p: string) => { try { return realpathSync(p); } catch { return resolve(p); } };
    const rel = relative(canon(opts.dataDir), canon(opts.keyFile));
    if (!rel.startsWith('..') && !isAbsolute(rel)) {
      throw new UsageError('--curve-secret-key-file lies inside --data-dir, where a loader could read it; keep keys outside the data directory');
    }
  }
}
