/**
 * ABY3's comparisons from DCF keys that server2 deals to server0 and server1
 * (aby3/dealt_splines.ts, dealt_keys.ts): relu and its derivative exact on edge values and the
 * ring's limits in 2 rounds (3 after a product, from the truncation's 2-out-of-2 result);
 * bytes message by message, and server2 receives nothing; the exact max over the last axis
 * with ties, one column, odd widths and ranks 1 and 3; the exp spline within its fit, sigmoid
 * and tanh within Pond's spline errors ('piecewise' keeps its three pieces); tensors over
 * 256 elements and `fss: false` keep the carry circuit; the option is checked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ValueError } from '../../src/errors.js';
import { ring } from '../../src/kernels/index.js';
import { expSpline, EXP_SPLINE_ERROR } from '../../src/protocols/approximations/linear_spline.js';
import { SPLINE_MAX_ERROR } from '../../src/protocols/approximations/activation_splines.js';
import { ABY3DealtSplines } from '../../src/protocols/aby3/dealt_splines.js';
import { ABY3PrivateTensor } from '../../src/protocols/aby3/aby3_tensors.js';
import { hasLiveTruncation } from '../../src/protocols/aby3/truncated_product.js';
import { fssMaxElements } from '../../src/protocols/dealt_keys.js';
import { tensorMessageBytes } from '../../src/runtime/wire/codec.js';
import { revealCounted } from '../helpers/counters.js';
import { openRaw, shareRaw } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const ulp = 2 ** -16;
const fixed = (x: number) => Math.round(x / ulp) * ulp;

async function privateOf(values: number[] | Float64Array, shape = [values.length]): Promise<tfe.TfeTensor> {
  return tfe.definePrivateInput('input-provider', () => Float64Array.from(values), { shape });
}

/** Runs `fn` with `p` as the active protocol, then restores the file's. */
async function withProtocol<T>(p: tfe.Protocol, fn: () => Promise<T>): Promise<T> {
  tfe.setProtocol(p);
  try { return await fn(); } finally { tfe.setProtocol(aby3); }
}

const rounds = (c: Awaited<ReturnType<typeof revealCounted>>['c']) => Math.max(c.server0.rounds, c.server1.rounds, c.server2.rounds);

test('relu and its derivative of a small tensor: exact at 0, ± 1 ulp, one ulp inside ±2^36 and large values, in 2 rounds (the carry circuit: 8)', async () => {
  const xs = [0, ulp, -ulp, 1, -1, 0.5, -0.5, 1e6, -1e6, 2 ** 40, -(2 ** 40), 2 ** 36 - ulp, -(2 ** 36) + ulp, 2 ** 45, -(2 ** 45), ...Array.from({ length: 87 }, (_, i) => Math.sin(i) * 30)];
  const x = await privateOf(xs);
  const r = await revealCounted(() => tfe.relu(x));
  assert.is(rounds(r.c), 2);
  const { y, derivative } = aby3.reluWithDerivative(x);
  const [yv, dv] = [await y.reveal(), await derivative.reveal()];
  xs.forEach((v, i) => {
    const want = Math.max(0, fixed(v));
    assert.is(r.out[i], want, `relu(${v})`);
    assert.is(yv[i], want, `relu(${v}) with the derivative`);
    assert.is(dv[i], fixed(v) >= 0 ? 1 : 0, `relu'(${v})`);
  });
  const viaCircuit = await withProtocol(new tfe.ABY3({ fss: false }), async () => {
    const again = await privateOf(xs);
    return revealCounted(() => tfe.relu(again));
  });
  assert.equal(viaCircuit.out, r.out, 'the carry circuit agrees');
  assert.is(rounds(viaCircuit.c), 8);
});

test('relu at the ring\'s signed limits (integers just inside ±2^62)', async () => {
  const big = [2n ** 62n - 1n, -(2n ** 62n) + 1n, 1n, -1n, 0n].map((b) => BigInt.asUintN(64, b));
  const y = await openRaw(aby3.relu(shareRaw(aby3, BigUint64Array.from(big))));
  assert.equal([...y], [big[0], 0n, 1n, 0n, 0n]);
});

