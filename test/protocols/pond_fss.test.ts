/**
 * Pond's comparisons, relu, sigmoid and tanh from the dealer's DCF keys (pond/fss.ts,
 * pond/spline.ts): the steps [v ≥ t] and their products with v exactly, at thresholds ± 1 ulp
 * and near the ring's limits; relu exact in 1 round; the sigmoid and tanh splines within their
 * documented errors on a dense grid and far outside; their rounds (2, and 3 after a product)
 * and bytes, message by message; `fss: false` and large tensors keep the polynomial and the
 * tree; the option is checked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { revealCounted } from '../helpers/counters.js';
import { ring } from '../../src/kernels/index.js';
import { fssMaxElements } from '../../src/protocols/dealt_keys.js';
import { thresholdSteps } from '../../src/protocols/pond/fss.js';
import { SPLINE_MAX_ERROR } from '../../src/protocols/approximations/activation_splines.js';
import { splineOf, type Spline } from '../../src/protocols/pond/spline.js';
import type { PondPrivateTensor } from '../../src/protocols/pond/pond_tensors.js';
import { shareFrom } from '../../src/protocols/pond/sharing.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';
import { tensorMessageBytes } from '../../src/runtime/wire/codec.js';
import { ValueError } from '../../src/errors.js';

const pond = new tfe.Pond();
tfe.setProtocol(pond);
const sigma = (x: number) => 1 / (1 + Math.exp(-x));
const ulp = 2 ** -16;

async function privateOf(values: number[] | Float64Array, shape = [values.length]): Promise<tfe.TfeTensor> {
  return tfe.definePrivateInput('input-provider', () => Float64Array.from(values), { shape });
}

/** fn of each chunk of at most fssMaxElements values (the DCF path), concatenated. */
async function inChunks(fn: (x: tfe.TfeTensor) => tfe.TfeTensor, xs: number[]): Promise<number[]> {
  const out: number[] = [];
  for (let s = 0; s < xs.length; s += fssMaxElements) out.push(...await fn(await privateOf(xs.slice(s, s + fssMaxElements))).reveal());
  return out;
}


test('steps [v ≥ t] and products [v ≥ t]·v are exact: thresholds ± 1 ulp, 0, and the ring\'s signed limits', async () => {
  const thresholds = [-6.03, -1, 0, 0.792, 6.03];
  const near = thresholds.flatMap((t) => [t - ulp, t, t + ulp]);
  const values = [...near, 0, ulp, -ulp, 1e6, -1e6, 2 ** 40, -(2 ** 40), 2 ** 45 - ulp, -(2 ** 45)];
  const v = (await privateOf(values)) as PondPrivateTensor;
  const { steps, products } = thresholdSteps(pond, v, thresholds);
  assert.equal(steps.shape, [thresholds.length, values.length]);
  const [g, gv] = [await steps.reveal(), await products.reveal()];
  thresholds.forEach((t, k) => values.forEach((x, i) => {
    const want = Math.round(x * 2 ** 16) >= Math.round(t * 2 ** 16) ? 1 : 0;
    assert.is(g[k * values.length + i], want, `[${x} ≥ ${t}]`);
    assert.is(gv[k * values.length + i], want * (Math.round(x * 2 ** 16) / 2 ** 16), `[${x} ≥ ${t}]·${x}`);
  }));
  // The ring's limits, as integers (fracBits 0): |v| just below 2^62.
  const big = [2n ** 62n - 1n, -(2n ** 62n) + 1n, 1n, -1n, 0n].map((b) => BigInt.asUintN(64, b));
  const shares = shareFrom(pond, currentRuntime().upload('input-provider', ring.fromBigInts(big, [big.length])), 0);
  const r = thresholdSteps(pond, shares, [0, 1]);
  const steps01 = await r.steps.reveal();
  assert.equal([...steps01], [1, 0, 1, 0, 1, 1, 0, 1, 0, 0], 'steps at thresholds 0 and 1 for 2^62 − 1, −2^62 + 1, 1, −1, 0');
});

