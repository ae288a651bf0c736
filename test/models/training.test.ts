import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { sequential, train, type Optimizer } from '../../src/models/index.js';
import { getLoss, type Loss } from '../../src/models/losses.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';
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

test('Adam matches tfjs for one step and for four (linear, MSE, Pond)', async () => {
  // gradients well above fixed point's resolution, so Adam's step lr·m̂/√v̂ is resolved (see optimizers.ts)
  tfe.setProtocol(new tfe.Pond());
  const xp = randomArray(3, n * 4, 1, 2);
  const yp = Float64Array.from(randomArray(4, n * 2, 4, 6));
  const d = await oneStep([{ units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.adam(0.01), train.adam(0.01), xp, yp, n);
  assert.ok(d < 1e-3, `weights differ by ${d}`);
  // steps 2..4 form m̂ as one weighted sum (generic scaledSum)
  const d4 = await oneStep([{ units: 2, activation: 'linear' }], 4, 'meanSquaredError', tf.train.adam(0.01), train.adam(0.01), xp, yp, n, 4);
  assert.ok(d4 < 1e-3, `4 steps: weights differ by ${d4}`);
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

test('the batch mean rides with the learning rate: one SGD step within 2 ulps; a loss without summedGradient still trains', async () => {
  // A linear MSE model from zero weights, n = 2048 and targets below 0.004: the mean loss's
  // gradient 2·(pred − y)/n is under one ulp (2^-16) per example, so dividing it first (a loss
  // without summedGradient, as every loss did before) rounds each one to 0 or 1 ulp: 4–18 ulps
  // of error in ten runs. The summed gradient keeps them, and the optimizer divides by n with
  // lr in one truncation: 0.45–0.94 ulps in the same runs.
  tfe.setProtocol(new tfe.Pond());
  const n = 2048, d = 4, lr = 0.5, ulp = 2 ** -16;
  const xs = randomArray(7, n * d, -1, 1);
  const ys = randomArray(8, n, 0, 0.004);
  const want = new Float64Array(d + 1); // float64: w ← 0 − lr·(2/n)·Σ x_i·(0 − y_i)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) want[k] += (lr * 2 / n) * xs[i * d + k] * ys[i];
    want[d] += (lr * 2 / n) * ys[i];
  }
  const mse = getLoss('meanSquaredError');
  const errorOf = async (loss: Loss) => {
    const m = sequential({ layers: [L.dense({ units: 1, inputShape: [d], kernelInitializer: 'zeros' })] });
    m.compile({ optimizer: train.sgd(lr), loss });
    const px = await tfe.definePrivateInput('input-provider', () => xs, { shape: [n, d] });
    const py = await tfe.definePrivateInput('input-provider', () => ys, { shape: [n, 1] });
    await m.fit(px, py, { batchSize: n, epochs: 1, shuffle: false, verbose: 0 });
    const got = (await m.getWeights({ revealTo: 'driver' })).flatMap((w) => Array.from(w.dataSync()));
    return maxAbsDiff(Float64Array.from(got), want);
  };
  const summed = await errorOf(mse);
  const divided = await errorOf({ name: 'mseDividedFirst', value: mse.value, gradient: mse.gradient });
  // the product's truncation and lr/n's (17 significant bits) add at most 2 ulps
  assert.ok(summed <= 2 * ulp, `summed gradient: error ${summed / ulp} ulps`);
  // the fallback (a custom loss with only `gradient`): each of n roundings of ≤ 1 ulp reaches
  // the step as lr·x/n of it, so about √n·lr/2 ulps ≈ 11 typical; 64 is far out
  assert.ok(divided <= 64 * ulp, `a loss without summedGradient: error ${divided / ulp} ulps`);
});

test('applyGradients: a gradient sum with its divisor steps like the mean (SGD, momentum, Adam); bad divisors are refused', async () => {
  tfe.setProtocol(new tfe.Pond());
  const g = randomArray(11, 6, -1, 1);
  // Dividing by 37 rounds once more than not dividing: an ulp or so of g. SGD's steps move by
  // lr times that; Adam's by lr·ulp/√v̂, larger for small g (|g| ≈ 0.05 here: 1e-3 per step).
  const cases: [() => Optimizer, number][] = [[() => train.sgd(0.1), 1e-4], [() => train.momentum(0.1, 0.9), 1e-4], [() => train.adam(0.05), 3e-3]];
  for (const [make, tolerance] of cases) {
    const results: Float64Array[] = [];
    for (const divisor of [1, 37]) {
      const opt = make();
      const w = { name: 'w', value: tfe.definePrivateVariable(new Float64Array(6).fill(0.25), { shape: [6] }) };
      const grads = tfe.defineConstant(Float64Array.from(g, (v) => v * divisor), { shape: [6] });
      const p = tfe.getProtocol();
      for (let step = 0; step < 2; step++) opt.applyGradients(p, [w], [p.add(grads, 0)], divisor);
      results.push(Float64Array.from(await w.value.reveal()));
      opt.dispose();
    }
    assert.ok(maxAbsDiff(results[0], results[1]) < tolerance, `${make().name}: ${results[0]} vs ${results[1]}`);
    assert.ok(maxAbsDiff(results[0], new Float64Array(6).fill(0.25)) > 1e-2, `${make().name} must move the weights`);
  }
  const opt = train.sgd(0.1);
  const w = { name: 'w', value: tfe.definePrivateVariable(new Float64Array(2), { shape: [2] }) };
  for (const bad of [0, -2, 1.5, NaN]) {
    assert.throws(() => opt.applyGradients(tfe.getProtocol(), [w], [w.value], bad), (e: Error) => e.name === 'ValueError' && e.message.includes('`divisor` must be a positive whole number'));
  }
});

test('a logistic-regression step on Pond: the forward pass and 2 rounds (the gradient product, lr/N in its truncation)', async () => {
  tfe.setProtocol(new tfe.Pond());
  const rt = currentRuntime();
  const rows = 64;
  const px = await tfe.definePrivateInput('input-provider', () => randomArray(21, rows * 4, -1, 1), { shape: [rows, 4] });
  const py = await tfe.definePrivateInput('input-provider', () => Float64Array.from(randomArray(22, rows, -1, 1), (v) => (v > 0 ? 1 : 0)), { shape: [rows, 1] });
  const m = sequential({ layers: [L.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] });
  m.compile({ optimizer: train.sgd(0.5), loss: 'binaryCrossentropy' });
  const roundsOf = async (run: () => Promise<unknown>) => {
    await run(); // warm: the first run also sets up the players' seeds
    await rt.resetCounters();
    await run();
    await rt.flush();
    return Math.max(...Object.values(await rt.counters()).map((c) => c.rounds));
  };
  const forward = await roundsOf(() => m.predict(px));
  const step = await roundsOf(() => m.fit(px, py, { batchSize: rows, epochs: 1, shuffle: false, verbose: 0 }));
  assert.is(step, forward + 2, `fit step ${step} rounds, forward ${forward}`);
});

test.run();
