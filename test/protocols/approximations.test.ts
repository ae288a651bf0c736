/**
 * Fitting API of src/protocols/approximations: chebyshevFit (interpolation and minimax),
 * evaluatePolynomial, evaluateFit, maxErrorOnInterval, powerPlan, fixedPointError, and the
 * typed errors for bad arguments.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValueError } from '../../src/errors.js';
import {
  chebyshevFit, chebyshevNodes, evaluateFit, evaluatePolynomial, evaluationPlan, fixedPointError, maxErrorOnInterval, powerPlan,
  type PolynomialFit,
} from '../../src/protocols/approximations/index.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Deterministic uniform numbers in [0, 1) (LCG), so the tests never depend on Math.random. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function throwsValue(fn: () => unknown, needle: string): void {
  try { fn(); } catch (e) {
    assert.instance(e, ValueError);
    assert.ok((e as Error).message.includes(needle), `message "${(e as Error).message}" should name ${needle}`);
    return;
  }
  assert.unreachable(`expected a ValueError naming ${needle}`);
}

test('fitting x^3 at degree 3 reproduces it exactly, in t', () => {
  const unit = chebyshevFit((x) => x ** 3, { interval: [-1, 1], degree: 3 });
  [0, 0, 0, 1].forEach((c, k) => assert.ok(Math.abs(unit.coefficients[k] - c) < 1e-14, `c${k}`));
  const wide = chebyshevFit((x) => x ** 3, { interval: [-2, 2], degree: 3, nodes: 'lobatto' });
  [0, 0, 0, 8].forEach((c, k) => assert.ok(Math.abs(wide.coefficients[k] - c) < 1e-13, `c${k}`));
});

test('any polynomial of degree ≤ d is reproduced on an off-centre interval, by both methods', () => {
  const q = (x: number) => 0.3 - 1.2 * x + 0.5 * x ** 2 - 0.07 * x ** 4 + 0.01 * x ** 5;
  for (const method of ['interpolation', 'minimax'] as const) {
    const fit = chebyshevFit(q, { interval: [1, 3], degree: 5, method });
    assert.ok(maxErrorOnInterval(q, fit) < 1e-11, method);
    // t = x − 2 here, so p(t) = q(t + 2): check the t-coefficients through values.
    for (const t of [-1, -0.3, 0, 0.8, 1]) assert.ok(Math.abs(evaluatePolynomial(fit.coefficients, t) - q(t + 2)) < 1e-11);
  }
});

test('parity restricts coefficients to exact zeros', () => {
  const odd = chebyshevFit(sigmoid, { interval: [-6, 6], degree: 9, parity: 'odd' });
  for (let k = 2; k <= 9; k += 2) assert.is(odd.coefficients[k], 0);
  assert.ok(Math.abs(odd.coefficients[0] - 0.5) < 1e-12);
  const even = chebyshevFit(Math.abs, { interval: [-1, 1], degree: 8, parity: 'even' });
  for (let k = 1; k <= 7; k += 2) assert.is(even.coefficients[k], 0);
  assert.ok(Math.abs(evaluatePolynomial(even.coefficients, 0)) < 1e-14, 'even degree: t = 0 is a node');
});

test('Lobatto nodes include the ends, so the fit is exact there', () => {
  assert.equal(Array.from(chebyshevNodes(2, 'lobatto')), [1, 0, -1]);
  const fit = chebyshevFit(Math.tanh, { interval: [-3, 3], degree: 7, parity: 'odd', nodes: 'lobatto' });
  assert.ok(Math.abs(evaluateFit(fit, 3) - Math.tanh(3)) < 1e-14);
  assert.ok(Math.abs(evaluateFit(fit, -3) - Math.tanh(-3)) < 1e-14);
});

test('minimax: |t| at degree 2 is 1/8 + t², and it beats interpolation', () => {
  const abs = chebyshevFit(Math.abs, { interval: [-1, 1], degree: 2, parity: 'even', method: 'minimax' });
  assert.ok(Math.abs(abs.coefficients[0] - 0.125) < 1e-3 && Math.abs(abs.coefficients[2] - 1) < 1e-3);
  assert.ok(Math.abs(maxErrorOnInterval(Math.abs, abs) - 0.125) < 1e-3);
  for (const [fn, a] of [[sigmoid, 8], [Math.tanh, 3]] as const) {
    const opts = { interval: [-a, a] as [number, number], degree: 9, parity: 'odd' as const };
    const interp = maxErrorOnInterval(fn, chebyshevFit(fn, opts));
    const mm = maxErrorOnInterval(fn, chebyshevFit(fn, { ...opts, method: 'minimax' }));
    assert.ok(mm < 0.8 * interp, `minimax ${mm} vs interpolation ${interp}`);
  }
});

test('interpolation error of a smooth function falls fast with the degree', () => {
  const errs = [3, 5, 7, 9].map((degree) => maxErrorOnInterval(Math.sin, chebyshevFit(Math.sin, { interval: [-2, 2], degree })));
  for (let i = 1; i < errs.length; i++) assert.ok(errs[i] < errs[i - 1] / 10, `${errs}`);
  assert.ok(errs[3] < 1e-6);
});

test('evaluatePolynomial is Horner; evaluateFit clamps x and handles x-times-poly', () => {
  assert.is(evaluatePolynomial(new Float64Array([1, 0, 2]), 0.5), 1.5);
  assert.is(evaluatePolynomial([3], 100), 3);
  const fit = chebyshevFit(Math.tanh, { interval: [-3, 3], degree: 7, parity: 'odd' });
  assert.is(evaluateFit(fit, 100), evaluateFit(fit, 3));
  assert.is(evaluateFit(fit, -1e9), evaluateFit(fit, -3));
  const gate: PolynomialFit = { ...fit, coefficients: new Float64Array([2]), construction: 'x-times-poly' };
  assert.is(evaluateFit(gate, 10), 20);
  assert.is(maxErrorOnInterval((x) => 2 * x, gate, { range: [-50, 50] }), 0);
});

test('powerPlan: the squaring tree takes ceil(log2 d) rounds and respects parity', () => {
  for (let d = 1; d <= 16; d++) {
    const plan = powerPlan(d);
    assert.is(plan.rounds, Math.ceil(Math.log2(d)), `degree ${d}`);
    const ready = new Set([1]);
    for (const s of plan.steps) {
      assert.ok(ready.has(s.left) && ready.has(s.right), `t^${s.power} uses computed powers`);
      assert.is(s.left + s.right, s.power);
      ready.add(s.power);
    }
    for (const k of plan.needed) assert.ok(ready.has(k));
  }
  assert.equal(powerPlan(9, 'odd').needed, [1, 3, 5, 7, 9]);
  assert.equal(powerPlan(8, 'even').needed, [2, 4, 6, 8]);
  assert.is(powerPlan(7, 'odd').rounds, 3);
});

test('fixedPointError bounds the float error and shrinks with more fractional bits', () => {
  for (const [fn, a, degree] of [[sigmoid, 6, 9], [Math.tanh, 3, 7], [Math.sin, 2, 5]] as const) {
    const fit = chebyshevFit(fn, { interval: [-a, a], degree, parity: 'odd' });
    const float = maxErrorOnInterval(fn, fit, { samples: 100001 });
    const f12 = fixedPointError(fn, fit, 12);
    const f16 = fixedPointError(fn, fit, 16);
    assert.ok(f16 >= float, `f16 ${f16} ≥ float ${float}`);
    assert.ok(f12 > f16 && f16 - float < (f12 - float) / 8, `${f12} ${f16} ${float}`);
  }
  const identity = chebyshevFit((x) => x, { interval: [-1, 1], degree: 1 });
  assert.ok(fixedPointError((x) => x, identity, 16) <= 3 * 2 ** -16);
});

/**
 * The secure computation in exact integers with random ±1-ulp truncations, as Pond runs it
 * (evaluationPlan: powers of u = x − mid with coefficients c_k / half^k at g fractional bits, or
 * of t = u / half when the ring has no room).
 */
