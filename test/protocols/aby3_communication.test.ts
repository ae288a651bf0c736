/**
 * ABY3's communication, counted by the runtime's counters, against the stated formulas
 * (bytes per element, messages, and flights of messages per player).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ring } from '../../src/kernels/index.js';
import { tensorMessageBytes } from '../../src/runtime/wire/codec.js';
import { measure } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const header = tensorMessageBytes('server0', ring.zeros([0]));
const n = 100;

async function inputs() {
  const x = await tfe.definePrivateInput('input-provider', () => new Float64Array(n).fill(1.5));
  const y = await tfe.definePrivateInput('input-provider', () => new Float64Array(n).fill(-2));
  await tfe.mul(x, y).reveal(); // pairwise seeds are set up on first use: not part of the counts
  return { x, y };
}

type Counts = Awaited<ReturnType<typeof measure>>;
const total = (c: Counts, k: 'bytesSent' | 'messagesSent') => ['server0', 'server1', 'server2'].reduce((s, p) => s + c[p][k], 0);
const payloadPerElement = (c: Counts, elements: number) => (total(c, 'bytesSent') - total(c, 'messagesSent') * header) / elements;

test('private mul with truncation: 64 bytes per element in 8 messages; 2 flights on server0/1, 1 on the dealer', async () => {
  const { x, y } = await inputs();
  const c = await measure(() => tfe.mul(x, y));
  assert.is(total(c, 'messagesSent'), 8);
  assert.is(payloadPerElement(c, n), 64);
  assert.equal([c.server0.rounds, c.server1.rounds, c.server2.rounds], [2, 2, 1]);
  assert.is(c['input-provider'].bytesSent, 0);
});

test('private matmul [m,k]·[k,n]: 64 bytes per OUTPUT element, independent of k', async () => {
  const { x, y } = await inputs();
  const c = await measure(() => tfe.matmul(tfe.reshape(x, [4, 25]), tfe.reshape(y, [25, 4])));
  assert.is(total(c, 'messagesSent'), 8);
  assert.is(total(c, 'bytesSent'), 8 * tensorMessageBytes('server0', ring.zeros([4, 4])), 'eight [4,4] messages: 64 bytes per output element');
});

test('integer product (no truncation): one resharing, 24 bytes per element, 3 messages, 1 flight each', async () => {
  const { x } = await inputs();
  const k = aby3.defineConstant(new Float64Array(n).fill(1), { integer: true });
  const bit = aby3.toPrivate(k); // a private integer tensor
  const c = await measure(() => tfe.mul(x, bit));
  assert.is(total(c, 'messagesSent'), 3);
  assert.is(payloadPerElement(c, n), 24);
  assert.equal([c.server0.rounds, c.server1.rounds, c.server2.rounds], [1, 1, 1]);
});

test('comparison (isNegative): 328 bytes per element = 1 + 36 words of A2B and 4 of bit injection, 41 messages', async () => {
  const { x } = await inputs();
  const c = await measure(() => aby3.isNegative(x));
  assert.is(total(c, 'messagesSent'), 41);
  assert.is(payloadPerElement(c, n), 328);
  // 10 dependent steps; a server's sends that need nothing new travel with its previous flight
  for (const s of ['server0', 'server1', 'server2']) assert.is(c[s].rounds, 8, `${s} flights`);
});

test('relu: a comparison plus one integer product, 352 bytes per element', async () => {
  const { x } = await inputs();
  const c = await measure(() => tfe.relu(x));
  assert.is(total(c, 'messagesSent'), 44);
  assert.is(payloadPerElement(c, n), 352);
});

test('linear ops send nothing', async () => {
  const { x, y } = await inputs();
  const c = await measure(() => tfe.reduceSum(tfe.transpose(tfe.add(tfe.sub(x, y), 3))));
  assert.is(total(c, 'bytesSent'), 0);
});

test.run();
