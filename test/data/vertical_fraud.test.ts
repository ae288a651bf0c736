/**
 * The vertical fraud-detection example end to end on reduced sizes: PSI aligns Alice's and
 * Bob's rows, each owner's player loads its own file (CSV or Arrow), logistic regression is
 * trained on the shares with `model.fit`, and the weights match float64 plaintext logistic
 * regression on the joined data after the same epochs. On LocalConfig the weights go to Bob
 * only (his receive callback); over ZeroMQ with three `tfe player` processes, to the driver
 * when it asks (`revealTo: 'driver'`), and to Bob's console by default.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FEATURES, generateFraudData } from '../../examples/vertical-fraud-detection/generate.js';
import { fraudPsi, joined, plaintextLR, trainFraud, accuracy } from '../../examples/vertical-fraud-detection/run.js';
import { logOnceMatching, testOnConfigs } from '../helpers/configs.js';
import { maxAbsDiff } from '../helpers/plain.js';
import { testTmpDir } from '../helpers/tmp.js';

const N = 400;
const dir = testTmpDir('fraud-');
const rel = relative(process.cwd(), dir);
const data = generateFraudData({ n: N, dir });
const sched = { epochs: 2, batchSize: 100, learningRate: 0.5 };
// The secure sigmoid is an approximation (Pond's default); its error, times the learning rate,
// accumulates over the 8 steps; fixed-point rounding (2^-16 per product) is far below it.
const TOL = 0.02;

let order: string[] = [];
test.before(async () => {
  const common = await fraudPsi(dir, dir, 'fraud-test');
  assert.is(common, N, 'Bob\'s extra individuals are left out');
  order = JSON.parse(readFileSync(join(dir, 'alice.ids.json'), 'utf8')) as string[];
  assert.equal(JSON.parse(readFileSync(join(dir, 'bob.ids.json'), 'utf8')), order, 'both sides agree on the order');
});

testOnConfigs(test, 'VFL logistic regression (csv) matches plaintext LR on the joined data', async ({ kind, cluster }) => {
  const { x, y } = joined(data, order);
  const plain = plaintextLR(x, y, FEATURES, sched);
  const w = await trainFraud({ data: rel, ...sched, revealTo: 'driver' });
  const diff = maxAbsDiff(Array.from(w!), Array.from(plain));
  assert.ok(diff <= TOL, `max |w_private - w_plain| = ${diff} (${kind})`);
  assert.ok(Math.abs(accuracy(w!, x, y, FEATURES) - accuracy(plain, x, y, FEATURES)) <= 0.03);
  assert.ok(accuracy(plain, x, y, FEATURES) > 0.7, 'the ground truth is learnable');
  if (cluster) {
    await trainFraud({ data: rel, epochs: 1, batchSize: 100, learningRate: 0.5 });
    const bob = await logOnceMatching(cluster, 'server1', /output shape=\[17\]/);
    assert.match(bob, /output shape=\[17\]/, 'Bob printed the weights');
    for (const other of ['server0', 'server2']) assert.not.match(cluster.logs.get(other)!, /output shape=\[17\]/);
  }
}, { playerFlags: ['--data-dir', process.cwd()] });

test('VFL with Alice\'s Arrow file on LocalConfig; only Bob receives the weights', async () => {
  const { withConfig } = await import('../helpers/configs.js');
  await withConfig('local', async () => {
    const { x, y } = joined(data, order);
    const plain = plaintextLR(x, y, FEATURES, { ...sched, epochs: 1 });
    let bob: Float64Array | undefined;
    const ret = await trainFraud({ data: rel, format: 'arrow', ...sched, epochs: 1, receive: (v) => { bob = v; } });
    assert.is(ret, undefined, 'the driver gets nothing');
    assert.ok(bob && maxAbsDiff(Array.from(bob), Array.from(plain)) <= TOL);
  });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
