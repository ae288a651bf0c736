import { readFileSync } from 'node:fs';
import { ValueError } from '../errors.js';
import { encodeFixed } from '../kernels/fixed_point.js';
import { registerLoader } from '../runtime/player/data_sources.js';

/**
 * Data-source loader `json`: `{path, fracBits, shape?}` reads a JSON file holding a number or a
 * (nested) array of numbers from the player's data directory and encodes it to fixed point on
 * that player. The values never leave it; only the shape is reported.
 *
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('inputter-0', { loader: 'json', args: { path: 'inputter-0.json' } });
 * ```
 */
export function loadJsonNumbers(path: string, fracBits: number, shape?: number[], shown = path) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    // Never quote the file's bytes (a parse error shows them) or the player's absolute path.
    const why = e instanceof SyntaxError ? 'not valid JSON' : (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValueError(`json loader: cannot read \`${shown}\` as JSON (${why})`);
  }
  const dims: number[] = [];
  for (let v: unknown = parsed; Array.isArray(v); v = v[0]) dims.push(v.length);
  const flat = Array.isArray(parsed) ? (parsed as unknown[]).flat(Infinity) : [parsed];
  if (flat.some((v) => typeof v !== 'number') || flat.length !== dims.reduce((a, b) => a * b, 1)) {
    throw new ValueError(`json loader: \`${shown}\` must hold a number or a rectangular array of numbers`);
  }
  const target = shape ?? dims;
  if (target.reduce((a, b) => a * b, 1) !== flat.length) {
    throw new ValueError(`json loader: \`${shown}\` has ${flat.length} numbers, which do not fit shape [${target.join(',')}]`);
  }
  return encodeFixed(Float64Array.from(flat as number[]), target, { fracBits });
}

registerLoader('json', (args, ctx) => {
  const { path, fracBits = 16, shape } = args as { path?: unknown; fracBits?: unknown; shape?: unknown };
  if (typeof path !== 'string') throw new ValueError('json loader: `path` must be a string');
  if (!Number.isInteger(fracBits)) throw new ValueError('json loader: `fracBits` must be an integer');
  if (shape !== undefined && !Array.isArray(shape)) throw new ValueError('json loader: `shape` must be an array');
  return loadJsonNumbers(ctx.resolvePath(path), fracBits as number, shape as number[] | undefined, path);
});
