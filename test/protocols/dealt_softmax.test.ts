/**
 * The small-tensor softmax from dealt keys (generic/dealt_softmax.ts) and its splines
 * (approximations/linear_spline.ts): the fits within their tolerances on dense grids; softmax
 * under Pond, SecureNN and ABY3 against float64 within the documented bound, on random logits and on
 * edge rows (ties, equal rows, a spread of 2,000, one and two classes, 256 classes with the
 * worst row, zeros, ranks 1 and 3, integer inputs), never negative; its
 * rounds; the exact shift Pond now gets (small tensors from the keys, larger ones from a tree of
 * its exact relus, where the mean shift failed beyond a spread of 8); ABY3 with server2 dealing
 * the keys; `fss: false` and larger tensors keep their routes; the log-sum-exp parts the
 * cross-entropy loss reads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { revealCounted } from '../helpers/counters.js';
import { ValueError } from '../../src/errors.js';
import { EXP_SPLINE_ERROR, expSpline, fitConvexSpline, minimaxLine, RECIPROCAL_SPLINE_ERROR, reciprocalSpline, type Spline } from '../../src/protocols/approximations/linear_spline.js';
import { softmax, softmaxParts } from '../../src/protocols/generic/index.js';
import { dealtScaledReciprocal } from '../../src/protocols/generic/dealt_softmax.js';
import type { Protocol } from '../../src/protocols/protocol.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';

const evaluate = (s: Spline, x: number) => {
  let k = 0;
  while (k < s.thresholds.length && x >= s.thresholds[k]) k++;
  return s.lines[k][0] * x + s.lines[k][1];
};

/** The documented bound of dealt_softmax.ts for p_i, with S the row's float sum after the shift. */
const bound = (pi: number, k: number, sum: number) => (0.0045 * pi + (0.0003 * (1 + k * pi)) / sum) / (0.998 - (0.0003 * k) / sum) + 2 ** -14;

function reference(xs: ArrayLike<number>, k: number): { probs: number[]; sums: number[] } {
  const probs: number[] = [], sums: number[] = [];
  for (let r = 0; r < xs.length / k; r++) {
    const row = Array.from(xs).slice(r * k, r * k + k);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    probs.push(...e.map((v) => v / s));
    sums.push(s);
  }
  return { probs, sums };
}

async function privateOf(values: ArrayLike<number>, shape: number[]): Promise<tfe.TfeTensor> {
  return tfe.definePrivateInput('input-provider', () => Float64Array.from(values), { shape });
}

async function roundsOf(fn: () => tfe.TfeTensor): Promise<{ out: Float64Array; rounds: number }> {
  const { out, c } = await revealCounted(fn);
  return { out, rounds: Math.max(...Object.values(c).map((q) => q.rounds)) };
}

/** Softmax of private `xs` against float64 within the documented bound; its rounds. */
async function softmaxChecked(p: Protocol, xs: ArrayLike<number>, shape: number[], what: string): Promise<number> {
  const k = shape[shape.length - 1];
  const x = await privateOf(xs, shape);
  const { out, rounds } = await roundsOf(() => softmax(p, x));
  const { probs, sums } = reference(xs, k);
  probs.forEach((want, i) => {
    assert.ok(Math.abs(out[i] - want) <= bound(want, k, sums[Math.floor(i / k)]), `${p.name} ${what} [${i}]: ${out[i]} vs ${want}`);
    assert.ok(out[i] >= 0, `${p.name} ${what} [${i}]: ${out[i]} is negative`);
  });
  return rounds;
}

test('the exp spline keeps max(0.002·e^x, 0.0003) on a dense grid and far into the tail, and is never negative', () => {
  const s = expSpline();
  assert.is(s.thresholds.length, 22);
  assert.equal(s.lines[0], [0, 0]);
  for (let x = -30; x <= 0; x += 1e-4) {
    const err = Math.abs(evaluate(s, x) - Math.exp(x));
    assert.ok(err <= Math.max(EXP_SPLINE_ERROR.relative * Math.exp(x), EXP_SPLINE_ERROR.absolute) * (1 + 1e-9), `e^${x}: error ${err}`);
    assert.ok(evaluate(s, x) >= 0, `spline(${x}) = ${evaluate(s, x)}`);
  }
  assert.ok(Math.abs(evaluate(s, 0) - 1) <= 0.002);
});

