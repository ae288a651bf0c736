import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { PIECEWISE_SIGMOID, PIECEWISE_TANH, SecureNN } from '../../src/protocols/securenn/index.js';
import { decodeFixed, encodeFixed } from '../../src/kernels/index.js';
import { maxAbsDiff, randomArray } from '../helpers/plain.js';

/** The values as fixed point encodes them (round half to even). */
const encoded = (v: Float64Array) => decodeFixed(encodeFixed(v, [v.length]));

const ulp = 2 ** -16;
const snn = new SecureNN();
tfe.setProtocol(snn);

test('capabilities and construction: exactComparison, options validated with ValueError', () => {
  assert.is(snn.capabilities.exactComparison, snn);
  assert.is(snn.name, 'SecureNN');
  assert.is(new SecureNN('server0', 'server1', 'server2', { prime: 71 }).prime, 71);
  for (const bad of [{ prime: 66 }, { prime: 69 }, { prime: 257 }, { chunkSize: 0 }, { sigmoid: 'exact' as never }, { msb: 'fast' as never }]) {
    assert.throws(() => new SecureNN(bad), (e: Error) => e instanceof tfe.ValueError, JSON.stringify(bad));
  }
});

test('tfe.relu is exact under SecureNN, with its derivative', async () => {
  const values = Float64Array.from([...randomArray(5, 200, -100, 100), 0, ulp, -ulp, 2 ** 40, -(2 ** 40)]);
  const x = await tfe.definePrivateInput('input-provider', () => values);
  const y = await tfe.relu(x).reveal();
  const enc = encoded(values);
  assert.equal(Array.from(y), Array.from(enc, (v) => (v > 0 ? v : 0)));
  const { y: y2, derivative } = snn.reluWithDerivative(x);
  assert.equal(Array.from(await derivative.reveal()), Array.from(enc, (v) => +(v >= 0)));
  assert.equal(Array.from(await y2.reveal()), Array.from(y));
});

test('sigmoid and tanh default to Pond\'s Chebyshev approximations', async () => {
  const values = randomArray(6, 50, -4, 4);
  const x = await tfe.definePrivateInput('input-provider', () => values);
  const pond = new tfe.Pond();
  const [a, b] = [await snn.sigmoid(x).reveal(), await tfe.Pond.prototype.sigmoid.call(snn, x).reveal()];
  assert.ok(maxAbsDiff(a, b) <= 64 * ulp, `same polynomial (truncation differs by ulps): ${maxAbsDiff(a, b)}`);
  const [c, d] = [await snn.tanh(x).reveal(), await tfe.Pond.prototype.tanh.call(snn, x).reveal()];
  assert.ok(maxAbsDiff(c, d) <= 64 * ulp, `tanh: ${maxAbsDiff(c, d)}`);
  assert.ok(pond.name === 'Pond');
});

for (const [name, f, spec, option] of [
  ['sigmoid', (v: number) => 1 / (1 + Math.exp(-v)), PIECEWISE_SIGMOID, { sigmoid: 'piecewise' }],
  ['tanh', Math.tanh, PIECEWISE_TANH, { tanh: 'piecewise' }],
] as const) {
  test(`piecewise ${name}: max error ≤ ${spec.maxError} (+ fixed-point rounding) on [−20, 20] and at the knots`, async () => {
    const p = new SecureNN(option);
    tfe.setProtocol(p);
    try {
      const values = Float64Array.from([...randomArray(7, 3000, -12, 12), ...spec.knots, -20, 20, 0]);
      const x = await tfe.definePrivateInput('input-provider', () => values);
      const got = await (name === 'sigmoid' ? tfe.sigmoid(x) : tfe.tanh(x)).reveal();
      const err = maxAbsDiff(got, Float64Array.from(values, f));
      assert.ok(err <= spec.maxError + 32 * ulp, `max error ${err} > ${spec.maxError} + 32 ulp`);
    } finally {
      tfe.setProtocol(snn);
    }
  });
}

test('piecewise error figures match the documented maxError (plaintext check of the knots)', () => {
  for (const [spec, f] of [[PIECEWISE_SIGMOID, (v: number) => 1 / (1 + Math.exp(-v))], [PIECEWISE_TANH, Math.tanh]] as const) {
    let max = 0;
    for (let v = -20; v <= 20; v += 0.001) {
      const k = spec.knots;
      let y: number;
      if (v <= k[0]) y = spec.values[0];
      else if (v >= k[k.length - 1]) y = spec.values[k.length - 1];
      else { let i = 0; while (k[i + 1] < v) i++; y = spec.values[i] + ((spec.values[i + 1] - spec.values[i]) * (v - k[i])) / (k[i + 1] - k[i]); }
      max = Math.max(max, Math.abs(y - f(v)));
    }
    assert.ok(max <= spec.maxError && max > spec.maxError / 2, `measured ${max} vs documented ${spec.maxError}`);
  }
});

// The reference backend (used when the native addon is missing) needs far more than the
// runner's time limit for 2·10^6 elements, so this runs on the native backend only.
const large = tfe.getBackend().name === 'native' ? test : test.skip;

large('a 2,000,000-element relu runs in chunks without exhausting memory, exactly', async () => {
  const n = 2_000_000;
  const values = randomArray(8, n, -1000, 1000);
  const x = await tfe.definePrivateInput('input-provider', () => values);
  const y = await tfe.relu(x).reveal();
  const enc = encoded(values);
  let bad = 0;
  for (let i = 0; i < n; i++) if (y[i] !== (enc[i] > 0 ? enc[i] : 0)) bad++;
  assert.is(bad, 0);
  assert.ok(process.memoryUsage().rss < 8 * 2 ** 30, `rss ${process.memoryUsage().rss}`);
});

test.run();
