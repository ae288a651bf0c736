/**
 * Loaders that let a model owner's player read a tfjs layers model (`model.json` plus weight
 * shards, the format `model.save` writes) from its own data directory, so a remote owner's
 * weights never pass through the driver (`tfe.models.loadLayersModel` uses them when the owner
 * is not in the driver's process):
 * - `tfjs-topology` `{path}`: the model's topology and weight names — public, the driver
 *   needs them to build the same architecture — as UTF-8 JSON bytes in a u8 tensor.
 * - `tfjs-weight` `{path, name, fracBits}`: one weight, decoded and encoded to fixed point on
 *   the owner, ready to be secret-shared from there.
 * tfjs is imported on first use only, so players that never load a model do not pay for it.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import { encodeFixed } from '../kernels/fixed_point.js';
import { hostTensor } from '../runtime/wire/tensor_bytes.js';
import { registerLoader, type DataContext } from '../runtime/player/data_sources.js';

/** The bytes of a model.json, parsed, with its weight shards concatenated. */
interface ModelFiles { json: tfTypes.io.ModelJSON; specs: tfTypes.io.WeightsManifestEntry[]; data: ArrayBuffer }

/**
 * Reads `path` (a tfjs model.json) and every weight shard it lists, from the same folder.
 * @example
 * ```ts
 * const { json, specs, data } = await readModelFiles('model/model.json');
 * ```
 */
export async function readModelFiles(path: string, resolveShard: (p: string) => string = (p) => join(dirname(path), p), shown = basename(path)): Promise<ModelFiles> {
  let json: tfTypes.io.ModelJSON;
  // Errors name the file as the driver gave it and never quote its content.
  try { json = JSON.parse(await readFile(path, 'utf8')) as tfTypes.io.ModelJSON; } catch (e) {
    const why = e instanceof SyntaxError ? 'not valid JSON' : (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValueError(`cannot read tfjs model \`${shown}\`: ${why}`);
  }
  if (!json || !json.modelTopology || !Array.isArray(json.weightsManifest)) throw new ValueError(`\`${shown}\` is not a tfjs layers model.json (modelTopology and weightsManifest expected)`);
  const specs: tfTypes.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new ValueError(`\`${shown}\`: weight shard paths must be strings`);
      const full = resolveShard(p);
      try { buffers.push(new Uint8Array(await readFile(full))); } catch (e) {
        throw new ValueError(`cannot read weight shard \`${p}\` of \`${shown}\`: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
    }
  }
  const data = new ArrayBuffer(buffers.reduce((a, b) => a + b.length, 0));
  let off = 0;
  for (const b of buffers) { new Uint8Array(data, off, b.length).set(b); off += b.length; }
  checkWeightBytes(specs, data.byteLength, shown, json.weightsManifest.flatMap((g) => g.paths));
  return { json, specs, data };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/**
 * Checks that the shards hold exactly the bytes the manifest's weights need, so a truncated or
 * padded `weights.bin` is a `ValueError` naming the file and the first weight that does not fit
 * (tfjs alone says only "the tensor should have N values but has M").
 * @example
 * ```ts
 * checkWeightBytes(specs, data.byteLength, 'model/model.json', ['weights.bin']);
 * ```
 */
export function checkWeightBytes(specs: readonly tfTypes.io.WeightsManifestEntry[], bytes: number, label: string, shards: readonly string[]): void {
  let end = 0;
  for (const w of specs) {
    const per = BYTES[w.quantization?.dtype ?? w.dtype];
    if (per === undefined) return; // strings and unknown encodings: tfjs checks them itself
    const need = w.shape.reduce((a, b) => a * b, 1) * per;
    if (end + need > bytes) {
      throw new ValueError(`weights of \`${label}\` are truncated: weight \`${w.name}\` [${w.shape.join(',')}] needs bytes ${end}–${end + need}, but ${shards.map((p) => `\`${p}\``).join(', ')} ${shards.length === 1 ? 'holds' : 'hold'} ${bytes} bytes`);
    }
    end += need;
  }
  if (end !== bytes) throw new ValueError(`weights of \`${label}\`: ${shards.map((p) => `\`${p}\``).join(', ')} ${shards.length === 1 ? 'holds' : 'hold'} ${bytes} bytes, the manifest's weights need ${end}`);
}

// The model being loaded, so loading its weights one by one reads the files once; dropped
// when every weight was taken (or a read failed).
let cached: { path: string; weights: Promise<Map<string, { values: Float64Array; shape: number[] }>> } | undefined;

/** Shard paths are relative to the model.json and go through the player's path resolver. */
function shardResolver(rel: string, ctx: DataContext): (p: string) => string {
  return (p) => ctx.resolvePath(join(dirname(rel), p));
}

async function decodeAll(path: string, rel: string, ctx: DataContext): Promise<Map<string, { values: Float64Array; shape: number[] }>> {
  await import('../tfjs_env.js'); // quiet tfjs (PROD mode) before its first use in a player
  const tf = await import('@tensorflow/tfjs');
  const { specs, data } = await readModelFiles(path, shardResolver(rel, ctx), rel);
  const tensors = tf.io.decodeWeights(data, specs);
  const out = new Map<string, { values: Float64Array; shape: number[] }>();
  for (const [name, t] of Object.entries(tensors)) {
    out.set(name, { values: Float64Array.from(t.dataSync()), shape: [...t.shape] });
    t.dispose();
  }
  return out;
}

function stringArg(args: Record<string, unknown>, key: string, loader: string): string {
  const v = args[key];
  if (typeof v !== 'string' || !v) throw new ValueError(`${loader} loader: \`${key}\` must be a non-empty string, got ${typeof v}`);
  return v;
}

registerLoader('tfjs-topology', async (args, ctx) => {
  const rel = stringArg(args, 'path', 'tfjs-topology');
  const { json, specs } = await readModelFiles(ctx.resolvePath(rel), shardResolver(rel, ctx), rel);
  const bytes = new TextEncoder().encode(JSON.stringify({ modelTopology: json.modelTopology, weights: specs.map((s) => ({ name: s.name, shape: s.shape })) }));
  ctx.declare?.('public'); // the architecture, which the driver rebuilds; never a weight value
  return hostTensor(bytes, [bytes.length], { dtype: 'u8', modulus: 256 });
});

registerLoader('tfjs-weight', async (args, ctx) => {
  const rel = stringArg(args, 'path', 'tfjs-weight');
  const path = ctx.resolvePath(rel);
  const name = stringArg(args, 'name', 'tfjs-weight');
  const fracBits = args.fracBits ?? 16;
  if (!Number.isInteger(fracBits)) throw new ValueError('tfjs-weight loader: `fracBits` must be an integer');
  if (cached?.path !== path) cached = { path, weights: decodeAll(path, rel, ctx) };
  let weights;
  try { weights = await cached.weights; } catch (e) { cached = undefined; throw e; }
  const w = weights.get(name);
  if (!w) throw new ValueError(`tfjs-weight loader: \`${rel}\` has no weight \`${name}\` (it has ${[...weights.keys()].join(', ') || 'none left'})`);
  weights.delete(name);
  if (weights.size === 0) cached = undefined;
  return encodeFixed(w.values, w.shape, { fracBits: fracBits as number });
});
