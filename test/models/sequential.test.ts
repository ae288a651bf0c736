import { rmSync } from 'node:fs';
import { relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import { testTmpDir } from '../helpers/tmp.js';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { Callback, models, ProgressBar, Sequential, sequential, train } from '../../src/models/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { testOnConfigs } from '../helpers/configs.js';
import { randomArray } from '../helpers/plain.js';

const isErr = (cls: typeof tfe.TfeError, ...parts: RegExp[]) => (e: Error) => e instanceof cls && parts.every((r) => r.test(e.message));

async function data(n: number, d: number, k = 1) {
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(n, n * d, -1, 1), { shape: [n, d] });
  const y = await tfe.definePrivateInput('input-provider', () => new Float64Array(n * k).map((_, i) => (i % k === 0 ? 1 : 0)), { shape: [n, k] });
  return { x, y };
}

test('summary prints like tfjs, with shapes and parameter counts', () => {
  tfe.setProtocol(new tfe.Pond());
  const m = sequential({ layers: [L.dense({ units: 128, activation: 'relu', inputShape: [784], name: 'd1' }), L.dense({ units: 10, name: 'd2' })] });
  const lines: string[] = [];
  m.summary(undefined, undefined, (l) => lines.push(l));
  const text = lines.join('\n');
  assert.match(text, /d1 \(Dense\)\s+\[null,128\]\s+100480/);
  assert.match(text, /d2 \(Dense\)\s+\[null,10\]\s+1290/);
  assert.match(text, /Total params: 101770/);
  assert.match(text, /Trainable params: 101770/);
});

