import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { NotImplementedError, ValueError } from '../../errors.js';
import { normalizeRing, type RingSpec } from '../kernel_link.js';
import type { RingTensor } from '../kernel_link.js';
import { tensorBytes, tensorFromBytes } from '../wire/tensor_bytes.js';
import { resolveInside } from './safe_path.js';
import { playerMacKey, verifyMac, writeMac } from './checkpoint_integrity.js';

/**
 * What a loader or sink may use on its player: the player's name and a path resolver that
 * keeps file access inside the player's data directory (`tfe player --data-dir`), so a
 * driver cannot make a player read or write arbitrary files.
 *
 * @example
 * ```ts
 * const path = ctx.resolvePath('train.csv'); // <data-dir>/train.csv
 * ```
 */
export interface DataContext {
  player: string;
  resolvePath(path: string): string;
  /** `text` with this player's absolute data-dir prefix removed (errors name paths as given). */
  relativize?(text: string): string;
  /** This player's MAC key for share files (created on first use; see checkpoint_integrity.ts). */
  macKey?(): Buffer;
}

/**
 * Loads a private input on its owner's player.
 * @example
 * ```ts
 * const zeros: Loader = (args) => ring.zeros(args.shape as number[]);
 * ```
 */
export type Loader = (args: Record<string, unknown>, ctx: DataContext) => RingTensor | Promise<RingTensor>;
/**
 * Consumes an output on its player.
 * @example
 * ```ts
 * const count: Sink = (t, _args, ctx) => console.error(`${ctx.player}: ${t.size} elements`);
 * ```
 */
export type Sink = (t: RingTensor, args: Record<string, unknown>, ctx: DataContext) => void | Promise<void>;

const loaders = new Map<string, Loader>();
const sinks = new Map<string, Sink>();

/**
 * Registers a named data-source loader on players of this process (`json`, `raw`,
 * `tfjs-model`, ... are added by `src/data`). A driver refers to it as `{kind: 'source', loader: name, args}`.
 *
 * @example
 * ```ts
 * registerLoader('zeros', (args) => ring.zeros(args.shape as number[]));
 * ```
 */
export function registerLoader(name: string, loader: Loader): void {
  loaders.set(name, loader);
}

/**
 * Registers a named output sink on players of this process.
 * @example
 * ```ts
 * registerSink('log', (t, _args, ctx) => console.log(`${ctx.player}: ${t}`));
 * ```
 */
export function registerSink(name: string, sink: Sink): void {
  sinks.set(name, sink);
}

/**
 * The loader `name`; throws `NotImplementedError` listing the registered ones.
 * @example
 * ```ts
 * const t = await getLoader('raw')({ path: 'x.bin', shape: [4] }, ctx);
 * ```
 */
export function getLoader(name: string): Loader {
  const l = loaders.get(name);
  if (!l) throw new NotImplementedError(`no data-source loader \`${name}\` on this player; registered: [${[...loaders.keys()].join(', ')}]`);
  return l;
}

/**
 * The sink `name`; throws `NotImplementedError` listing the registered ones.
 * @example
 * ```ts
 * await getSink('log')(t, {}, ctx);
 * ```
 */
export function getSink(name: string): Sink {
  const s = sinks.get(name);
  if (!s) throw new NotImplementedError(`no output sink \`${name}\` on this player; registered: [${[...sinks.keys()].join(', ')}]`);
  return s;
}

/**
 * A {@link DataContext} whose paths must stay under `root`, canonicalised with `realpath`
 * (symlinks included) by {@link resolveInside}.
 * @example
 * ```ts
 * const ctx = dataContext('server0', '/data');
 * ctx.resolvePath('../etc/passwd'); // ValueError
 * ```
 */
export function dataContext(player: string, root: string): DataContext {
  const base = resolve(root);
  let key: Buffer | undefined;
  let real = base;
  try { real = realpathSync(base); } catch { /* the resolver reports a missing data dir */ }
  const prefixes = [...new Set([real, base])].flatMap((d) => [d + sep, d]);
  const relativize = (text: string) => prefixes.reduce((t, p) => t.split(p).join(p.endsWith(sep) ? '' : '<data-dir>'), text);
  return { player, resolvePath: (path: string) => resolveInside(base, path, player), relativize, macKey: () => (key ??= playerMacKey(base)) };
}

function rawArgs(args: Record<string, unknown>): { path: string; shape: number[]; ring: RingSpec } {
  const { path, shape, dtype = 'u64', modulus } = args;
  if (typeof path !== 'string') throw new ValueError('raw: `path` must be a string');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ValueError('raw: `shape` must be an array of non-negative integers');
  }
  return { path, shape, ring: normalizeRing({ dtype: dtype as RingSpec['dtype'], modulus: modulus as number | undefined }) };
}

/**
 * Built-in loader `raw`: `{path, shape, dtype?, modulus?}` reads a file of raw little-endian
 * ring elements (what the `raw` sink writes).
 */
registerLoader('raw', (args, ctx) => {
  const { path, shape, ring } = rawArgs(args);
  let bytes: Buffer;
  const full = ctx.resolvePath(path);
  try { bytes = readFileSync(full); } catch (e) {
    throw new ValueError(`raw: cannot read \`${path}\` (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (ctx.macKey) verifyMac(full, path, bytes, ctx.macKey(), args.verify === true);
  return tensorFromBytes({ shape, ring }, bytes);
});

/** Built-in sink `raw`: `{path}` writes raw little-endian elements (temp file, then rename). */
registerSink('raw', (t, args, ctx) => {
  if (typeof args.path !== 'string') throw new ValueError('raw: `path` must be a string');
  const full = ctx.resolvePath(args.path);
  mkdirSync(dirname(full), { recursive: true });
  rmSync(`${full}.tmp`, { force: true }); // a leftover of a killed write
  const bytes = tensorBytes(t);
  writeFileSync(`${full}.tmp`, bytes, { flag: 'wx' }); // never through a planted link
  renameSync(`${full}.tmp`, full);
  if (ctx.macKey) writeMac(full, args.path, bytes, ctx.macKey());
});

/** Built-in sink `log`: logs the tensor's shape on the player (never its values). */
registerSink('log', (t, args, ctx) => {
  console.error(`[tfe player ${ctx.player}] output${typeof args.label === 'string' ? ` ${args.label}` : ''}: ${t.toString()}`);
});
