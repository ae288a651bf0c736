/**
 * Keras-style layers, mirroring tfjs-layers names and argument objects (`tfe.layers.dense`,
 * `conv2d`, ...). Each layer runs forward (`call`) and backward on private tensors through the
 * active protocol, and round-trips through `getConfig`/`fromConfig`.
 *
 * @example
 * ```ts
 * const model = tfe.sequential({ layers: [
 *   tfe.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
 *   tfe.layers.dense({ units: 10 }),
 * ] });
 * ```
 */
import { Activation, Dropout, Flatten, InputLayer, ReLU, Reshape, type ActivationArgs, type DropoutArgs, type InputLayerArgs, type ReLUArgs, type ReshapeArgs } from './core.js';
import { BatchNormalization, type BatchNormalizationArgs } from './batch_normalization.js';
import { Conv2D, type Conv2DArgs } from './conv2d.js';
import { Dense, type DenseArgs } from './dense.js';
import type { LayerArgs } from './layer.js';
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D, type GlobalPooling2DArgs, type Pooling2DArgs } from './pooling.js';

export { Layer, deserializeLayer, registerLayer, type LayerArgs, type LayerWeight, type Gradients, type BackwardOptions, type CallKwargs, type Shape, type SerializedLayer } from './layer.js';
export { Activation, BatchNormalization, Conv2D, Dense, Dropout, Flatten, InputLayer, ReLU, Reshape, AveragePooling2D, MaxPooling2D, GlobalAveragePooling2D };
export type { ActivationArgs, BatchNormalizationArgs, Conv2DArgs, DenseArgs, DropoutArgs, GlobalPooling2DArgs, InputLayerArgs, Pooling2DArgs, ReLUArgs, ReshapeArgs };
export type { ActivationName } from './activations.js';

/**
 * A densely connected layer (tfjs `tf.layers.dense`).
 * @example
 * ```ts
 * tfe.layers.dense({ units: 10, activation: 'softmax', inputShape: [784] });
 * ```
 */
export const dense = (args: DenseArgs): Dense => new Dense(args);
/**
 * A 2-D convolution (tfjs `tf.layers.conv2d`), NHWC.
 * @example
 * ```ts
 * tfe.layers.conv2d({ filters: 16, kernelSize: 5, strides: 1, padding: 'same', inputShape: [28, 28, 1] });
 * ```
 */
export const conv2d = (args: Conv2DArgs): Conv2D => new Conv2D(args);
/**
 * Average pooling (tfjs `tf.layers.averagePooling2d`).
 * @example
 * ```ts
 * tfe.layers.averagePooling2d({ poolSize: 2 });
 * ```
 */
export const averagePooling2d = (args: Pooling2DArgs = {}): AveragePooling2D => new AveragePooling2D(args);
/**
 * Max pooling (tfjs `tf.layers.maxPooling2d`); needs a protocol with exact comparison (SecureNN or ABY3).
 * @example
 * ```ts
 * tfe.layers.maxPooling2d({ poolSize: [2, 2] });
 * ```
 */
export const maxPooling2d = (args: Pooling2DArgs = {}): MaxPooling2D => new MaxPooling2D(args);
/**
 * Global average pooling (tfjs `tf.layers.globalAveragePooling2d`).
 * @example
 * ```ts
 * tfe.layers.globalAveragePooling2d({});
 * ```
 */
export const globalAveragePooling2d = (args: GlobalPooling2DArgs = {}): GlobalAveragePooling2D => new GlobalAveragePooling2D(args);
/**
 * Batch normalization with frozen statistics (tfjs `tf.layers.batchNormalization`).
 * @example
 * ```ts
 * tfe.layers.batchNormalization({ epsilon: 1e-3 });
 * ```
 */
export const batchNormalization = (args: BatchNormalizationArgs = {}): BatchNormalization => new BatchNormalization(args);
/**
 * An activation layer (tfjs `tf.layers.activation`).
 * @example
 * ```ts
 * tfe.layers.activation({ activation: 'relu' });
 * ```
 */
export const activation = (args: ActivationArgs): Activation => new Activation(args);
/**
 * A ReLU layer (tfjs `tf.layers.reLU`).
 * @example
 * ```ts
 * tfe.layers.reLU();
 * ```
 */
export const reLU = (args: ReLUArgs = {}): ReLU => new ReLU(args);
/**
 * Flattens each example (tfjs `tf.layers.flatten`).
 * @example
 * ```ts
 * tfe.layers.flatten();
 * ```
 */
export const flatten = (args: LayerArgs = {}): Flatten => new Flatten(args);
/**
 * Reshapes each example (tfjs `tf.layers.reshape`).
 * @example
 * ```ts
 * tfe.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] });
 * ```
 */
export const reshape = (args: ReshapeArgs): Reshape => new Reshape(args);
/**
 * Dropout, identity at inference (tfjs `tf.layers.dropout`).
 * @example
 * ```ts
 * tfe.layers.dropout({ rate: 0.1 });
 * ```
 */
export const dropout = (args: DropoutArgs): Dropout => new Dropout(args);
/**
 * An input layer declaring the example shape (tfjs `tf.layers.inputLayer`).
 * @example
 * ```ts
 * tfe.layers.inputLayer({ inputShape: [784] });
 * ```
 */
export const inputLayer = (args: InputLayerArgs): InputLayer => new InputLayer(args);
