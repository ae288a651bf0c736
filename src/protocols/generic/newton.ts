/**
 * Private reciprocal 1/x and inverse square root 1/√x by Newton iteration, for any protocol
 * with mul/add (DESIGN.md §6, approximations). The plan is public and chosen from the input
 * interval [lo, hi]:
 *  - a polynomial initial guess from `newtonReciprocalPlan` / `newtonInvSqrtPlan` (the
 *    approximations module) when one converges on [lo, hi] (ratio hi/lo up to about 100):
 *    of degree 1, 2 or 4, whichever reaches the target in the fewest sequential products
 *    (softmax's 1/Σ on [1/4, 5/2]: degree 4 and 2 steps, 16 rounds, against 19 for degree 1
 *    and 4 steps), or
 *  - a constant start y_0 = c/hi (reciprocal, c = 1.9) or c/√hi (inverse square root, c = 1.4)
 *    for wide intervals: e_0 = 1 − c·x/hi (resp. 1 − c²·x/hi) lies in (−1, 1), and the error
 *    recurrences below are monotone in |e|, so x = lo is the worst case.
 * Steps: reciprocal y ← y·(2 − x·y), e ← e² (2 products; with the `fixedPoint` capability
 * the first is not truncated, so a step is 3 rounds and one rounding, 2 on Pond and SecureNN,
 * whose product of a fresh truncation's result opens nothing more); inverse square root
 * y ← y·(3 − x·y²)/2, e ← (3e² + e³)/4 (3 products; with the `fixedPoint` capability x·y is not
 * truncated, so a step is two truncations). Iterations are added until the float
 * relative error bound is ≤ `targetRelativeError` (default 1e-4). Fixed-point rounding adds
 * about (iterations + 1) ulps of y; with f = 16 the documented accuracy is
 * max(bound, 8·2^-16·|y|) — asserted by test/layers/generic.test.ts.
 * With exact comparisons (SecureNN, ABY3), a wide interval that would need a constant start
 * takes invSqrtByRange instead (inv_sqrt_range.ts): a coarse exponent from one batch of
 * comparisons, then this module's polynomial-start plan on [1/4, 4], to the same target.
 * Inputs outside [lo, hi]: below lo the result is too small (the iteration has not caught up);
 * above hi (reciprocal: above 2·hi/c; inverse square root: above 3·hi/c²) it diverges.
 */
import { ValueError } from '../../errors.js';
import { newtonInvSqrtPlan, newtonReciprocalPlan, type NewtonPlan } from '../approximations/index.js';
import type { FixedPointScale } from '../capabilities.js';
import type { Protocol } from '../protocol.js';
import { tidy } from '../runtime_link.js';
import type { TfeTensor } from '../tensor.js';
import { invSqrtByRange } from './inv_sqrt_range.js';
import { productTo } from './product_to.js';
import { nextStage } from './stage.js';
import { polynomialOnInterval, runsDirectly } from './fit_eval.js';

/** Options of {@link reciprocal} and {@link invSqrt}. */
export interface NewtonOptions {
  /** Interval of the input values, 0 < lo < hi. */
  interval: readonly [number, number];
  /** Float relative error to reach (default 1e-4). */
  targetRelativeError?: number;
}

/** A public Newton plan. */
export interface GenericNewtonPlan {
  interval: [number, number];
  /** Polynomial initial guess in t = (x − mid)/half, or a constant. */
  guess: { kind: 'poly'; coefficients: Float64Array } | { kind: 'constant'; value: number };
  iterations: number;
  /** Float bound on the relative error after `iterations` steps. */
  maxRelativeError: number;
}

const MAX_ITER = 40;

/** Plans are pure functions of their options and costly to fit: computed once per key. */
const plans = new Map<string, GenericNewtonPlan>();
function memo(key: string, make: () => GenericNewtonPlan): GenericNewtonPlan {
  let plan = plans.get(key);
  if (!plan) { plan = make(); plans.set(key, plan); }
  return plan;
}

function finishConstant(interval: [number, number], value: number, e0: number, step: (e: number) => number, target: number): GenericNewtonPlan {
  let e = e0, k = 0;
  while (e > target && k < MAX_ITER) { e = step(e); k++; }
  return { interval, guess: { kind: 'constant', value }, iterations: k, maxRelativeError: e };
}

