import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import { testTmpDir } from '../helpers/tmp.js';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { fileHandler, fromLayersModel, loadLayersModel } from '../../src/models/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { argmaxRows, randomArray } from '../helpers/plain.js';
import { testOnConfigs, withConfig } from '../helpers/configs.js';

async function agreement(plain: tf.LayersModel, priv: Awaited<ReturnType<typeof fromLayersModel>>, x: Float64Array, shape: number[], k: number, tol: number): Promise<void> {
  const want = (plain.predict(tf.tensor(Float32Array.from(x), shape)) as tf.Tensor).dataSync();
  const got = (await priv.predict(tf.tensor(Float32Array.from(x), shape), { reveal: true, batchSize: 64 })).dataSync();
  const a = argmaxRows(want, k), b = argmaxRows(got, k);
  const agree = a.filter((v, i) => v === b[i]).length / a.length;
  assert.ok(agree >= 0.99, `argmax agreement ${agree}`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
  assert.ok(worst <= tol, `logits differ by ${worst} > ${tol}`);
}

/**
 * Replaces tfjs's unseeded initial weights by fixed ones (glorot-like scale), so the logits'
 * top-two margins, and with them the argmax agreement under fixed-point error, repeat.
 */
function seeded<M extends tf.LayersModel>(m: M, seed: number): M {
  m.setWeights(m.getWeights().map((w, i) => {
    const fan = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) + w.shape[w.shape.length - 1] : w.size * 2;
    const r = Math.sqrt(6 / fan);
    return tf.tensor(Float32Array.from(randomArray(seed + i, w.size, -r, r)), w.shape);
  }));
  return m;
}

function mlp(): tf.Sequential {
  return seeded(tf.sequential({ layers: [
    tf.layers.dense({ units: 16, activation: 'relu', inputShape: [20] }),
    tf.layers.dense({ units: 16, activation: 'relu' }),
    tf.layers.dense({ units: 5 }),
  ] }), 200);
}

function cnn(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1] });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.averagePooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4 }).apply(h) as tf.SymbolicTensor;
  return seeded(tf.model({ inputs: input, outputs: out }), 300);
}

test('fromLayersModel: tfjs MLP, private predictions agree with plaintext (SecureNN)', async () => {
  tfe.setProtocol(new SecureNN());
  const plain = mlp();
  const priv = await fromLayersModel(plain, { owner: 'model-owner' });
  await agreement(plain, priv, randomArray(3, 200 * 20, -1, 1), [200, 20], 5, 2e-3);
});

test('fromLayersModel: functional CNN (conv2d, averagePooling2d, dense), SecureNN', async () => {
  tfe.setProtocol(new SecureNN());
  const plain = cnn();
  const priv = await fromLayersModel(plain, { owner: 'model-owner' });
  assert.equal(priv.layers.map((l) => l.getClassName()), ['InputLayer', 'Conv2D', 'AveragePooling2D', 'Flatten', 'Dense']);
  await agreement(plain, priv, randomArray(4, 100 * 64, 0, 1), [100, 8, 8, 1], 4, 2e-3);
});

test('fromLayersModel under Pond: a tanh MLP (approximated activations), argmax agrees', async () => {
  tfe.setProtocol(new tfe.Pond());
  const plain = seeded(tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [6] }), tf.layers.dense({ units: 3 })] }), 400);
  const priv = await fromLayersModel(plain);
  await agreement(plain, priv, randomArray(5, 300 * 6, -1, 1), [300, 6], 3, 0.05);
});

test('loadLayersModel reads model.json and weight shards from disk', async () => {
  tfe.setProtocol(new SecureNN());
  const dir = testTmpDir('import-');
  try {
    const plain = cnn();
    await plain.save(fileHandler(join(dir, 'model.json')));
    const priv = await loadLayersModel(join(dir, 'model.json'), { owner: 'model-owner' });
    await agreement(plain, priv, randomArray(6, 50 * 64, 0, 1), [50, 8, 8, 1], 4, 2e-3);
    await loadLayersModel(join(dir, 'missing.json')).then(() => assert.unreachable('should fail'), (e: Error) => {
      assert.ok(e instanceof tfe.ValueError && /missing\.json/.test(e.message), e.message);
    });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

testOnConfigs(test, 'fromLayersModel and private prediction with separate player processes', async () => {
  tfe.setProtocol(new SecureNN());
  const plain = mlp();
  const priv = await fromLayersModel(plain, { owner: 'model-owner' });
  await agreement(plain, priv, randomArray(8, 40 * 20, -1, 1), [40, 20], 5, 2e-3);
}, { players: ['server0', 'server1', 'server2', 'model-owner', 'input-provider'] });

test('loadLayersModel with a remote owner: the owner reads its own disk, the driver never does', async () => {
  const dir = testTmpDir('import-remote-');
  try {
    const plain = mlp();
    await plain.save(fileHandler(join(dir, 'owned', 'model.json')));
    // every player's data directory is `dir`; the driver's working directory has no `owned/`
    await withConfig('zmq', async ({ rt }) => {
      tfe.setProtocol(new SecureNN());
      const priv = await loadLayersModel('owned/model.json', { owner: 'model-owner' });
      await agreement(plain, priv, randomArray(9, 30 * 20, -1, 1), [30, 20], 5, 2e-3);
      const c = await rt.counters();
      assert.is(c['model-owner'].bytesSent > 0, true, 'the owner sent the shares');
      await loadLayersModel('owned/nothing.json', { owner: 'model-owner' }).then(() => assert.unreachable('should fail'), (e: Error) => {
        assert.ok(/nothing\.json/.test(e.message), e.message);
      });
    }, { players: ['server0', 'server1', 'server2', 'model-owner', 'input-provider'], playerFlags: ['--data-dir', dir] });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('unsupported layers and non-linear topologies are named', async () => {
  tfe.setProtocol(new tfe.Pond());
  const lstm = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.layerNormalization()] });
  await fromLayersModel(lstm).then(() => assert.unreachable('should fail'), (e: Error) => {
    assert.ok(e instanceof tfe.NotImplementedError && /LayerNormalization/.test(e.message), e.message);
  });
  const a = tf.input({ shape: [3] });
  const b = tf.layers.dense({ units: 3 }).apply(a) as tf.SymbolicTensor;
  const c = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  await fromLayersModel(tf.model({ inputs: a, outputs: c })).then(() => assert.unreachable('should fail'), (e: Error) => {
    assert.ok(e instanceof tfe.NotImplementedError, e.message);
  });
});

test.run();
