/**
 * ABY3's functions against float64 within their documented bounds: sigmoid (both modes), tanh,
 * exp, softmax, reciprocal, inverse square root, sqrt and log, on grids covering the ranges,
 * the ends and values outside them (activations saturate).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ABY3_SIGMOID, clampedPolynomial } from '../../src/protocols/aby3/functions.js';
import { PIECEWISE_SIGMOID, PIECEWISE_TANH } from '../../src/protocols/securenn/piecewise.js';
import { invSqrt, invSqrtPlan } from '../../src/protocols/generic/index.js';
import { randomArray } from '../helpers/plain.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const ulp = 2 ** -16;
const grid = (lo: number, hi: number, n: number) => Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
const sigma = (v: number) => 1 / (1 + Math.exp(-v));

async function worst(x: Float64Array, run: (t: tfe.TfeTensor) => tfe.TfeTensor, f: (v: number) => number, relative = false): Promise<number> {
  const t = await tfe.definePrivateInput('input-provider', () => x);
  const got = await run(t).reveal();
  let w = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(got[i] - f(x[i]));
    w = Math.max(w, relative ? e / Math.abs(f(x[i])) : e);
  }
  return w;
}

test('sigmoid: accurate (21 pieces) ≤ 0.0035 + 4 ulp, ABY3 piecewise ≤ 0.378, on [−20, 20] with 0 and the knots', async () => {
  const x = new Float64Array([...grid(-20, 20, 801), 0, -8, 8, 0.5, -0.5]);
  const acc = await worst(x, (t) => aby3.sigmoid(t), sigma);
  assert.ok(acc <= PIECEWISE_SIGMOID.maxError + 4 * ulp, `accurate sigmoid error ${acc}`);
  const coarse = new tfe.ABY3({ sigmoid: 'piecewise' });
  tfe.setProtocol(coarse);
  const c = await worst(x, (t) => coarse.sigmoid(t), sigma);
  tfe.setProtocol(aby3);
  assert.ok(c <= ABY3_SIGMOID.maxError + 4 * ulp, `ABY3 sigmoid error ${c}`);
  assert.ok(c > 0.3, 'the coarse sigmoid is the paper\'s three pieces');
  const poly = new tfe.ABY3({ sigmoid: 'polynomial' });
  tfe.setProtocol(poly);
  const q = await worst(x, (t) => poly.sigmoid(t), sigma);
  tfe.setProtocol(aby3);
  assert.ok(q <= 0.0028 + 4 * ulp, `polynomial sigmoid error ${q}`); // the bound of its schedule (fixedPointError), powers of x itself
});

test('clamped polynomial tanh ≤ 0.0057 on [−10, 10], in 19 rounds (no scaling before the comparisons or the powers)', async () => {
  const x = new Float64Array(grid(-10, 10, 801));
  const w = await worst(x, (t) => clampedPolynomial(aby3, t, 'tanh'), Math.tanh);
  assert.ok(w <= 0.0057 + 4 * ulp, `tanh error ${w}`);
  const t = await tfe.definePrivateInput('input-provider', () => x, { shape: [x.length] });
  const rt = tfe.getRuntime();
  await rt.resetCounters();
  await clampedPolynomial(aby3, t, 'tanh').reveal();
  // comparisons 8, clamp 1, 4 power levels of 2 (a product and its truncation), the sum's
  // truncation 2 (was 21: x/half's truncation came before the comparisons)
  assert.is(Math.max(...Object.values(await rt.counters()).map((c) => c.rounds)), 8 + 1 + 4 * 2 + 2);
});

test('tanh (21 pieces) ≤ 0.007 + 4 ulp on [−10, 10]', async () => {
  const w = await worst(grid(-10, 10, 801), (t) => aby3.tanh(t), Math.tanh);
  assert.ok(w <= PIECEWISE_TANH.maxError + 4 * ulp, `tanh error ${w}`);
});

test('exp on [−16, 0]: absolute error within the derived worst case (limit + 9 truncations, each ≤ 1 ulp, doubled by each later squaring)', async () => {
  const w = await worst(grid(-16, 0, 401), (t) => aby3.exp(t), Math.exp);
  const limit = Math.max(...grid(-16, 0, 1601).map((x) => Math.abs(Math.exp(x) - (1 + x / 256) ** 256)));
  const rounding = (256 + 255) * 2 ** -16; // 1 ulp from x/2^8 doubled 8 times, plus 1 ulp per squaring doubled by the rest
  assert.ok(limit < 0.0011, `limit error ${limit}`);
  assert.ok(w <= limit + rounding, `exp error ${w} > ${limit + rounding}`);
});

test('softmax with exact max subtraction: absolute error ≤ 0.01 on random logits in [−10, 10], rows sum to 1', async () => {
  const rows = 32, k = 10;
  const logits = randomArray(5, rows * k, -10, 10);
  const t = await tfe.definePrivateInput('input-provider', () => logits, { shape: [rows, k] });
  const got = await aby3.softmax(t).reveal();
  let w = 0;
  for (let r = 0; r < rows; r++) {
    const row = logits.slice(r * k, r * k + k);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    let total = 0;
    for (let i = 0; i < k; i++) { w = Math.max(w, Math.abs(got[r * k + i] - e[i] / s)); total += got[r * k + i]; }
    assert.ok(Math.abs(total - 1) <= 0.02, `row ${r} sums to ${total}`);
  }
  assert.ok(w <= 0.01, `softmax error ${w}`);
});

test('reciprocal, invSqrt and sqrt: relative error ≤ 1e-3 (plus 2 ulp) on their intervals', async () => {
  const x = grid(0.5, 50, 300);
  const r = await worst(x, (t) => aby3.reciprocal(t, [0.5, 50]), (v) => 1 / v);
  assert.ok(r <= 1e-3 + 2 * ulp * 2, `reciprocal relative error ${r}`);
  const y = grid(0.25, 100, 300);
  const s = await worst(y, (t) => aby3.invSqrt(t, [0.25, 100]), (v) => 1 / Math.sqrt(v), true);
  assert.ok(s <= 1e-3 + 2 * ulp / 0.1, `invSqrt relative error ${s}`);
  const q = await worst(y, (t) => aby3.sqrt(t, [0.25, 100]), Math.sqrt, true);
  assert.ok(q <= 1e-3 + 4 * ulp / 0.5, `sqrt relative error ${q}`);
});

test("invSqrt on Adam's interval [2^-14, 2^12] by range (one batch of comparisons, then [1/4, 4]): error ≤ 1.5e-4·|y| + 2 ulp", async () => {
  // log-uniform fixed-point values (so the reference sees the encoded input), the piece
  // boundaries 4^k and 1 ulp on either side of them
  const xs: number[] = [];
  for (let i = 0; i < 400; i++) xs.push(Math.round(2 ** (-14 + (26 * i) / 399) / ulp) * ulp);
  for (let k = -5; k <= 5; k += 2) for (const d of [-1, 0, 1]) xs.push(4 ** k + d * ulp);
  const x = Float64Array.from(xs);
  const plan = invSqrtPlan({ interval: [2 ** -14, 2 ** 12 + 2 ** -14], targetRelativeError: 1e-4 });
  assert.is(plan.guess.kind, 'constant', 'the wide interval has no polynomial start: the range path is taken');
  // (the constant-start iteration this replaces was off by ~10% at x = 2^-14: 887k ulps)
  const got = await invSqrt(aby3, await tfe.definePrivateInput('input-provider', () => x), plan).reveal();
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    const y = 1 / Math.sqrt(x[i]);
    e = Math.max(e, Math.abs(got[i] - y) / (1.5e-4 * y + 2 * ulp));
  }
  assert.ok(e <= 1, `error ${e} of the bound`);
});

test('log on [1, 10]: absolute error ≤ 1e-3 (plus 4 ulp)', async () => {
  const w = await worst(grid(1, 10, 300), (t) => aby3.log(t, [1, 10]), Math.log);
  assert.ok(w <= 1e-3 + 4 * ulp, `log error ${w}`);
});

test.run();
