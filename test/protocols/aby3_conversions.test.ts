/**
 * ABY3's conversions, bit-exact against plaintext: B2A of whole words (random words, the
 * ring's edge values, an A2B round trip, a 2-D shape), its communication (312 bytes per
 * element, counted by the runtime), and the sign circuit on element counts around its
 * 64-element packing (1, 63, 64, 65, 129) with the edge values, carries through every bit.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ring } from '../../src/kernels/index.js';
import { b2a } from '../../src/protocols/aby3/b2a.js';
import { a2b } from '../../src/protocols/aby3/boolean.js';
import { msbBit } from '../../src/protocols/aby3/msb.js';
import { shareFrom } from '../../src/protocols/aby3/sharing.js';
import { tensorMessageBytes } from '../../src/runtime/wire/codec.js';
import { edgeValues, msbOf, randomU64 } from './securenn_helpers.js';
import { consistent, measure, openShares, rt, shareRaw } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);

/** Boolean shares of raw words: arithmetic shares from server0, then A2B. */
const booleanOf = (values: BigUint64Array) => a2b(aby3, shareRaw(aby3, values).shares);

test('B2A of whole words is exact on random words and the ring edge values, shares consistent', async () => {
  const values = new BigUint64Array([...randomU64(700), ...edgeValues()]);
  const arith = b2a(aby3, booleanOf(values));
  assert.ok(await consistent(arith), 'replicated shares consistent');
  assert.equal(Array.from(await openShares(arith)), Array.from(values));
});

test('B2A keeps the shape; A2B then B2A is the identity on a [5, 7] tensor', async () => {
  const values = randomU64(35);
  const x = shareFrom(aby3, rt().upload(aby3.servers[0], ring.fromValues(values, [5, 7])));
  const back = b2a(aby3, a2b(aby3, x));
  assert.equal([...back[1][0].shape], [5, 7]);
  assert.equal(Array.from(await openShares(back)), Array.from(values));
});

test('B2A sends 39 words per element (1 + 36 of the adder + 2 to open x0), counted by the runtime', async () => {
  const n = 64;
  const b = booleanOf(randomU64(n));
  await rt().flush();
  const header = tensorMessageBytes('server0', ring.zeros([0]));
  const c = await measure(() => { b2a(aby3, b); });
  const total = (k: 'bytesSent' | 'messagesSent') => ['server0', 'server1', 'server2'].reduce((s, q) => s + c[q][k], 0);
  assert.is(total('messagesSent'), 39);
  assert.is((total('bytesSent') - total('messagesSent') * header) / n, 312);
});

test('sign circuit: exact for element counts around its 64-element packing, with every edge value', async () => {
  const edges = edgeValues();
  for (const n of [1, 63, 64, 65, 129]) {
    const values = new BigUint64Array(n);
    const rnd = randomU64(n);
    for (let i = 0; i < n; i++) values[i] = i < edges.length ? edges[(i * 7 + n) % edges.length] : rnd[i];
    const bits = await openShares(msbBit(aby3, shareRaw(aby3, values).shares), true);
    assert.equal(Array.from(bits), Array.from(values, msbOf), `n = ${n}`);
  }
});

test('sign circuit: carries across every bit (x = 2^k − 1 and −2^k, shares with all-ones sums)', async () => {
  const values: bigint[] = [];
  for (let k = 0; k < 64; k++) values.push((1n << BigInt(k)) - 1n, BigInt.asUintN(64, -(1n << BigInt(k))));
  const v = BigUint64Array.from(values);
  const x = shareRaw(aby3, v);
  const bits = await openShares(msbBit(aby3, x.shares), true);
  assert.equal(Array.from(bits), Array.from(v, msbOf));
});

test('toBoolean and toArithmetic: the public face of A2B and B2A', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => [-2.5, 0, 1e-4, 3]);
  const b = aby3.toBoolean(x);
  assert.is(b.fracBits, 16);
  assert.equal(Array.from(await aby3.toArithmetic(b).reveal()), Array.from(await x.reveal()));
  assert.throws(() => aby3.toArithmetic(x as never), /boolean/);
});

test.run();
