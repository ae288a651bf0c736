/**
 * Polynomial fits on an interval, stored as monomial coefficients in the normalised variable
 * t = (x − mid)/half ∈ [−1, 1]. Two methods:
 * - `interpolation` (default): interpolation at Chebyshev nodes (first kind, or Lobatto points
 *   that include the ends), by a discrete cosine transform. Within a factor
 *   2 + (2/π)·log(d + 1) of the best possible error.
 * - `minimax`: discrete near-minimax by Lawson's algorithm (see `minimax_fit.ts`), optionally
 *   weighted. For the activations here it is 1.5–2× better than interpolation at equal degree
 *   (sigmoid on [−8, 8], degree 9: 0.0088 vs 0.0134), so the defaults use it.
 * Secure evaluation clamps x to the interval, computes t with one truncated product, powers of
 * t by a squaring tree and then Σ c_k·t^k (see `fixed_point_error.ts`).
 */
import { ValueError } from '../../errors.js';
import { chebyshevNodes, chebyshevToMonomial, interpolateChebyshev, type NodeKind } from './chebyshev_basis.js';
import { lawsonMinimax } from './minimax_fit.js';
import { checkCoefficients, checkFunction, checkInteger, checkInterval, finiteValue } from './validate.js';

export type { NodeKind } from './chebyshev_basis.js';

/**
 * Which monomials may be non-zero. `odd`: c_0 and odd powers (c_0 is a public constant and costs
 * no multiplication, so sigmoid = 0.5 + odd fits here). `even`: even powers only. `none`: all.
 * @example `chebyshevFit(Math.tanh, { interval: [-3, 3], degree: 9, parity: 'odd' }) // c_2 = c_4 = … = 0`
 */
export type Parity = 'odd' | 'even' | 'none';

/**
 * How the coefficients were obtained.
 * @example `chebyshevFit(Math.tanh, { interval: [-3, 3], degree: 9, method: 'minimax' })`
 */
export type FitMethod = 'interpolation' | 'minimax';

/**
 * What the secure side computes from p. `poly`: f(x) ≈ p(t). `x-times-poly`: f(x) ≈ x·p(t)
 * (one more multiplication; used for relu, where p approximates the step function).
 * @example `evaluateFit({ ...DEFAULT_APPROXIMATIONS.relu }, 20) // 20·h(1): x-times-poly`
 */
export type Construction = 'poly' | 'x-times-poly';

/**
 * A fitted polynomial: p(t) = Σ coefficients[k]·t^k with t = (x − mid)/half.
 * @example `const fit: PolynomialFit = chebyshevFit(Math.sin, { interval: [0, 2], degree: 5 }); // t = x − 1`
 */
export interface PolynomialFit {
  interval: [number, number];
  degree: number;
  parity: Parity;
  method: FitMethod;
  /** Monomial coefficients c_0..c_degree in t. */
  coefficients: Float64Array;
  /** Defaults to `poly`. */
  construction?: Construction;
}

/**
 * Options of {@link chebyshevFit}.
 * @example `const options: ChebyshevFitOptions = { interval: [-6, 6], degree: 9, parity: 'odd', method: 'minimax' };`
 */
export interface ChebyshevFitOptions {
  interval: readonly [number, number];
  /** Highest power of t, an integer in [1, 30]. */
  degree: number;
  parity?: Parity;
  method?: FitMethod;
  /** Interpolation nodes (interpolation only). Default `chebyshev`. */
  nodes?: NodeKind;
  /** Weight w(x) ≥ 0 of the error at x (minimax only): minimises max w(x)·|p − fn|. */
  weight?: (x: number) => number;
  /** Lawson iterations (minimax only). Default 400. */
  iterations?: number;
}

const PARITIES: readonly Parity[] = ['odd', 'even', 'none'];
const METHODS: readonly FitMethod[] = ['interpolation', 'minimax'];
const NODE_KINDS: readonly NodeKind[] = ['chebyshev', 'lobatto'];

/**
 * Fits `fn` on `interval` by a polynomial of degree `degree` in t = (x − mid)/half.
 * Interpolation at Chebyshev nodes by default; `method: 'minimax'` for a near-minimax fit.
 * With a parity, the coefficients outside it are exactly zero (the symmetric nodes make the
 * interpolant's odd/even parts the interpolants of fn's odd/even parts).
 * @example
 * ```ts
 * const fit = chebyshevFit((x) => x ** 3, { interval: [-2, 2], degree: 3 });
 * fit.coefficients; // ≈ [0, 0, 0, 8]: x³ = (2t)³
 * const sig = chebyshevFit((x) => 1 / (1 + Math.exp(-x)), { interval: [-8, 8], degree: 9, parity: 'odd', method: 'minimax' });
 * ```
 */
