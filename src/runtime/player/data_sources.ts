import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { NotImplementedError, ValueError } from '../../errors.js';
import { normalizeRing, type RingSpec } from '../kernel_link.js';
import type { RingTensor } from '../kernel_link.js';
import { tensorBytes, tensorFromBytes } from '../wire/tensor_bytes.js';
import { resolveInside } from './safe_path.js';
import { playerMacKey, verifyMac, writeMac } from './checkpoint_integrity.js';
import { checkPath, type PlayerPolicy } from './policy.js';
import type { Origin } from './provenance.js';

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
  /**
   * The canonical file for `path` inside the data dir; `access` (default `read`) selects the
   * player's policy rule that must allow it (`load` or `write`).
   */
  resolvePath(path: string, access?: 'read' | 'write'): string;
  /**
   * Called by a loader whose tensor is not this player's raw data: `share` (a share of someone's
   * value: a checkpoint this player wrote from shares, a client's share) or `public` (metadata
   * the driver must learn by design, like a model's topology).
   */
  declare?(kind: 'share' | 'public'): void;
  /** The data-dir-relative form of a path `resolvePath` returned. */
  relativeOf?(full: string): string;
  /** In a sink: the origin of the tensor being written (see provenance.ts). */
  origin?: Origin;
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

/**
 * Options of {@link registerSink}.
 * @example
 * ```ts
 * const opts: SinkOptions = { remote: true }; // the sink sends the tensor over the network
 * ```
 */
export interface SinkOptions {
  /** The sink sends the tensor off this machine (a raw input may not go there in plaintext). */
  remote?: boolean;
}

const loaders = new Map<string, Loader>();
const sinks = new Map<string, Sink>();
const remoteSinks = new Set<string>();

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
export function registerSink(name: string, sink: Sink, opts: SinkOptions = {}): void {
  sinks.set(name, sink);
  if (opts.remote) remoteSinks.add(name);
  else remoteSinks.delete(name);
}

/**
 * Whether sink `name` sends its tensor off the player's machine.
 * @example
 * ```ts
 * isRemoteSink('client-reply'); // true
 * ```
 */
export function isRemoteSink(name: string): boolean {
  return remoteSinks.has(name);
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
 * (symlinks included) by {@link resolveInside}, and, with a `policy`, match its `load`
 * (reading) or `write` (sinks) patterns.
 * @example
 * ```ts
 * const ctx = dataContext('server0', '/data');
 * ctx.resolvePath('../etc/passwd'); // ValueError
 * ```
 */
export function dataContext(player: string, root: string, policy?: PlayerPolicy): DataContext {
  const base = resolve(root);
  let key: Buffer | undefined;
  let real = base;
  try { real = realpathSync(base); } catch { /* the resolver reports a missing data dir */ }
  const prefixes = [...new Set([real, base])].flatMap((d) => [d + sep, d]);
  const relativize = (text: string) => prefixes.reduce((t, p) => t.split(p).join(p.endsWith(sep) ? '' : '<data-dir>'), text);
  const resolvePath = (path: string, access: 'read' | 'write' = 'read') => {
    const full = resolveInside(base, path, player);
    if (policy) checkPath(policy, access === 'read' ? 'load' : 'write', relative(real, full), path, player);
    return full;
  };
  return { player, resolvePath, relativize, relativeOf: (full) => relative(real, full), macKey: () => (key ??= playerMacKey(base)) };
}

/**
 * What one loader call read and declared (see {@link trackedContext}).
 * @example
 * ```ts
 * const { ctx, seen } = trackedContext(player.data, root);
 * ```
 */
export interface LoaderTrace { files: string[]; declared?: 'share' | 'public' }

/**
 * A copy of `ctx` for one loader call that records the data-dir-relative paths it reads and
 * what it declares, so the player can classify the tensor (provenance.ts).
 * @example
 * ```ts
 * const { ctx: c, seen } = trackedContext(ctx);
 * await loader(args, c); // seen.files: ['train.csv']
 * ```
 */
export function trackedContext(ctx: DataContext): { ctx: DataContext; seen: LoaderTrace } {
  const seen: LoaderTrace = { files: [] };
  const resolvePath = (path: string, access: 'read' | 'write' = 'read') => {
    const full = ctx.resolvePath(path, access);
    if (access === 'read') seen.files.push(ctx.relativeOf ? ctx.relativeOf(full) : path);
    return full;
  };
  return { ctx: { ...ctx, resolvePath, declare: (kind) => { seen.declared = kind; } }, seen };
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
  const label = ctx.macKey ? verifyMac(full, path, bytes, ctx.macKey(), args.verify === true) : undefined;
  // Written by this player from a share (or a public value): not its raw data.
  if (label === 'share' || label === 'public') ctx.declare?.(label);
  return tensorFromBytes({ shape, ring }, bytes);
});

/** Built-in sink `raw`: `{path}` writes raw little-endian elements (temp file, then rename). */
registerSink('raw', (t, args, ctx) => {
  if (typeof args.path !== 'string') throw new ValueError('raw: `path` must be a string');
  const full = ctx.resolvePath(args.path, 'write');
  mkdirSync(dirname(full), { recursive: true });
  rmSync(`${full}.tmp`, { force: true }); // a leftover of a killed write
  const bytes = tensorBytes(t);
  writeFileSync(`${full}.tmp`, bytes, { flag: 'wx' }); // never through a planted link
  renameSync(`${full}.tmp`, full);
  // The label records what was written, so loading it back keeps a raw input raw.
  if (ctx.macKey) writeMac(full, args.path, bytes, ctx.macKey(), ctx.origin === 'secret' ? 'share' : ctx.origin === 'public' ? 'public' : undefined);
});

/** Built-in sink `log`: logs the tensor's shape on the player (never its values). */
registerSink('log', (t, args, ctx) => {
  console.error(`[tfe player ${ctx.player}] output${typeof args.label === 'string' ? ` ${args.label}` : ''}: ${t.toString()}`);
});
