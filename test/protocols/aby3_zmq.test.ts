/**
 * A representative subset of the ABY3 tests over ZeroMQ with three real `tfe player`
 * processes on 127.0.0.1 (and the same bodies in memory), server2's DCF keys included.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { decodeFixed, encodeFixed } from '../../src/kernels/index.js';
import { truncateShares } from '../../src/protocols/aby3/truncate.js';
import { testOnConfigs } from '../helpers/configs.js';
import { matmul, maxAbsDiff, randomArray } from '../helpers/plain.js';
import { edgeValues, msbOf, randomU64 } from './securenn_helpers.js';
import { measure, openRaw, openShares, shareRaw } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const players = ['server0', 'server1', 'server2'];
/** Fixed-point test data uploaded by the driver and shared from server0 (remote players run no providers). */
const sharedFixed = (v: Float64Array, shape: number[]) => tfe.reshape(shareRaw(aby3, encodeFixed(v, [v.length]).values() as BigUint64Array, 16), shape);

testOnConfigs(test, 'matmul and mul against plaintext; truncation within 1 ulp on 10^5 values', async () => {
  const a = randomArray(1, 6 * 5, -3, 3), b = randomArray(2, 5 * 4, -3, 3);
  const got = await tfe.matmul(sharedFixed(a, [6, 5]), sharedFixed(b, [5, 4])).reveal();
  assert.ok(maxAbsDiff(got, matmul(a, b, 6, 5, 4)) < 1e-3);
  const x = randomU64(100_000).map((v) => BigInt.asUintN(64, BigInt.asIntN(64, v) >> 2n));
  const y = await openShares(truncateShares(aby3, shareRaw(aby3, x).shares, 16, 16).shares);
  let bad = 0;
  for (let i = 0; i < x.length; i++) {
    const d = BigInt.asIntN(64, y[i]) - (BigInt.asIntN(64, x[i]) >> 16n);
    if (d !== 0n && d !== 1n) bad++;
  }
  assert.is(bad, 0);
}, { players });

testOnConfigs(test, 'MSB and relu bit-exact on random and edge values; comparison traffic as stated', async () => {
  const values = new BigUint64Array([...randomU64(3000), ...edgeValues()]);
  const x = shareRaw(aby3, values, 16);
  const neg = await openRaw(aby3.isNegative(x));
  const relu = await openRaw(aby3.relu(x));
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (neg[i] !== msbOf(values[i]) || relu[i] !== (msbOf(values[i]) ? 0n : values[i])) bad++;
  assert.is(bad, 0);
  const c = await measure(() => aby3.isNegative(x));
  // the sign circuit's 21 messages (6 + 4·3 + 3) and bit injection's 4
  assert.is(c.server0.messagesSent + c.server1.messagesSent + c.server2.messagesSent, 25);
}, { players });

testOnConfigs(test, 'maxPool2d with mask, argmax, sort and sigmoid over the wire', async () => {
  const data = Float64Array.from(randomArray(11, 32, -3, 3), (v) => Math.round(v));
  const enc = decodeFixed(encodeFixed(data, [data.length]));
  const x = sharedFixed(data, [2, 4, 4, 1]);
  const { y, mask } = aby3.maxPool2dWithArgmax(x, { poolSize: 2 });
  const yv = await y.reveal(), mv = await mask.reveal();
  for (let b = 0; b < 2; b++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    const win = [0, 1, 2, 3].map((k) => enc[b * 16 + (2 * i + (k >> 1)) * 4 + 2 * j + (k & 1)]);
    const o = (b * 2 + i) * 2 + j;
    assert.is(yv[o], Math.max(...win));
    assert.equal(Array.from(mv.slice(o * 4, o * 4 + 4)), win.map((v, k) => +(k === win.indexOf(Math.max(...win)))));
  }
  const sorted = await aby3.sort(tfe.reshape(x, [4, 8])).reveal();
  for (let r = 0; r < 4; r++) assert.equal(Array.from(sorted.slice(r * 8, r * 8 + 8)), Array.from(enc.slice(r * 8, r * 8 + 8)).sort((p, q) => p - q));
  const s = await aby3.sigmoid(x).reveal();
  assert.ok(maxAbsDiff(s, enc.map((v) => 1 / (1 + Math.exp(-v)))) <= 0.0036);
}, { players });

testOnConfigs(test, 'server2\'s DCF keys over the wire: relu of a small tensor exact in 2 rounds, softmax of one row within the spline softmax\'s bound', async () => {
  // the keys are exact for |v| < 2^62 (dealt_keys.ts), the carry circuit on the whole ring
  const inRange = (v: bigint) => { const s = BigInt.asIntN(64, v); return s < 1n << 62n && s > -(1n << 62n); };
  const values = new BigUint64Array([...randomU64(200).map((v) => BigInt.asUintN(64, BigInt.asIntN(64, v) >> 2n)), ...[...edgeValues()].filter(inRange)].slice(0, 256));
  const x = shareRaw(aby3, values, 16);
  assert.ok(aby3.capabilities.dealtSplines!.accepts(x));
  const c = await measure(() => aby3.relu(x));
  assert.is(Math.max(c.server0.rounds, c.server1.rounds, c.server2.rounds), 2);
  const relu = await openRaw(aby3.relu(x));
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (relu[i] !== (msbOf(values[i]) ? 0n : values[i])) bad++;
  assert.is(bad, 0);
  const logits = Float64Array.from([2.5, -1, 0, 7.25, 7, -8, 3, 3, 0.5, -0.5]);
  const probs = await aby3.softmax(sharedFixed(logits, [1, 10])).reveal();
  const e = Array.from(logits, (v) => Math.exp(v - 7.25));
  const sum = e.reduce((a, b) => a + b, 0);
  e.forEach((v, i) => assert.ok(Math.abs(probs[i] - v / sum) <= 0.008, `p[${i}] = ${probs[i]}, want ${v / sum}`));
}, { players });

test.run();
