/**
 * ABY3's sign circuit on 32-bit lanes (msb_lanes.ts), its public weighted sums of bits
 * (bit_sums.ts) and the piecewise-constant tables built on them: bit-exact against plaintext
 * at 0, ±1 unit, the lane limits ±(2^31 − 1) and the thresholds ±1 ulp, with the bytes each
 * part's formula states, and the same tables from SecureNN's generic composition.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { injectBit } from '../../src/protocols/aby3/inject.js';
import { LANE_BOUND, signBitsBounded } from '../../src/protocols/aby3/msb_lanes.js';
import { ABY3PrivateTensor } from '../../src/protocols/aby3/aby3_tensors.js';
import { ValueError } from '../../src/errors.js';
import { ring as ringOps } from '../../src/kernels/index.js';
import { tensorMessageBytes } from '../../src/runtime/wire/codec.js';
import { measure } from '../helpers/counters.js';
import { randomArray } from '../helpers/plain.js';
import { openRaw, shareRaw } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const ulp = 2 ** -16;
const ring = (v: number) => BigInt.asUintN(64, BigInt(v));
const header = tensorMessageBytes('server0', ringOps.zeros([0]));
/** Bytes sent by all players, less each message's header (rank-1 messages, as these are). */
const total = (c: Record<string, { bytesSent: number; messagesSent: number }>) => Object.values(c).reduce((s, v) => s + v.bytesSent - v.messagesSent * header, 0);

/** The sign bits of raw ring values through the lanes, opened as 0/1 (one B2A each). */
async function laneSigns(values: number[], shape = [values.length]): Promise<bigint[]> {
  const x = shareRaw(aby3, new BigUint64Array(values.map(ring)));
  const shaped = aby3.reshape(x, shape) as ABY3PrivateTensor;
  const bits = new ABY3PrivateTensor(aby3, 0, injectBit(aby3, signBitsBounded(aby3, shaped.shares)));
  assert.equal(bits.shape, shape, 'the bits keep the input shape');
  return Array.from(await openRaw(bits));
}

test('lane signs are exact at 0, ±1, ±(2^31 − 1) and on random values below 2^31, for odd sizes and ranks', async () => {
  const edges = [0, 1, -1, 2, -2, LANE_BOUND - 1, -(LANE_BOUND - 1), 2 ** 30, -(2 ** 30), 65536, -65536];
  const random = Array.from(randomArray(7, 700, -(LANE_BOUND - 1), LANE_BOUND - 1), Math.trunc);
  // 129: one past a 128-value block; 256: whole blocks (no cut after the unpacking)
  const cycle = (n: number) => Array.from({ length: n }, (_, i) => [...edges, ...random][i % (edges.length + random.length)]);
  for (const values of [[...edges, ...random], [-1], [5], cycle(129), cycle(256)]) {
    const got = await laneSigns(values);
    values.forEach((v, i) => assert.is(got[i], v < 0 ? 1n : 0n, `sign of ${v} (${values.length} values)`));
  }
  const square = Array.from({ length: 12 * 11 }, (_, i) => (i % 3 === 0 ? -i : i) * 1021);
  const got = await laneSigns(square, [12, 11]);
  square.forEach((v, i) => assert.is(got[i], v < 0 ? 1n : 0n));
});

test('lane signs cost 25.375 bytes per element (half of the full circuit) in 6 rounds', async () => {
  const n = 4096;
  const x = shareRaw(aby3, new BigUint64Array(Array.from({ length: n }, (_, i) => ring(i - 2000))));
  const c = await measure(() => { signBitsBounded(aby3, x.shares); });
  // level one 14 B, levels 2..5 11.25 B, server0's top bits 0.125 B per element
  assert.is(total(c), 25.375 * n);
  assert.is(Math.max(...Object.values(c).map((v) => v.rounds)), 6);
});

const thresholds = [2 ** -10, 2 ** -6, 2 ** -2, 4, 64, 1024];
const tables = [[3.5, 0.5, 1, 1.5, 2, 2.5, 3], [4096, 256, 16, 1, 1 / 16, 1 / 256, 1 / 4096]];
const pieceOf = (v: number) => thresholds.filter((t) => v >= t).length;

