/**
 * The power schedule of the secure polynomial evaluation, and the error of that evaluation in
 * fixed point with f fractional bits. The model of the secure side (Pond, DESIGN.md §6):
 *  1. x (a fixed-point value, clamped to [lo, hi]) → t = trunc((x − mid̃)·s̃), s̃ = enc(1/half).
 *  2. powers t^k by the squaring tree of {@link powerPlan}, each product truncated.
 *  3. S = trunc(Σ c̃_k·t^k), c̃_k = enc(c_k): public × private products summed at scale 2f and
 *     truncated once.
 *  4. For `x-times-poly`: result = trunc(x·S).
 * enc(v) rounds v to a multiple of 2^−f; every truncation may err by up to ±1 ulp = 2^−f
 * (Pond's truncation is exact to one ulp). Rounding errors of float64 itself are ignored.
 */
import { checkFunction, checkInteger, finiteValue } from './validate.js';
import type { Parity, PolynomialFit } from './chebyshev_fit.js';

/**
 * One multiplication of the power schedule: t^power = t^left · t^right.
 * @example `powerPlan(3).steps // [{ power: 2, left: 1, right: 1, depth: 1 }, { power: 3, left: 2, right: 1, depth: 2 }]`
 */
export interface PowerStep {
  power: number;
  left: number;
  right: number;
  /** Multiplication rounds after which t^power is available (t itself: 0). */
  depth: number;
}

/**
 * The squaring-tree schedule: steps in a valid evaluation order and the rounds it takes.
 * @example `powerPlan(8, 'even').rounds // 3`
 */
export interface PowerPlan {
  /** Powers the sum Σ c_k t^k uses (k ≥ 1). */
  needed: number[];
  steps: PowerStep[];
  /** max depth = ceil(log2(highest needed power)). */
  rounds: number;
}

/**
 * Squaring-tree schedule: t^(2^m) = (t^(2^(m−1)))², and any other t^k = t^(2^m)·t^(k−2^m) with
 * 2^m the largest power of two below k, so t^k is ready after ceil(log2 k) rounds. With a
 * parity, only the powers of that parity (and their tree ancestors) are computed.
 * @example
 * ```ts
 * powerPlan(9, 'odd'); // needed [1,3,5,7,9]; computes t², t³, t⁴, t⁵, t⁷, t⁸, t⁹; rounds 4
 * ```
 */
export function powerPlan(degree: number, parity: Parity = 'none'): PowerPlan {
  checkInteger('degree', degree, 1, 30);
  const needed: number[] = [];
  for (let k = 1; k <= degree; k++) {
    if (parity === 'none' || (parity === 'odd') === (k % 2 === 1)) needed.push(k);
  }
  const depth = new Map<number, number>([[1, 0]]);
  const steps: PowerStep[] = [];
  const visit = (k: number): number => {
    const known = depth.get(k);
    if (known !== undefined) return known;
    const top = 2 ** Math.floor(Math.log2(k));
    const left = top === k ? k / 2 : top;
    const right = k - left;
    const d = 1 + Math.max(visit(left), visit(right));
    depth.set(k, d);
    steps.push({ power: k, left, right, depth: d });
    return d;
  };
  let rounds = 0;
  for (const k of needed) rounds = Math.max(rounds, visit(k));
  return { needed, steps, rounds };
}

/**
 * Options of {@link fixedPointError}.
 * @example `fixedPointError(Math.tanh, fit, 24, { maxSamples: 2 ** 20 }) // sampled, not exhaustive`
 */
export interface FixedPointErrorOptions {
  /** Inputs checked at most (default 2^22). Above that, a uniform subgrid: measured, not exhaustive. */
  maxSamples?: number;
}

/**
 * Worst-case |secure result − fn(x)| over every fixed-point input x = k·2^−f in the interval,
 * including the polynomial's own error. Each input is run through the model above in interval
 * arithmetic: every truncation widens the interval by ±1 ulp and every encoded constant takes
 * its rounded value, so the answer bounds every rounding outcome at that input. It is exhaustive
 * (hence a rigorous bound for fixed-point inputs) when the interval holds at most `maxSamples`
 * such points, e.g. [−8, 8] at f = 16 (2^20 points); otherwise it is measured on a uniform subgrid.
 * The error of encoding a real input to f bits is not included (it is the caller's input).
 * @example
 * ```ts
 * const fit = chebyshevFit(Math.tanh, { interval: [-3, 3], degree: 9, parity: 'odd' });
 * fixedPointError(Math.tanh, fit, 16); // ≥ maxErrorOnInterval(Math.tanh, fit)
 * ```
 */
export function fixedPointError(
  fn: (x: number) => number, fit: PolynomialFit, fracBits: number, options: FixedPointErrorOptions = {},
): number {
  checkFunction('fn', fn);
  checkInteger('fracBits', fracBits, 1, 40);
  const maxSamples = checkInteger('maxSamples', options.maxSamples ?? 2 ** 22, 2, 2 ** 26);
  const ulp = 2 ** -fracBits;
  const enc = (v: number) => Math.round(v / ulp) * ulp;
  const [lo, hi] = fit.interval;
  const mid = enc((lo + hi) / 2);
  const scale = enc(2 / (hi - lo));
  const coeffs = Array.from(fit.coefficients, enc);
  const plan = powerPlan(fit.degree, fit.parity);
  const kLo = Math.ceil(lo / ulp);
  const kHi = Math.floor(hi / ulp);
  const count = kHi - kLo + 1;
  const stride = count <= maxSamples ? 1 : (count - 1) / (maxSamples - 1);
  const n = count <= maxSamples ? count : maxSamples;
  const pLo = new Float64Array(fit.degree + 1);
  const pHi = new Float64Array(fit.degree + 1);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const x = (kLo + Math.round(i * stride)) * ulp;
    const t = (x - mid) * scale;
    pLo[1] = t - ulp;
    pHi[1] = t + ulp;
    for (const s of plan.steps) {
      const [a, b] = s.left === s.right
        ? squareInterval(pLo[s.left], pHi[s.left])
        : mulInterval(pLo[s.left], pHi[s.left], pLo[s.right], pHi[s.right]);
      pLo[s.power] = a - ulp;
      pHi[s.power] = b + ulp;
    }
    let sLo = coeffs[0];
    let sHi = coeffs[0];
    for (const k of plan.needed) {
      const c = coeffs[k];
      if (c >= 0) { sLo += c * pLo[k]; sHi += c * pHi[k]; } else { sLo += c * pHi[k]; sHi += c * pLo[k]; }
    }
    sLo -= ulp;
    sHi += ulp;
    if (fit.construction === 'x-times-poly') {
      const [a, b] = x >= 0 ? [x * sLo, x * sHi] : [x * sHi, x * sLo];
      sLo = a - ulp;
      sHi = b + ulp;
    }
    const y = finiteValue('fn', fn, x);
    const e = Math.max(Math.abs(sHi - y), Math.abs(y - sLo));
    if (e > worst) worst = e;
  }
  return worst;
}

function mulInterval(a: number, b: number, c: number, d: number): [number, number] {
  const p1 = a * c, p2 = a * d, p3 = b * c, p4 = b * d;
  return [Math.min(p1, p2, p3, p4), Math.max(p1, p2, p3, p4)];
}

function squareInterval(a: number, b: number): [number, number] {
  const lo = a > 0 ? a * a : b < 0 ? b * b : 0;
  return [lo, Math.max(a * a, b * b)];
}
