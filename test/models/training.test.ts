import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { sequential, train, type Optimizer } from '../../src/models/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
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
const yBin = Float64Array.from({ length: n }, (_, i) => (x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0));
const yCat = new Float64Array(n * 3);
for (let i = 0; i < n; i++) yCat[i * 3 + (i % 3)] = 1;

test('one SGD step matches tfjs (sigmoid hidden layer, BCE, Pond)', async () => {
  tfe.setProtocol(new tfe.Pond());
  // lr 0.1: the step moves weights by well over 10× the tolerance (checked below), while the
  // tanh/sigmoid approximation error (documented, ≤ 0.0055) stays inside 1e-3 after one step.
  const d = await oneStep([{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], 4, 'binaryCrossentropy', tf.train.sgd(0.1), train.sgd(0.1), x, yBin, n);
  assert.ok(d < 1e-3, `weights differ by ${d}`);
  assert.ok(lastMove > 1e-2, `the step must move the weights (moved ${lastMove})`);
});

test('momentum SGD (Nesterov) for 3 steps matches tfjs (MSE, Pond)', async () => {
  tfe.setProtocol(new tfe.Pond());
  const d = await oneStep([{ units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.momentum(0.1, 0.9, true), train.momentum(0.1, 0.9, true), x, yCat.slice(0, n * 2), n, 3);
  assert.ok(d < 1e-3, `weights differ by ${d}`);
});

test('one Adam step matches tfjs (linear, MSE, Pond)', async () => {
  // gradients well above fixed point's resolution, so Adam's step lr·m̂/√v̂ is resolved (see optimizers.ts)
  tfe.setProtocol(new tfe.Pond());
  const xp = randomArray(3, n * 4, 1, 2);
  const yp = Float64Array.from(randomArray(4, n * 2, 4, 6));
  const d = await oneStep([{ units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.adam(0.01), train.adam(0.01), xp, yp, n);
  assert.ok(d < 1e-3, `weights differ by ${d}`);
});

test('Adam and AMSgrad train a relu + softmax network under SecureNN (the revealed loss falls)', async () => {
  tfe.setProtocol(new SecureNN());
  for (const opt of [train.adam(0.02), train.amsgrad(0.02)]) {
    const m = sequential({ layers: [L.dense({ units: 6, activation: 'relu', inputShape: [4] }), L.dense({ units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const px = await tfe.definePrivateInput('input-provider', () => x, { shape: [n, 4] });
    const py = await tfe.definePrivateInput('input-provider', () => yCat, { shape: [n, 3] });
    const h = await m.fit(px, py, { batchSize: n, epochs: 12, shuffle: false, verbose: 0, callbacks: { onEpochEnd: () => undefined } });
    const loss = h.history.loss;
    assert.ok(loss[loss.length - 1] < loss[0] - 0.05, `${opt.name}: loss ${loss[0]} → ${loss[loss.length - 1]}`);
    assert.ok(h.history.acc.every((a) => a >= 0 && a <= 1), 'accuracy is a fraction');
  }
});

test('private logistic regression reaches the plaintext tfjs accuracy within 1 point', async () => {
  tfe.setProtocol(new tfe.Pond());
  const dim = 6, ntrain = 512, ntest = 256;
  const w = randomArray(7, dim, -1, 1);
  const make = (seed: number, m: number) => {
    const xs = randomArray(seed, m * dim, -2, 2);
    const ys = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0.3;
      for (let j = 0; j < dim; j++) s += w[j] * xs[i * dim + j];
      if (Math.abs(s) < 0.2) xs[i * dim] += 0.4 * Math.sign(s || 1) * Math.sign(w[0]); // keep a margin
      s = 0.3;
      for (let j = 0; j < dim; j++) s += w[j] * xs[i * dim + j];
      ys[i] = s > 0 ? 1 : 0;
    }
    return { xs, ys };
  };
  const tr = make(11, ntrain), te = make(12, ntest);
  const opts = { epochs: 3, batchSize: 32 };
  const tm = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [dim] })] });
  const init = tm.getWeights().map((t) => Array.from(t.dataSync()));
  tm.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
  await tm.fit(tf.tensor2d(Float32Array.from(tr.xs), [ntrain, dim]), tf.tensor2d(Float32Array.from(tr.ys), [ntrain, 1]), { ...opts, shuffle: false, verbose: 0 });
  const acc = (p: ArrayLike<number>) => Array.from(p).filter((v, i) => (v > 0.5 ? 1 : 0) === te.ys[i]).length / ntest;
  const plainAcc = acc((tm.predict(tf.tensor2d(Float32Array.from(te.xs), [ntest, dim])) as tf.Tensor).dataSync());

  const m = sequential({ layers: [L.dense({ units: 1, activation: 'sigmoid', inputShape: [dim] })] });
  m.setWeights(init);
  m.compile({ optimizer: train.sgd(0.5), loss: 'binaryCrossentropy' });
  const px = await tfe.definePrivateInput('input-provider', () => tr.xs, { shape: [ntrain, dim] });
  const py = await tfe.definePrivateInput('input-provider', () => tr.ys, { shape: [ntrain, 1] });
  await m.fit(px, py, { ...opts, shuffle: false, verbose: 0 });
  const pred = await m.predict(tf.tensor2d(Float32Array.from(te.xs), [ntest, dim]), { reveal: true, batchSize: 128 });
  const privAcc = acc(pred.dataSync());
  assert.ok(Math.abs(privAcc - plainAcc) <= 0.01, `private ${privAcc} vs plaintext ${plainAcc}`);
  assert.ok(plainAcc > 0.9, `the plaintext model learns the separable set (${plainAcc})`);
});

test.run();