/** Values on every side of every threshold, and a log-uniform spread. */
function probes(): number[] {
  const xs = [0, ulp, -ulp, -5, 2 ** 14, 2 ** 14 + 1000, 1e-3];
  for (const t of thresholds) xs.push(t, t - ulp, t + ulp);
  for (let i = 0; i < 300; i++) xs.push(Math.round(2 ** (-14 + (26 * i) / 299) / ulp) * ulp);
  return xs;
}

for (const [name, p, bound] of [['ABY3 lanes', aby3, 2 ** 14 + 1024], ['ABY3 full circuit', aby3, undefined], ['SecureNN', new tfe.SecureNN(), undefined]] as const) {
  test(`piecewiseConstant (${name}) gives each table's value of x's piece exactly, thresholds ±1 ulp included`, async () => {
    tfe.setProtocol(p);
    try {
      const xs = probes();
      const x = await tfe.definePrivateInput('input-provider', () => Float64Array.from(xs));
      const outs = p.capabilities.exactComparison!.piecewiseConstant(x, thresholds, tables, bound);
      assert.is(outs.length, 2);
      for (let i = 0; i < 2; i++) {
        assert.equal(outs[i].shape, [xs.length]);
        const got = await outs[i].reveal();
        xs.forEach((v, e) => assert.is(got[e], tables[i][pieceOf(v)], `table ${i} at x = ${v}`));
      }
    } finally {
      tfe.setProtocol(aby3);
    }
  });
}

test('piecewiseConstant bytes: lanes 33.375 per comparison + 24 per table, full circuit 59.25 + 24', async () => {
  const n = 1024, k = thresholds.length;
  const x = await tfe.definePrivateInput('input-provider', () => Float64Array.from({ length: n }, (_, i) => i / 16));
  const bytes = async (bound?: number) => total(await measure(() => { for (const t of aby3.piecewiseConstant(x, thresholds, tables, bound)) t.dispose(); }));
  assert.is(await bytes(2 ** 14), n * k * (25.375 + 8) + 2 * 24 * n);
  assert.is(await bytes(), n * k * (51.25 + 8) + 2 * 24 * n);
  // the lanes need (bound + max |threshold|)·2^16 < 2^31: at equality the full circuit runs
  assert.is(await bytes(2 ** 15 - 1024), n * k * (51.25 + 8) + 2 * 24 * n);
  assert.is(await bytes(2 ** 15 - 1025), n * k * (25.375 + 8) + 2 * 24 * n);
});

test('piecewiseConstant of an integer input: the bound is weighed at the differences\' scale, not the input\'s', async () => {
  // fracBits 0 values minus thresholds at the protocol's scale sit at f = 16: ±65536 there is
  // 2^32 ring units, past the lanes, so this bound must take the full circuit
  const xs = [65536, -65536, 40000, 3, 0];
  const x = await tfe.definePrivateInput('input-provider', () => xs, { integer: true });
  const [got] = aby3.piecewiseConstant(x, [0.5], [[10, 20]], 2 ** 17);
  assert.equal(Array.from(await got.reveal()), xs.map((v) => (v >= 0.5 ? 20 : 10)));
});

test('piecewiseConstant: typed errors for unordered thresholds, short tables and a bad bound; empty and public inputs', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => [1, 2]);
  assert.throws(() => aby3.piecewiseConstant(x, [2, 1], [[0, 1, 2]]), (e: unknown) => e instanceof ValueError && /ascending/.test((e as Error).message));
  assert.throws(() => aby3.piecewiseConstant(x, [1, 2], [[0, 1]]), (e: unknown) => e instanceof ValueError && /3 finite values/.test((e as Error).message));
  assert.throws(() => aby3.piecewiseConstant(x, [1], [[0, NaN]]), (e: unknown) => e instanceof ValueError);
  assert.throws(() => aby3.piecewiseConstant(x, [1], [[0, 1]], -1), (e: unknown) => e instanceof ValueError && /bound/.test((e as Error).message));
  const empty = await tfe.definePrivateInput('input-provider', () => new Float64Array(0), { shape: [0] });
  const [e] = aby3.piecewiseConstant(empty, [1], [[0, 1]], 4);
  assert.equal(e.shape, [0]);
  const [pub] = aby3.piecewiseConstant(aby3.defineConstant([0.5, 3]), [1], [[7, 9]], 4);
  assert.equal(Array.from(await pub.reveal()), [7, 9]);
});

test.run();
