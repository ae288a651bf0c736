/**
 * Loader errors name the file and the weight (issue 14, item 6): a truncated or padded
 * weights.bin is a ValueError naming model.json, the shard and the first weight that does not
 * fit, instead of tfjs's bare "the tensor should have N values but has M".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { fileHandler } from '../../src/models/index.js';
import { testTmpDir } from '../helpers/tmp.js';

const dir = relative(process.cwd(), testTmpDir('import-errors'));

async function savedModel(): Promise<string> {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 2 })] });
  await m.save(fileHandler(join(dir, 'model.json')));
  return join(dir, 'model.json');
}

async function loadError(path: string): Promise<Error> {
  try { await tfe.models.loadLayersModel(path, { owner: 'model-owner' }); } catch (e) { return e as Error; }
  return assert.unreachable('expected loadLayersModel to reject') as never;
}

test('a truncated weights.bin names model.json, the shard and the weight', async () => {
  const path = await savedModel();
  const bin = join(dir, 'weights.bin');
  const full = readFileSync(bin);
  writeFileSync(bin, full.subarray(0, full.length - 10));
  const e = await loadError(path);
  assert.instance(e, tfe.ValueError);
  assert.match(e.message, /model\.json/);
  assert.match(e.message, /weights\.bin/);
  assert.match(e.message, /truncated: weight `dense_\w+\/kernel` \[4,2\] needs bytes 64–96/);
  assert.not.match(e.message, /should have/);
});

test('a padded weights.bin and a model.json that is not JSON are ValueErrors naming the file', async () => {
  const path = await savedModel();
  const bin = join(dir, 'weights.bin');
  writeFileSync(bin, Buffer.concat([readFileSync(bin), Buffer.alloc(8)]));
  const padded = await loadError(path);
  assert.instance(padded, tfe.ValueError);
  assert.match(padded.message, /weights\.bin/);
  assert.match(padded.message, /need \d+/);
  writeFileSync(path, 'private: not json');
  const bad = await loadError(path);
  assert.instance(bad, tfe.ValueError);
  assert.match(bad.message, /model\.json/);
  assert.not.match(bad.message, /private/);
});

test('an intact model still loads and predicts like tfjs', async () => {
  const path = await savedModel();
  const plain = await tf.loadLayersModel(fileHandler(path));
  const priv = await tfe.models.loadLayersModel(path, { owner: 'model-owner' });
  const xs = [[0.5, -1, 2], [1, 1, -0.25]];
  const want = (plain.predict(tf.tensor(xs)) as tf.Tensor).dataSync();
  const x = await tfe.definePrivateInput('data-owner', () => xs);
  const got = await (await priv.predict(x)).reveal();
  want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) < 1e-2, `${got[i]} vs ${w}`));
});

test.run();
