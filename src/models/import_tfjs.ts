/**
 * Import of plaintext tfjs-layers models for private prediction (and further private
 * training). The model owner's player secret-shares every weight (`definePrivateInput`
 * from `owner`; in LocalConfig the owner's provider runs in this process, where the tfjs model
 * lives). Sequential models and functional models that are a linear chain are accepted;
 * any other layer or topology fails with a message naming it.
 *
 * `loadLayersModel(path, {owner})` reads `model.json` and its weight shards from disk with its
 * own small file IO handler (no tfjs-node), lets tfjs parse them (`tf.loadLayersModel`,
 * `tf.io` weight decoding), and imports the result.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
  const tfjsLayers = (model.layers as TfjsLayer[]).slice();
  checkChain(tfjsLayers);
  const layers = tfjsLayers.map(convertLayer);
  const first = layers[0];
  if (!first.inputShape) {
    const shape = model.inputs?.[0]?.shape?.slice(1);
    if (!shape || shape.some((d) => d === null)) throw new ValueError('the imported model must have a fully known input shape (batch excluded)');
  }
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  const seq = new Sequential({ name: model.name });
  if (first.getClassName() !== 'InputLayer' && !first.inputShape) {
    const { InputLayer } = await import('../layers/index.js');
    seq.add(new InputLayer({ inputShape }));
  }
  for (const l of layers) seq.add(l);
  const p = getProtocol();
  seq.build();
  const values = await Promise.all(tfjsLayers.flatMap((l) => l.getWeights()).map(async (w) => {
    const data = Float64Array.from(await w.data());
    return shareFrom(p, owner, data, [...w.shape]);
  }));
  seq.setWeights(values);
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
      let json: tf.io.ModelJSON;
      try { json = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON; } catch (e) {
        throw new ValueError(`cannot read tfjs model \`${path}\`: ${(e as Error).message}`);
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new ValueError(`\`${path}\` is not a tfjs layers model.json (modelTopology and weightsManifest expected)`);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(new Uint8Array(await readFile(join(dirname(path), p))));
      }
      const total = buffers.reduce((a, b) => a + b.length, 0);
      const data = new Uint8Array(total);
      let off = 0;
      for (const b of buffers) { data.set(b, off); off += b.length; }
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: data.buffer, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy };
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
  const plain = await tf.loadLayersModel(fileHandler(path.startsWith('file://') ? path.slice(7) : path));
  try { return await fromLayersModel(plain, args); } finally { plain.dispose(); }
}
