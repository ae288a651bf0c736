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
import { dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import { encodeFixed } from '../kernels/fixed_point.js';
import { hostTensor } from '../runtime/wire/tensor_bytes.js';
import { registerLoader } from '../runtime/player/data_sources.js';

/** The bytes of a model.json, parsed, with its weight shards concatenated. */
interface ModelFiles { json: tfTypes.io.ModelJSON; specs: tfTypes.io.WeightsManifestEntry[]; data: ArrayBuffer }

/**
 * Reads `path` (a tfjs model.json) and every weight shard it lists, from the same folder.
 * @example
 * ```ts
 * const { json, specs, data } = await readModelFiles('model/model.json');
 * ```
 */
export async function readModelFiles(path: string): Promise<ModelFiles> {
  let json: tfTypes.io.ModelJSON;
  try { json = JSON.parse(await readFile(path, 'utf8')) as tfTypes.io.ModelJSON; } catch (e) {
    throw new ValueError(`cannot read tfjs model \`${path}\`: ${(e as Error).message}`);
  }
  if (!json || !json.modelTopology || !Array.isArray(json.weightsManifest)) throw new ValueError(`\`${path}\` is not a tfjs layers model.json (modelTopology and weightsManifest expected)`);
  const specs: tfTypes.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      try { buffers.push(new Uint8Array(await readFile(join(dirname(path), p)))); } catch (e) {
        throw new ValueError(`cannot read weight shard \`${p}\` of \`${path}\`: ${(e as Error).message}`);
      }
    }
  }
  const data = new ArrayBuffer(buffers.reduce((a, b) => a + b.length, 0));
  let off = 0;
  for (const b of buffers) { new Uint8Array(data, off, b.length).set(b); off += b.length; }
  return { json, specs, data };
}

// The model being loaded, so loading its weights one by one reads the files once; dropped
// when every weight was taken (or a read failed).
let cached: { path: string; weights: Promise<Map<string, { values: Float64Array; shape: number[] }>> } | undefined;

async function decodeAll(path: string): Promise<Map<string, { values: Float64Array; shape: number[] }>> {
  const tf = await import('@tensorflow/tfjs');
  const { specs, data } = await readModelFiles(path);
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
  const { json, specs } = await readModelFiles(ctx.resolvePath(stringArg(args, 'path', 'tfjs-topology')));
  const bytes = new TextEncoder().encode(JSON.stringify({ modelTopology: json.modelTopology, weights: specs.map((s) => ({ name: s.name, shape: s.shape })) }));
  return hostTensor(bytes, [bytes.length], { dtype: 'u8', modulus: 256 });
});

registerLoader('tfjs-weight', async (args, ctx) => {
  const path = ctx.resolvePath(stringArg(args, 'path', 'tfjs-weight'));
  const name = stringArg(args, 'name', 'tfjs-weight');
  const fracBits = args.fracBits ?? 16;
  if (!Number.isInteger(fracBits)) throw new ValueError('tfjs-weight loader: `fracBits` must be an integer');
  if (cached?.path !== path) cached = { path, weights: decodeAll(path) };
  let weights;
  try { weights = await cached.weights; } catch (e) { cached = undefined; throw e; }
  const w = weights.get(name);
  if (!w) throw new ValueError(`tfjs-weight loader: \`${path}\` has no weight \`${name}\` (it has ${[...weights.keys()].join(', ') || 'none left'})`);
  weights.delete(name);
  if (weights.size === 0) cached = undefined;
  return encodeFixed(w.values, w.shape, { fracBits: fracBits as number });
});
