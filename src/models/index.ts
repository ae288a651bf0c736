/**
 * Models: `tfe.sequential`, losses, optimizers (`tfe.train`), callbacks, secret-shared
 * checkpoints and the import of tfjs-layers models (`tfe.models.*`).
 *
 * @example
 * ```ts
 * const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] });
 * model.compile({ optimizer: tfe.train.sgd(0.1), loss: 'binaryCrossentropy' });
 * await model.save('ckpt');
 * const again = await tfe.models.load('ckpt');
 * ```
 */
import { Sequential } from './sequential.js';
import { fileHandler, fromLayersModel, loadLayersModel } from './import_tfjs.js';
import { fromOnnx, loadOnnx } from './onnx/index.js';

export { Sequential, sequential, type ModelCompileArgs, type ModelFitArgs, type SequentialArgs } from './sequential.js';
export { Callback, CallbackList, ProgressBar, type CustomCallbackArgs, type Logs } from './callbacks.js';
export { getLoss, sparseToOneHot, type Loss } from './losses.js';
export { getMetric, type Metric } from './metrics.js';
export { Adam, Optimizer, SGD, getOptimizer, train, type AdamArgs, type SGDArgs } from './optimizers.js';
export type { BatchDataset, History } from './training.js';
export { fileHandler, fromLayersModel, loadLayersModel, type ImportArgs } from './import_tfjs.js';
export { callbacks } from './callbacks.js';
export { analyzeRanges, type LayerRange } from './range_analysis.js';
export { fromOnnx, loadOnnx, OnnxModel } from './onnx/index.js';
export { restoreCheckpoint, saveCheckpoint, type CheckpointModel } from './checkpoint.js';

/**
 * Loads a secret-shared checkpoint written by `model.save(dir)`.
 * @example
 * ```ts
 * const model = await tfe.models.loadCheckpoint('ckpt');
 * ```
 */
export function loadCheckpoint(dir: string): Promise<Sequential> { return Sequential.load(dir); }

/**
 * `tfe.models`: checkpoint loading, tfjs import and ONNX import.
 * @example
 * ```ts
 * const m = await tfe.models.loadLayersModel('model/model.json', { owner: 'model-owner' });
 * ```
 */
export const models = {
  /** Loads a secret-shared checkpoint written by `model.save(dir)`. */
  load: loadCheckpoint,
  fromLayersModel,
  loadLayersModel,
  fileHandler,
  fromOnnx,
  loadOnnx,
};
