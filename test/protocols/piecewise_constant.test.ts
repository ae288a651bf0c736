/**
 * Public piecewise-constant tables of a private x (generic/piecewise_constant.ts): the
 * multilinear form of a table over bits, and SecureNN's binary search against the plain
 * function for every threshold count from 1 to 7 (complete and padded trees), at every
 * threshold ±1 ulp, with its rounds and bytes against the one-batch composition.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { multilinear, piecewiseConstantByComparison } from '../../src/protocols/generic/piecewise_constant.js';
import { measure } from '../helpers/counters.js';
import { randomArray } from '../helpers/plain.js';

const ulp = 2 ** -16;
const snn = new tfe.SecureNN();
tfe.setProtocol(snn);

test('multilinear: the polynomial in d bits takes each value at its bits (b_1 the most significant)', () => {
  assert.equal(multilinear([5, 7], 1), [5, 2]);
  for (const d of [1, 2, 3, 4]) {
    const values = Array.from(randomArray(d, 1 << d, -10, 10));
    const a = multilinear(values, d);
    for (let v = 0; v < 1 << d; v++) {
      // the subsets of v's bits: masks m ⊆ v
      let sum = 0;
      for (let m = 0; m < 1 << d; m++) if ((m & v) === m) sum += a[m];
      assert.ok(Math.abs(sum - values[v]) < 1e-9, `d = ${d}, v = ${v}`);
    }
  }
});

test('SecureNN piecewiseConstant (binary search) is exact for 1 to 7 thresholds, at each threshold ±1 ulp and beyond the ends', async () => {
  for (let k = 1; k <= 7; k++) {
    const thresholds = Array.from({ length: k }, (_, j) => -3 + 1.25 * j);
    const tables = [Array.from({ length: k + 1 }, (_, i) => 0.5 * i - 1), Array.from({ length: k + 1 }, (_, i) => 2 ** (k - i))];
    const xs = [-1e3, 1e3, 0, ...thresholds.flatMap((t) => [t - ulp, t, t + ulp]), ...randomArray(k, 40, -6, 8)].map((v) => Math.round(v / ulp) * ulp);
    const x = await tfe.definePrivateInput('input-provider', () => Float64Array.from(xs));
    const outs = snn.piecewiseConstant(x, thresholds, tables);
    for (let i = 0; i < 2; i++) {
      const got = await outs[i].reveal();
      xs.forEach((v, e) => {
        const piece = thresholds.filter((t) => v >= t).length;
        // dyadic tables: the multilinear coefficients are dyadic too, so the result is exact
        assert.is(got[e], tables[i][piece], `k = ${k}, table ${i}, x = ${v}`);
      });
    }
  }
});

test('SecureNN\'s search for 6 thresholds: 3 comparisons and 4 products of bits, fewer bytes and more rounds than one batch of 6', async () => {
  const thresholds = [1, 2, 3, 4, 5, 6], tables = [[0, 1, 2, 3, 4, 5, 6]];
  const x = await tfe.definePrivateInput('input-provider', () => Float64Array.from({ length: 512 }, (_, i) => i / 64));
  const count = (c: Awaited<ReturnType<typeof measure>>) => ({
    bytes: Object.values(c).reduce((s, v) => s + v.bytesSent, 0),
    rounds: Math.max(...Object.values(c).map((v) => v.rounds)),
  });
  const search = count(await measure(() => { for (const t of snn.piecewiseConstant(x, thresholds, tables)) t.dispose(); }));
  const batch = count(await measure(() => { for (const t of piecewiseConstantByComparison(snn, snn, x, thresholds, tables)) t.dispose(); }));
  assert.ok(search.bytes < 0.7 * batch.bytes, `search ${search.bytes} B against ${batch.bytes} B`);
  assert.ok(search.rounds > batch.rounds, `search ${search.rounds} rounds against ${batch.rounds}`);
});

test.run();
