/**
 * `tfe.models.fromOnnx(bytes, {owner})` and `tfe.models.loadOnnx(path, {owner})`: an ONNX
 * model (e.g. exported by `torch.onnx.export`) as a tfe model whose weights are secret-shared
 * by `owner`. The driver parses and checks the structure first, so an unsupported operator or
 * attribute, a malformed file or a model that does not keep the batch first fails before any
 * share is sent; then the owner shares each initializer, and its change of layout (ONNX NCHW
 * and [out, in] matrices → tfe's NHWC and [in, out]) is done on the shares.
 *
 * The result is a {@link Sequential} of {@link OnnxNodeLayer}s (one per node), so `predict`,
 * `evaluate`, `summary`, `save` and, where every node has a backward, `compile`/`fit` work as
 * for any tfe model. Inputs and outputs keep the ONNX layout (NCHW for images), so results
 * compare directly with onnxruntime's.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { ValueError } from '../../errors.js';
import type { Protocol } from '../../protocols/protocol.js';
import { TfeTensor } from '../../protocols/tensor.js';
import { getRuntime } from '../../runtime/index.js';
import { shareFrom, type ModelInput } from '../data_input.js';
import type { ImportArgs } from '../import_tfjs.js';
import { Sequential, type ModelFitArgs } from '../sequential.js';
import type { History } from '../training.js';
import { checkOnnxGraph } from './check.js';
import { convertGraph } from './convert.js';
import { OnnxNodeLayer } from './node_layer.js';
import { graphFromJson } from './loader.js';
import { parseOnnx, type OnnxGraph } from './parse.js';

let graphCount = 0;

/** The shape of a plain input, read without sharing it (undefined for a private tensor). */
function plainShape(v: unknown): number[] | undefined {
  if (v instanceof TfeTensor || v === null || v === undefined) return undefined;
  if (typeof (v as { dataSync?: unknown }).dataSync === 'function') return [...(v as { shape: number[] }).shape];
  if (Array.isArray(v)) { const s: number[] = []; for (let a: unknown = v; Array.isArray(a); a = a[0]) s.push(a.length); return s; }
  return undefined;
}

/**
 * An imported ONNX model: a Sequential of its nodes that checks the shape of plain inputs
 * before they are secret-shared.
 * @example
 * ```ts
 * const model = await tfe.models.loadOnnx('cnn.onnx', { owner: 'model-owner' });
 * const y = await model.predict(x, { reveal: true });
 * ```
 */
export class OnnxModel extends Sequential {
  /** Fails when the protocol cannot run a node, or with both shapes when plain `x` does not fit, before anything is shared. @internal */
  checkPlain(x: unknown, what = 'x'): void {
    const p = this.build();
    for (const l of this.layers) l.checkProtocol(p, false);
    const s = plainShape(x);
    const want = this.inputShape;
    if (s && (s.length !== want.length || want.some((d, i) => d !== null && d !== s[i]))) {
      throw new ValueError(`model \`${this.name}\` expects input of shape [${want.map((d) => d ?? 'null').join(',')}], got ${what} of shape [${s.join(',')}]`);
    }
  }

  override predict(x: ModelInput, args: { batchSize?: number; reveal?: false; dataOwner?: string }): Promise<TfeTensor>;
  override predict(x: ModelInput, args: { batchSize?: number; reveal: true; dataOwner?: string }): Promise<tf.Tensor>;
  override predict(x: ModelInput): Promise<TfeTensor>;
  override async predict(x: ModelInput, args: { batchSize?: number; reveal?: boolean; dataOwner?: string } = {}): Promise<TfeTensor | tf.Tensor> {
    this.checkPlain(x);
    return super.predict(x, args as { reveal: true });
  }

  override async evaluate(x: ModelInput, y: ModelInput, args: { batchSize?: number; revealTo?: string; dataOwner?: string } = {}): Promise<number | number[]> {
    this.checkPlain(x);
    return super.evaluate(x, y, args);
  }

  override fit(x: ModelInput, y: ModelInput, args?: ModelFitArgs): Promise<History>;
  override fit(dataset: Parameters<Sequential['fitDataset']>[0], args?: ModelFitArgs): Promise<History>;
  override async fit(x: ModelInput | Parameters<Sequential['fitDataset']>[0], y?: ModelInput | ModelFitArgs, args: ModelFitArgs = {}): Promise<History> {
    this.checkPlain(x);
    return super.fit(x as ModelInput, y as ModelInput, args);
  }
}

function layerNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((n, i) => {
    let s = n.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || `node_${i}`;
    if (seen.has(s)) s = `${s}_${i}`;
    seen.add(s);
    return s;
  });
}

