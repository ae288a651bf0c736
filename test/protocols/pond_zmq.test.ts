/**
 * A representative subset of the Pond tests over ZeroMQ with real `tfe player` processes on
 * 127.0.0.1 (and the same bodies in memory), plus the simple-average example in both modes and
 * softmax by the exact max (the relu tree for 30 rows, the dealt splines for one).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfe from '../../src/index.js';
import { encodeFixed } from '../../src/kernels/index.js';
import { softmax } from '../../src/protocols/generic/index.js';
import { shareFrom } from '../../src/protocols/pond/sharing.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';
import { INPUTTERS, LENGTH, demoVector, simpleAverage } from '../../examples/simple-average/run.js';
import { logOnceMatching, testOnConfigs, withConfig } from '../helpers/configs.js';
import { matmul, maxAbsDiff, productTolerance, randomArray } from '../helpers/plain.js';

const pond = new tfe.Pond();
tfe.setProtocol(pond);
const players = ['server0', 'server1', 'server2', 'data-owner'];

/** Test data the driver knows, uploaded to `data-owner` and secret-shared from there (remote players run no providers). */
function share(values: Float64Array, shape: number[]): tfe.PondPrivateTensor {
  return shareFrom(pond, currentRuntime().upload('data-owner', encodeFixed(values, shape)), 16);
}

testOnConfigs(test, 'private matmul, products, truncation and division', async () => {
  const a = randomArray(1, 6 * 5, -4, 4), b = randomArray(2, 5 * 3, -4, 4);
  const x = share(a, [6, 5]), y = share(b, [5, 3]);
  const got = await tfe.matmul(x, y).reveal();
  assert.ok(maxAbsDiff(got, matmul(a, b, 6, 5, 3)) <= productTolerance(16, 5, 4), 'matmul');
  const sq = await tfe.mul(x, x).reveal();
  assert.ok(maxAbsDiff(sq, a.map((v) => v * v)) <= productTolerance(16, 1, 4), 'square');
  const d = await tfe.div(x, 3).reveal();
  assert.ok(maxAbsDiff(d, a.map((v) => v / 3)) <= 3 * 2 ** -16, 'div');
}, { players });

testOnConfigs(test, 'sigmoid with the exact clamp, inside and far outside its interval', async () => {
  const xs = Float64Array.of(-1000, -6, -1, 0, 0.5, 3, 6, 1000);
  const got = await tfe.sigmoid(share(xs, [xs.length])).reveal();
  assert.ok(maxAbsDiff(got, xs.map((v) => 1 / (1 + Math.exp(-v)))) <= 0.0055);
}, { players });

testOnConfigs(test, 'softmax shifts by the exact max: a spread of 20 over 30 rows (the relu tree, then the keys) and one row (the splines)', async () => {
  for (const rows of [30, 1]) {
    const xs = Float64Array.from(randomArray(rows + 3, rows * 10, -10, 6), (v, i) => (i % 10 === 4 ? 10 : v));
    const got = await softmax(pond, share(xs, [rows, 10])).reveal();
    for (let r = 0; r < rows; r++) {
      const e = Array.from(xs.slice(r * 10, r * 10 + 10), (v) => Math.exp(v - 10));
      const sum = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => assert.ok(Math.abs(got[r * 10 + j] - v / sum) <= 0.01, `${rows} rows [${r}, ${j}]: ${got[r * 10 + j]} vs ${v / sum}`));
    }
  }
}, { players });

const averagers = ['server0', 'server1', 'server2', ...INPUTTERS, 'result-receiver'];
const expectedMean = Array.from({ length: LENGTH }, (_, j) => INPUTTERS.reduce((s, _n, i) => s + demoVector(i)[j], 0) / INPUTTERS.length);

test('simple-average gives the right mean on LocalConfig', async () => {
  await withConfig('local', async () => {
    let mean: Float64Array | undefined;
    await simpleAverage(false, (m) => { mean = m; });
    assert.ok(mean && maxAbsDiff(mean, expectedMean) <= 1e-4, `mean ${mean}`);
  }, { players: averagers });
});

test('simple-average over ZeroMQ: only result-receiver prints the mean', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfe-avg-'));
  INPUTTERS.forEach((name, i) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(demoVector(i))));
  try {
    await withConfig('zmq', async ({ cluster }) => {
      await simpleAverage(true);
      // the receiver's log line can arrive after simpleAverage resolved (a loaded machine)
      const log = await logOnceMatching(cluster!, 'result-receiver', /output shape=\[10\]/);
      const line = log.split('\n').find((l) => l.includes('output shape=[10]'));
      assert.ok(line, `result-receiver printed no output; log:\n${log}`);
      const printed = line!.slice(line!.indexOf('[', line!.indexOf(':')) + 1, line!.lastIndexOf(']')).split(',').map(Number);
      assert.ok(maxAbsDiff(printed, expectedMean) <= 1e-4, `printed ${printed}`);
      for (const other of ['server0', 'server1', 'server2', ...INPUTTERS]) {
        assert.not.ok(cluster!.logs.get(other)!.includes('output shape'), `${other} must not see the output`);
      }
    }, { players: averagers, playerFlags: ['--data-dir', dir] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
