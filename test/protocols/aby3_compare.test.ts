/**
 * ABY3's boolean circuits, conversions and exact comparisons, bit-exact against plaintext on
 * random ring values and edge values (0, ±1 ulp, ±2^62, ±2^63, ties).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { decodeFixed, encodeFixed } from '../../src/kernels/index.js';
import { a2b, andMany, not as bnot, or, shift, xor } from '../../src/protocols/aby3/boolean.js';
import { msbBit } from '../../src/protocols/aby3/msb.js';
import { bitToArithmetic } from '../../src/protocols/aby3/comparisons.js';
import { randomArray } from '../helpers/plain.js';
import { edgeValues, msbOf, randomU64 } from './securenn_helpers.js';
import { openRaw, openShares, shareRaw } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const MASK = (1n << 64n) - 1n;

test('A2B is bit-exact; xor, and, or, not, shifts on boolean shares', async () => {
  const a = new BigUint64Array([...randomU64(500), ...edgeValues()]);
  const b = new BigUint64Array([...randomU64(a.length)]);
  const x = shareRaw(aby3, a), y = shareRaw(aby3, b);
  const ba = a2b(aby3, x.shares), bb = a2b(aby3, y.shares);
  const open = (s: Parameters<typeof openShares>[0]) => openShares(s, true);
  assert.equal(Array.from(await open(ba)), Array.from(a), 'A2B');
  const [and] = andMany(aby3, [[ba, bb]]);
  const gotXor = await open(xor(aby3, ba, bb)), gotAnd = await open(and);
  const gotNot = await open(bnot(aby3, ba)), gotShl = await open(shift(aby3, ba, 'ShiftLeft', 5));
  const gotShr = await open(shift(aby3, ba, 'ShiftRightLogical', 7));
  const gotOr = await open(or(aby3, ba, bb));
  for (let i = 0; i < a.length; i++) {
    assert.is(gotXor[i], a[i] ^ b[i]);
    assert.is(gotAnd[i], a[i] & b[i]);
    assert.is(gotNot[i], ~a[i] & MASK);
    assert.is(gotShl[i], (a[i] << 5n) & MASK);
    assert.is(gotShr[i], a[i] >> 7n);
    assert.is(gotOr[i], a[i] | b[i]);
  }
});

test('MSB, bit injection (B2A of a bit) and isNegative/relu bit-exact on random and edge values', async () => {
  const values = new BigUint64Array([...randomU64(2000), ...edgeValues()]);
  const x = shareRaw(aby3, values, 16);
  const bit = msbBit(aby3, x.shares);
  const bits = await openShares(bit, true);
  const arith = await openShares(bitToArithmetic(aby3, bit));
  const neg = await openRaw(aby3.isNegative(x));
  const relu = await openRaw(aby3.relu(x));
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const m = msbOf(values[i]);
    if (bits[i] !== m || arith[i] !== m || neg[i] !== m || relu[i] !== (m ? 0n : values[i])) bad++;
  }
  assert.is(bad, 0);
});

test('comparisons, equality and ties, ±1 ulp, select, maximum/minimum, relu derivative', async () => {
  const ulp = 2 ** -16;
  const xs = [0, 0, ulp, -ulp, 1, -1, 5, -7.5, 1000, -1000, 3, 2];
  const ys = [0, ulp, 0, 0, 1, 1, -5, -7.5, 999.99, -1000, 2, 3];
  const x = await tfe.definePrivateInput('input-provider', () => xs);
  const y = await tfe.definePrivateInput('input-provider', () => ys);
  const want = (f: (a: number, b: number) => boolean) => xs.map((a, i) => +f(a, ys[i]));
  const got = async (t: tfe.TfeTensor) => Array.from(await t.reveal());
  assert.equal(await got(aby3.less(x, y)), want((a, b) => a < b), 'less');
  assert.equal(await got(aby3.lessEqual(x, y)), want((a, b) => a <= b), 'lessEqual');
  assert.equal(await got(aby3.greater(x, y)), want((a, b) => a > b), 'greater');
  assert.equal(await got(aby3.greaterEqual(x, y)), want((a, b) => a >= b), 'greaterEqual');
  assert.equal(await got(aby3.equal(x, y)), want((a, b) => a === b), 'equal');
  assert.equal(await got(aby3.equalZero(x)), xs.map((a) => +(a === 0)), 'equalZero');
  assert.equal(await got(aby3.reluDerivative(x)), xs.map((a) => +(a >= 0)), 'reluDerivative');
  assert.equal(await got(aby3.less(x, 0.5)), xs.map((a) => +(a < 0.5)), 'less than a public value');
  const xv = await x.reveal(), yv = await y.reveal();
  assert.equal(await got(aby3.maximum(x, y)), Array.from(xv, (a, i) => Math.max(a, yv[i])), 'maximum');
  assert.equal(await got(aby3.minimum(x, y)), Array.from(xv, (a, i) => Math.min(a, yv[i])), 'minimum');
  assert.equal(await got(aby3.select(aby3.less(x, y), x, y)), Array.from(xv, (a, i) => (a < yv[i] ? a : yv[i])), 'select');
  const { y: r, derivative } = aby3.reluWithDerivative(x);
  assert.equal(await got(r), Array.from(xv, (a) => Math.max(a, 0)), 'relu');
  assert.equal(await got(derivative), xs.map((a) => +(a >= 0)), 'relu derivative');
  assert.throws(() => aby3.select(x, x, y), /fracBits 0/);
});

test('reduceMax, argmax one-hot (first of ties) over any axis, sort (bitonic, with ties and padding)', async () => {
  const data = Float64Array.from(randomArray(3, 3 * 5 * 7, -4, 4), (v) => Math.round(v * 4) / 4); // many ties
  const enc = decodeFixed(encodeFixed(data, [data.length]));
  const x = await tfe.definePrivateInput('input-provider', () => data, { shape: [3, 5, 7] });
  for (const axis of [0, 1, 2]) {
    const shape = [3, 5, 7];
    const m = await aby3.reduceMax(x, axis).reveal();
    const oh = await aby3.argmaxOneHot(x, axis).reveal();
    const strides = [35, 7, 1];
    const outer: number[][] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) for (let k = 0; k < 7; k++) if ([i, j, k][axis] === 0) outer.push([i, j, k]);
    outer.forEach((base, r) => {
      const idx = Array.from({ length: shape[axis] }, (_, t) => base.reduce((s, v, d) => s + (d === axis ? t : v) * strides[d], 0));
      const vals = idx.map((q) => enc[q]);
      const best = Math.max(...vals);
      assert.is(m[r], best, `max axis ${axis}`);
      const first = vals.indexOf(best);
      idx.forEach((q, t) => assert.is(oh[q], +(t === first), `argmax axis ${axis}`));
    });
  }
  // rows longer than 16 take the tree of pairwise maxima (odd lengths carry one element up)
  const long = await aby3.reduceMax(tfe.reshape(x, [3, 35]), 1, true).reveal();
  for (let r = 0; r < 3; r++) assert.is(long[r], Math.max(...enc.slice(r * 35, r * 35 + 35)), `tree max row ${r}`);
  const s = await aby3.sort(tfe.reshape(x, [15, 7])).reveal();
  for (let r = 0; r < 15; r++) assert.equal(Array.from(s.slice(r * 7, r * 7 + 7)), Array.from(enc.slice(r * 7, r * 7 + 7)).sort((a, b) => a - b), `sort row ${r}`);
});

test('maxPool2d with argmax mask, valid and same padding (padding never wins, negatives)', async () => {
  const data = Float64Array.from(randomArray(4, 2 * 5 * 5 * 2, -3, -1)); // all negative: zero padding would win
  const enc = decodeFixed(encodeFixed(data, [data.length]));
  const x = await tfe.definePrivateInput('input-provider', () => data, { shape: [2, 5, 5, 2] });
  for (const padding of ['valid', 'same'] as const) {
    const { y, mask } = aby3.maxPool2dWithArgmax(x, { poolSize: 2, strides: 2, padding });
    const oh = padding === 'same' ? 3 : 2;
    assert.equal(y.shape, [2, oh, oh, 2]);
    assert.equal(mask.shape, [2, oh, oh, 4, 2]);
    const yv = await y.reveal(), mv = await mask.reveal();
    const yOnly = await aby3.maxPool2d(x, { poolSize: 2, strides: 2, padding }).reveal();
    for (let n = 0; n < 2; n++) for (let i = 0; i < oh; i++) for (let j = 0; j < oh; j++) for (let c = 0; c < 2; c++) {
      const win: number[] = [];
      for (let k = 0; k < 4; k++) {
        const r = 2 * i + (k >> 1), q = 2 * j + (k & 1);
        win.push(r < 5 && q < 5 ? enc[((n * 5 + r) * 5 + q) * 2 + c] : -Infinity);
      }
      const best = Math.max(...win);
      const o = ((n * oh + i) * oh + j) * 2 + c;
      assert.is(yv[o], best, `${padding} max`);
      assert.is(yOnly[o], best, `${padding} max without mask`);
      for (let k = 0; k < 4; k++) assert.is(mv[(((n * oh + i) * oh + j) * 4 + k) * 2 + c], +(k === win.indexOf(best)), `${padding} mask`);
    }
  }
});

test.run();
