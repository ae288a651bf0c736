import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { sequential, train, type Optimizer } from '../../src/models/index.js';
import { maxAbsDiff, randomArray } from '../helpers/plain.js';

type Spec = { units: number; activation: 'sigmoid' | 'tanh' | 'relu' | 'softmax' | 'linear' };

/** Runs one training step in tfjs and in tfe from the same weights; returns the max weight difference. */
async function oneStep(layers: Spec[], inputDim: number, loss: string, tfOpt: tf.Optimizer, tfeOpt: Optimizer, x: Float64Array, y: Float64Array, n: number, steps = 1): Promise<number> {
  const tm = tf.sequential({ layers: layers.map((s, i) => tf.layers.dense({ ...s, ...(i === 0 ? { inputShape: [inputDim] } : {}) })) });
  // fixed initial weights (tfjs draws unseeded ones), so how far a step moves them is repeatable
  tm.setWeights(tm.getWeights().map((w, i) => tf.tensor(Float32Array.from(randomArray(100 + i, w.size, -0.6, 0.6)), w.shape)));
  const init = tm.getWeights().map((w) => Float64Array.from(w.dataSync()));
  tm.compile({ optimizer: tfOpt, loss });
  const outDim = layers[layers.length - 1].units;
  const xs = tf.tensor(Float32Array.from(x), [n, inputDim]);
  const ys = tf.tensor(Float32Array.from(y), [n, outDim]);
  await tm.fit(xs, ys, { batchSize: n, epochs: steps, shuffle: false, verbose: 0 });
  const m = sequential({ layers: layers.map((s, i) => L.dense({ ...s, ...(i === 0 ? { inputShape: [inputDim] } : {}) })) });
  m.setWeights(init.map((v) => Array.from(v)));
  m.compile({ optimizer: tfeOpt, loss });
  const px = await tfe.definePrivateInput('input-provider', () => x, { shape: [n, inputDim] });
  const py = await tfe.definePrivateInput('input-provider', () => y, { shape: [n, outDim] });
  await m.fit(px, py, { batchSize: n, epochs: steps, shuffle: false, verbose: 0 });
  const got = await m.getWeights({ revealTo: 'driver' });
  const want = tm.getWeights();
  lastMove = Math.max(...want.map((w, i) => maxAbsDiff(Float64Array.from(w.dataSync()), init[i])));
  let worst = 0;
  got.forEach((g, i) => { worst = Math.max(worst, maxAbsDiff(Float64Array.from(g.dataSync()), Float64Array.from(want[i].dataSync()))); });
  return worst;
}

let lastMove = 0;
const n = 16;
const x = randomArray(1, n * 4, -1, 1);
const yCat = new Float64Array(n * 3);
for (let i = 0; i < n; i++) yCat[i * 3 + (i % 3)] = 1;

const aby3 = new tfe.ABY3();

test('one SGD step matches tfjs (relu hidden layer, MSE, ABY3)', async () => {
  tfe.setProtocol(aby3);
  const d = await oneStep([{ units: 3, activation: 'relu' }, { units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.sgd(0.1), train.sgd(0.1), x, yCat.slice(0, n * 2), n);
  assert.ok(d < 1e-3, `weights differ by ${d}`);
  assert.ok(lastMove > 1e-2, `the step must move the weights (moved ${lastMove})`);
});

test('momentum SGD (Nesterov) for 3 steps, and Adam for one and for four steps, match tfjs (MSE, ABY3)', async () => {
  tfe.setProtocol(aby3);
  const d = await oneStep([{ units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.momentum(0.1, 0.9, true), train.momentum(0.1, 0.9, true), x, yCat.slice(0, n * 2), n, 3);
  assert.ok(d < 1e-3, `momentum: weights differ by ${d}`);
  const xp = randomArray(3, n * 4, 1, 2);
  const yp = Float64Array.from(randomArray(4, n * 2, 4, 6));
  const da = await oneStep([{ units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.adam(0.01), train.adam(0.01), xp, yp, n);
  assert.ok(da < 1e-3, `adam: weights differ by ${da}`);
  // steps 2..4 form m̂ and v̂ as weighted sums in one truncation each (generic scaledSum)
  const d4 = await oneStep([{ units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.adam(0.01), train.adam(0.01), xp, yp, n, 4);
  assert.ok(d4 < 1e-3, `adam, 4 steps: weights differ by ${d4}`);
  assert.ok(lastMove > 0.03, `four steps must move the weights (moved ${lastMove})`);
});

test('Adam and AMSgrad train a relu + softmax network under ABY3 (the revealed loss falls)', async () => {
  tfe.setProtocol(aby3);
  for (const opt of [train.adam(0.02), train.amsgrad(0.02)]) {
    const m = sequential({ layers: [L.dense({ units: 6, activation: 'relu', inputShape: [4] }), L.dense({ units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const px = await tfe.definePrivateInput('input-provider', () => x, { shape: [n, 4] });
    const py = await tfe.definePrivateInput('input-provider', () => yCat, { shape: [n, 3] });
    const h = await m.fit(px, py, { batchSize: n, epochs: 12, shuffle: false, verbose: 0, callbacks: { onEpochEnd: () => undefined } });
    const loss = h.history.loss;
    assert.ok(loss[loss.length - 1] < loss[0] - 0.05, `${opt.name}: loss ${loss[0]} → ${loss[loss.length - 1]}`);
  }
});

test('a CNN with conv2d, maxPooling2d, relu and a sigmoid output trains under ABY3 (BCE loss falls)', async () => {
  tfe.setProtocol(aby3);
  const imgs = randomArray(21, 8 * 6 * 6 * 1, 0, 1);
  const labels = Float64Array.from({ length: 8 }, (_, i) => {
    let s = 0;
    for (let k = 0; k < 18; k++) s += imgs[i * 36 + k] - imgs[i * 36 + 18 + k];
    return s > 0 ? 1 : 0;
  });
  const m = sequential({ layers: [
    L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 1] }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: train.adam(0.05), loss: 'binaryCrossentropy' });
  const px = await tfe.definePrivateInput('input-provider', () => imgs, { shape: [8, 6, 6, 1] });
  const py = await tfe.definePrivateInput('input-provider', () => labels, { shape: [8, 1] });
  const h = await m.fit(px, py, { batchSize: 8, epochs: 8, shuffle: false, verbose: 0, callbacks: { onEpochEnd: () => undefined } });
  const loss = h.history.loss;
  assert.ok(loss.every(Number.isFinite), 'finite losses');
  assert.ok(loss[loss.length - 1] < loss[0], `loss ${loss[0]} → ${loss[loss.length - 1]}`);
});

test.run();
