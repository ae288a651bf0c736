/**
 * The default activation approximations: their documented errors hold (float on a dense grid,
 * fixed point exhaustively at f = 16), they are reproduced by their fitSpec, they beat TF
 * Encrypted's published Pond polynomials on the same intervals, and they behave at 0, at the
 * ends and outside the interval as documented.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValueError } from '../../src/errors.js';
import {
  APPROXIMATIONS, DEFAULT_APPROXIMATIONS, chebyshevFit, defaultApproximation, evaluateFit, evaluatePolynomial,
  fixedPointError, maxErrorOnInterval, powerPlan, type ApproximationName,
} from '../../src/protocols/approximations/index.js';

const names: ApproximationName[] = ['sigmoid', 'tanh', 'relu'];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const relu = (x: number) => Math.max(0, x);

/** TF Encrypted's Pond polynomials in x (coefficients from the reference, tf-encrypted.md §1.1). */
const tfe = {
  sigmoid: [0.5, 0.2159198015, 0, -0.0082176259, 0, 0.0001825597, 0, -0.0000018848, 0, 0.0000000072],
  tanh: [0, 0.852721056, 0, -0.12494112, 0, 0.010654528, 0, -0.000423424],
  relu: [0.44015372, 0.5, 0.11217538, 0, -0.00136608, 0, 9.0091e-6, 0, -2.1097e-8],
};

function maxErr(f: (x: number) => number, g: (x: number) => number, lo: number, hi: number, n = 200001): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const x = lo + ((hi - lo) * i) / (n - 1);
    worst = Math.max(worst, Math.abs(f(x) - g(x)));
  }
  return worst;
}

test('the documented float error holds on a dense grid, and is tight', () => {
  for (const name of names) {
    const a = DEFAULT_APPROXIMATIONS[name];
    const err = maxErrorOnInterval(a.reference, a, { samples: 400001 });
    assert.ok(err <= a.documentedMaxErrorFloat, `${name}: ${err} ≤ ${a.documentedMaxErrorFloat}`);
    assert.ok(err > 0.9 * a.documentedMaxErrorFloat, `${name}: documented figure is not loose`);
  }
});

test('the documented error at f = 16 bounds the exhaustive fixed-point error', () => {
  for (const name of names) {
    const a = DEFAULT_APPROXIMATIONS[name];
    const fx = fixedPointError(a.reference, a, 16);
    assert.ok(fx <= a.documentedMaxError, `${name}: ${fx} ≤ ${a.documentedMaxError}`);
    assert.ok(fx >= maxErrorOnInterval(a.reference, a), `${name}: fixed-point ≥ float`);
    assert.ok(a.documentedMaxError >= a.documentedMaxErrorFloat);
  }
});

test('coefficients are reproduced by their fitSpec; table shape is consistent', () => {
  for (const name of names) {
    const a = DEFAULT_APPROXIMATIONS[name];
    const fit = chebyshevFit(a.fitSpec.fn, a.fitSpec.options);
    assert.is(fit.coefficients.length, a.degree + 1);
    for (let k = 0; k <= a.degree; k++) {
      assert.ok(Math.abs(fit.coefficients[k] - a.coefficients[k]) < 1e-12, `${name} c${k}`);
    }
    assert.equal(a.interval, fit.interval);
    assert.is(a.powerRounds, powerPlan(a.degree, a.parity).rounds);
    assert.ok(a.degree <= 10);
  }
  assert.is(APPROXIMATIONS, DEFAULT_APPROXIMATIONS);
});

test('sigmoid beats TF Encrypted on [−6, 6], [−8, 8] and [−10, 10], and stays bounded beyond', () => {
  const ours = (x: number) => evaluateFit(DEFAULT_APPROXIMATIONS.sigmoid, x);
  const theirs = (x: number) => evaluatePolynomial(tfe.sigmoid, x);
  for (const a of [6, 8, 10]) {
    const o = maxErr(ours, sigmoid, -a, a);
    const t = maxErr(theirs, sigmoid, -a, a);
    assert.ok(o < t / 4, `[−${a}, ${a}]: ours ${o} vs TFE ${t}`);
  }
  assert.ok(Math.abs(maxErr(theirs, sigmoid, -8, 8) - 0.0234) < 1e-3, 'TFE figure from the reference');
  assert.ok(maxErr(theirs, sigmoid, -12, 12) > 1, 'TFE diverges past ±10.5');
  assert.ok(maxErr(ours, sigmoid, -1000, 1000, 400001) <= DEFAULT_APPROXIMATIONS.sigmoid.documentedMaxErrorFloat);
  // even the fixed-point worst case beats TFE's float error on its own interval
  assert.ok(DEFAULT_APPROXIMATIONS.sigmoid.documentedMaxError < maxErr(theirs, sigmoid, -8, 8) / 4);
});

