/**
 * Newton plans for 1/x and 1/√x: the float error bounds per iteration count hold when the
 * iteration is run on a dense grid, and bad or non-convergent arguments are rejected.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValueError } from '../../src/errors.js';
import { evaluateFit, newtonInvSqrtPlan, newtonReciprocalPlan, type NewtonPlan } from '../../src/protocols/approximations/index.js';

/** max over a grid of the relative error after k steps, for k = 0..iterations. */
function measured(plan: NewtonPlan, step: (x: number, y: number) => number, target: (x: number) => number): number[] {
  const [lo, hi] = plan.interval;
  const worst = new Array<number>(plan.iterations + 1).fill(0);
  for (let i = 0; i <= 5000; i++) {
    const x = lo + ((hi - lo) * i) / 5000;
    let y = evaluateFit(plan.initialGuess, x);
    for (let k = 0; k <= plan.iterations; k++) {
      worst[k] = Math.max(worst[k], Math.abs(y / target(x) - 1));
      y = step(x, y);
    }
  }
  return worst;
}

const reciprocalStep = (x: number, y: number) => y * (2 - x * y);
const invSqrtStep = (x: number, y: number) => (y * (3 - x * y * y)) / 2;

test('reciprocal: the bound per iteration holds and squares each step', () => {
  for (const [interval, degree] of [[[0.5, 2], 1], [[1, 100], 3], [[0.01, 1], 4]] as const) {
    const plan = newtonReciprocalPlan({ interval, iterations: 5, degree });
    const got = measured(plan, reciprocalStep, (x) => 1 / x);
    got.forEach((e, k) => assert.ok(e <= plan.relativeErrorBounds[k] + 1e-15, `[${interval}] k=${k}: ${e}`));
    for (let k = 1; k <= 5; k++) {
      assert.ok(Math.abs(plan.relativeErrorBounds[k] - plan.relativeErrorBounds[k - 1] ** 2) < 1e-18);
    }
    assert.is(plan.maxRelativeError, plan.relativeErrorBounds[5]);
    assert.ok(plan.maxAbsoluteError >= plan.maxRelativeError / interval[0] - 1e-18);
  }
});

test('reciprocal on [0.5, 2] with a linear guess: e0 ≈ 0.22 (the minimax 0.2195), 1e-10 after 4 steps', () => {
  const plan = newtonReciprocalPlan({ interval: [0.5, 2], iterations: 4 });
  assert.ok(Math.abs(plan.relativeErrorBounds[0] - 0.2195 * 1.01) < 1e-3);
  assert.ok(plan.maxRelativeError < 1e-10);
});

test('inverse square root: the bound per iteration holds and decreases', () => {
  for (const [interval, degree] of [[[0.25, 4], 1], [[0.25, 4], 2], [[1, 50], 4]] as const) {
    const plan = newtonInvSqrtPlan({ interval, iterations: 4, degree });
    const got = measured(plan, invSqrtStep, (x) => 1 / Math.sqrt(x));
    got.forEach((e, k) => assert.ok(e <= plan.relativeErrorBounds[k] + 1e-15, `[${interval}] k=${k}: ${e}`));
    for (let k = 1; k <= 4; k++) assert.ok(plan.relativeErrorBounds[k] < plan.relativeErrorBounds[k - 1]);
  }
  assert.ok(newtonInvSqrtPlan({ interval: [0.25, 4], iterations: 4, degree: 2 }).maxRelativeError < 1e-8);
});

test('zero iterations is just the initial guess (the classic 1/17 on an octave)', () => {
  const plan = newtonReciprocalPlan({ interval: [1, 2], iterations: 0 });
  assert.is(plan.relativeErrorBounds.length, 1);
  assert.ok(Math.abs(plan.maxRelativeError - 1.01 / 17) < 1e-4, `${plan.maxRelativeError}`);
});

test('bad or non-convergent arguments throw ValueError naming the argument', () => {
  const cases: [() => unknown, string][] = [
    [() => newtonReciprocalPlan({ interval: [0, 1], iterations: 2 }), '`interval`'],
    [() => newtonReciprocalPlan({ interval: [-1, 2], iterations: 2 }), '`interval`'],
    [() => newtonInvSqrtPlan({ interval: [2, 1], iterations: 2 }), '`interval`'],
    [() => newtonReciprocalPlan({ interval: [1, 2], iterations: 9 }), '`iterations`'],
    [() => newtonReciprocalPlan({ interval: [1, 2], iterations: 1.5 }), '`iterations`'],
    [() => newtonInvSqrtPlan({ interval: [1, 2], iterations: 2, degree: 0 }), '`degree`'],
    [() => newtonReciprocalPlan({ interval: [0.001, 1000], iterations: 3 }), '`degree`'],
  ];
  for (const [fn, needle] of cases) {
    assert.throws(fn, (e: unknown) => e instanceof ValueError && String(e).includes(needle), needle);
  }
});

test.run();