test('relu after a product: 3 rounds (its truncation\'s first round gives the keys their 2-out-of-2 input), exact on the truncated value', async () => {
  const n = 64;
  const rows = await privateOf(Array.from({ length: 2 * n }, (_, i) => Math.sin(i) * 4), [n, 2]);
  const w = await privateOf([0.5, -0.25], [2, 1]);
  await tfe.matmul(rows, w).reveal(); // pairwise seeds exist before counting
  let z: tfe.TfeTensor | undefined;
  const { out, c } = await revealCounted(() => tfe.relu(z = tfe.matmul(rows, w)));
  assert.is(rounds(c), 3);
  const zv = await z!.reveal();
  zv.forEach((v, i) => assert.is(out[i], Math.max(0, v), `relu(${v}) [${i}]`));
});

test('relu\'s traffic: a 256-word key per element to server0 and to server1, 1 word each way between them, 1 for the resharing; server2 receives nothing', async () => {
  const n = 50;
  const x = await privateOf(Array.from({ length: n }, (_, i) => i - 25));
  await tfe.mul(x, x).reveal();
  const { c } = await revealCounted(() => tfe.relu(x));
  const msg = (sender: string, shape: number[]) => tensorMessageBytes(sender, ring.zeros(shape));
  // server0 and server1: the masked input c = v + r to each other, then fromTwoOfTwo's difference
  assert.is(c.server0.bytesSent, 2 * msg('server0', [n]));
  assert.is(c.server1.bytesSent, 2 * msg('server1', [n]));
  // server2: one key to each, and server1's shares of r63 and r63·r
  assert.is(c.server2.bytesSent, 2 * msg('server2', [256, n]) + 2 * msg('server2', [n]));
  assert.is((c.server2 as unknown as { bytesReceived: number }).bytesReceived, 0, 'the dealer sees nothing');
});

test('the exact max over the last axis: ties, one column, odd widths, ranks 1 and 3, large values; ⌈log2 k⌉ + 1 rounds', async () => {
  const dealt = aby3.capabilities.dealtSplines!;
  assert.ok(dealt instanceof ABY3DealtSplines);
  const cases: [number[], number[]][] = [
    [[3, 3, 1, 3, -2, 0, 3, 3, 3, 3, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5], [2, 10]],
    [[-4, 0, 7.5, 1e4], [4, 1]],
    [[ulp, 0, -ulp, 1e6, -1e6, 2 ** 40, 7, 7 + ulp, 7 - ulp], [3, 3]],
    [Array.from({ length: 7 }, (_, i) => Math.cos(i) * 100), [7]],
    [Array.from({ length: 30 }, (_, i) => Math.sin(i * 3) * 9), [2, 3, 5]],
  ];
  for (const [xs, shape] of cases) {
    const x = await privateOf(xs, shape);
    let m: tfe.TfeTensor | undefined;
    const { out, c } = await revealCounted(() => (m = dealt.reduceMaxLastAxis(x)));
    const k = shape[shape.length - 1];
    assert.equal(m!.shape, [...shape.slice(0, -1), 1], `the max of [${shape}] keeps its last axis as 1`);
    for (let r = 0; r < xs.length / k; r++) assert.is(out[r], Math.max(...xs.slice(r * k, r * k + k).map(fixed)), `row ${r} of [${shape}]`);
    assert.is(rounds(c), Math.ceil(Math.log2(k)) + 1, `[${shape}]`);
  }
});

test('the max of a fresh product\'s one column leaves the product\'s truncation record alive', async () => {
  const x = await privateOf([1.5, -2, 0.25, 3], [4, 1]);
  const w = await privateOf([0.5, 0.5, 0.5, 0.5], [4, 1]);
  const z = tfe.mul(x, w) as ABY3PrivateTensor;
  assert.ok(hasLiveTruncation(aby3, z), 'a fresh product carries its record');
  const m = aby3.capabilities.dealtSplines!.reduceMaxLastAxis(z);
  assert.equal([...await m.reveal()], [0.75, -1, 0.125, 1.5]);
  assert.ok(hasLiveTruncation(aby3, z), 'its 2-out-of-2 parts are still the record\'s');
  assert.equal([...await tfe.mul(z, 2).reveal()], [1.5, -2, 0.25, 3]);
});

