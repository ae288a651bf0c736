import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ValueError } from '../../errors.js';

/**
 * The one path resolver for every file a player opens (loaders, sinks, model weight shards):
 * 1. reject anything but a non-empty string without NUL bytes;
 * 2. join it to the data directory and canonicalise it with `realpath`, so `..` and symlinks
 *    (anywhere on the path, the file itself included) are followed before the check;
 * 3. refuse the result unless it lies inside the canonical data directory.
 * For a file that does not exist yet (a sink's output) the nearest existing ancestor is
 * canonicalised and the missing rest appended. Error messages name the path as the driver
 * gave it, never the absolute path on the player.
 *
 * @example
 * ```ts
 * resolveInside('/srv/data', 'train.csv', 'server0'); // '/srv/data/train.csv'
 * resolveInside('/srv/data', '../etc/passwd', 'server0'); // ValueError
 * ```
 */
export function resolveInside(root: string, path: unknown, player: string): string {
  if (typeof path !== 'string' || !path) throw new ValueError(`\`path\` must be a non-empty string, got ${typeof path}`);
  if (path.includes('\0')) throw new ValueError('`path` must not contain NUL bytes');
  let base: string;
  try { base = realpathSync(resolve(root)); } catch {
    throw new ValueError(`the data directory of player \`${player}\` does not exist`);
  }
  const outside = () => new ValueError(`path \`${path}\` is outside the data directory of player \`${player}\``);
  const full = canonical(resolve(base, path));
  const rel = relative(base, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw outside();
  if (rel.split(sep).some((part) => part.startsWith('.tfe_'))) throw new ValueError(`path \`${path}\` names a file reserved for player \`${player}\` itself`);
  return full;
}

/** `realpath` of `p`, or of its nearest existing ancestor with the missing rest appended. */
function canonical(p: string): string {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    if (existsSync(cur) || isLink(cur)) {
      // A dangling symlink counts as a link: realpath fails, and it is refused by the caller.
      try { return join(realpathSync(cur), ...rest); } catch { return '/\0dangling'; }
    }
    const up = dirname(cur);
    if (up === cur) return p;
    rest.unshift(basename(cur));
    cur = up;
  }
}

function isLink(p: string): boolean {
  try { return lstatSync(p).isSymbolicLink(); } catch { return false; }
}
