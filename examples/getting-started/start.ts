/**
 * `npm start`: the main demo (issue 22). On the default LocalConfig it trains a logistic
 * regression (MNIST digits 0–4 vs 5–9, as TF Encrypted's LRMnist) on secret-shared images with
 * SecureNN, with a progress bar; then it predicts privately on held-out images and prints the
 * private accuracy next to the accuracy of the same model trained in plaintext (tfjs), the
 * players involved and the bytes they exchanged.
 *
 *   npm start                        # 6000 training images, 1000 test images, 2 epochs
 *   TFE_START_TRAIN=1000 TFE_START_TEST=500 TFE_START_EPOCHS=1 npm start   # a quicker run
 *
 * LocalConfig runs every player in this process: a simulation with no security. See the
 * README's security model and `tfe player` for real deployments.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { loadMnist } from '../private-training/mnist.js';

const env = (name: string, def: number) => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isInteger(v) || v <= 0) throw new tfe.ValueError(`${name} must be a positive integer, got \`${process.env[name]}\``);
  return v;
};
const nTrain = env('TFE_START_TRAIN', 6000), nTest = env('TFE_START_TEST', 1000), epochs = env('TFE_START_EPOCHS', 2);
const batchSize = 128, learningRate = 0.05, momentum = 0.9;

const trainSet = loadMnist('train', nTrain);
const testSet = loadMnist('test', nTest);
const label = (d: number) => (d >= 5 ? 1 : 0);
const yTrain = Float64Array.from(trainSet.labels, label);

console.log(`tfe-js: private logistic regression on MNIST (digit >= 5?), ${nTrain} training and ${nTest} test images, ${epochs} epoch(s)\n`);

// 1. Private: the data owner secret-shares images and labels; the servers train on the shares.
tfe.setProtocol(new tfe.SecureNN());
const owner = 'data-owner';
const x = await tfe.definePrivateInput(owner, () => trainSet.images, { shape: [nTrain, 784] });
const y = await tfe.definePrivateInput(owner, () => yTrain, { shape: [nTrain, 1] });
const xTest = await tfe.definePrivateInput(owner, () => testSet.images, { shape: [nTest, 784] });
const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [784] })] });
model.compile({ optimizer: tfe.train.momentum(learningRate, momentum), loss: 'binaryCrossentropy' });
const t0 = Date.now();
await model.fit(x, y, { epochs, batchSize });
const trainSeconds = (Date.now() - t0) / 1000;
let privateCorrect = 0;
// Only the model owner learns the test predictions; it counts the correct ones.
await tfe.defineOutput('model-owner', await model.predict(xTest, { batchSize: 250 }), (values) => {
  for (let i = 0; i < nTest; i++) if ((values[i] > 0.5 ? 1 : 0) === label(testSet.labels[i])) privateCorrect++;
});
const counters = await tfe.getRuntime().counters();

// 2. Plaintext: the same model, optimizer and data with tfjs, for comparison.
const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [784] })] });
plain.compile({ optimizer: tf.train.momentum(learningRate, momentum), loss: 'binaryCrossentropy' });
await plain.fit(tf.tensor2d(Float32Array.from(trainSet.images), [nTrain, 784]), tf.tensor2d(Float32Array.from(yTrain), [nTrain, 1]), { epochs, batchSize, verbose: 0 });
const plainProbs = (plain.predict(tf.tensor2d(Float32Array.from(testSet.images), [nTest, 784])) as tf.Tensor).dataSync();
let plainCorrect = 0;
for (let i = 0; i < nTest; i++) if ((plainProbs[i] > 0.5 ? 1 : 0) === label(testSet.labels[i])) plainCorrect++;

// 3. The report.
const pct = (c: number) => `${((100 * c) / nTest).toFixed(1)}%`;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
console.log(`\nprivate accuracy:   ${pct(privateCorrect)}  (SecureNN on secret shares, trained in ${trainSeconds.toFixed(1)} s)`);
console.log(`plaintext accuracy: ${pct(plainCorrect)}  (tfjs, float32)`);
console.log(`\nplayers (LocalConfig, one process: a simulation with no security):`);
let total = 0;
for (const [name, c] of Object.entries(counters)) {
  total += c.bytesSent;
  console.log(`  ${name.padEnd(16)} sent ${mb(c.bytesSent).padStart(10)} in ${c.messagesSent} messages, ${c.rounds} rounds`);
}
console.log(`bytes exchanged between players: ${mb(total)}`);
await tfe.getRuntime().close();
process.exit(0);