test('tanh beats TF Encrypted on [−2, 2] and [−3, 3] and saturates at ±1 outside', () => {
  const ours = (x: number) => evaluateFit(DEFAULT_APPROXIMATIONS.tanh, x);
  const theirs = (x: number) => evaluatePolynomial(tfe.tanh, x);
  for (const a of [2, 3, 4]) {
    const o = maxErr(ours, Math.tanh, -a, a);
    const t = maxErr(theirs, Math.tanh, -a, a);
    assert.ok(o < t / 5, `[−${a}, ${a}]: ours ${o} vs TFE ${t}`);
  }
  assert.ok(maxErr(ours, Math.tanh, -100, 100, 400001) <= DEFAULT_APPROXIMATIONS.tanh.documentedMaxErrorFloat);
  for (const x of [0.1, 1, 2.5, 7]) assert.is(ours(-x), -ours(x), 'odd');
  assert.is(ours(0), 0);
  assert.ok(DEFAULT_APPROXIMATIONS.tanh.documentedMaxError < maxErr(theirs, Math.tanh, -2, 2) / 4);
});

test('relu beats TF Encrypted on [−8, 8] and [−4, 4], with relu(0) = 0', () => {
  const a = DEFAULT_APPROXIMATIONS.relu;
  const ours = (x: number) => evaluateFit(a, x);
  const theirs = (x: number) => evaluatePolynomial(tfe.relu, x);
  assert.ok(Math.abs(theirs(0) - 0.44) < 0.001, 'TFE relu(0) ≈ 0.44');
  for (const lim of [4, 8]) {
    const o = maxErr(ours, relu, -lim, lim);
    const t = maxErr(theirs, relu, -lim, lim);
    assert.ok(o < t / 1.9, `[−${lim}, ${lim}]: ours ${o} vs TFE ${t}`);
  }
  assert.is(ours(0), 0);
  // near 0 the gate h is ≈ 1/2, so the result lies between 0 and x: error < |x|/2
  for (let i = 1; i <= 1000; i++) {
    const x = i / 1000;
    assert.ok(Math.abs(ours(x) - x) < x / 2 && Math.abs(ours(-x)) < x / 2, `x = ±${x}`);
  }
  assert.ok(a.documentedMaxError < 0.44 / 1.5);
});

test('relu outside the interval: x times the clamped gate, error ≤ 2.8% of |x|', () => {
  const a = DEFAULT_APPROXIMATIONS.relu;
  for (const x of [-1e4, -100, -8.5, 8.5, 20, 100, 1e4]) {
    const err = Math.abs(evaluateFit(a, x) - relu(x));
    assert.ok(err <= 0.028 * Math.abs(x), `x = ${x}: ${err}`);
  }
  for (let i = 0; i <= 1000; i++) {
    const x = -8 + (16 * i) / 1000;
    assert.ok(Math.abs(evaluateFit(a, x) - relu(x)) <= 0.028 * 8);
  }
});

test('sigmoid is increasing on [−5, 5]; elsewhere it dips by less than its error', () => {
  const s = DEFAULT_APPROXIMATIONS.sigmoid;
  const n = 100000;
  let prev = evaluateFit(s, -5);
  for (let i = 1; i <= n; i++) {
    const v = evaluateFit(s, -5 + (10 * i) / n);
    assert.ok(v > prev, `increasing at ${-5 + (10 * i) / n}`);
    prev = v;
  }
  let drop = 0;
  let minAfter = Infinity;
  for (let i = n; i >= 0; i--) { // max over x < y of p(x) − p(y), on [−7, 7]
    const v = evaluateFit(s, -7 + (14 * i) / n);
    minAfter = Math.min(minAfter, v);
    drop = Math.max(drop, v - minAfter);
  }
  assert.ok(drop < 0.0022 && drop < s.documentedMaxErrorFloat, `drop ${drop}`);
  assert.ok(evaluateFit(s, 0) === 0.5);
});

test('defaultApproximation returns an independent copy; unknown names are rejected', () => {
  const copy = defaultApproximation('sigmoid');
  copy.coefficients[1] = 99;
  copy.interval[0] = -1;
  assert.is.not(DEFAULT_APPROXIMATIONS.sigmoid.coefficients[1], 99);
  assert.is(DEFAULT_APPROXIMATIONS.sigmoid.interval[0], -6);
  assert.throws(() => defaultApproximation('softplus' as never), (e: unknown) => e instanceof ValueError && /`name`/.test(String(e)));
});

test.run();