/**
 * The model of `bytes` (an ONNX ModelProto) with its initializers secret-shared by `owner`.
 * The bytes are in the driver's process: with a remote owner (RemoteConfig) the driver shares
 * them itself, as `fromLayersModel` does; use {@link loadOnnx} to have the owner read its own file.
 * @example
 * ```ts
 * const model = await tfe.models.fromOnnx(readFileSync('mlp.onnx'), { owner: 'model-owner' });
 * ```
 */
export async function fromOnnx(bytes: Uint8Array, args: ImportArgs & { name?: string } = {}): Promise<OnnxModel> {
  const { graph, weights } = parseOnnx(bytes);
  const owner = args.owner ?? 'model-owner';
  return fromGraph(graph, args.name, (p, init) => {
    const w = weights.get(init);
    if (!w) throw new ValueError(`ONNX model: initializer \`${init}\` has no values`);
    return shareFrom(p, owner, w.values, w.shape);
  });
}

/** A private initializer, shared by its owner. */
type ShareInit = (p: Protocol, init: string, shape: number[]) => Promise<TfeTensor>;

/** Checks and converts the graph (nothing is sent before this succeeds), builds the model, then shares the weights. */
async function fromGraph(graph: OnnxGraph, name: string | undefined, share: ShareInit): Promise<OnnxModel> {
  checkOnnxGraph(graph);
  const specs = convertGraph(graph);
  const id = `onnx_${++graphCount}`;
  const names = layerNames(specs.map((s) => s.name));
  const input = graph.inputs[0];
  const layers = specs.map((spec, i) => new OnnxNodeLayer({
    name: names[i], graph: id, spec,
    graphInput: i === 0 ? input.name : undefined, graphOutput: i === specs.length - 1 ? graph.outputs[0].name : undefined,
    inputShape: i === 0 ? input.shape.slice(1) : undefined,
  }));
  const model = new OnnxModel({ name: name ?? id, layers });
  const p = model.build();
  const shapes = new Map(graph.initializers.map((i) => [i.name, i.shape]));
  const values: TfeTensor[] = [];
  // the owner shares each initializer; the layout changes run on the shares
  const once = new Map<string, Promise<TfeTensor>>(); // an initializer read by two nodes is shared once
  for (const l of model.layers as OnnxNodeLayer[]) {
    for (const src of l.sources) {
      if (!once.has(src.init)) once.set(src.init, share(p, src.init, shapes.get(src.init) ?? []));
      const shared = await once.get(src.init)!;
      values.push(src.transform ? src.transform(p, shared) : shared);
    }
  }
  if (values.length > 0) model.setWeights(values);
  return model;
}

/**
 * Reads an ONNX file and imports it ({@link fromOnnx}); errors name the file by its base name.
 * @example
 * ```ts
 * const model = await tfe.models.loadOnnx('models/cnn.onnx', { owner: 'model-owner' });
 * ```
 */
export async function loadOnnx(path: string, args: ImportArgs = {}): Promise<OnnxModel> {
  if (typeof path !== 'string' || !path) throw new ValueError('`path` must be the path of an .onnx file');
  const file = path.startsWith('file://') ? path.slice(7) : path;
  const name = basename(file).replace(/\.onnx$/, '').replace(/[^A-Za-z0-9_]+/g, '_');
  const owner = args.owner ?? 'model-owner';
  if (!getRuntime().isInProcess(owner)) return loadOnOwner(file, owner, name);
  let bytes: Uint8Array;
  try { bytes = new Uint8Array(await readFile(file)); } catch (e) {
    throw new ValueError(`cannot read ONNX model \`${basename(file)}\`: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return fromOnnx(bytes, { owner, name });
}

/**
 * The remote-owner path of {@link loadOnnx} (as `loadLayersModel`'s):
 *  1. the owner reads the file from its data directory and reports the structure (public);
 *  2. the driver checks and converts it, and builds the model;
 *  3. the owner encodes and secret-shares each initializer (`onnx-weight` loader).
 */
async function loadOnOwner(path: string, owner: string, name: string): Promise<OnnxModel> {
  const rt = getRuntime();
  const handle = await rt.inputAsync(owner, { kind: 'source', loader: 'onnx-graph', args: { path } });
  const bytes = (await rt.reveal(handle)).values() as Uint8Array;
  rt.free(handle);
  const graph = graphFromJson(new TextDecoder().decode(bytes));
  return fromGraph(graph, name, (p, init, shape) => p.definePrivateInput(owner, { loader: 'onnx-weight', args: { path, name: init }, shape }));
}
