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

// the carry circuits' formulas: without `fss`, as relu of these 100 elements would take server2's
// DCF keys (their counts: aby3_dealt.test.ts)
const aby3 = new tfe.ABY3({ fss: false });
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

test('private mul with truncation: 64 bytes per element in 7 messages (the dealer\'s t1 and m1 in one); 2 flights on server0/1, 1 on the dealer', async () => {
  const { x, y } = await inputs();
  const c = await measure(() => tfe.mul(x, y));
  assert.is(total(c, 'messagesSent'), 7);
  assert.is(payloadPerElement(c, n), 64);
  assert.equal([c.server0.rounds, c.server1.rounds, c.server2.rounds], [2, 2, 1]);
  assert.is(c['input-provider'].bytesSent, 0);
});

test('private matmul [m,k]·[k,n]: 64 bytes per OUTPUT element, independent of k', async () => {
  const { x, y } = await inputs();
  const c = await measure(() => tfe.matmul(tfe.reshape(x, [4, 25]), tfe.reshape(y, [25, 4])));
  assert.is(total(c, 'messagesSent'), 7);
  assert.is(total(c, 'bytesSent'), 6 * tensorMessageBytes('server0', ring.zeros([4, 4])) + tensorMessageBytes('server2', ring.zeros([32])),
    'six [4,4] messages and the dealer\'s [32]: 64 bytes per output element');
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

/** Private inputs of 128 elements (a multiple of 64: the sign circuit packs 64 per word). */
async function wide() {
  const x = await tfe.definePrivateInput('input-provider', () => Float64Array.from({ length: 128 }, (_, i) => i - 64.5));
  await tfe.mul(x, x).reveal();
  return x;
}

// the sign circuit: level one 12 + 16 bytes (6 messages), levels 2..5 12 + 6 + 3 + 1.5 bytes
// (3 messages each), root 0.75 bytes (3 messages): 51.25 bytes, 21 messages
const SIGN_BYTES = 12 + 16 + 12 + 6 + 3 + 1.5 + 0.75;

test('comparison (isNegative): sign circuit + B2A by bit injection (8 + 24 bytes), 83.25 bytes per element, 25 messages', async () => {
  const x = await wide();
  const c = await measure(() => aby3.isNegative(x));
  assert.is(total(c, 'messagesSent'), 25);
  assert.is(payloadPerElement(c, 128), SIGN_BYTES + 8 + 24);
  // 9 dependent steps; a server's sends that need nothing new travel with its previous flight
  for (const s of ['server0', 'server1', 'server2']) assert.ok(c[s].rounds <= 9, `${s} flights`);
});

test('relu: sign circuit + bit injection of x (16 + 24 bytes), 91.25 bytes per element, 26 messages', async () => {
  const x = await wide();
  const c = await measure(() => tfe.relu(x));
  assert.is(total(c, 'messagesSent'), 26);
  assert.is(payloadPerElement(c, 128), SIGN_BYTES + 16 + 24);
  for (const s of ['server0', 'server1', 'server2']) assert.ok(c[s].rounds <= 9, `${s} flights`);
});

test('relu with its derivative: one sign circuit, two injections, 123.25 bytes per element', async () => {
  const x = await wide();
  const c = await measure(() => { const r = aby3.reluWithDerivative(x); r.derivative.dispose(); return r.y; });
  assert.is(total(c, 'messagesSent'), 30);
  assert.is(payloadPerElement(c, 128), SIGN_BYTES + 40 + 32);
});

test('linear ops send nothing', async () => {
  const { x, y } = await inputs();
  const c = await measure(() => tfe.reduceSum(tfe.transpose(tfe.add(tfe.sub(x, y), 3))));
  assert.is(total(c, 'bytesSent'), 0);
});

test.run();