function simulate(fit: PolynomialFit, f: number, xInt: number, rnd: () => number): number {
  const truncBy = (v: bigint, k: number) => (v >> BigInt(k)) + (rnd() < 0.5 ? 0n : 1n); // floor or floor + 1
  const [lo, hi] = fit.interval;
  const half = (hi - lo) / 2;
  const { direct, coefficientBits: g } = evaluationPlan(fit, f);
  const u = BigInt(xInt) - BigInt(Math.round(((lo + hi) / 2) * 2 ** f));
  const t = direct ? u : truncBy(u * BigInt(Math.round((1 / half) * 2 ** f)), f);
  const plan = powerPlan(fit.degree, fit.parity);
  // every value before a truncation must stay below 2^61 in the ring (the plan's room)
  const room = (v: bigint) => { assert.ok((v < 0n ? -v : v) < 1n << 61n, `ring room at x = ${xInt} / 2^${f}`); return v; };
  const pw = new Map<number, bigint>([[1, t]]);
  for (const s of plan.steps) pw.set(s.power, truncBy(room(pw.get(s.left)! * pw.get(s.right)!), f));
  const coefficient = (k: number) => BigInt(Math.round((direct ? fit.coefficients[k] / half ** k : fit.coefficients[k]) * 2 ** g));
  let acc = BigInt(Math.round(fit.coefficients[0] * 2 ** (f + g)));
  for (const k of plan.needed) acc += coefficient(k) * pw.get(k)!;
  let y = truncBy(room(acc), g);
  if (fit.construction === 'x-times-poly') y = truncBy(BigInt(xInt) * y, f);
  return Number(y) / 2 ** f;
}

