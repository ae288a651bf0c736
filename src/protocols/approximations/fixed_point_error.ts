/**
 * The power schedule of the secure polynomial evaluation, and the error of that evaluation in
 * fixed point with f fractional bits. The model of the secure side (Pond, SecureNN and ABY3,
 * DESIGN.md §6), with u = x − mid̃ (exact: a public subtraction) and the schedule of
 * {@link evaluationPlan}:
 *  - direct (whenever the ring has room, which holds for every default at f = 16):
 *    a. powers u^k by the squaring tree of {@link powerPlan}, each product truncated;
 *    b. S = trunc(Σ ĉ_k·u^k), ĉ_k = enc_g(c_k / half^k): public × private products summed at
 *       scale f + g and truncated once (g = `coefficientBits`, finer than f, so the small
 *       coefficients of high powers keep their precision). No rounding before the powers, so
 *       one round fewer than scaling first.
 *  - scaled (a narrow or wide interval, or a large f):
 *    a. t = trunc(u·s̃), s̃ = enc(1/half);
 *    b. powers t^k, each product truncated;
 *    c. S = trunc(Σ c̃_k·t^k), c̃_k = enc(c_k), summed at scale 2f and truncated once.
 *  Then, for `x-times-poly`: result = trunc(x·S).
 * enc(v) rounds v to a multiple of 2^−f (enc_g: of 2^−g); every truncation may err by up to
 * ±1 ulp = 2^−f (Pond's truncation is exact to one ulp). Rounding errors of float64 itself are
 * ignored.
 */
import { ValueError } from '../../errors.js';
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
 * How the secure side evaluates a fit at f fractional bits (see the module comment).
 * @example `evaluationPlan(DEFAULT_APPROXIMATIONS.sigmoid, 16) // { direct: true, coefficientBits: 39 }`
 */
export interface EvaluationPlan {
  /** True: powers of u = x − mid directly, coefficients c_k / half^k; false: of t = u / half. */
  direct: boolean;
  /** Fractional bits of the encoded coefficients (f when not direct). */
  coefficientBits: number;
}

/** Headroom kept below 2^62, the truncation's exact range. */
const RING_ROOM = 61;

/**
 * The evaluation schedule of `fit` at `fracBits`: direct when half ≥ 1 (the powers of u are no
 * smaller than those of t, so their roundings weigh no more, and every c_k / half^k ≤ |c_k|),
 * every product of the power tree stays below 2^61 on the interval (|u^a·u^b|·2^2f, with
 * |u| ≤ half), the sum, with its coefficients at `coefficientBits` = 60 − f −
 * ⌈log2(1 + Σ|c_k|)⌉ (at least f), stays below 2^61, and each coefficient's encoding error,
 * half^k·2^−(g+1), stays within one ulp (d·log2(half) ≤ g − f + 1).
 * @example
 * ```ts
 * evaluationPlan({ interval: [-6, 6], degree: 9, parity: 'odd', coefficients }, 16).direct; // true
 * ```
 */
export function evaluationPlan(fit: Pick<PolynomialFit, 'interval' | 'degree' | 'parity'> & { coefficients: ArrayLike<number> }, fracBits: number): EvaluationPlan {
  const [lo, hi] = fit.interval;
  const half = (hi - lo) / 2;
  if (!(half >= 1)) return { direct: false, coefficientBits: fracBits };
  const halfBits = Math.log2(half);
  const magnitude = Math.ceil(Math.log2(1 + Array.from(fit.coefficients).reduce((a, c) => a + Math.abs(c), 0)));
  const coefficientBits = 60 - fracBits - magnitude;
  const roomy = powerPlan(fit.degree, fit.parity).steps.every((s) => (s.left + s.right) * halfBits + 2 * fracBits <= RING_ROOM);
  const precise = fit.degree * halfBits <= coefficientBits - fracBits + 1;
  return roomy && precise && coefficientBits >= fracBits ? { direct: true, coefficientBits } : { direct: false, coefficientBits: fracBits };
}

/**
 * Checks a polynomial's `coefficientBits` g at f fractional bits: an integer with f ≤ g and
 * f + g ≤ 60 (the weighted sum is carried at scale f + g, below the truncation's 2^62).
 * @example `checkCoefficientBits(39, 16) // 39`
 */
export function checkCoefficientBits(g: number, fracBits: number): number {
  if (!Number.isInteger(g) || g < fracBits || g + fracBits > 60) {
    throw new ValueError(`\`coefficientBits\` must be an integer in [${fracBits}, ${60 - fracBits}] (f = ${fracBits}), got ${g}`);
  }
  return g;
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
  const half = (hi - lo) / 2;
  const { direct, coefficientBits } = evaluationPlan(fit, fracBits);
  const encCoefficient = (v: number) => Math.round(v * 2 ** coefficientBits) / 2 ** coefficientBits;
  // direct: ĉ_k = enc_g(c_k / half^k) on u = x − mid; scaled: c̃_k = enc(c_k) on t = trunc(u·s̃)
  // (c0 itself is encoded at f + g on the secure side: finer still, ignored)
  const coeffs = Array.from(fit.coefficients, (c, k) => (direct ? encCoefficient(c / half ** k) : enc(c)));
  const scale = enc(2 / (hi - lo));
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
    const t = direct ? x - mid : (x - mid) * scale;
    pLo[1] = direct ? t : t - ulp;
    pHi[1] = direct ? t : t + ulp;
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
