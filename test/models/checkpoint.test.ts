import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import { testTmpDir } from '../helpers/tmp.js';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { models, sequential } from '../../src/models/index.js';
import { getSink, registerSink } from '../../src/runtime/data_sources.js';
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
    // predictions use fresh truncation randomness (1 ulp per truncation), so two runs of the SAME
    // model differ in the last bits too: compare within that noise
    const [y1, y2] = [await (await m.predict(x)).reveal(), await (await again.predict(x)).reveal()];
    for (let i = 0; i < y1.length; i++) assert.ok(Math.abs(y1[i] - y2[i]) <= 1e-3, `predictions agree (${y1[i]} vs ${y2[i]})`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

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
