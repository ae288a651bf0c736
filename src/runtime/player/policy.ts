import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { PolicyError, ValueError } from '../../errors.js';

/**
 * What a networked player lets its drivers do with its data (`tfe player --policy file.json`,
 * issue 16). Every field is optional in the file; the defaults are those of
 * {@link DEFAULT_POLICY}.
 *
 * - `load`: glob patterns, relative to the data dir, of the files loaders may read (`*` within
 *   one path segment, `**` across segments, `?` one character);
 * - `write`: glob patterns of the files sinks may write;
 * - `loaders`, `sinks`: the names of the loaders and sinks drivers may use (`null`: all);
 * - `revealRawInputs`: whether a raw input of this player (its data as loaded, or a value
 *   computed from it and public values only) may leave the player in plaintext, by a reveal
 *   to the driver, a send to a peer or a sink that sends over the network: `false` (default:
 *   only shares leave), `true`, or glob patterns of the files whose content may.
 *
 * @example
 * ```ts
 * const policy = parsePolicy({ load: ['train/*.csv'], write: ['out/**'], sinks: ['raw'] }, 'policy.json');
 * ```
 */
export interface PlayerPolicy {
  load: string[];
  write: string[];
  loaders: string[] | null;
  sinks: string[] | null;
  revealRawInputs: boolean | string[];
}

/**
 * The policy of a `tfe player` started without `--policy`: any file inside the data dir may be
 * loaded or written, every loader and sink may be used, and raw inputs never leave in plaintext.
 * @example
 * ```ts
 * new PlayerDaemon({ name: 'server0', hostmap, policy: DEFAULT_POLICY });
 * ```
 */
export const DEFAULT_POLICY: Readonly<PlayerPolicy> = Object.freeze({ load: ['**'], write: ['**'], loaders: null, sinks: null, revealRawInputs: false });

const FIELDS = ['load', 'write', 'loaders', 'sinks', 'revealRawInputs'];

function strings(v: unknown, field: string, shown: string): string[] {
  if (!Array.isArray(v) || !v.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new ValueError(`\`${field}\` in ${shown} must be an array of non-empty strings`);
  }
  return v as string[];
}

/**
 * Checks a parsed policy object; unknown fields are errors, so a typo does not open anything.
 * @example
 * ```ts
 * parsePolicy({ revealRawInputs: ['public/*.csv'] }, 'policy.json').load; // ['**']
 * ```
 */
export function parsePolicy(json: unknown, shown: string): PlayerPolicy {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ValueError(`${shown} must hold a JSON object`);
  const o = json as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !FIELDS.includes(k));
  if (unknown.length) throw new ValueError(`${shown}: unknown field(s) ${unknown.map((k) => `\`${k}\``).join(', ')}; known: ${FIELDS.join(', ')}`);
  const names = (k: 'loaders' | 'sinks') => (o[k] === undefined || o[k] === null ? null : strings(o[k], k, shown));
  const r = o.revealRawInputs;
  if (r !== undefined && typeof r !== 'boolean') strings(r, 'revealRawInputs', shown);
  return {
    load: o.load === undefined ? ['**'] : strings(o.load, 'load', shown),
    write: o.write === undefined ? ['**'] : strings(o.write, 'write', shown),
    loaders: names('loaders'),
    sinks: names('sinks'),
    revealRawInputs: (r as boolean | string[] | undefined) ?? false,
  };
}

/**
 * Reads a policy file; errors name the file as given and quote none of its content.
 * @example
 * ```ts
 * const policy = loadPolicy('/etc/tfe/policy.json');
 * ```
 */
export function loadPolicy(file: string): PlayerPolicy {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new ValueError(`cannot read the policy file \`${file}\` (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch { throw new ValueError(`the policy file \`${file}\` is not valid JSON`); }
  return parsePolicy(json, `the policy file \`${file}\``);
}

const globCache = new Map<string, RegExp>();

/**
 * Whether the data-dir-relative path `rel` matches glob `pattern` (`**` any number of path
 * segments, `*` any characters but `/`, `?` one character but `/`).
 * @example
 * ```ts
 * matchesGlob('train/a.csv', 'train/*.csv'); // true
 * matchesGlob('train/sub/a.csv', 'train/*.csv'); // false
 * ```
 */
export function matchesGlob(rel: string, pattern: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    let src = '';
    for (let k = 0; k < pattern.length; k++) {
      const c = pattern[k];
      if (c === '*' && pattern[k + 1] === '*') {
        const slash = pattern[k + 2] === '/';
        src += slash ? '(?:.*/)?' : '.*';
        k += slash ? 2 : 1;
      } else if (c === '*') src += '[^/]*';
      else if (c === '?') src += '[^/]';
      else src += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`);
    globCache.set(pattern, re);
  }
  return re.test(sep === '/' ? rel : rel.split(sep).join('/'));
}

/**
 * Throws a {@link PolicyError} unless `rel` (relative to the data dir) matches one of the
 * rule's patterns. The message names the path as the driver gave it and the rule.
 * @example
 * ```ts
 * checkPath(policy, 'load', 'secret/keys.csv', 'secret/keys.csv', 'server0'); // PolicyError
 * ```
 */
export function checkPath(policy: PlayerPolicy, rule: 'load' | 'write', rel: string, shown: string, player: string): void {
  if (policy[rule].some((p) => matchesGlob(rel, p))) return;
  const verb = rule === 'load' ? 'load' : 'write';
  throw new PolicyError(`player \`${player}\` may not ${verb} \`${shown}\`: it matches no pattern of its policy rule \`${rule}\``, rule);
}

/**
 * Throws a {@link PolicyError} unless the loader or sink `name` is allowed by the rule.
 * @example
 * ```ts
 * checkName(policy, 'sinks', 'print', 'server0');
 * ```
 */
export function checkName(policy: PlayerPolicy, rule: 'loaders' | 'sinks', name: string, player: string): void {
  const allowed = policy[rule];
  if (!allowed || allowed.includes(name)) return;
  throw new PolicyError(`player \`${player}\` does not allow the ${rule === 'loaders' ? 'loader' : 'sink'} \`${name}\` (policy rule \`${rule}\`: ${allowed.join(', ') || 'none'})`, rule);
}
