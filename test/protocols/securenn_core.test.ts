import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ring } from '../../src/kernels/index.js';
import { BITS } from '../../src/kernels/dtype.js';
import { Scratch } from '../../src/protocols/scratch.js';
import { SecureNN, privateCompare, shareConvert } from '../../src/protocols/securenn/index.js';
import { edgeValues, msbOf, openOdd, openRaw, randomU64, rt, shareRaw } from './securenn_helpers.js';

const snn = new SecureNN();
tfe.setProtocol(snn);
const MAX = (1n << 64n) - 1n;

/** Runs PrivateCompare on raw x (shared as Z_p bits by server2), public r, public β; returns β'. */
async function runPrivateCompare(xs: bigint[], rs: bigint[], betas: number[]): Promise<number[]> {
  const n = xs.length;
  const t = new Scratch(rt());
  const { s0, s1, cp } = snn;
  const field = { dtype: 'u8' as const, modulus: snn.prime };
  const x = t.track(rt().upload(cp, ring.fromValues(BigUint64Array.from(xs), [n])));
  const bits = t.op(cp, 'BitDecompose', [x], { modulus: snn.prime });
  const [b0cp, b0] = rt().sampleShared([cp, s0], [n, 64], field).map((h) => t.track(h));
  const b1 = t.send(t.op(cp, 'Sub', [bits, b0cp]), s1);
  const rT = ring.fromValues(BigUint64Array.from(rs), [n]);
  const betaT = ring.fromValues(Uint8Array.from(betas), [n], BITS);
  const r = [s0, s1].map((pl) => t.track(rt().upload(pl, rT)));
  const beta = [s0, s1].map((pl) => t.track(rt().upload(pl, betaT)));
  const out = privateCompare(snn, t, { xBits: [b0, b1], r: [r[0], r[1]], beta: [beta[0], beta[1]] }, snn.prime);
  const v = await rt().reveal(out);
  t.release();
  return Array.from(v.values() as Uint8Array);
}

test('PrivateCompare: β ⊕ (x > r) exactly, on random, equal, adjacent, top/bottom-bit and edge pairs', async () => {
  const xs: bigint[] = [], rs: bigint[] = [];
  const rand = randomU64(400);
  for (let i = 0; i < 200; i++) { xs.push(rand[i]); rs.push(rand[200 + i]); }
  for (const v of [...edgeValues(), MAX, MAX - 1n]) {
    for (const r of [v, (v + 1n) & MAX, (v - 1n) & MAX, v ^ 1n, v ^ (1n << 63n), MAX, 0n]) { xs.push(v); rs.push(r); }
  }
  for (let beta = 0; beta <= 1; beta++) {
    const betas = xs.map(() => beta);
    const got = await runPrivateCompare(xs, rs, betas);
    const bad = got.filter((g, i) => g !== (beta ^ (xs[i] > rs[i] ? 1 : 0))).length;
    assert.is(bad, 0, `β = ${beta}: ${bad} of ${xs.length} comparisons wrong`);
  }
});

test('MSB, DReLU and ReLU are bit-exact on 20000 random values over the whole ring and on edge values', async () => {
  const values = new BigUint64Array([...randomU64(20000), ...edgeValues()]);
  const x = shareRaw(snn, values, 16);
  const msb = await openRaw(snn.toPrivate(snn.isNegative(x)));
  const drelu = await openRaw(snn.toPrivate(snn.reluDerivative(x)));
  const relu = await openRaw(snn.toPrivate(snn.relu(x)));
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const m = msbOf(values[i]);
    if (msb[i] !== m || drelu[i] !== 1n - m || relu[i] !== (m ? 0n : values[i])) bad++;
  }
  assert.is(bad, 0, `${bad} of ${values.length} wrong`);
});

test('MSB and ReLU are exact in other fields: the paper\'s p = 67 and the largest, p = 251', async () => {
  for (const prime of [67, 251]) {
    const other = new SecureNN({ prime });
    tfe.setProtocol(other);
    try {
      const values = new BigUint64Array([...randomU64(3000), ...edgeValues()]);
      const x = shareRaw(other, values);
      const msb = await openRaw(other.toPrivate(other.isNegative(x)));
      const relu = await openRaw(other.toPrivate(other.relu(x)));
      const bad = values.filter((v, i) => msb[i] !== msbOf(v) || relu[i] !== (msbOf(v) ? 0n : v)).length;
      assert.is(bad, 0, `p = ${prime}: ${bad} of ${values.length} wrong`);
    } finally {
      tfe.setProtocol(snn);
    }
  }
});

