/**
 * A representative subset of the SecureNN tests over ZeroMQ with real `tfe player` processes
 * (and the same bodies in memory), the small-tensor softmax from dealt keys among them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { decodeFixed, encodeFixed } from '../../src/kernels/index.js';
import { softmax } from '../../src/protocols/generic/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { testOnConfigs } from '../helpers/configs.js';
import { randomArray } from '../helpers/plain.js';
import { edgeValues, msbOf, openRaw, randomU64, shareRaw } from './securenn_helpers.js';


const snn = new SecureNN();
tfe.setProtocol(snn);
const players = ['server0', 'server1', 'server2', 'input-provider'];

testOnConfigs(test, 'MSB and ReLU bit-exact on random and edge values', async () => {
  const values = new BigUint64Array([...randomU64(3000), ...edgeValues()]);
  const x = shareRaw(snn, values, 16);
  const msb = await openRaw(snn.toPrivate(snn.isNegative(x)));
  const relu = await openRaw(snn.toPrivate(snn.relu(x)));
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (msb[i] !== msbOf(values[i]) || relu[i] !== (msbOf(values[i]) ? 0n : values[i])) bad++;
  assert.is(bad, 0);
}, { players });

testOnConfigs(test, 'relu, comparisons, argmax and maxPool2d on private inputs', async () => {
  const data = Float64Array.from(randomArray(11, 32, -3, 3), (v) => Math.round(v));
  // Test data uploaded by the driver and shared from server0 (remote players run no providers).
  const x = snn.reshape(shareRaw(snn, encodeFixed(data, [data.length]).values() as BigUint64Array, 16), [2, 4, 4, 1]);
  const enc = decodeFixed(encodeFixed(data, [data.length]));
  assert.equal(Array.from(await tfe.relu(x).reveal()), Array.from(enc, (v) => (v > 0 ? v : 0)));
  assert.equal(Array.from(await snn.greater(x, 0).reveal()), Array.from(enc, (v) => +(v > 0)));
  const { y, mask } = snn.maxPool2dWithArgmax(x, { poolSize: 2 });
  const yv = await y.reveal();
  const mv = await mask.reveal();
  for (let b = 0; b < 2; b++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    const win = [0, 1, 2, 3].map((k) => enc[b * 16 + (2 * i + (k >> 1)) * 4 + 2 * j + (k & 1)]);
    const o = (b * 2 + i) * 2 + j;
    assert.is(yv[o], Math.max(...win));
    assert.equal(Array.from(mv.slice(o * 4, o * 4 + 4)), win.map((v, k) => +(k === win.indexOf(Math.max(...win)))));
  }
  const idx = await snn.argmax(tfe.reshape(x, [4, 8]), 1).reveal();
  for (let r = 0; r < 4; r++) {
    const row = Array.from(enc.slice(r * 8, r * 8 + 8));
    assert.is(idx[r], row.indexOf(Math.max(...row)));
  }
}, { players });

testOnConfigs(test, 'softmax of a small tensor from dealt keys (exact max, splines): 10 rounds, within its bound', async () => {
  const data = Float64Array.from(randomArray(12, 30, -8, 8));
  data.set([4, 4, 4], 10); // a tie at the top of row 1
  const x = snn.reshape(shareRaw(snn, encodeFixed(data, [data.length]).values() as BigUint64Array, 16), [3, 10]);
  const got = await softmax(snn, x).reveal();
  const enc = decodeFixed(encodeFixed(data, [data.length]));
  for (let r = 0; r < 3; r++) {
    const row = Array.from(enc.slice(r * 10, r * 10 + 10));
    const e = row.map((v) => Math.exp(v - Math.max(...row)));
    const sum = e.reduce((a, b) => a + b, 0);
    // generic/dealt_softmax.ts's bound
    e.forEach((v, j) => assert.ok(Math.abs(got[r * 10 + j] - v / sum) <= 0.0045 * (v / sum) + 0.0003 * (1 + 10 * v / sum) / sum + 2 ** -14, `[${r}, ${j}]`));
  }
}, { players });

test.run();
