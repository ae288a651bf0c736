/**
 * Import of plaintext tfjs-layers models for private prediction (and further private
 * training). The model owner's player secret-shares every weight (`definePrivateInput`
 * from `owner`; in LocalConfig the owner's provider runs in this process, where the tfjs model
 * lives). Sequential models and functional models that are a linear chain are accepted;
 * any other layer or topology fails with a message naming it.
 *
 * `loadLayersModel(path, {owner})` reads `model.json` and its weight shards from disk with its
 * own small file IO handler (no tfjs-node), lets tfjs parse them (`tf.loadLayersModel`,
 * `tf.io` weight decoding), and imports the result. With a remote owner (RemoteConfig), the
 * path is on the OWNER's machine, under its data directory: the owner reads the files and
 * shares the weights itself (src/data/tfjs_model_loader.ts), and the driver only learns the
 * topology. `fromLayersModel` with a remote owner has the weights in the driver's process
 * already, so the driver shares them.
 */
import { dirname, join } from 'node:path';
import { readModelFiles } from '../data/tfjs_model_loader.js';
import { getRuntime } from '../runtime/index.js';
import '../tfjs_env.js'; // quiet tfjs (PROD mode) before it is used
import * as tf from '@tensorflow/tfjs';
import { NotImplementedError, ValueError } from '../errors.js';
import { deserializeLayer, type Layer } from '../layers/index.js';
import { getProtocol } from '../protocols/protocol.js';
import { shareFrom } from './data_input.js';
import { Sequential } from './sequential.js';

/** Options of the importers. */
export interface ImportArgs {
  /** The player that owns and secret-shares the weights (default `model-owner`). */
  owner?: string;
}

type TfjsLayer = tf.layers.Layer & { inboundNodes?: { inboundLayers: tf.layers.Layer[] }[] };

function checkChain(layers: TfjsLayer[]): void {
  layers.forEach((l, i) => {
    const nodes = l.inboundNodes ?? [];
    const inbound = nodes.flatMap((n) => n.inboundLayers ?? []);
    const ok = i === 0 ? inbound.length === 0 || l.getClassName() !== 'InputLayer' : inbound.length <= 1 && (inbound.length === 0 || inbound[0] === layers[i - 1]);
    if (!ok) throw new NotImplementedError(`only linear chains of layers can be imported; layer \`${l.name}\` (${l.getClassName()}) has ${inbound.length} inputs or skips a layer`);
  });
}

function convertLayer(l: TfjsLayer): Layer {
  const className = l.getClassName();
  const config = { ...(l.getConfig() as Record<string, unknown>) };
  for (const k of ['dtype', 'inputDType', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint', 'noiseShape', 'seed',
    'betaConstraint', 'gammaConstraint', 'betaRegularizer', 'gammaRegularizer', 'sparse', 'ragged']) {
    if (config[k] === null) delete config[k];
  }
  delete config.dtype;
  try {
    return deserializeLayer({ className, config });
  } catch (e) {
    if (e instanceof NotImplementedError || e instanceof ValueError) {
      throw new NotImplementedError(`cannot import layer \`${l.name}\` (${className}): ${e.message}`);
    }
    throw e;
  }
}

/**
 * A tfe Sequential model with the architecture of `model` and its weights secret-shared by `owner`.
 * @example
 * ```ts
 * const priv = await tfe.models.fromLayersModel(tfjsModel, { owner: 'model-owner' });
 * const probs = await priv.predict(xPrivate);
 * ```
 */
export async function fromLayersModel(model: tf.LayersModel, args: ImportArgs = {}): Promise<Sequential> {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) throw new ValueError('`fromLayersModel` expects a tfjs LayersModel');
  const owner = args.owner ?? 'model-owner';
  const seq = await architectureOf(model);
  const p = getProtocol();
  const values = await Promise.all((model.layers as TfjsLayer[]).flatMap((l) => l.getWeights()).map(async (w) => {
    const data = Float64Array.from(await w.data());
    return shareFrom(p, owner, data, [...w.shape]);
  }));
  seq.setWeights(values);
  return seq;
}