test('simulated fixed-point evaluations with random rounding stay within fixedPointError', () => {
  const rnd = lcg(7);
  // f = 16: direct powers of x; f = 24 and the wide interval: scaled to t = x / half first
  for (const [fn, a, degree, f, direct] of [[sigmoid, 6, 9, 16, true], [Math.tanh, 3, 9, 16, true], [sigmoid, 6, 9, 24, false], [sigmoid, 64, 7, 16, false]] as const) {
    const fit = chebyshevFit(fn, { interval: [-a, a], degree, parity: 'odd', method: 'minimax' });
    assert.is(evaluationPlan(fit, f).direct, direct, `direct at [−${a}, ${a}], f = ${f}`);
    const bound = fixedPointError(fn, fit, f, f > 16 ? { maxSamples: 2 ** 20 } : {}); // exhaustive at f = 16
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const xInt = Math.round((2 * rnd() - 1) * a * 2 ** f);
      worst = Math.max(worst, Math.abs(simulate(fit, f, xInt, rnd) - fn(xInt / 2 ** f)));
    }
    assert.ok(worst <= bound, `simulated ${worst} ≤ bound ${bound}`);
  }
});

test('evaluationPlan: direct powers when the ring has room, finer coefficients, and a smaller bound', () => {
  const fit = chebyshevFit(sigmoid, { interval: [-6, 6], degree: 9, parity: 'odd', method: 'minimax' });
  const plan = evaluationPlan(fit, 16);
  assert.ok(plan.direct && plan.coefficientBits > 16 && plan.coefficientBits + 16 + 3 <= 60, JSON.stringify(plan));
  assert.equal(evaluationPlan(fit, 24), { direct: false, coefficientBits: 24 });
  // a narrow interval (half < 1) scales first: its powers of u would be too small to keep bits
  assert.is(evaluationPlan({ ...fit, interval: [2 ** -9, 2 ** -6] }, 16).direct, false);
  // without the rounding of t the fixed-point bound nearly meets the float error
  const float = maxErrorOnInterval(sigmoid, fit, { samples: 100001 });
  assert.ok(fixedPointError(sigmoid, fit, 16) - float < 1e-4, `${fixedPointError(sigmoid, fit, 16)} vs float ${float}`);
});

test('bad arguments throw ValueError naming the argument', () => {
  const ok = { interval: [-1, 1] as [number, number], degree: 3 };
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, degree: 0 }), '`degree`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, degree: 2.5 }), '`degree`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, degree: NaN }), '`degree`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, interval: [1, 1] }), '`interval`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, interval: [2, 1] }), '`interval`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, interval: [NaN, 1] }), '`interval`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, interval: [0, Infinity] }), '`interval`');
  throwsValue(() => chebyshevFit(Math.log, { ...ok }), '`fn`');
  throwsValue(() => chebyshevFit(42 as never, ok), '`fn`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, parity: 'oddish' as never }), '`parity`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, weight: Math.abs }), '`weight`');
  throwsValue(() => chebyshevFit(Math.sin, { ...ok, method: 'minimax', weight: () => NaN }), '`weight`');
  const fit = chebyshevFit(Math.sin, ok);
  throwsValue(() => maxErrorOnInterval(Math.sin, fit, { samples: 1 }), '`samples`');
  throwsValue(() => fixedPointError(Math.sin, fit, 0), '`fracBits`');
  throwsValue(() => powerPlan(-1), '`degree`');
});

test.run();
