import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ring } from '../../src/kernels/index.js';
import { newSeed } from '../../src/kernels/prg.js';
import { DEFAULT_APPROXIMATIONS, evaluationPlan, fixedPointError } from '../../src/protocols/approximations/index.js';
import { msb } from '../../src/protocols/pond/compare.js';
import { shareFrom } from '../../src/protocols/pond/sharing.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';

const pond = new tfe.Pond('server0', 'server1', undefined, { relu: 'chebyshev', fss: false }); // the approximations under test (the spline of small sigmoids: pond_fss.test.ts)
tfe.setProtocol(pond);

async function privateOf(values: number[] | Float64Array): Promise<tfe.TfeTensor> {
  return tfe.definePrivateInput('input-provider', () => Float64Array.from(values), { shape: [values.length] });
}

function grid(lo: number, hi: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

for (const name of ['sigmoid', 'tanh', 'relu'] as const) {
  test(`${name}: error within the documented bound on its interval, and bounded outside it`, async () => {
    const a = DEFAULT_APPROXIMATIONS[name];
    const [lo, hi] = a.interval;
    const xs = grid(lo, hi, 2001);
    const got = await tfe[name](await privateOf(xs)).reveal();
    let worst = 0;
    xs.forEach((x, i) => { worst = Math.max(worst, Math.abs(got[i] - a.reference(x))); });
    assert.ok(worst <= a.documentedMaxError, `${name}: secure error ${worst} > documented ${a.documentedMaxError}`);
    const far = [lo * 1.5, lo * 10, lo * 1000, hi * 1.5, hi * 10, hi * 1000];
    const outside = await tfe[name](await privateOf(far)).reveal();
    far.forEach((x, i) => {
      const want = a.reference(x);
      // Outside the interval the clamp keeps sigmoid/tanh at their end values; relu keeps
      // the documented 2.8 % relative error of x·h(±1).
      const bound = name === 'relu' ? 0.03 * Math.abs(x) + a.documentedMaxError : a.documentedMaxError;
      assert.ok(Math.abs(outside[i] - want) <= bound, `${name}(${x}) = ${outside[i]}, want ${want} ± ${bound}`);
    });
  });
}

test('the secure evaluation stays within its model\'s bound (fixedPointError); sigmoid and tanh in 9 rounds (were 11)', async () => {
  const rt = currentRuntime();
  for (const name of ['sigmoid', 'tanh', 'relu'] as const) {
    const a = DEFAULT_APPROXIMATIONS[name];
    assert.ok(evaluationPlan(a, 16).direct, `${name}: direct powers at f = 16`);
    const bound = fixedPointError(a.reference, a, 16);
    const xs = grid(a.interval[0], a.interval[1], 4001).map((x) => Math.round(x * 2 ** 16) / 2 ** 16);
    const x = await privateOf(xs);
    await rt.resetCounters();
    const got = await tfe[name](x).reveal();
    const rounds = Math.max(...Object.values(await rt.counters()).map((c) => c.rounds));
    let worst = 0;
    xs.forEach((x, i) => { worst = Math.max(worst, Math.abs(got[i] - a.reference(x))); });
    assert.ok(worst <= bound, `${name}: secure error ${worst} > model bound ${bound}`);
    // sigmoid, tanh: comparisons (8) beside 4 power levels (8) and the sum (1), then the clamp
    // (1), whose product with end − p opens nothing of p, fresh from its truncation
    // (truncated_product.ts), so it rides the comparisons' last round; relu: 3 power levels,
    // so the comparisons (8) and the clamp (1), then x·p (2)
    assert.is(rounds, name === 'relu' ? 11 : 9, `${name} rounds`);
  }
});

test('with f = 24 the powers are scaled first (no room for direct powers) and stay within the bound', async () => {
  const wide = new tfe.Pond('server0', 'server1', undefined, { fracBits: 24 });
  const a = DEFAULT_APPROXIMATIONS.sigmoid;
  assert.is(evaluationPlan(a, 24).direct, false);
  const xs = grid(-8, 8, 801);
  const x = await wide.definePrivateInput('input-provider', () => Float64Array.from(xs), { shape: [xs.length] });
  const got = await wide.sigmoid(x).reveal();
  let worst = 0;
  xs.forEach((v, i) => { worst = Math.max(worst, Math.abs(got[i] - a.reference(Math.max(-6, Math.min(6, v))))); });
  assert.ok(worst <= fixedPointError(a.reference, a, 24, { maxSamples: 2 ** 18 }) + 2 ** -23, `f = 24: ${worst}`);
});

test('relu(0) is 0 and sigmoid(0) is 0.5 (TF Encrypted gave relu(0) = 0.44)', async () => {
  const z = await privateOf([0]);
  assert.ok(Math.abs((await tfe.relu(z).reveal())[0]) <= 2 ** -15);
  assert.ok(Math.abs((await tfe.sigmoid(z).reveal())[0] - 0.5) <= 2 ** -15);
  assert.ok(Math.abs((await tfe.tanh(z).reveal())[0]) <= 2 ** -15);
});

test('public inputs far outside the interval get the value at its end too (they diverged before)', async () => {
  const xs = [-100, -6.5, 0, 6.5, 100];
  const sig = Array.from(await tfe.sigmoid(tfe.defineConstant(xs)).reveal());
  const tanh = Array.from(await tfe.tanh(tfe.defineConstant(xs)).reveal());
  xs.forEach((x, k) => {
    const end = Math.max(-6, Math.min(6, x)), endT = Math.max(-3, Math.min(3, x));
    assert.ok(Math.abs(sig[k]! - 1 / (1 + Math.exp(-end))) < 0.0055 + 2 ** -14, `sigmoid(${x}) = ${sig[k]}`);
    assert.ok(Math.abs(tanh[k]! - Math.tanh(endT)) < 0.011 + 2 ** -14, `tanh(${x}) = ${tanh[k]}`);
  });
});

test('polynomial evaluation with powers by squaring matches Horner in float64', async () => {
  const xs = grid(-1.5, 1.5, 101);
  const cs = [0.25, -1, 0.5, 0, 2, 0, 0, -0.125];
  const got = await tfe.polynomial(await privateOf(xs), cs).reveal();
  xs.forEach((x, i) => {
    const want = cs.reduceRight((acc, c) => acc * x + c, 0);
    assert.ok(Math.abs(got[i] - want) <= 1e-3, `p(${x}) = ${got[i]}, want ${want}`);
  });
  const pub = await tfe.polynomial(tfe.defineConstant([2]), [1, 1, 1]).reveal();
  assert.ok(Math.abs(pub[0] - 7) <= 1e-3);
  assert.throws(() => tfe.polynomial(tfe.defineConstant([2]), [NaN]), (e: Error) => e instanceof tfe.ValueError);
});

test('msb is exact on random values across the whole ring and on edge values', async () => {
  const rt = currentRuntime();
  const random = ring.uniform(newSeed(), [20000], { dtype: 'u64' }).values() as BigUint64Array;
  const edges = [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1n << 62n, -(1n << 62n), 2n, -2n, 1n << 31n];
  const xs = new BigUint64Array(random.length + edges.length);
  xs.set(random);
  edges.forEach((v, i) => { xs[random.length + i] = BigInt.asUintN(64, v); });
  const x = shareFrom(pond, rt.upload('input-provider', ring.fromValues(xs, [xs.length])), 0);
  const bits = await msb(pond, x as never).reveal();
  let wrong = 0;
  xs.forEach((v, i) => { if (bits[i] !== Number(v >> 63n)) wrong++; });
  assert.is(wrong, 0, `${wrong} wrong msb results`);
});

test('msb keeps the shape: rank 2 with a size off the 64-bit packing, one element, and empty', async () => {
  for (const shape of [[3, 67], [1], [0], [2, 0]]) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: size }, (_, i) => (i % 3) - 1 + (i % 2 ? 1e-4 : -1e-4) * i);
    const x = await tfe.definePrivateInput('input-provider', () => values, { shape });
    const bits = msb(pond, x as never);
    assert.equal([...bits.shape], shape);
    const got = await bits.reveal();
    values.forEach((v, i) => assert.is(got[i], v < 0 ? 1 : 0, `msb(${v}) in shape [${shape}]`));
  }
});

test.run();