/**
 * The cheapest polynomial-start plan that reaches `target`, in sequential products: the guess
 * of degree d takes ⌈log2 d⌉ + 1 (its powers, then the truncated weighted sum), each Newton
 * step `perStep`. Ties go to the lower degree. Undefined when no plan of degree ≤ 4 with at
 * most 6 steps gets there (the interval is too wide for a polynomial start).
 */
function fromPlans(interval: [number, number], make: (deg: number, it: number) => NewtonPlan, target: number, perStep: number): GenericNewtonPlan | undefined {
  let best: { plan: NewtonPlan; iterations: number; cost: number } | undefined;
  for (const degree of [1, 2, 4]) {
    for (let it = 0; it <= 6; it++) {
      let plan: NewtonPlan;
      try { plan = make(degree, it); } catch { break; }
      if (plan.maxRelativeError > target) continue;
      const cost = Math.ceil(Math.log2(degree)) + 1 + perStep * it;
      if (!best || cost < best.cost) best = { plan, iterations: it, cost };
      break;
    }
  }
  if (!best) return undefined;
  return { interval, guess: { kind: 'poly', coefficients: best.plan.initialGuess.coefficients }, iterations: best.iterations, maxRelativeError: best.plan.maxRelativeError };
}

function checkInterval(opts: NewtonOptions): [number, number] {
  const iv = opts?.interval;
  if (!Array.isArray(iv) || iv.length !== 2 || !(iv[0] > 0) || !(iv[1] > iv[0]) || !Number.isFinite(iv[1])) {
    throw new ValueError(`\`interval\` must be [lo, hi] with 0 < lo < hi, got ${Array.isArray(iv) ? `[${iv.join(', ')}]` : typeof iv}`);
  }
  return [iv[0], iv[1]];
}

/**
 * The public plan {@link reciprocal} follows on `interval`.
 * @example
 * ```ts
 * reciprocalPlan({ interval: [1, 10] }); // polynomial guess, 3 iterations, error ≤ 1e-4
 * ```
 */
export function reciprocalPlan(opts: NewtonOptions): GenericNewtonPlan {
  const iv = checkInterval(opts);
  const target = opts.targetRelativeError ?? 1e-4;
  return memo(`r:${iv[0]}:${iv[1]}:${target}`, () => fromPlans(iv, (degree, iterations) => newtonReciprocalPlan({ interval: iv, iterations, degree }), target, 2)
    ?? finishConstant(iv, 1.9 / iv[1], Math.max(Math.abs(1 - 1.9 * iv[0] / iv[1]), 0.9), (e) => e * e, target));
}

/**
 * The public plan {@link invSqrt} follows on `interval`.
 * @example
 * ```ts
 * invSqrtPlan({ interval: [1e-4, 100] }).iterations; // about 20 (constant start)
 * ```
 */
export function invSqrtPlan(opts: NewtonOptions): GenericNewtonPlan {
  const iv = checkInterval(opts);
  const target = opts.targetRelativeError ?? 1e-4;
  const step = (e: number) => (3 * e * e + Math.abs(e) ** 3) / 4;
  return memo(`s:${iv[0]}:${iv[1]}:${target}`, () => fromPlans(iv, (degree, iterations) => newtonInvSqrtPlan({ interval: iv, iterations, degree }), target, 3)
    ?? finishConstant(iv, 1.4 / Math.sqrt(iv[1]), Math.max(1 - 1.96 * iv[0] / iv[1], step(0.96)), step, target));
}

/** The plan's initial guess at x; `t` = (x − mid)/half when the caller has it already. */
function initialGuess(p: Protocol, x: TfeTensor, plan: GenericNewtonPlan, t?: TfeTensor): TfeTensor {
  if (plan.guess.kind === 'constant') {
    return p.defineConstant(new Float64Array(x.size).fill(plan.guess.value), { shape: [...x.shape] });
  }
  if (t) return p.polynomial(t, plan.guess.coefficients);
  return polynomialOnInterval(p, x, { interval: plan.interval, coefficients: plan.guess.coefficients });
}

