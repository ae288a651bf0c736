/**
 * Loaders that let a remote model owner's player read an ONNX file from its own data
 * directory, so the weights never pass through the driver (`loadOnnx` with a remote owner):
 * - `onnx-graph` `{path}`: the parsed, checked structure (operators, attributes, shapes, public
 *   constants; no initializer values) as UTF-8 JSON bytes in a u8 tensor.
 * - `onnx-weight` `{path, name, fracBits}`: one initializer, encoded to fixed point on the
 *   owner, ready to be secret-shared from there.
 * Errors name the file as the driver gave it, never its resolved (absolute) path.
 */
import { readFile } from 'node:fs/promises';
import { ValueError } from '../../errors.js';
import { encodeFixed } from '../../kernels/fixed_point.js';
import { getBackend, RingTensor } from '../../kernels/index.js';
import { registerLoader, type DataContext } from '../../runtime/index.js';
import { parseOnnx, type OnnxConstant, type OnnxGraph, type OnnxWeights } from './parse.js';

/**
 * The graph as JSON (typed arrays as plain arrays, constants as entries).
 * @example
 * ```ts
 * const again = graphFromJson(graphToJson(graph));
 * ```
 */
export function graphToJson(g: OnnxGraph): string {
  return JSON.stringify({ ...g, constants: [...g.constants].map(([k, c]) => [k, { shape: c.shape, values: Array.from(c.values) }]) },
    (_k, v) => (v instanceof Float64Array ? Array.from(v) : v));
}

/**
 * The inverse of {@link graphToJson}.
 * @example
 * ```ts
 * const graph = graphFromJson(text);
 * ```
 */
export function graphFromJson(text: string): OnnxGraph {
  const o = JSON.parse(text) as OnnxGraph & { constants: [string, { shape: number[]; values: number[] }][] };
  return { ...o, constants: new Map(o.constants.map(([k, c]) => [k, { shape: c.shape, values: Float64Array.from(c.values) } as OnnxConstant])) };
}

/** The weights of the model last read, keyed by player and resolved path, until all are shared. */
let cached: { key: string; weights: OnnxWeights } | undefined;

/** Resolves `rel` inside the player's data directory (the policy's check, on every call). */
function resolve(rel: string, ctx: DataContext): { path: string; key: string } {
  const path = ctx.resolvePath(rel); // its own error (outside the data directory, ...) as is
  return { path, key: `${ctx.player}\u0000${path}` };
}

async function read(path: string, rel: string): Promise<{ graph: OnnxGraph; weights: OnnxWeights }> {
  let bytes: Uint8Array;
  try { bytes = new Uint8Array(await readFile(path)); } catch (e) {
    throw new ValueError(`cannot read ONNX model \`${rel}\`: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return parseOnnx(bytes);
}

function pathArg(args: Record<string, unknown>, loader: string): string {
  const v = args.path;
  if (typeof v !== 'string' || !v) throw new ValueError(`${loader} loader: \`path\` must be a non-empty string, got ${typeof v}`);
  return v;
}

registerLoader('onnx-graph', async (args, ctx) => {
  const rel = pathArg(args, 'onnx-graph');
  const { path, key } = resolve(rel, ctx);
  const { graph, weights } = await read(path, rel);
  ctx.declare?.('public'); // the graph and its public structure constants, which the driver rebuilds; never a weight value
  cached = { key, weights };
  const bytes = new TextEncoder().encode(graphToJson(graph));
  return new RingTensor([bytes.length], 'u8', getBackend().upload(bytes, 'u8'), 256);
});

registerLoader('onnx-weight', async (args, ctx) => {
  const rel = pathArg(args, 'onnx-weight');
  const name = args.name;
  const fracBits = args.fracBits ?? 16;
  if (typeof name !== 'string' || !Number.isInteger(fracBits)) throw new ValueError('onnx-weight loader: expected a string `name` and an integer `fracBits`');
  const { path, key } = resolve(rel, ctx);
  if (cached?.key !== key) cached = { key, weights: (await read(path, rel)).weights };
  const w = cached.weights.get(name);
  if (!w) throw new ValueError(`onnx-weight loader: \`${rel}\` has no initializer \`${name}\``);
  // taken once: the player keeps no plaintext weights after the last one is shared
  cached.weights.delete(name);
  if (cached.weights.size === 0) cached = undefined;
  return encodeFixed(w.values, w.shape, { fracBits: fracBits as number });
});
