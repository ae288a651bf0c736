import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { DEFAULT_APPROXIMATIONS } from '../../src/protocols/approximations/index.js';
import { ABY3 } from '../../src/protocols/aby3/index.js';
import type { ABY3PrivateTensor } from '../../src/protocols/aby3/aby3_tensors.js';
import type { PondPrivateTensor } from '../../src/protocols/pond/pond_tensors.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { randomArray } from '../helpers/plain.js';

// Comparisons of a product's truncated result start from the untruncated product
// (pond/sign_source.ts, aby3/sign_view.ts): relu and the clamp of sigmoid on a dense layer's
// x·w + b. The values are the ones the truncated input gives (relu exactly; sigmoid within its
// documented error), one round earlier.

type WithSource = PondPrivateTensor | ABY3PrivateTensor;

tfe.setConfig(new tfe.LocalConfig());

const ULP = 2 ** -16;
const [m, d, u] = [40, 6, 5];
const xs = Float64Array.from(randomArray(41, m * d, -2, 2));
const ws = Float64Array.from(randomArray(42, d * u, -1, 1));
const bs = Float64Array.from(randomArray(43, u, -0.5, 0.5));
// row 0 makes products within an ulp or two of 0 from both sides (x = ±1 ulp, w = ±0.5)
xs.fill(0, 0, d);
xs[0] = ULP;
ws.fill(0, 0, u);
ws.set([0.5, -0.5, 0.25, -0.25, 1e-5], 0);

async function setup() {
  const x = await tfe.definePrivateInput('input-provider', () => xs, { shape: [m, d] });
  const w = tfe.definePrivateVariable(ws, { shape: [d, u] });
  const b = tfe.definePrivateVariable(new Float64Array(u), { shape: [u] });
  const b2 = tfe.definePrivateVariable(bs, { shape: [u] });
  await tfe.getRuntime().flush();
  return { x, w, b, b2 };
}

/** Runs `f` after a counter reset: its revealed values, and its rounds (the most of any player). */
async function withRounds(f: () => tfe.TfeTensor[]): Promise<{ got: Float64Array[]; rounds: number }> {
  const rt = tfe.getRuntime();
  await rt.resetCounters();
  const outs = f();
  const got = await Promise.all(outs.map((t) => t.reveal()));
  return { got, rounds: Math.max(...Object.values(await rt.counters()).map((c) => c.rounds)) };
}

// Pond, SecureNN and ABY3 with fss: false: their tree, DReLU and carry-circuit comparisons, which take the sign from the product
// (small tensors' one-round comparisons: pond_fss.test.ts, aby3_dealt.test.ts).
for (const make of [() => new tfe.Pond({ fss: false }), () => new SecureNN({ fss: false }), () => new ABY3({ fss: false })]) {
  const name = make().name;

  test(`${name}: relu(x·w + b) is exactly relu of the truncated pre-activation, one round earlier than without the product's sign`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const { x, w, b2 } = await setup();
    for (const strip of [false, true]) {
      const run = await withRounds(() => {
        const z = tfe.add(tfe.matmul(x, w), b2) as WithSource;
        assert.is(!!z.signSource, true, 'the sum keeps the product\'s sign source');
        if (strip) z.signSource = undefined;
        return [z, tfe.relu(z)];
      });
      const [z, r] = run.got;
      z.forEach((v, i) => assert.is(r[i], Math.max(v, 0), `${name} relu(${v}) [${i}]`));
      if (!strip) (globalThis as { withSource?: number }).withSource = run.rounds;
      else assert.is(run.rounds, (globalThis as { withSource?: number }).withSource! + 1, `${name}: rounds without the sign source`);
    }
  });

  test(`${name}: ${name === 'ABY3' ? '' : 'sigmoid(x·w + b) within the documented error; '}relu's derivative differs only where the pre-activation is 0`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const { x, w, b } = await setup();
    const z = tfe.add(tfe.matmul(x, w), b);
    const zv = await z.reveal();
    if (!(p instanceof ABY3)) { // ABY3's sigmoid is piecewise on exact comparisons (aby3_functions.test.ts)
      const sv = await tfe.sigmoid(z).reveal();
      const bound = DEFAULT_APPROXIMATIONS.sigmoid.documentedMaxError;
      zv.forEach((v, i) => assert.ok(Math.abs(sv[i] - 1 / (1 + Math.exp(-v))) <= bound, `${name} sigmoid(${v}) = ${sv[i]}`));
    }
    if (p instanceof SecureNN || p instanceof ABY3) {
      const dv = await p.reluWithDerivative(z).derivative.reveal(); // relu's own, for backprop
      zv.forEach((v, i) => assert.ok(v === 0 ? dv[i] === 0 || dv[i] === 1 : dv[i] === (v > 0 ? 1 : 0), `${name} relu'(${v}) = ${dv[i]}`));
    }
  });

  test(`${name}: a sign source whose product was freed falls back to the tensor itself`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const { x, w, b2 } = await setup();
    const z = tfe.add(tfe.matmul(x, w), b2) as WithSource;
    const s = z.signSource!;
    tfe.getRuntime().free('base' in s ? s.base[0] : s.terms[0]);
    const [zv, rv] = await Promise.all([z.reveal(), tfe.relu(z).reveal()]);
    assert.is(z.signSource, undefined, 'the dead source is dropped');
    zv.forEach((v, i) => assert.is(rv[i], Math.max(v, 0), `${name} relu(${v})`));
  });
}

test('exact comparisons keep reading the tensor itself: on a product\'s result, less, equal and DReLU agree with the revealed values at the boundary', async () => {
  for (const p of [new SecureNN(), new ABY3()]) { // Pond has no exact comparisons
    tfe.setProtocol(p);
    const { x, w, b } = await setup();
    const z = tfe.add(tfe.matmul(x, w), b);
    const [zv, neg, eq, d] = await Promise.all([z.reveal(), p.less(z, 0).reveal(), p.equal(z, 0).reveal(), p.reluDerivative(z).reveal()]);
    zv.forEach((v, i) => {
      assert.is(neg[i], v < 0 ? 1 : 0, `${p.name} [${v} < 0]`);
      assert.is(eq[i], v === 0 ? 1 : 0, `${p.name} [${v} = 0]`);
      assert.is(d[i], v >= 0 ? 1 : 0, `${p.name} DReLU(${v})`);
    });
  }
});

test.run();
