/**
 * Overflow found without opening values (issue 14, item 4): declared input bounds checked on
 * the owner, worst-case bounds of products warned about, and a model's range report.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { overflowWarnings, productLimit } from '../../src/protocols/overflow.js';
import { testTmpDir } from '../helpers/tmp.js';
import { Player } from '../../src/runtime/player/player.js';

const warnings: string[] = [];
overflowWarnings.sink = (l) => warnings.push(l);

async function valueError(p: Promise<unknown>): Promise<Error> {
  try { await p; } catch (e) { assert.instance(e, tfe.ValueError); return e as Error; }
  return assert.unreachable('expected a ValueError') as never;
}

test('the limit is 2^30 at f = 16', () => {
  assert.is(productLimit(16, 16), 2 ** 30);
  assert.is(productLimit(16, 0), 2 ** 46);
});

test('a product of bounded tensors that can pass 2^30 warns once; a safe one does not', async () => {
  tfe.setProtocol(new tfe.Pond());
  warnings.length = 0;
  const x = await tfe.definePrivateInput('data-owner', () => [1, -2, 3], { bounds: [-1000, 1000] });
  assert.is(x.bound, 1000);
  const safe = tfe.mul(x, tfe.defineConstant([2, 2, 2]));
  assert.is(safe.bound, 2000);
  assert.equal(warnings, []);
  const risky = tfe.mul(x, tfe.defineConstant(5e6));
  tfe.mul(x, tfe.defineConstant(5e6));
  assert.is(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /possible overflow in Mul/);
  assert.match(warnings[0], /5\.00e\+9/);
  assert.is(risky.bound, 5e9);
  // A matmul's bound sums over its inner dimension.
  const w = tfe.defineConstant(new Float64Array(3 * 2).fill(0.5), { shape: [3, 2] });
  assert.is(tfe.matmul(tfe.reshape(x, [1, 3]), w).bound, undefined, 'reshape drops the bound');
  const xm = await tfe.definePrivateInput('data-owner', () => [[1, 2, 3]], { bounds: 10 });
  assert.is(tfe.matmul(xm, w).bound, 15);
});

test('declared bounds are checked on the owner: providers and loaders, no value in the message', async () => {
  tfe.setProtocol(new tfe.Pond());
  const e = await valueError(tfe.definePrivateInput('data-owner', () => [1, 2, 31337], { bounds: [0, 100] }));
  assert.match(e.message, /outside its declared bounds \[0, 100\]/);
  assert.not.match(e.message, /31337/);
  const dir = relative(process.cwd(), testTmpDir('overflow'));
  writeFileSync(join(dir, 'big.json'), JSON.stringify([1, 2, 4242]));
  const l = await valueError(tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/big.json` } }, { bounds: 100 }));
  assert.match(l.message, /big\.json/);
  assert.match(l.message, /outside the declared bounds \[-100, 100\]/);
  assert.not.match(l.message, /4242/);
  const ok = await tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/big.json` } }, { bounds: 5000 });
  assert.is(ok.bound, 5000);
  await valueError(tfe.definePrivateInput('data-owner', () => [1], { bounds: [3, 1] }));
  // A bound off the fixed-point grid: 0.1 itself is inside [-0.1, 0.1] through a loader too.
  writeFileSync(join(dir, 'tenth.json'), JSON.stringify([0.1, -0.1, 0]));
  const tenth = await tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/tenth.json` } }, { bounds: 0.1 });
  assert.is(tenth.bound, 0.1);
});

test('networked owners answer bounds checks only when they opt in (one bit to the driver)', () => {
  const net = { sendTensor: () => 0, sendSeed: () => 0, addressOf: () => '', isPeer: () => false };
  assert.is(new Player({ name: 'owner', net, inProcess: false }).checkBounds, false);
  assert.is(new Player({ name: 'owner', net, inProcess: false, checkBounds: true }).checkBounds, true);
  assert.is(new Player({ name: 'owner', net, inProcess: true }).checkBounds, true);
});

test('ABY3 honours declared bounds too (checked on the owner, carried as the bound)', async () => {
  tfe.setProtocol(new tfe.protocols.ABY3());
  const x = await tfe.definePrivateInput('data-owner', () => [1, -2], { bounds: 5 });
  assert.is(x.bound, 5);
  const e = await valueError(tfe.definePrivateInput('data-owner', () => [1, 99], { bounds: 5 }));
  assert.match(e.message, /outside its declared bounds \[-5, 5\]/);
  assert.not.match(e.message, /99/);
});

test('a model range report flags the layer whose worst case can overflow, and predict warns', async () => {
  tfe.setProtocol(new tfe.SecureNN());
  const model = tfe.sequential({ layers: [
    tfe.layers.dense({ units: 16, activation: 'relu', inputShape: [64] }),
    tfe.layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  const small = model.analyzeRanges(1);
  assert.is(small.length, 2);
  assert.ok(small.every((r) => !r.overflow && r.worstProduct! > 0));
  assert.is(small[1].outputBound, 1, 'softmax output is bounded by 1');
  const big = model.analyzeRanges(1e8);
  assert.ok(big[0].overflow, `first layer: ${big[0].worstProduct} vs ${big[0].limit}`);
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (l: string) => { lines.push(String(l)); };
  try {
    const x = await tfe.definePrivateInput('data-owner', () => new Float64Array(2 * 64), { shape: [2, 64], bounds: 1e8 });
    await model.predict(x);
    await model.predict(x);
  } finally { console.warn = warn; }
  const mine = lines.filter((l) => l.includes('can overflow'));
  const risky = big.filter((r) => r.overflow).map((r) => r.layer);
  assert.is(mine.length, risky.length, 'once per risky layer, over two predicts');
  assert.match(mine[0], new RegExp(`layer \`${model.layers[0].name}\``));
});

test('BatchNormalization and unknown weights make later bounds unknown, with the reason', () => {
  tfe.setProtocol(new tfe.SecureNN());
  const model = tfe.sequential({ layers: [
    tfe.layers.dense({ units: 4, inputShape: [3] }), tfe.layers.batchNormalization({}), tfe.layers.dense({ units: 2 }),
  ] });
  const r = model.analyzeRanges(10);
  assert.ok(r[0].outputBound! > 0);
  assert.is(r[1].outputBound, undefined);
  assert.match(r[1].note!, /private statistics/);
  assert.is(r[2].inputBound, undefined);
  assert.match(r[2].note!, /private statistics/);
});

test.run();
