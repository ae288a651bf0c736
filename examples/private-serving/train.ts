/**
 * The model owner's step: trains a small MNIST classifier (784-64-10, ReLU, logits) in
 * plaintext with tfjs and saves it as a tfjs model.json in `dir`.
 *
 *   npx tsx examples/private-serving/train.ts <dir> [--train 3000] [--epochs 2]
 */
import * as tf from '@tensorflow/tfjs';
import { fileHandler } from '../../src/models/index.js';
import { loadMnist, oneHot } from '../private-training/mnist.js';

/** Trains on the first `nTrain` MNIST images and writes `dir/model.json`; returns the model. */
export async function trainModel(dir: string, nTrain: number, epochs: number): Promise<tf.LayersModel> {
  const train = loadMnist('train', nTrain);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [784] }),
    tf.layers.dense({ units: 10 }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.002), loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p) });
  await model.fit(tf.tensor2d(Float32Array.from(train.images), [nTrain, 784]), tf.tensor2d(Float32Array.from(oneHot(train.labels)), [nTrain, 10]), { epochs, batchSize: 64, verbose: 0 });
  await model.save(fileHandler(`${dir}/model.json`));
  return model;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
  const dir = process.argv[2] ?? 'mnist-model';
  await trainModel(dir, arg('train', 3000), arg('epochs', 2));
  console.log(`model owner: trained 784-64-10 in plaintext, saved to ${dir}/model.json`);
}