test('a tensor over 256 elements, and fss: false, keep the carry circuit (relu 8 rounds, the max 13)', async () => {
  const xs = Array.from({ length: fssMaxElements + 4 }, (_, i) => Math.sin(i) * 5);
  const big = await privateOf(xs, [(fssMaxElements + 4) / 10, 10]);
  assert.is(aby3.capabilities.dealtSplines!.accepts(big), false);
  const r = await revealCounted(() => tfe.relu(big));
  assert.is(rounds(r.c), 8);
  xs.forEach((v, i) => assert.is(r.out[i], Math.max(0, fixed(v))));
  const m = await revealCounted(() => aby3.capabilities.dealtSplines!.reduceMaxLastAxis(big));
  assert.is(rounds(m.c), 13);
  for (let row = 0; row < xs.length / 10; row++) assert.is(m.out[row], Math.max(...xs.slice(row * 10, row * 10 + 10).map(fixed)));
  const off = new tfe.ABY3({ fss: false });
  const r2 = await withProtocol(off, async () => {
    const small = await privateOf([1, -1, 0]);
    assert.is(off.capabilities.dealtSplines!.accepts(small), false);
    return revealCounted(() => tfe.relu(small));
  });
  assert.equal([...r2.out], [1, 0, 0]);
  assert.is(rounds(r2.c), 8);
  assert.throws(() => new tfe.ABY3({ fss: 'yes' as unknown as boolean }), (e: unknown) => e instanceof ValueError && /`fss` must be a boolean, got string/.test((e as Error).message));
});

test('the exp spline from server2\'s keys: within its fit (0.2 % or 0.0003) plus rounding on [−20, 0]', async () => {
  const xs = Array.from({ length: 200 }, (_, i) => -i / 10);
  const y = await aby3.capabilities.dealtSplines!.spline(await privateOf(xs), expSpline(), { maxValue: 1.01 }).reveal();
  xs.forEach((v, i) => {
    const want = Math.exp(v);
    assert.ok(Math.abs(y[i] - want) <= Math.max(EXP_SPLINE_ERROR.relative * want, EXP_SPLINE_ERROR.absolute) + 2 * ulp, `e^${v}: ${y[i]} vs ${want}`);
  });
});

test('sigmoid and tanh of a small tensor: Pond\'s splines on the keys, within 0.0025 and 0.005 on [−10, 10] and far out, in 3 rounds; \'piecewise\' keeps the paper\'s three pieces', async () => {
  const xs = [...Array.from({ length: 241 }, (_, i) => -12 + i / 10), 0, ulp, -ulp, 1e4, -1e4];
  const x = await privateOf(xs);
  for (const [name, f, bound] of [['sigmoid', (v: number) => 1 / (1 + Math.exp(-v)), SPLINE_MAX_ERROR.sigmoid], ['tanh', Math.tanh, SPLINE_MAX_ERROR.tanh]] as const) {
    const { out, c } = await revealCounted(() => (name === 'sigmoid' ? tfe.sigmoid(x) : tfe.tanh(x)));
    assert.is(rounds(c), 3, name);
    xs.forEach((v, i) => assert.ok(Math.abs(out[i] - f(v)) <= bound, `${name}(${v}) = ${out[i]}`));
  }
  const paper = new tfe.ABY3({ sigmoid: 'piecewise' });
  const coarse = await withProtocol(paper, async () => (await tfe.sigmoid(await privateOf([-1, -0.25, 0, 0.25, 1]))).reveal());
  assert.equal([...coarse], [0, 0.25, 0.5, 0.75, 1]);
});

test.run();