test('the reciprocal spline keeps 2.5e-4 relative on [0.99, 1.01k], for 1 to 256 classes, with at most 255 thresholds', () => {
  for (const k of [1, 2, 3, 10, 100, 256]) {
    const c = k > 4 ? 2 ** (Math.floor(Math.log2(k)) - 1) : 1;
    const s = reciprocalSpline([1, Math.max(k, 1.5)], c);
    assert.ok(s.thresholds.length <= 255, `k = ${k}: ${s.thresholds.length} thresholds`);
    assert.is(reciprocalSpline([1, Math.max(k, 1.5)], c), s, 'memoised');
    const hi = Math.max(k, 1.5) * 1.01;
    for (let i = 0; i <= 20000; i++) {
      const x = 0.99 + ((hi - 0.99) * i) / 20000;
      const rel = Math.abs((evaluate(s, x) * x) / c - 1);
      assert.ok(rel <= RECIPROCAL_SPLINE_ERROR * (1 + 1e-9), `k = ${k}: c/${x} off by ${rel}`);
    }
    assert.is(evaluate(s, 0.5), c / 0.99, 'constant below the range');
  }
});

test('minimaxLine equioscillates; fitConvexSpline refuses empty or infinite ranges', () => {
  const [m, b, e] = minimaxLine((x) => x * x, 0, 1);
  assert.ok(Math.abs(m - 1) < 1e-12 && Math.abs(b + 0.125) < 1e-9 && Math.abs(e - 0.125) < 1e-9, `${m} ${b} ${e}`);
  assert.throws(() => fitConvexSpline(Math.exp, { from: 0, to: 0, tolerance: () => 1 }), (err: unknown) => err instanceof ValueError && /two different finite ends/.test((err as Error).message));
  assert.throws(() => fitConvexSpline(Math.exp, { from: -Infinity, to: 0, tolerance: () => 1 }), (err: unknown) => err instanceof ValueError);
});

function randomLogits(seed: number, n: number, lo: number, hi: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) % 2 ** 31; return lo + ((hi - lo) * s) / 2 ** 31; });
}

test('Pond, SecureNN and ABY3: softmax of 1 and 25 rows of 10 random logits within the bound, in 10 rounds (ABY3: 13; the polynomial routes: 42, 28 and 35)', async () => {
  for (const [p, most] of [[new tfe.Pond(), 10], [new SecureNN(), 10], [new tfe.ABY3(), 13]] as const) {
    tfe.setProtocol(p);
    for (const rows of [1, 25]) {
      const rounds = await softmaxChecked(p, randomLogits(rows + 7, rows * 10, -8, 8), [rows, 10], `${rows} rows`);
      assert.ok(rounds <= most, `${p.name}: ${rounds} rounds`);
    }
  }
});

test('edge rows: ties at the max, a constant row, zeros, a spread of 1,000, one ulp apart; 1, 2 and 256 classes', async () => {
  for (const p of [new tfe.Pond(), new SecureNN(), new tfe.ABY3()]) {
    tfe.setProtocol(p);
    await softmaxChecked(p, [3, 3, 1, 3, -2, 0, 3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 10], 'ties, constant, zeros');
    await softmaxChecked(p, [0, 60, -1000, -999, 12.5, -30, 40, 39.99, 1e3, 1e3 - 2 ** -16], [1, 10], 'spread');
    await softmaxChecked(p, [-4, 0, 7.5, 1e4], [4, 1], 'one class');
    await softmaxChecked(p, [0, 2 ** -16, -1, 1, 100, -100], [3, 2], 'two classes');
    await softmaxChecked(p, randomLogits(3, 256, -20, 20), [1, 256], '256 classes');
    // the worst row for 256 classes: every non-maximal e at a spline piece's end, where the error peaks
    await softmaxChecked(p, [0, ...Array(33).fill(-6.26205444), ...Array(222).fill(-9.21032715)], [1, 256], '256 classes, adversarial');
    await softmaxChecked(p, [0, ...Array(255).fill(-9.2103)], [1, 256], '256 classes at the tail');
    await softmaxChecked(p, randomLogits(4, 10, -5, 5), [10], 'rank 1');
    await softmaxChecked(p, randomLogits(5, 30, -5, 5), [2, 3, 5], 'rank 3');
  }
});

test('integer inputs (fracBits 0) are brought to the protocol\'s scale first', async () => {
  for (const p of [new tfe.Pond(), new SecureNN(), new tfe.ABY3()]) {
    tfe.setProtocol(p);
    const xs = [3, -2, 0, 7, 7, 1, -9, 4, 2, 5];
    const x = p.toPrivate(p.defineConstant(xs, { shape: [1, 10], integer: true }));
    assert.is(x.fracBits, 0);
    const { out } = await roundsOf(() => softmax(p, x));
    const { probs, sums } = reference(xs, 10);
    probs.forEach((want, i) => assert.ok(Math.abs(out[i] - want) <= bound(want, 10, sums[0]), `${p.name} [${i}]: ${out[i]} vs ${want}`));
  }
});

