/**
 * Keras habits in fit (issue 14, item 5): `validationSplit` holds out the last fraction,
 * `validationData` is evaluated each epoch, tfjs's own callbacks such as
 * `tf.callbacks.earlyStopping` stop training, and the callback types are exported.
 */
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';

function data(n: number) {
  const xs = Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(i * 1.3)]);
  const ys = xs.map((r) => [r[0] - r[1] > 0 ? 1 : 0]);
  return { xs, ys };
}

function model() {
  const m = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2], kernelInitializer: 'zeros' })] });
  m.compile({ optimizer: tfe.train.sgd(0.5), loss: 'binaryCrossentropy' });
  return m;
}

test('validationSplit holds out the last fraction and logs val_loss each epoch', async () => {
  tfe.setProtocol(new tfe.SecureNN());
  const { xs, ys } = data(40);
  const seen: number[] = [];
  const h = await model().fit(xs, ys, { epochs: 2, batchSize: 10, validationSplit: 0.25, verbose: 0,
    callbacks: { onBatchEnd: async (_b: number, logs?: tfe.Logs) => { seen.push(logs!.size); } } });
  assert.equal(h.params.samples, 30, '30 training examples, 10 held out');
  assert.is(seen.length, 6, '3 batches of 10 per epoch');
  assert.is(h.history.val_loss.length, 2);
  assert.ok(h.history.val_loss.every((v) => Number.isFinite(v) && v > 0 && v < 1));
  // The held-out loss equals evaluate on the same last 10 rows.
  const m2 = model();
  const h2 = await m2.fit(xs.slice(0, 30), ys.slice(0, 30), { epochs: 2, batchSize: 10, shuffle: false, verbose: 0, validationData: [xs.slice(30), ys.slice(30)] });
  const h3 = await model().fit(xs, ys, { epochs: 2, batchSize: 10, shuffle: false, verbose: 0, validationSplit: 0.25 });
  h2.history.val_loss.forEach((v, i) => assert.ok(Math.abs(v - h3.history.val_loss[i]) < 1e-3, `${v} vs ${h3.history.val_loss[i]}`));
});

test('validationSplit outside (0, 1) or leaving an empty side is a ValueError', async () => {
  tfe.setProtocol(new tfe.SecureNN());
  const { xs, ys } = data(4);
  for (const bad of [0, 1, -0.5, 0.9]) {
    let err: unknown;
    try { await model().fit(xs, ys, { epochs: 1, verbose: 0, validationSplit: bad }); } catch (e) { err = e; }
    assert.instance(err, tfe.ValueError, `validationSplit ${bad}`);
    assert.match((err as Error).message, /validationSplit/);
  }
});

test('tf.callbacks.earlyStopping and tfe.callbacks.earlyStopping stop fit', async () => {
  tfe.setProtocol(new tfe.SecureNN());
  const { xs, ys } = data(20);
  for (const cb of [tf.callbacks.earlyStopping({ monitor: 'loss', patience: 0, minDelta: 10 }), tfe.callbacks.earlyStopping({ monitor: 'loss', patience: 0, minDelta: 10 })]) {
    const h = await model().fit(xs, ys, { epochs: 10, batchSize: 10, verbose: 0, callbacks: cb });
    // minDelta 10 means no epoch ever improves enough: training stops after the second epoch.
    assert.is(h.epoch.length, 2, `stopped after ${h.epoch.length} epochs`);
  }
});

test.run();
