/**
 * Newton iteration plans for 1/x and 1/√x on a positive interval [lo, hi]: an initial guess
 * y_0 = p(t), t = (x − mid)/half (a weighted near-minimax fit that minimises the relative
 * error), then a fixed number of iterations, with float error bounds per iteration count.
 *
 * Reciprocal (e = 1 − x·y):       y ← y·(2 − x·y),      e ← e².               2 products/step.
 * Inverse square root (e = 1 − x·y²): y ← y·(3 − x·y²)/2, e ← (3e² + e³)/4.   3 products/step.
 * The relative error of y is |e| (reciprocal) and at most |e| (inverse square root, |e| ≤ 1).
 * e_0 is measured on a dense grid (20001 points plus the ends) and inflated by 1%; the later
 * bounds follow from the recurrences. Fixed-point rounding is not included.
 */
import { ValueError } from '../../errors.js';
import { chebyshevFit, evaluateFit, type PolynomialFit } from './chebyshev_fit.js';
import { checkInteger, checkInterval } from './validate.js';

/**
 * Options of the Newton plans.
 * @example `newtonReciprocalPlan({ interval: [0.5, 2], iterations: 3, degree: 1 })`
 */
export interface NewtonPlanOptions {
  /** Input interval, 0 < lo < hi. */
  interval: readonly [number, number];
  /** Newton steps after the initial guess, 0..8. */
  iterations: number;
  /** Degree of the initial guess, 1..8 (default 1: linear). */
  degree?: number;
}

/**
 * A Newton plan: initial guess and float error bounds.
 * @example `const { initialGuess, relativeErrorBounds } = newtonInvSqrtPlan({ interval: [0.25, 4], iterations: 2 });`
 */
export interface NewtonPlan {
  interval: [number, number];
  iterations: number;
  /** y_0 = evaluateFit(initialGuess, x). */
  initialGuess: PolynomialFit;
  /** Bound on |e_k| for k = 0..iterations (relative error after k steps). */
  relativeErrorBounds: Float64Array;
  /** relativeErrorBounds[iterations]. */
  maxRelativeError: number;
  /** Bound on |y − target(x)| after `iterations` steps over the interval. */
  maxAbsoluteError: number;
}

/**
 * Plan for 1/x on [lo, hi].
 * @example
 * ```ts
 * const plan = newtonReciprocalPlan({ interval: [0.5, 2], iterations: 3 });
 * plan.maxRelativeError; // ≈ 1e-7 (e_0 ≈ 0.12, squared three times)
 * ```
 */
export function newtonReciprocalPlan(options: NewtonPlanOptions): NewtonPlan {
  const { interval, iterations, degree } = check(options);
  const guess = chebyshevFit((x) => 1 / x, { interval, degree, method: 'minimax', weight: (x) => x });
  const e0 = measure(interval, (x) => 1 - x * evaluateFit(guess, x), 'reciprocal');
  const bounds = recur(e0, iterations, (e) => e * e);
  return finish(interval, iterations, guess, bounds, 1 / interval[0]);
}

/**
 * Plan for 1/√x on [lo, hi].
 * @example
 * ```ts
 * const plan = newtonInvSqrtPlan({ interval: [0.25, 4], iterations: 3, degree: 2 });
 * plan.relativeErrorBounds; // decreasing, [e_0, e_1, e_2, e_3]
 * ```
 */
export function newtonInvSqrtPlan(options: NewtonPlanOptions): NewtonPlan {
  const { interval, iterations, degree } = check(options);
  const guess = chebyshevFit((x) => 1 / Math.sqrt(x), { interval, degree, method: 'minimax', weight: Math.sqrt });
  const e0 = measure(interval, (x) => { const y = evaluateFit(guess, x); return 1 - x * y * y; }, 'inverse square root');
  const bounds = recur(e0, iterations, (e) => (3 * e * e + e * e * e) / 4);
  return finish(interval, iterations, guess, bounds, 1 / Math.sqrt(interval[0]));
}

function check(options: NewtonPlanOptions): { interval: [number, number]; iterations: number; degree: number } {
  if (options === null || typeof options !== 'object') throw new ValueError('`options` must be an object {interval, iterations}');
  const interval = checkInterval('interval', options.interval);
  if (!(interval[0] > 0)) {
    throw new ValueError(`\`interval\` must be positive (0 < lo < hi), got [${interval[0]}, ${interval[1]}]`);
  }
  const iterations = checkInteger('iterations', options.iterations, 0, 8);
  const degree = checkInteger('degree', options.degree ?? 1, 1, 8);
  return { interval, iterations, degree };
}

/** max |e(x)| on a dense grid, +1%; fails when Newton would not converge (|e_0| ≥ 1). */
function measure(interval: [number, number], e: (x: number) => number, what: string): number {
  const [lo, hi] = interval;
  const n = 20001;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(e(lo + ((hi - lo) * i) / (n - 1)));
    if (!(v <= worst)) worst = v; // NaN propagates
  }
  const bound = worst * 1.01;
  if (!(bound < 1)) {
    throw new ValueError(
      `Newton ${what}: the initial guess on \`interval\` [${lo}, ${hi}] has relative error ` +
      `${bound.toPrecision(3)} ≥ 1, so the iteration need not converge; raise \`degree\` or narrow \`interval\``,
    );
  }
  return bound;
}

function recur(e0: number, iterations: number, step: (e: number) => number): Float64Array {
  const b = new Float64Array(iterations + 1);
  b[0] = e0;
  for (let k = 1; k <= iterations; k++) b[k] = step(b[k - 1]);
  return b;
}

function finish(
  interval: [number, number], iterations: number, initialGuess: PolynomialFit, bounds: Float64Array, maxTarget: number,
): NewtonPlan {
  const maxRelativeError = bounds[iterations];
  return {
    interval, iterations, initialGuess, relativeErrorBounds: bounds, maxRelativeError,
    maxAbsoluteError: maxRelativeError * maxTarget,
  };
}
