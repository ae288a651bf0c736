import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import { testTmpDir } from '../helpers/tmp.js';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { models, sequential } from '../../src/models/index.js';
import { getSink, registerSink } from '../../src/runtime/player/data_sources.js';
import { randomArray } from '../helpers/plain.js';


function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p); else if (e.name.endsWith('.bin')) out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function model() {
  return sequential({ layers: [
    L.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1], activation: 'tanh' }), L.flatten(),
    L.batchNormalization({}), L.dense({ units: 3 }),
  ] });
}

test('save/load round trip: shares bit-for-bit, same predictions', async () => {
  tfe.setProtocol(new tfe.Pond());
  const dir = relative(process.cwd(), testTmpDir('ckpt-'));
  try {
    const m = model();
    const x = await tfe.definePrivateInput('input-provider', () => randomArray(1, 5 * 16, -1, 1), { shape: [5, 4, 4, 1] });
    await m.save(dir);
    const written = files(join(dir, 'a'));
    assert.is(written.size, 2 * m.getWeights().length, 'one file per share: server0 and server1 each write their own');
    assert.ok([...written.keys()].every((k) => k.startsWith('server0/') || k.startsWith('server1/')));
    const again = await models.load(dir);
    assert.equal(again.getConfig(), m.getConfig(), 'same architecture');
    const [w1, w2] = [await m.getWeights({ revealTo: 'driver' }), await again.getWeights({ revealTo: 'driver' })];
    w1.forEach((w, i) => assert.equal(Array.from(w2[i].dataSync()), Array.from(w.dataSync()), `weight ${i}`));
    // re-saving the loaded model writes identical shares
    const dir2 = relative(process.cwd(), testTmpDir('ckpt-'));
    await again.save(dir2);
    const rewritten = files(join(dir2, 'a'));
    for (const [k, v] of written) assert.ok(v.equals(rewritten.get(k)!), `share file ${k} identical`);
    rmSync(dir2, { recursive: true, force: true });
    // truncation draws randomness (±1 ulp each), so predictions repeat bit for bit only with the
    // same seeds: tfe.setRandomSeed makes the players' randomness reproducible
    tfe.setRandomSeed(7);
    const y1 = await (await m.predict(x)).reveal();
    tfe.setRandomSeed(7);
    const y2 = await (await again.predict(x)).reveal();
    assert.equal(Array.from(y2), Array.from(y1), 'predictions identical bit for bit');
    tfe.setRandomSeed(8);
    const y3 = await (await m.predict(x)).reveal();
    assert.ok(y3.some((v, i) => v !== y1[i]), 'another seed gives other truncation noise (the seed is used)');
    for (let i = 0; i < y1.length; i++) assert.ok(Math.abs(y3[i] - y1[i]) <= 1e-3, `within truncation noise (${y1[i]} vs ${y3[i]})`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

for (const [name, optimizer] of [['adam', () => tfe.train.adam(0.01)], ['sgd with momentum', () => tfe.train.momentum(0.1, 0.9)]] as const) {
  test(`optimizer state (${name}) is saved: training resumes exactly`, async () => {
    tfe.setProtocol(new tfe.Pond());
    const dir = relative(process.cwd(), testTmpDir('ckpt-'));
    try {
      const m = sequential({ layers: [L.dense({ units: 4, inputShape: [3], activation: 'tanh' }), L.dense({ units: 1 })] });
      m.compile({ optimizer: optimizer(), loss: 'meanSquaredError' });
      const x = await tfe.definePrivateInput('input-provider', () => randomArray(2, 8 * 3, -1, 1), { shape: [8, 3] });
      const y = await tfe.definePrivateInput('input-provider', () => randomArray(3, 8, -1, 1), { shape: [8, 1] });
      await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      await m.save(dir);
      const manifest = JSON.parse(readFileSync(join(dir, 'tfe_model.json'), 'utf8'));
      assert.is(manifest.training.optimizer.iterations, 2);
      assert.is(manifest.training.slots.length, (name === 'adam' ? 2 : 1) * 4, 'every state tensor of every weight');
      const again = await models.load(dir);
      assert.ok(again.optimizer, 'the loaded model is compiled');
      assert.is(again.optimizer!.name, m.optimizer!.name);
      assert.equal(again.optimizer!.getConfig(), m.optimizer!.getConfig());
      // one more step on each, with the same randomness: the weights must agree bit for bit,
      // which needs the step count (bias correction) and every moment restored exactly
      tfe.setRandomSeed(11);
      await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
      tfe.setRandomSeed(11);
      await again.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
      const [w1, w2] = [await m.getWeights({ revealTo: 'driver' }), await again.getWeights({ revealTo: 'driver' })];
      w1.forEach((w, i) => assert.equal(Array.from(w2[i].dataSync()), Array.from(w.dataSync()), `weight ${i} after the resumed step`));
      // and the state matters: a fresh optimizer on the loaded weights takes a different step
      const fresh = await models.load(dir);
      fresh.compile({ optimizer: optimizer(), loss: 'meanSquaredError' });
      tfe.setRandomSeed(11);
      await fresh.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
      const w3 = await fresh.getWeights({ revealTo: 'driver' });
      assert.ok(w3.some((w, i) => Array.from(w.dataSync()).some((v, j) => v !== w1[i].dataSync()[j])), 'without the saved state the step differs');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

test('a crash in the middle of a save leaves the previous checkpoint intact', async () => {
  tfe.setProtocol(new tfe.Pond());
  const dir = relative(process.cwd(), testTmpDir('ckpt-'));
  const raw = getSink('raw');
  try {
    const m = model();
    await m.save(dir);
    const before = files(dir);
    const w0 = (await m.getWeights({ revealTo: 'driver' })).map((t) => Array.from(t.dataSync()));
    m.setWeights(m.getWeights().map((w) => new Float64Array(w.size).fill(0.25)));
    let writes = 0;
    registerSink('raw', (t, args, ctx) => { if (++writes === 5) throw new Error('disk full (simulated crash)'); return raw(t, args, ctx); });
    let failed = false;
    try { await m.save(dir); } catch { failed = true; }
    registerSink('raw', raw);
    assert.ok(failed, 'the save reported the failure');
    const after = files(dir);
    for (const [k, v] of before) assert.ok(v.equals(after.get(k)!), `old share ${k} untouched`);
    // a failing player ends the session (DESIGN.md §5), so the next runtime starts from disk
    const loaded = await models.load(dir);
    const w1 = (await loaded.getWeights({ revealTo: 'driver' })).map((t) => Array.from(t.dataSync()));
    assert.equal(w1, w0, 'the previous checkpoint loads');
    loaded.setWeights(loaded.getWeights().map((w) => new Float64Array(w.size).fill(0.25)));
    await loaded.save(dir);
    const third = await models.load(dir);
    assert.ok((await third.getWeights({ revealTo: 'driver' }))[0].dataSync().every((v) => v === 0.25), 'a later save succeeds and is current');
  } finally {
    registerSink('raw', raw);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('load checks the protocol and the manifest', async () => {
  tfe.setProtocol(new tfe.Pond());
  await models.load('.tfe-tmp/does-not-exist').then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof tfe.ValueError && /tfe_model\.json/.test(e.message)));
  const dir = relative(process.cwd(), testTmpDir('ckpt-'));
  try {
    await model().save(dir);
    tfe.setProtocol(new tfe.Pond('server0', 'server1', 'server2', { fracBits: 20 }));
    await models.load(dir).then(() => assert.unreachable(), (e: Error) => assert.ok(/fracBits/.test(e.message), e.message));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
