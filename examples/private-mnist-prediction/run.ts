/**
 * Private MNIST prediction, the TF Encrypted tutorial (issue 6): the model owner trains the
 * 784-128-128-10 network in plaintext with tfjs-layers, then secret-shares its weights with
 * `fromLayersModel`; a prediction client secret-shares its images; the servers (SecureNN)
 * compute the predictions on shares; only the client reconstructs them.
 *
 *   npx tsx examples/private-mnist-prediction/run.ts [--train 10000] [--test 500] [--epochs 3]
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { fromLayersModel } from '../../src/models/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { loadMnist, oneHot } from '../private-training/mnist.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const nTrain = arg('train', 10000), nTest = arg('test', 500), epochs = arg('epochs', 3);

// 1. The model owner trains in plaintext.
const trainSet = loadMnist('train', nTrain);
const plain = tf.sequential({ layers: [
  tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
  tf.layers.dense({ units: 128, activation: 'relu' }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
plain.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
console.log(`model owner: training 784-128-128-10 in plaintext on ${nTrain} images, ${epochs} epochs`);
await plain.fit(tf.tensor2d(Float32Array.from(trainSet.images), [nTrain, 784]), tf.tensor2d(Float32Array.from(oneHot(trainSet.labels)), [nTrain, 10]), {
  epochs, batchSize: 128, verbose: 0,
  callbacks: { onEpochEnd: (e, logs) => { console.log(`  epoch ${e + 1}: loss ${logs?.loss.toFixed(4)}, accuracy ${logs?.acc.toFixed(4)}`); } },
});

// 2. The weights are secret-shared by the model owner's player.
tfe.setProtocol(new SecureNN());
const model = await fromLayersModel(plain, { owner: 'model-owner' });

// 3. The prediction client secret-shares its images; only it learns the predictions.
const testSet = loadMnist('test', nTest);
const argmax = (r: ArrayLike<number>) => { let b = 0; for (let j = 1; j < r.length; j++) if (r[j] > r[b]) b = j; return b; };
const plainPred = (plain.predict(tf.tensor2d(Float32Array.from(testSet.images), [nTest, 784])) as tf.Tensor).dataSync();
const images = await tfe.definePrivateInput('prediction-client', () => testSet.images, { shape: [nTest, 784] });
const t0 = Date.now();
const probs = await model.predict(images, { batchSize: 128 });
let privCorrect = 0, plainCorrect = 0, agree = 0;
await tfe.defineOutput('prediction-client', probs, (values) => {
  for (let i = 0; i < nTest; i++) {
    const a = argmax(values.subarray(i * 10, i * 10 + 10)), b = argmax(plainPred.subarray(i * 10, i * 10 + 10));
    if (a === testSet.labels[i]) privCorrect++;
    if (b === testSet.labels[i]) plainCorrect++;
    if (a === b) agree++;
  }
});
const secs = (Date.now() - t0) / 1000;
console.log(`private predictions of ${nTest} images in ${secs.toFixed(1)} s (${(1000 * secs / nTest).toFixed(1)} ms per image)`);
console.log(`plaintext accuracy: ${(100 * plainCorrect / nTest).toFixed(1)}%`);
console.log(`private accuracy:   ${(100 * privCorrect / nTest).toFixed(1)}%`);
console.log(`agreement:          ${(100 * agree / nTest).toFixed(1)}%`);
process.exit(0);
