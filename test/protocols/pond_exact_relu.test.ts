/**
 * Exact relu by default on Pond (issue 14, item 3): x·[x ≥ 0] from the exact dealer-assisted
 * MSB, exact to the last unit on the whole range, for private and public inputs; TF Encrypted's
 * Chebyshev form stays as an option; an imported tfjs MLP with relu layers predicts within 1e-2.
 */
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';

const ULP = 2 ** -16;
const edge = [0, -1, 1, ULP, -ULP, -0.5, 2.75, 1e6, -1e6, 2 ** 30, -(2 ** 30)];

test('default Pond relu is exact to 1 ulp on edge and random values (no −0.224 at −1)', async () => {
  tfe.setProtocol(new tfe.Pond());
  const rand = Array.from({ length: 500 }, (_, i) => Math.sin(i * 12.9898) * 1000);
  const xs = [...edge, ...rand];
  const got = await tfe.relu(await tfe.definePrivateInput('input-provider', () => xs)).reveal();
  xs.forEach((x, i) => assert.ok(Math.abs(got[i] - Math.max(x, 0)) <= ULP, `relu(${x}) = ${got[i]}`));
});

test('Pond relu takes 8 rounds and about 119 bytes per element: the bits\' conversion and the product share one opening', async () => {
  tfe.setProtocol(new tfe.Pond());
  const n = 4096; // above fssMaxElements: the bit-sliced tree (smaller tensors: pond_fss.test.ts)
  const xs = Array.from({ length: n }, (_, i) => Math.sin(i * 78.233) * 50);
  const x = await tfe.definePrivateInput('input-provider', () => xs);
  const rt = tfe.getRuntime();
  await rt.resetCounters();
  const got = await tfe.relu(x).reveal();
  const c = Object.values(await rt.counters());
  xs.forEach((v, i) => assert.ok(Math.abs(got[i] - Math.max(v, 0)) <= ULP, `relu(${v}) = ${got[i]}`));
  assert.is(Math.max(...c.map((k) => k.rounds)), 8); // msb and then a Beaver product: 9
  const perElement = c.reduce((a, k) => a + k.bytesSent, 0) / n;
  assert.ok(perElement > 110 && perElement < 125, `${perElement} bytes per element (was 135)`);
});

test('public inputs are computed locally and exactly; an empty tensor gives an empty tensor', async () => {
  tfe.setProtocol(new tfe.Pond());
  const got = await tfe.relu(tfe.defineConstant([-3, 0, 4.5])).reveal();
  assert.equal(Array.from(got), [0, 0, 4.5]);
  const empty = await tfe.definePrivateInput('input-provider', () => new Float64Array(0), { shape: [0] });
  assert.equal((await tfe.relu(empty).reveal()).length, 0);
});

test("{relu: 'chebyshev'} keeps TF Encrypted's polynomial; a bad option is a ValueError", async () => {
  tfe.setProtocol(new tfe.Pond('server0', 'server1', undefined, { relu: 'chebyshev' }));
  const got = await tfe.relu(await tfe.definePrivateInput('input-provider', () => [-1, 1])).reveal();
  assert.ok(Math.abs(got[0]) > 0.01 && Math.abs(got[0]) <= 0.25, `chebyshev relu(−1) = ${got[0]}`);
  assert.throws(() => new tfe.Pond('server0', 'server1', undefined, { relu: 'fast' as 'exact' }), (e: Error) => e instanceof tfe.ValueError && /'exact' or 'chebyshev'/.test(e.message));
});

test('an imported tfjs relu MLP predicts within 1e-2 of tfjs under the default protocol', async () => {
  tfe.setProtocol(new tfe.Pond());
  const m = tf.sequential({ layers: [
    tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ] });
  const xs = Array.from({ length: 20 }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.cos(i * 3 + j) * 2));
  const want = (m.predict(tf.tensor(xs)) as tf.Tensor).dataSync();
  const priv = await tfe.models.fromLayersModel(m, { owner: 'model-owner' });
  const got = await (await priv.predict(await tfe.definePrivateInput('input-provider', () => xs))).reveal();
  let worst = 0;
  want.forEach((w, i) => { worst = Math.max(worst, Math.abs(got[i] - w)); });
  assert.ok(worst <= 1e-2, `worst error ${worst}`);
});

test.run();