export function chebyshevFit(fn: (x: number) => number, options: ChebyshevFitOptions): PolynomialFit {
  checkFunction('fn', fn);
  if (options === null || typeof options !== 'object') throw new ValueError('`options` must be an object {interval, degree}');
  const interval = checkInterval('interval', options.interval);
  const degree = checkInteger('degree', options.degree, 1, 30);
  const parity = pick('parity', options.parity ?? 'none', PARITIES);
  const method = pick('method', options.method ?? 'interpolation', METHODS);
  const nodes = pick('nodes', options.nodes ?? 'chebyshev', NODE_KINDS);
  const [lo, hi] = interval;
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2;
  const g = (t: number) => finiteValue('fn', fn, mid + half * t);
  const keep = (k: number) => parity === 'none' || (parity === 'even' ? k % 2 === 0 : k === 0 || k % 2 === 1);
  let cheb: Float64Array;
  if (method === 'interpolation') {
    if (options.weight !== undefined) throw new ValueError('`weight` needs `method` = "minimax"');
    const t = chebyshevNodes(degree, nodes);
    cheb = interpolateChebyshev(t.map(g), degree, nodes);
    for (let k = 0; k <= degree; k++) if (!keep(k)) cheb[k] = 0;
  } else {
    const w = options.weight === undefined ? () => 1 : checkFunction('weight', options.weight);
    const iterations = checkInteger('iterations', options.iterations ?? 400, 1, 100000);
    const indices = Array.from({ length: degree + 1 }, (_, k) => k).filter(keep);
    cheb = lawsonMinimax({ f: g, weight: (t) => finiteValue('weight', w, mid + half * t), degree, indices, iterations });
  }
  const coefficients = chebyshevToMonomial(cheb);
  for (let k = 0; k <= degree; k++) if (!keep(k)) coefficients[k] = 0; // exact zeros, not 1e-17
  return { interval, degree, parity, method, coefficients };
}

/**
 * Evaluates Σ c_k t^k by Horner's rule.
 * @example
 * ```ts
 * evaluatePolynomial(new Float64Array([1, 0, 2]), 0.5); // 1.5
 * ```
 */
export function evaluatePolynomial(coefficients: ArrayLike<number>, t: number): number {
  let s = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) s = s * t + coefficients[k];
  return s;
}

/**
 * What the secure evaluation computes, in float64: clamp x to the interval, t = (x − mid)/half,
 * p(t), times x for `x-times-poly`.
 * @example
 * ```ts
 * const fit = chebyshevFit(Math.tanh, { interval: [-3, 3], degree: 7, parity: 'odd' });
 * evaluateFit(fit, 100); // = evaluateFit(fit, 3) ≈ tanh(3)
 * ```
 */
export function evaluateFit(fit: PolynomialFit, x: number): number {
  const [lo, hi] = fit.interval;
  const xc = Math.min(hi, Math.max(lo, x));
  const p = evaluatePolynomial(fit.coefficients, (xc - (lo + hi) / 2) / ((hi - lo) / 2));
  return fit.construction === 'x-times-poly' ? x * p : p;
}

/**
 * max |evaluateFit(fit, x) − fn(x)| over `samples` equally spaced points of the interval (ends
 * included), or of `range` when given (to measure the clamped behaviour outside).
 * @example
 * ```ts
 * const fit = chebyshevFit(Math.sin, { interval: [-1, 1], degree: 5 });
 * maxErrorOnInterval(Math.sin, fit); // ≈ 2e-6
 * ```
 */
export function maxErrorOnInterval(
  fn: (x: number) => number, fit: PolynomialFit, options: { samples?: number; range?: readonly [number, number] } = {},
): number {
  checkFunction('fn', fn);
  checkCoefficients('fit.coefficients', fit?.coefficients);
  const samples = checkInteger('samples', options.samples ?? 20001, 2, 1e8);
  const [lo, hi] = checkInterval('range', options.range ?? fit.interval);
  let worst = 0;
  for (let i = 0; i < samples; i++) {
    const x = lo + ((hi - lo) * i) / (samples - 1);
    const e = Math.abs(evaluateFit(fit, x) - finiteValue('fn', fn, x));
    if (e > worst) worst = e;
  }
  return worst;
}

function pick<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new ValueError(`\`${name}\` must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`);
  }
  return value as T;
}