test('bad input: shapes, unknown loss/optimizer, fit before compile, label shape', async () => {
  tfe.setProtocol(new tfe.Pond());
  const m = sequential({ layers: [L.dense({ units: 2, activation: 'sigmoid', inputShape: [4] })] });
  const { x, y } = await data(8, 4, 2);
  await m.fit(x, y).then(() => assert.unreachable(), (e: Error) => assert.ok(isErr(tfe.ValueError, /compile/)(e), e.message));
  assert.throws(() => m.compile({ optimizer: 'sgd', loss: 'hinge' }), isErr(tfe.ValueError, /hinge/));
  assert.throws(() => m.compile({ optimizer: 'rmsprop', loss: 'binaryCrossentropy' }), isErr(tfe.ValueError, /rmsprop/));
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const bad = await tfe.definePrivateInput('input-provider', () => new Float64Array(15), { shape: [3, 5] });
  await m.fit(bad, y, { verbose: 0 }).then(() => assert.unreachable(), (e: Error) => assert.ok(isErr(tfe.ValueError, /\[null,4\]/, /\[3,5\]/)(e), e.message));
  await m.predict(bad).then(() => assert.unreachable(), (e: Error) => assert.ok(isErr(tfe.ValueError, /\[null,4\]/, /\[3,5\]/)(e), e.message));
  const y3 = await tfe.definePrivateInput('input-provider', () => new Float64Array(24), { shape: [8, 3] });
  await m.fit(x, y3, { verbose: 0 }).then(() => assert.unreachable(), (e: Error) => assert.ok(isErr(tfe.ValueError, /\[8,2\]/, /\[8,3\]/)(e), e.message));
  await m.fit(x, y, { validationSplit: 1.5 }).then(() => assert.unreachable(), (e: Error) => assert.ok(isErr(tfe.ValueError, /validationSplit/)(e), e.message));
  await m.fit(x, y, { classWeight: {} }).then(() => assert.unreachable(), (e: Error) => assert.ok(isErr(tfe.NotImplementedError, /classWeight/)(e), e.message));
  assert.throws(() => m.setWeights([new Float64Array(3)]), isErr(tfe.ValueError, /2/));
  const lin = sequential({ layers: [L.dense({ units: 2, inputShape: [4] })] });
  assert.throws(() => lin.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' }), isErr(tfe.NotImplementedError, /softmax/));
  assert.throws(() => sequential({ layers: [L.dense({ units: 2 })] }), isErr(tfe.ValueError, /inputShape/));
});

test('compile checks capabilities under Pond, naming the layer and the protocols', () => {
  tfe.setProtocol(new tfe.Pond());
  const relu = sequential({ layers: [L.dense({ units: 3, activation: 'relu', inputShape: [4], name: 'hidden' }), L.dense({ units: 1, activation: 'sigmoid' })] });
  assert.throws(() => relu.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' }), isErr(tfe.NotImplementedError, /hidden/, /SecureNN/));
  const pool = sequential({ layers: [L.maxPooling2d({ poolSize: 2, inputShape: [4, 4, 1], name: 'mp' }), L.flatten(), L.dense({ units: 1, activation: 'sigmoid' })] });
  assert.throws(() => pool.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' }), isErr(tfe.NotImplementedError, /mp/, /SecureNN/));
  const ok = sequential({ layers: [L.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] });
  assert.throws(() => ok.compile({ optimizer: 'amsgrad', loss: 'binaryCrossentropy' }), isErr(tfe.NotImplementedError, /amsgrad/, /SecureNN/));
  assert.throws(() => ok.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] }), isErr(tfe.NotImplementedError, /acc/, /SecureNN/));
  tfe.setProtocol(new SecureNN());
  const relu2 = sequential({ layers: [L.dense({ units: 3, activation: 'relu', inputShape: [4] }), L.dense({ units: 1, activation: 'sigmoid' })] });
  relu2.compile({ optimizer: 'amsgrad', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
});

test('callbacks, stopTraining, progress bar, history, validation data and reveal policy', async () => {
  tfe.setProtocol(new SecureNN());
  const m = sequential({ layers: [L.dense({ units: 4, activation: 'relu', inputShape: [3] }), L.dense({ units: 2, activation: 'softmax' })] });
  m.compile({ optimizer: train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { x, y } = await data(12, 3, 2);
  const events: string[] = [];
  class Stop extends Callback { async onEpochEnd(epoch: number) { events.push(`stop?${epoch}`); if (epoch === 1) this.model!.stopTraining = true; } }
  const h = await m.fit(x, y, {
    epochs: 5, batchSize: 5, verbose: 0, validationData: [x, y],
    callbacks: [{ onTrainBegin: () => { events.push('begin'); }, onEpochBegin: (e) => { events.push(`e${e}`); }, onBatchEnd: (b, logs) => { events.push(`b${b}:${logs?.loss !== undefined}`); }, onTrainEnd: () => { events.push('end'); } }, new Stop()],
  });
  assert.equal(events, ['begin', 'e0', 'b0:true', 'b1:true', 'b2:true', 'stop?0', 'e1', 'b0:true', 'b1:true', 'b2:true', 'stop?1', 'end']);
  assert.equal(h.epoch, [0, 1]);
  assert.equal(Object.keys(h.history).sort(), ['acc', 'loss', 'val_acc', 'val_loss']);
  // revealTo another player: the driver's logs carry no values
  const seen: string[] = [];
  const h2 = await m.fit(x, y, { epochs: 1, batchSize: 12, verbose: 0, revealTo: 'server2', callbacks: { onBatchEnd: (_b, logs) => { seen.push(Object.keys(logs ?? {}).join()); } } });
  assert.equal(seen, ['batch,size']);
  assert.equal(h2.history, {});
  const ev = await m.evaluate(x, y);
  assert.ok(Array.isArray(ev) && ev.length === 2);
  const out: string[] = [];
  const bar = new ProgressBar(2, 4, { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream);
  bar.epochBegin(0); bar.update(2, { loss: 0.5 }); bar.epochEnd({ loss: 0.25 });
  assert.match(out.join(''), /Epoch 1\/2\n4\/4 \[=+\] [0-9.]+s loss=0\.2500\n/);
});

test('getWeights/setWeights, getConfig/fromConfig, sparse labels, predict batches', async () => {
  tfe.setProtocol(new tfe.Pond());
  const m = sequential({ layers: [L.dense({ units: 3, activation: 'tanh', inputShape: [2] }), L.dense({ units: 3, activation: 'softmax' })] });
  const ws = m.getWeights();
  assert.ok(ws.every((w) => w instanceof tfe.TfeTensor), 'private until revealed');
  const vals = [[1, 2, 3, 4, 5, 6].map((v) => v / 10), [0, 0.1, 0.2], [0.1, 0, 0, 0, 0.1, 0, 0, 0, 0.1], [0, 0, 0]];
  m.setWeights(vals);
  const back = await m.getWeights({ revealTo: 'driver' });
  back.forEach((t, i) => { assert.ok(t.dataSync().every((v, j) => Math.abs(v - vals[i][j]) < 2e-5)); });
  const copy = Sequential.fromConfig(JSON.parse(JSON.stringify(m.getConfig())));
  assert.equal(copy.getConfig().layers.map((l) => l.className), ['Dense', 'Dense']);
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(2, 10, -1, 1), { shape: [5, 2] });
  const ySparse = await tfe.definePrivateInput('input-provider', () => [0, 1, 2, 1, 0], { shape: [5], integer: true });
  const h = await m.fit(x, ySparse, { epochs: 1, batchSize: 5, verbose: 0, callbacks: {} });
  assert.equal(h.epoch, [0]);
  const yBad = await tfe.definePrivateInput('input-provider', () => [0, 1, 2, 1, 0, 1], { shape: [6] });
  await m.fit(x, yBad, { verbose: 0 }).then(() => assert.unreachable(), (e: Error) => assert.ok(/\[5\]/.test(e.message) && /\[6\]/.test(e.message), e.message));
  const p1 = await m.predict(x, { batchSize: 2, reveal: true });
  const p2 = await (await m.predict(x, { batchSize: 5 })).reveal();
  assert.equal(p1.shape, [5, 3]);
  p1.dataSync().forEach((v, i) => assert.ok(Math.abs(v - p2[i]) < 0.02));
  assert.ok(p1 instanceof tf.Tensor);
});

test('fitDataset streams private batches from their owner (async iterable and tfjs Dataset)', async () => {
  tfe.setProtocol(new tfe.Pond());
  const m = sequential({ layers: [L.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
  m.compile({ optimizer: train.sgd(0.5), loss: 'binaryCrossentropy' });
  let produced = 0;
  const stream = {
    async *[Symbol.asyncIterator]() {
      for (let b = 0; b < 3; b++) {
        produced++;
        const xs = randomArray(b + 1, 8, -1, 1);
        yield { xs: tf.tensor2d(Float32Array.from(xs), [4, 2]), ys: tf.tensor2d([xs[0] > 0 ? 1 : 0, xs[2] > 0 ? 1 : 0, xs[4] > 0 ? 1 : 0, xs[6] > 0 ? 1 : 0], [4, 1]) };
      }
    },
  };
  const h = await m.fitDataset(stream, { epochs: 2, verbose: 0, callbacks: {} });
  assert.is(produced, 6, 'each epoch re-reads the stream');
  assert.equal(Object.keys(h.history), ['loss']);
  const ds = tf.data.array([{ xs: tf.tensor2d([[1, 1]]), ys: tf.tensor2d([[1]]) }, { xs: tf.tensor2d([[-1, -1]]), ys: tf.tensor2d([[0]]) }]) as unknown as Parameters<typeof m.fitDataset>[0];
  const h2 = await m.fitDataset(ds, { epochs: 1, verbose: 0 });
  assert.equal(h2.epoch, [0]);
});

test('a long fit keeps player memory flat (handles freed between steps)', async () => {
  const { LocalConfig, getConfig, setConfig } = await import('../../src/runtime/index.js');
  const previous = getConfig();
  const config = new LocalConfig(['server0', 'server1', 'server2', 'input-provider'], { log: () => undefined });
  setConfig(config);
  try {
    tfe.setProtocol(new SecureNN());
    const m = sequential({ layers: [L.dense({ units: 4, activation: 'relu', inputShape: [3] }), L.dense({ units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: train.adam(0.01), loss: 'categoricalCrossentropy' });
    const { x, y } = await data(16, 3, 2);
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const live = () => ['server0', 'server1', 'server2'].map((p) => config.player(p).liveHandles());
    const after1 = live();
    await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    assert.equal(live(), after1);
  } finally { await config.close(); setConfig(previous); }
});

testOnConfigs(test, 'a relu model trains, predicts and checkpoints over ZeroMQ as in memory (SecureNN)', async () => {
  tfe.setProtocol(new SecureNN());
  const m = sequential({ layers: [L.dense({ units: 4, activation: 'relu', inputShape: [3] }), L.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: train.sgd(0.5), loss: 'binaryCrossentropy' });
  m.setWeights([randomArray(1, 12, -0.5, 0.5), [0, 0, 0, 0], randomArray(2, 4, -0.5, 0.5), [0]]);
  const x = m.getWeights()[0].protocol.defineConstant(randomArray(3, 24, -1, 1), { shape: [8, 3] });
  const y = m.getWeights()[0].protocol.defineConstant(new Float64Array(8).map((_, i) => i % 2), { shape: [8, 1] });
  const h = await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: { onEpochEnd: () => undefined } });
  assert.ok(h.history.loss.every((l) => l > 0 && l < 2));
  const p = await m.predict(x, { reveal: true });
  assert.ok(p.dataSync().every((v) => v > 0 && v < 1));
  // each player (a separate process over ZeroMQ) writes its own shares; the manifest is the driver's
  const dir = relative(process.cwd(), testTmpDir('zmq-ckpt-'));
  try {
    await m.save(dir);
    const again = await models.load(dir);
    const [a, b] = [await m.getWeights({ revealTo: 'driver' }), await again.getWeights({ revealTo: 'driver' })];
    a.forEach((t, i) => assert.equal(Array.from(b[i].dataSync()), Array.from(t.dataSync())));
  } finally { rmSync(dir, { recursive: true, force: true }); }
}, { players: ['server0', 'server1', 'server2'] });

test.run();
