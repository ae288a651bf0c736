/**
 * A small argument parser for the `tfe` command: positionals, `--flag value`, `--flag=value`
 * and boolean `--flag`. Unknown flags are errors, so typos do not pass silently.
 *
 * @example
 * ```ts
 * parseArgs(['server0', '--config', 'c.json'], { config: 'string', help: 'boolean' });
 * // { positionals: ['server0'], flags: { config: 'c.json' } }
 * ```
 */
export interface ParsedArgs { positionals: string[]; flags: Record<string, string | boolean> }

/**
 * Thrown for bad command lines; the CLI prints its message and exits with status 2.
 * @example
 * ```ts
 * throw new UsageError('--config <path> is required');
 * ```
 */
export class UsageError extends Error {}

/**
 * Parses `argv` against `spec`; throws {@link UsageError} for unknown flags or missing values.
 * @example
 * ```ts
 * parseArgs(['server0', '--timeout=5'], { timeout: 'string' }).flags.timeout; // '5'
 * ```
 */
export function parseArgs(argv: readonly string[], spec: Record<string, 'string' | 'boolean'>): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '-h') { flags.help = true; continue; }
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      flags[name] = true;
    } else {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++k];
      if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value`);
      flags[name] = value;
    }
  }
  return { positionals, flags };
}
