import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { fromOnnx, loadOnnx, OnnxModel } from '../../src/models/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { getRuntime } from '../../src/runtime/index.js';
import { withConfig } from '../helpers/configs.js';
import { argmaxRows, randomArray } from '../helpers/plain.js';
import { testTmpDir } from '../helpers/tmp.js';
import { FIXTURES, fixture, INPUT, margins, ortRun, tolerance } from './onnx_helpers.js';

const N = 16;
const PLAYERS = ['server0', 'server1', 'server2', 'model-owner', 'input-provider'];

/** Private predictions of `model` agree with onnxruntime on the same file: values within the derived bound, argmax where the margin allows. */
async function agrees(name: string, model: OnnxModel, protocol: 'pond' | 'securenn', seed: number): Promise<void> {
  const shape = INPUT[name](N);
  const x = randomArray(seed, shape.reduce((a, b) => a * b, 1), -2, 2);
  const want = await ortRun(name, x, shape);
  const got = (await model.predict(tf.tensor(Float32Array.from(x), shape), { reveal: true, batchSize: 8 })).dataSync();
  assert.is(got.length, want.length);
  const tol = tolerance(name, protocol);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
  assert.ok(worst <= tol, `${name} under ${protocol}: |private − onnxruntime| = ${worst} > ${tol}`);
  // argmax over the class scores (ops.onnx: its first 6 columns are the softmax)
  const k = want.length / N, cols = name === 'ops' ? 6 : k;
  const pick = (v: ArrayLike<number>): number[] => Array.from({ length: N * cols }, (_, i) => v[Math.floor(i / cols) * k + (i % cols)]);
  const a = argmaxRows(pick(want), cols), b = argmaxRows(pick(got), cols), m = margins(pick(want), cols);
  // where the top-two margin exceeds twice the bound, the argmax cannot flip: it must agree
  const decided = a.filter((_, i) => m[i] > 2 * tol).length;
  a.forEach((v, i) => { if (m[i] > 2 * tol) assert.is(b[i], v, `${name} row ${i}: argmax ${b[i]} ≠ ${v} with margin ${m[i]}`); });
  // the trained-looking fixtures have clear winners, so the check is not vacuous there (ops*: near-uniform softmax of random weights)
  if (!name.startsWith('ops')) assert.ok(decided >= N / 2, `${name}: only ${decided}/${N} rows have a margin above ${2 * tol}`);
}

for (const name of ['mlp', 'cnn_bn', 'cnn_folded', 'ops']) {
  test(`${name}.onnx under SecureNN matches onnxruntime`, async () => {
    tfe.setProtocol(new SecureNN());
    await agrees(name, await loadOnnx(join(FIXTURES, `${name}.onnx`), { owner: 'model-owner' }), 'securenn', 11);
  });
}

for (const name of ['mlp', 'cnn_bn', 'cnn_folded', 'ops_pond']) {
  test(`${name}.onnx under Pond matches onnxruntime`, async () => {
    tfe.setProtocol(new tfe.Pond());
    await agrees(name, await fromOnnx(fixture(name), { owner: 'model-owner' }), 'pond', 12);
  });
}

test('ops.onnx under Pond: MaxPool and LogSoftmax need exact comparison, named before any share of x is sent', async () => {
  tfe.setProtocol(new tfe.Pond());
  const model = await fromOnnx(fixture('ops'), { owner: 'model-owner' });
  await getRuntime().resetCounters();
  await model.predict(tf.zeros(INPUT.ops(2))).then(() => assert.unreachable('should fail'), (e: Error) => {
    assert.ok(e instanceof tfe.NotImplementedError && /MaxPool/.test(e.message) && /SecureNN/.test(e.message), e.message);
  });
  const c = await getRuntime().counters();
  for (const [player, k] of Object.entries(c)) assert.is(k.bytesSent, 0, `${player} sent ${k.bytesSent} bytes`);
});

test('loadOnnx with a remote owner over ZeroMQ: the owner reads its own disk and shares the weights', async () => {
  const dir = testTmpDir('onnx-remote-');
  try {
    mkdirSync(join(dir, 'owned'));
    copyFileSync(join(FIXTURES, 'cnn_bn.onnx'), join(dir, 'owned', 'cnn_bn.onnx'));
    // every player's data directory is `dir`; the driver's working directory has no `owned/`
    await withConfig('zmq', async ({ rt }) => {
      tfe.setProtocol(new SecureNN());
      const model = await loadOnnx('owned/cnn_bn.onnx', { owner: 'model-owner' });
      await agrees('cnn_bn', model, 'securenn', 13);
      const c = await rt.counters();
      assert.ok(c['model-owner'].bytesSent > 0, 'the owner sent the weight shares');
      await loadOnnx('owned/nothing.onnx', { owner: 'model-owner' }).then(() => assert.unreachable('should fail'), (e: Error) => {
        assert.ok(/nothing\.onnx/.test(e.message) && !e.message.includes(dir), e.message);
      });
    }, { players: PLAYERS, playerFlags: ['--data-dir', dir] });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('summary, evaluate and a secret-shared checkpoint round trip', async () => {
  tfe.setProtocol(new SecureNN());
  const model = await loadOnnx(join(FIXTURES, 'cnn_bn.onnx'), { owner: 'model-owner' });
  const lines: string[] = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  assert.ok(lines.some((l) => /bn_BatchNormalization/.test(l) && /\[null,4,8,8\]/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /Total params: 381/.test(l)), lines.join('\n'));
  const shape = INPUT.cnn_bn(4);
  const x = tf.tensor(Float32Array.from(randomArray(14, 4 * 64, -2, 2)), shape);
  const want = await ortRun('cnn_bn', Float64Array.from(x.dataSync()), shape);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const mse = await model.evaluate(x, tf.tensor(want, [4, 5])) as number;
  assert.ok(mse >= 0 && mse < 1e-4, `mse against onnxruntime's output: ${mse}`);
  const dir = testTmpDir('onnx-ckpt-');
  try {
    await model.save(dir);
    const again = await tfe.models.load(dir);
    const a = (await model.predict(x, { reveal: true })).dataSync(), b = (await again.predict(x, { reveal: true })).dataSync();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-3, `restored output ${i}: ${b[i]} vs ${a[i]}`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