/** A built tfe Sequential with the layers of `model` (a linear chain) and fresh weights. */
async function architectureOf(model: tf.LayersModel): Promise<Sequential> {
  const tfjsLayers = (model.layers as TfjsLayer[]).slice();
  checkChain(tfjsLayers);
  const layers = tfjsLayers.map(convertLayer);
  const first = layers[0];
  const inputShape = model.inputs?.[0]?.shape?.slice(1);
  if (!first.inputShape && (!inputShape || inputShape.some((d) => d === null))) {
    throw new ValueError('the imported model must have a fully known input shape (batch excluded)');
  }
  const seq = new Sequential({ name: model.name });
  if (first.getClassName() !== 'InputLayer' && !first.inputShape) {
    const { InputLayer } = await import('../layers/index.js');
    seq.add(new InputLayer({ inputShape: inputShape as number[] }));
  }
  for (const l of layers) seq.add(l);
  seq.build();
  return seq;
}

/**
 * A tf.io handler reading a tfjs `model.json` and its weight shards from the local disk.
 * @example
 * ```ts
 * const m = await tf.loadLayersModel(fileHandler('out/model.json'));
 * ```
 */
export function fileHandler(path: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const { json, specs, data } = await readModelFiles(path);
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: data, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy };
    },
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const { mkdir, writeFile, rename } = await import('node:fs/promises');
      await mkdir(dirname(path), { recursive: true });
      const weightsFile = 'weights.bin';
      const manifest = [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }];
      const data = artifacts.weightData instanceof ArrayBuffer ? new Uint8Array(artifacts.weightData) : new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer[]));
      await writeFile(join(dirname(path), `${weightsFile}.tmp`), data);
      await rename(join(dirname(path), `${weightsFile}.tmp`), join(dirname(path), weightsFile));
      const json = { modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy, weightsManifest: manifest };
      await writeFile(`${path}.tmp`, JSON.stringify(json));
      await rename(`${path}.tmp`, path);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.length } };
    },
  };
}

/**
 * Loads a tfjs layers model from `path/model.json` on disk and imports it (weights shared by `owner`).
 * @example
 * ```ts
 * const priv = await tfe.models.loadLayersModel('model/model.json', { owner: 'model-owner' });
 * ```
 */
export async function loadLayersModel(path: string, args: ImportArgs = {}): Promise<Sequential> {
  if (typeof path !== 'string' || !path) throw new ValueError('`path` must be the path of a tfjs model.json');
  const file = path.startsWith('file://') ? path.slice(7) : path;
  const owner = args.owner ?? 'model-owner';
  if (!getRuntime().isInProcess(owner)) return loadOnOwner(file, owner);
  let plain: tf.LayersModel;
  try { plain = await tf.loadLayersModel(fileHandler(file)); } catch (e) {
    if (e instanceof ValueError) throw e;
    throw new ValueError(`cannot load tfjs model \`${file}\`: ${(e as Error).message}`);
  }
  try { return await fromLayersModel(plain, args); } finally { plain.dispose(); }
}

/**
 * The remote-owner path of {@link loadLayersModel}:
 *  1. the owner reads model.json from its data directory and reports the topology and weight
 *     names (public: the driver builds the same architecture from them);
 *  2. the driver rebuilds the layers (tfjs `modelFromJSON`, no weights needed);
 *  3. for each weight, in tfjs order, the owner decodes and encodes it and secret-shares it
 *     (`tfjs-weight` loader). The weights never reach the driver.
 */
async function loadOnOwner(path: string, owner: string): Promise<Sequential> {
  const rt = getRuntime();
  const handle = await rt.inputAsync(owner, { kind: 'source', loader: 'tfjs-topology', args: { path } });
  const bytes = (await rt.reveal(handle)).values() as Uint8Array;
  rt.free(handle);
  const info = JSON.parse(new TextDecoder().decode(bytes)) as { modelTopology: tf.io.ModelJSON['modelTopology']; weights: { name: string; shape: number[] }[] };
  const plain = await tf.models.modelFromJSON({ modelTopology: info.modelTopology } as tf.io.ModelJSON);
  try {
    const seq = await architectureOf(plain);
    const p = getProtocol();
    const saved = new Map(info.weights.map((w) => [w.name, w.shape]));
    const values = await Promise.all(plain.layers.flatMap((l) => l.weights).map((v) => {
      const shape = saved.get(v.originalName);
      if (!shape) throw new ValueError(`\`${path}\` on \`${owner}\` has no weight \`${v.originalName}\` (it has ${[...saved.keys()].join(', ')})`);
      if (shape.join() !== v.shape.join()) throw new ValueError(`weight \`${v.originalName}\` of \`${path}\` has shape [${shape.join(',')}], the topology expects [${v.shape.join(',')}]`);
      return p.definePrivateInput(owner, { loader: 'tfjs-weight', args: { path, name: v.originalName }, shape: [...shape] });
    }));
    seq.setWeights(values);
    return seq;
  } finally { plain.dispose(); }
}