test('spline sigmoid: within its documented 0.0025 on [−10, 10] and far outside, shape kept', async () => {
  assert.is(fssMaxElements, 256);
  const grid = Float64Array.from({ length: 4001 }, (_, i) => -10 + i * 0.005);
  const knots = [0, 0.792, 1.434, 2.095, 2.896, 4.069, 6.03].flatMap((k) => [k, -k, k - ulp, -k + ulp, k + ulp, -k - ulp]);
  const far = [20, -20, 1000, -1000, 2 ** 20, -(2 ** 20), 2 ** 29, -(2 ** 29)];
  const xs = [...grid, ...knots, ...far];
  const out = await inChunks(tfe.sigmoid, xs);
  let worst = 0;
  xs.forEach((x, i) => { worst = Math.max(worst, Math.abs(out[i] - sigma(x))); });
  assert.ok(worst <= SPLINE_MAX_ERROR.sigmoid, `worst error ${worst}`);
  assert.ok(worst > 0.002, `the spline's pieces reach their fitted error (${worst}), so this grid tests them`);
  const zero = await tfe.sigmoid(await privateOf([0, ulp, -ulp])).reveal();
  assert.is(zero[0], 0.5, 'σ(0) = 0.5 exactly (the first piece passes through it)');
  assert.ok(Math.abs(zero[1] - 0.5) < 2 * ulp && Math.abs(zero[2] - 0.5) < 2 * ulp, 'continuous at 0');
  const two = await tfe.sigmoid(await privateOf([-1, 0, 1, 2, 3, 4], [2, 3])).reveal();
  assert.equal(tfe.sigmoid(await privateOf([0, 1], [1, 2])).shape, [1, 2]);
  [-1, 0, 1, 2, 3, 4].forEach((x, i) => assert.ok(Math.abs(two[i] - sigma(x)) <= SPLINE_MAX_ERROR.sigmoid, `σ(${x}) = ${two[i]}`));
});

test('relu of a small tensor: exact ([x ≥ 0]·x, relu(0) = 0, ± 1 ulp, large values) in 1 round', async () => {
  const xs = [0, ulp, -ulp, 1, -1, 2.5, -2.5, 1e6, -1e6, 2 ** 29, -(2 ** 29), 123.456];
  const x = await privateOf(xs);
  const { out, c } = await revealCounted(() => tfe.relu(x));
  xs.forEach((x, i) => assert.is(out[i], Math.max(0, Math.round(x * 2 ** 16) / 2 ** 16), `relu(${x})`));
  assert.is(c.server0.rounds, 1);
  assert.is(c.server1.rounds, 1);
});

test('SecureNN: relu and its derivative of a small tensor from the same step, exact, in 1 round', async () => {
  const snn = new SecureNN();
  tfe.setProtocol(snn);
  try {
    const xs = [0, ulp, -ulp, 3.5, -3.5, 1e5, -1e5];
    const x = await privateOf(xs);
    const rt = currentRuntime();
    await rt.flush();
    await rt.resetCounters();
    const { y, derivative } = snn.reluWithDerivative(x);
    const [yv, dv] = [await y.reveal(), await derivative.reveal()];
    const rounds = Math.max(...Object.values(await rt.counters()).map((c) => c.rounds));
    xs.forEach((v, i) => {
      assert.is(yv[i], Math.max(0, Math.round(v * 2 ** 16) / 2 ** 16), `relu(${v})`);
      assert.is(dv[i], v >= 0 ? 1 : 0, `relu'(${v}) (1 at 0, as SecureNN's DReLU)`);
    });
    assert.is(rounds, 1);
    assert.equal([...await tfe.relu(x).reveal()], [...yv]);
  } finally {
    tfe.setProtocol(pond);
  }
});