test('MSB is exact across chunk boundaries (chunkSize 1000 on 4321 values)', async () => {
  const small = new SecureNN({ chunkSize: 1000 });
  tfe.setProtocol(small);
  try {
    const values = new BigUint64Array([...randomU64(4321 - edgeValues().length), ...edgeValues()]);
    const got = await openRaw(small.toPrivate(small.isNegative(shareRaw(small, values))));
    assert.is(got.filter((g, i) => g !== msbOf(values[i])).length, 0);
  } finally {
    tfe.setProtocol(snn);
  }
});

test('the paper\'s pipeline (msb: share-convert) is exact except at −1 ulp, which Z_N cannot represent', async () => {
  const paper = new SecureNN({ msb: 'share-convert' });
  tfe.setProtocol(paper);
  try {
    const values = new BigUint64Array([...randomU64(3000), ...edgeValues()]);
    const got = await openRaw(paper.toPrivate(paper.isNegative(shareRaw(paper, values))));
    const wrong = values.filter((v, i) => got[i] !== msbOf(v));
    assert.ok(wrong.length >= 1 && wrong.every((v) => v === MAX), 'only 2^64 − 1 (present twice) comes out wrong');
  } finally {
    tfe.setProtocol(snn);
  }
});

test('ShareConvert: (y0 + y1) mod (2^64 − 1) equals a, for random and edge a ≠ 2^64 − 1', async () => {
  const values = new BigUint64Array([...randomU64(3000), ...edgeValues()].filter((v) => v !== MAX));
  const x = shareRaw(snn, values);
  const t = new Scratch(rt());
  const y = shareConvert(snn, t, x.shares, snn.prime);
  const got = await openOdd(y);
  t.release();
  assert.is(got.filter((g, i) => g !== values[i]).length, 0);
});

test('comparisons return private 0/1 integer tensors usable in arithmetic; fixed-point edge cases', async () => {
  const a = [-3, -1, 0, 0, 2.5, 7, -(2 ** -16), 2 ** -16, 1e6, -1e6];
  const b = [-3, 1, 0, -(2 ** -16), 2.5, -7, 0, 0, 1e6 - 2 ** -16, -1e6];
  const x = await tfe.definePrivateInput('input-provider', () => a);
  const y = await tfe.definePrivateInput('input-provider', () => b);
  const cases: [string, tfe.TfeTensor, (p: number, q: number) => number][] = [
    ['less', snn.less(x, y), (p, q) => +(p < q)],
    ['lessEqual', snn.lessEqual(x, y), (p, q) => +(p <= q)],
    ['greater', snn.greater(x, y), (p, q) => +(p > q)],
    ['greaterEqual', snn.greaterEqual(x, y), (p, q) => +(p >= q)],
    ['equal', snn.equal(x, y), (p, q) => +(p === q)],
    ['equalZero', snn.equalZero(x), (p) => +(p === 0)],
    ['sign', snn.sign(x), (p) => Math.sign(p)],
    ['isNegative', snn.isNegative(x), (p) => +(p < 0)],
    ['less vs public', snn.less(x, 0.5), (p) => +(p < 0.5)],
  ];
  for (const [name, got, f] of cases) {
    assert.is(got.fracBits, 0, `${name} has fracBits 0`);
    assert.equal(Array.from(await got.reveal()), a.map((p, i) => f(p, b[i]) + 0), name);
  }
  const sum = tfe.add(tfe.mul(snn.less(x, y), 10), snn.greater(x, y));
  assert.equal(Array.from(await sum.reveal()), a.map((p, i) => 10 * +(p < b[i]) + +(p > b[i])), 'arithmetic on comparison results');
  const sel = snn.select(snn.less(x, y), x, y);
  assert.equal(Array.from(await sel.reveal()), a.map((p, i) => Math.min(p, b[i])), 'select = minimum');
  assert.equal(Array.from(await snn.maximum(x, y).reveal()), a.map((p, i) => Math.max(p, b[i])), 'maximum');
});

test.run();
