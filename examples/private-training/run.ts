/**
 * Private training on secret-shared MNIST (issue 6, DESIGN.md §1): a logistic regression
 * (digits 0–4 vs 5–9, as TF Encrypted's LRMnist), then network A (784-128-128-10, relu) from the
 * SecureNN paper, both trained with SecureNN (or ABY3 with `--protocol aby3`) on LocalConfig. The data owner's player
 * secret-shares the images and labels; the servers never see them; only the loss shown in the
 * progress bar (to the driver) and the final test predictions (to the model owner, who checks
 * accuracy) are revealed.
 *
 *   npx tsx examples/private-training/run.ts [--train 6000] [--test 1000] [--epochs 1] [--protocol securenn|aby3]
 */
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { sequential, train, type Sequential } from '../../src/models/index.js';
import { ABY3 } from '../../src/protocols/aby3/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { loadMnist, oneHot } from './mnist.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const nTrain = arg('train', 6000), nTest = arg('test', 1000), epochs = arg('epochs', 1);

const protocolArg = process.argv.includes('--protocol') ? process.argv[process.argv.indexOf('--protocol') + 1] : 'securenn';
if (protocolArg !== 'securenn' && protocolArg !== 'aby3') throw new tfe.ValueError(`\`--protocol\` must be securenn or aby3, got ${protocolArg}`);
tfe.setProtocol(protocolArg === 'aby3' ? new ABY3() : new SecureNN());
console.log(`Protocol: ${tfe.getProtocol().name}`);
const trainSet = loadMnist('train', nTrain);
const testSet = loadMnist('test', nTest);
const owner = 'data-owner';
const x = await tfe.definePrivateInput(owner, () => trainSet.images, { shape: [nTrain, 784] });
const xTest = await tfe.definePrivateInput(owner, () => testSet.images, { shape: [nTest, 784] });

async function testAccuracy(model: Sequential, decide: (row: Float64Array) => number, truth: (i: number) => number): Promise<number> {
  const probs = await model.predict(xTest, { batchSize: 250 });
  let correct = 0;
  // only the model owner learns the test predictions
  await tfe.defineOutput('model-owner', probs, (values, shape) => {
    const k = shape[1];
    for (let i = 0; i < shape[0]; i++) if (decide(values.subarray(i * k, i * k + k)) === truth(i)) correct++;
  });
  return correct / nTest;
}

console.log(`Logistic regression (digits ≥ 5 vs < 5), ${nTrain} secret-shared images, ${epochs} epoch(s):`);
const yBin = await tfe.definePrivateInput(owner, () => Float64Array.from(trainSet.labels, (l) => (l >= 5 ? 1 : 0)), { shape: [nTrain, 1] });
const lr = sequential({ layers: [L.dense({ units: 1, activation: 'sigmoid', inputShape: [784] })] });
lr.compile({ optimizer: train.momentum(0.05, 0.9), loss: 'binaryCrossentropy' });
let t0 = Date.now();
await lr.fit(x, yBin, { epochs, batchSize: 128 });
const lrAcc = await testAccuracy(lr, (r) => (r[0] > 0.5 ? 1 : 0), (i) => (testSet.labels[i] >= 5 ? 1 : 0));
console.log(`logistic regression: test accuracy ${(100 * lrAcc).toFixed(1)}% on ${nTest} images (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);

console.log(`Network A (784-128-128-10, relu), ${nTrain} secret-shared images, ${epochs} epoch(s):`);
const y = await tfe.definePrivateInput(owner, () => oneHot(trainSet.labels), { shape: [nTrain, 10] });
const netA = sequential({ layers: [
  L.dense({ units: 128, activation: 'relu', inputShape: [784] }),
  L.dense({ units: 128, activation: 'relu' }),
  L.dense({ units: 10, activation: 'softmax' }),
] });
netA.summary();
netA.compile({ optimizer: train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
t0 = Date.now();
await netA.fit(x, y, { epochs, batchSize: 128 });
const argmax = (r: Float64Array) => r.indexOf(Math.max(...r));
const accA = await testAccuracy(netA, argmax, (i) => testSet.labels[i]);
console.log(`network A: test accuracy ${(100 * accA).toFixed(1)}% on ${nTest} images (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
process.exit(0);