test('Pond takes the exact shift for small tensors: logits spread over 40 (the mean shift is documented for 8)', async () => {
  const p = new tfe.Pond();
  tfe.setProtocol(p);
  const xs = [-20, 20, 0, 19, -5, 10, 18.5, 3, -19, 1];
  await softmaxChecked(p, xs, [1, 10], 'spread 40');
});

test('Pond softmax of tensors over 256 elements shifts by the exact max (a tree of its exact relus): spreads of 20 and 200 within 0.01, with and without the keys', async () => {
  for (const fss of [true, false]) {
    const p = new tfe.Pond({ fss });
    tfe.setProtocol(p);
    for (const spread of [20, 200]) {
      const xs = Float64Array.from(randomLogits(spread, 300, -spread / 2, spread / 2), (v, i) => (i % 10 === 3 ? spread / 2 : v));
      const x = await privateOf(xs, [30, 10]);
      const got = await softmax(p, x).reveal();
      const { probs } = reference(xs, 10);
      probs.forEach((want, i) => assert.ok(Math.abs(got[i] - want) <= 0.01, `fss ${fss} spread ${spread} [${i}]: ${got[i]} vs ${want}`));
    }
  }
});

test('fss: false and tensors over 256 elements keep the polynomial routes (the larger tensors\' row sums excepted)', async () => {
  for (const [p, want] of [[new SecureNN({ fss: false }), 28], [new tfe.Pond({ fss: false }), 42], [new tfe.ABY3({ fss: false }), 34]] as const) {
    tfe.setProtocol(p);
    const x = await privateOf(randomLogits(5, 20, -4, 4), [2, 10]);
    const { rounds } = await roundsOf(() => softmax(p, x));
    assert.ok(rounds >= want - 1, `${p.name}: ${rounds} rounds`);
  }
  for (const [p, want, what] of [[new SecureNN(), 22, '1/Σ of the 26 sums from the keys (4 rounds, not 10)'], [new tfe.ABY3(), 29, 'the exact max on the carry circuit, 1/Σ from the keys (5 rounds, not 11)']] as const) {
    tfe.setProtocol(p);
    const big = await privateOf(randomLogits(6, 260, -4, 4), [26, 10]);
    const { rounds } = await roundsOf(() => softmax(p, big));
    assert.is(rounds, want, `${p.name}, 26 rows: the polynomial exp; ${what}`);
  }
});

test('1/x from a dealt spline and one Newton step: within 3e-5 relative and a few ulps, on a softmax\'s sums for 10 and 256 classes and on Pond\'s mean-shift interval [k, k·e^8]', async () => {
  for (const [p, interval] of [[new SecureNN(), [1, 10]], [new tfe.Pond(), [1, 3]], [new SecureNN(), [1, 256]], [new tfe.Pond(), [10, 10 * Math.exp(8)]], [new tfe.ABY3(), [1, 10]], [new tfe.ABY3(), [1, 256]]] as const) {
    tfe.setProtocol(p);
    const [lo, hi] = interval;
    const xs = Float64Array.from({ length: 200 }, (_, i) => lo * (hi / lo) ** (i / 199));
    const { y, shift } = dealtScaledReciprocal(p, p.capabilities.dealtSplines!, await privateOf(xs, [200, 1]), interval)!;
    const got = await y.reveal();
    xs.forEach((x, i) => {
      const want = 2 ** shift / x;
      assert.ok(Math.abs(got[i] - want) <= 3e-5 * want + 4 * 2 ** -16, `${p.name} 2^${shift}/${x}: ${got[i]} vs ${want}`);
    });
  }
});

test('the log-sum-exp parts: shift is the exact max, Σe the spline sum, log-sum-exp within 0.003', async () => {
  const p = new SecureNN();
  tfe.setProtocol(p);
  const xs = randomLogits(9, 40, -6, 6);
  const parts = softmaxParts(p, await privateOf(xs, [4, 10]));
  const [shift, sum] = [await parts.shift.reveal(), await parts.sum.reveal()];
  const { sums } = reference(xs, 10);
  for (let r = 0; r < 4; r++) {
    const row = Array.from(xs.slice(r * 10, r * 10 + 10));
    assert.is(shift[r], Math.max(...row.map((v) => Math.round(v * 2 ** 16) / 2 ** 16)), `row ${r} max`);
    assert.ok(Math.abs(Math.log(sum[r]) - Math.log(sums[r])) <= 0.003, `row ${r}: Σe ${sum[r]} vs ${sums[r]}`);
  }
  assert.equal(parts.sumInterval, [0.99, 10.1]);
});

test.run();