test('spline tanh: within its documented 0.005 on [−6, 6] and far outside; tanh(0) = 0', async () => {
  const xs = [...Float64Array.from({ length: 2401 }, (_, i) => -6 + i * 0.005), 10, -10, 1e4, -1e4, 0];
  const out = await inChunks(tfe.tanh, xs);
  let worst = 0;
  xs.forEach((x, i) => { worst = Math.max(worst, Math.abs(out[i] - Math.tanh(x))); });
  assert.ok(worst <= SPLINE_MAX_ERROR.tanh, `worst error ${worst}`);
  assert.ok(worst > 0.004, `the pieces reach their fitted error (${worst})`);
  assert.is(out[xs.length - 1], 0, 'tanh(0) = 0 exactly');
  const x = await privateOf(xs.slice(0, fssMaxElements));
  const { c } = await revealCounted(() => tfe.tanh(x));
  assert.is(c.server0.rounds, 2);
});

test('spline sigmoid: 2 rounds; 3 after a product (the comparisons open in its truncation\'s round); bytes message by message', async () => {
  const n = 50;
  const x = await privateOf(Array.from({ length: n }, (_, i) => i / 5 - 5));
  await tfe.mul(x, x).reveal(); // pairwise seeds exist before counting
  const { c } = await revealCounted(() => tfe.sigmoid(x));
  assert.is(c.server0.rounds, 2);
  assert.is(c.server1.rounds, 2);
  const msg = (sender: string, shape: number[]) => tensorMessageBytes(sender, ring.zeros(shape));
  // Each server: its share of c = v + r, and of the truncation's c'.
  assert.is(c.server0.bytesSent, 2 * msg('server0', [n]));
  assert.is(c.server1.bytesSent, 2 * msg('server1', [n]));
  // The producer: a key of 256 words per element to each server; to server1 its shares of r63
  // and r63·r, and the truncation's two dealt words per element.
  assert.is(c.server2.bytesSent, 2 * msg('server2', [256, n]) + 2 * msg('server2', [n]) + msg('server2', [2 * n]));
  const w = await privateOf([0.5, -0.25], [2, 1]);
  const rows = await privateOf(Array.from({ length: 2 * n }, (_, i) => Math.sin(i) * 4), [n, 2]);
  const { c: dense, out } = await revealCounted(() => tfe.sigmoid(tfe.matmul(rows, w)));
  assert.is(dense.server0.rounds, 3, 'product, its truncation with the comparisons, the sum\'s truncation');
  for (let i = 0; i < n; i++) {
    const z = Math.sin(2 * i) * 4 * 0.5 - Math.sin(2 * i + 1) * 4 * 0.25;
    assert.ok(Math.abs(out[i] - sigma(z)) <= SPLINE_MAX_ERROR.sigmoid + 1e-4, `σ(${z}) = ${out[i]}`);
  }
});

test('splineOf refuses a spline it would evaluate wrongly (a sloped first line, unsorted thresholds)', async () => {
  const x = (await privateOf([1, 2])) as PondPrivateTensor;
  const bad: Spline[] = [
    { thresholds: [0, 1], lines: [[0.1, 0], [0, 1], [0, 2]] },
    { thresholds: [1, 0], lines: [[0, 0], [0, 1], [0, 2]] },
    { thresholds: [0, 1], lines: [[0, 0], [0, 1]] },
  ];
  for (const s of bad) assert.throws(() => splineOf(pond, x, s), (e: unknown) => e instanceof ValueError && /increasing thresholds/.test((e as Error).message));
});

test('fss: false and tensors over fssMaxElements keep the polynomial (9 rounds); the option is checked', async () => {
  tfe.setProtocol(new tfe.Pond({ fss: false }));
  const small = await privateOf([0.5, -2, 3]);
  const { c } = await revealCounted(() => tfe.sigmoid(small));
  assert.is(c.server0.rounds, 9);
  tfe.setProtocol(pond);
  const big = await privateOf(Float64Array.from({ length: fssMaxElements + 1 }, (_, i) => (i % 100) / 10 - 5));
  const { c: cb } = await revealCounted(() => tfe.sigmoid(big));
  assert.is(cb.server0.rounds, 9);
  assert.throws(() => new tfe.Pond({ fss: 'yes' as unknown as boolean }), (e: unknown) => e instanceof ValueError && /`fss` must be a boolean, got string/.test((e as Error).message));
});

test.run();