/**
 * One Newton step y·(2 − x·y). With the protocol's `fixedPoint` capability and room in the
 * ring, in one truncation (3 rounds instead of 4, one rounding instead of two):
 *  1. x·y with no truncation, exact at scale 2^-(fx+fy)
 *  2. 2 − x·y at that scale (local)
 *  3. y·(2 − x·y) at scale 2^-(fx+2fy), truncated by fx + fy bits back to fy
 * Room: with e = 1 − x·y, |e| < 1 gives y·(2 − x·y) = (1 − e²)/x ≤ 1/lo, and x·y < 2, so
 * every value before the truncation stays below 2^62 when 4/lo · 2^(fx+2fy) ≤ 2^60 (with a
 * margin; lo ≥ 2^-10 at f = 16).
 */
function reciprocalStep(p: Protocol, x: TfeTensor, y: TfeTensor, lo: number): TfeTensor {
  const fp = p.capabilities.fixedPoint;
  const fx = x.fracBits, fy = y.fracBits;
  if (!fp || Math.log2(4 / lo) + fx + 2 * fy > 60) return p.mul(y, p.sub(2, p.mul(x, y)));
  const xy = productTo(p, fp, x, y, 0, fx + fy);
  return productTo(p, fp, y, p.sub(2, xy), fx + fy, fy);
}

/** The guess (or `guess`, made by the caller), then the plan's Newton steps y ← y·(2 − x·y). */
function newtonReciprocal(p: Protocol, x: TfeTensor, plan: GenericNewtonPlan, t?: TfeTensor, guess?: TfeTensor): TfeTensor {
  let y = guess ?? tidy(() => initialGuess(p, x, plan, t));
  for (let k = 0; k < plan.iterations; k++) y = nextStage(p, y, () => reciprocalStep(p, x, y, plan.interval[0]));
  return y;
}

/**
 * 1/x for private x with values in `opts.interval` (see the module comment for accuracy).
 * @example
 * ```ts
 * const r = reciprocal(prot, s, { interval: [1, 10] });
 * ```
 */
export function reciprocal(p: Protocol, x: TfeTensor, opts: NewtonOptions | GenericNewtonPlan): TfeTensor {
  return newtonReciprocal(p, x, 'guess' in opts ? opts : reciprocalPlan(opts));
}

/**
 * The power of two a scaled reciprocal of x ≤ hi carries: ⌊log2 hi⌋ − 1 for hi > 4, else 0, so
 * y = 2^shift/x ≥ 1/2 at x = hi keeps its precision ({@link scaledReciprocal}, and the dealt
 * reciprocals of generic/dealt_softmax.ts).
 * @example `reciprocalShift(10) // 2: 1/x = (4/x)·2^-2`
 */
export function reciprocalShift(hi: number): number {
  return hi > 4 ? Math.floor(Math.log2(hi)) - 1 : 0;
}

/**
 * 1/x as y·2^−shift with y well inside the fixed-point range: x is first scaled by the public
 * power of two 2^−shift (shift = ⌊log2(hi)⌋ − 1, none when hi ≤ 4), so y = 1/(x·2^−shift) has
 * magnitude ≥ 1/2 at x = hi instead of 1/hi (which at f = 16 would keep only a few bits).
 * Callers multiply by y and scale by 2^−shift last (softmax does).
 * @example
 * ```ts
 * const { y, shift } = scaledReciprocal(prot, s, { interval: [10, 3e4] }); // 1/s = y·2^−shift
 * ```
 */
export function scaledReciprocal(p: Protocol, x: TfeTensor, opts: NewtonOptions): { y: TfeTensor; shift: number } {
  const [lo, hi] = checkInterval(opts);
  const shift = reciprocalShift(hi);
  if (shift === 0) return { y: reciprocal(p, x, opts), shift };
  const plan = reciprocalPlan({ interval: [lo * 2 ** -shift, hi * 2 ** -shift], targetRelativeError: opts.targetRelativeError });
  const [a, b] = plan.interval;
  const mid = (a + b) / 2, half = (b - a) / 2;
  if (plan.guess.kind === 'constant') return { y: newtonReciprocal(p, p.mul(x, 2 ** -shift), plan), shift };
  // The guess's polynomial in (x·2^−shift − mid)/half is one in (x − mid·2^shift)/(half·2^shift):
  // where the ring has room it runs on x itself (polynomialOnInterval), beside the scaling of x
  // for the Newton steps, so no truncation comes before the powers (softmax's 1/Σ: 1 round
  // fewer under SecureNN, 2 under ABY3).
  const onX = { interval: [a * 2 ** shift, b * 2 ** shift] as [number, number], coefficients: plan.guess.coefficients };
  if (runsDirectly(p, onX)) {
    const guess = tidy(() => polynomialOnInterval(p, x, onX));
    return { y: newtonReciprocal(p, p.mul(x, 2 ** -shift), plan, undefined, guess), shift };
  }
  if (2 ** -shift / half < 2 ** -4) return { y: newtonReciprocal(p, p.mul(x, 2 ** -shift), plan), shift };
  // x·2^−shift (for the Newton steps) and the guess's argument (x·2^−shift − mid)/half in ONE
  // product by a public pair: one truncation where two ran in sequence (softmax's 1/Σ: 2 rounds
  // fewer under ABY3, 1 under SecureNN). Both scales are ≥ 2^−4, so each encodes precisely.
  const scales = p.defineConstant([2 ** -shift, 2 ** -shift / half], { shape: [2, ...x.shape.map(() => 1)] });
  const [scaled, tRaw] = p.split(p.mul(p.stack([x, x], 0), scales), 2, 0).map((h) => p.squeeze(h, [0]));
  return { y: newtonReciprocal(p, scaled, plan, p.sub(tRaw, mid / half)), shift };
}

/**
 * 1/√x for private x with values in `opts.interval` (see the module comment for accuracy).
 * @example
 * ```ts
 * const r = invSqrt(prot, v, { interval: [1e-4, 100] });
 * ```
 */
export function invSqrt(p: Protocol, x: TfeTensor, opts: NewtonOptions | GenericNewtonPlan): TfeTensor {
  const plan = 'guess' in opts ? opts : invSqrtPlan(opts);
  const ex = p.capabilities.exactComparison;
  if (plan.guess.kind === 'constant' && ex) {
    const inner = invSqrtPlan({ interval: [0.25, 4], targetRelativeError: Math.max(plan.maxRelativeError, 2 ** -14) }); // below ~4 ulps of y' rounding dominates
    return invSqrtByRange(p, ex, x, plan.interval, (xn) => invSqrt(p, xn, inner));
  }
  let y = tidy(() => initialGuess(p, x, plan));
  const fp = p.capabilities.fixedPoint;
  if (fp && x.fracBits + 2 * y.fracBits + 2 <= 60) {
    for (let k = 0; k < plan.iterations; k++) y = nextStage(p, y, () => invSqrtStep(p, fp, x, y));
    return y;
  }
  const halfX = p.mul(x, 0.5);
  // (x·y)·y keeps precision when y is small (x·y ≈ √x)
  for (let k = 0; k < plan.iterations; k++) y = nextStage(p, y, () => p.mul(y, p.sub(1.5, p.mul(p.mul(halfX, y), y))));
  p.dispose(halfX);
  return y;
}

/**
 * One Newton step y·(3 − x·y²)/2 for 1/√x in two truncations instead of three (and no x/2),
 * with the `fixedPoint` capability:
 *  1. a = x·y with no truncation, exact at scale 2^-(fx+fy)
 *  2. b = a·y truncated by fx + fy + 1 bits: x·y²/2 at y's scale, one rounding
 *  3. y·(1.5 − b), truncated as usual
 * Room: with y = (1 + δ)/√x and |δ| < 1 (every plan's start, see the module comment),
 * x·y² = (1 + δ)² < 4, so the value before step 2's truncation stays below 2^62 when
 * fx + 2fy + 2 ≤ 60 (f = 16: 50); a = x·y < 2√x needs no bound (it is not truncated).
 * One round fewer per step on Pond, SecureNN and ABY3 (5 instead of 6; Pond and SecureNN 3, as
 * their products of a fresh truncation's result, 1.5 − b included, need no opening:
 * pond/truncated_product.ts).
 */
function invSqrtStep(p: Protocol, fp: FixedPointScale, x: TfeTensor, y: TfeTensor): TfeTensor {
  const fx = x.fracBits, fy = y.fracBits;
  const a = productTo(p, fp, x, y, 0, fx + fy);
  const b = productTo(p, fp, a, y, fx + fy + 1, fy);
  return p.mul(y, p.sub(1.5, b));
}
