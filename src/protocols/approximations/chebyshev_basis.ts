/**
 * Chebyshev-basis helpers: node sets, the basis row T_0..T_d at a point, and the change of
 * basis from Chebyshev to monomial coefficients. All in the normalised variable t ∈ [−1, 1].
 * @internal
 */
import { ValueError } from '../../errors.js';

/**
 * Which node set an interpolating fit uses. `chebyshev`: the d + 1 zeros of T_{d+1} (first
 * kind; never hits ±1). `lobatto`: the d + 1 extrema cos(πj/d) of T_d, which include ±1, so the
 * fit is exact at both ends of the interval (continuous with a clamped tail).
 * @example `chebyshevFit(Math.tanh, { interval: [-3, 3], degree: 7, nodes: 'lobatto' })`
 */
export type NodeKind = 'chebyshev' | 'lobatto';

/**
 * The interpolation nodes for a degree-`degree` fit, in t ∈ [−1, 1], descending.
 * @example
 * ```ts
 * chebyshevNodes(2, 'lobatto'); // Float64Array [1, ~0, -1]
 * ```
 */
export function chebyshevNodes(degree: number, kind: NodeKind): Float64Array {
  const n = degree + 1;
  const t = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    t[j] = kind === 'chebyshev' ? Math.cos((Math.PI * (j + 0.5)) / n) : Math.cos((Math.PI * j) / degree);
  }
  // cos(π/2) is 6e-17, not 0: snap so odd/even symmetry (and p(0) for even fits) is exact.
  for (let j = 0; j < n; j++) if (Math.abs(t[j]) < 1e-15) t[j] = 0;
  return t;
}

/**
 * Chebyshev coefficients a_0..a_d of the polynomial interpolating `values` at
 * `chebyshevNodes(degree, kind)` (discrete cosine transform; exact, no linear solve).
 * @example
 * ```ts
 * const t = chebyshevNodes(3, 'chebyshev');
 * interpolateChebyshev(t.map((x) => x ** 3), 3, 'chebyshev'); // ≈ [0, 0.75, 0, 0.25]
 * ```
 */
export function interpolateChebyshev(values: Float64Array, degree: number, kind: NodeKind): Float64Array {
  const n = degree + 1;
  const a = new Float64Array(n);
  if (kind === 'chebyshev') {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += values[j] * Math.cos((Math.PI * k * (j + 0.5)) / n);
      a[k] = ((k === 0 ? 1 : 2) * s) / n;
    }
    return a;
  }
  if (degree === 0) throw new ValueError('`nodes` = "lobatto" needs `degree` ≥ 1, got 0');
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const w = j === 0 || j === degree ? 0.5 : 1;
      s += w * values[j] * Math.cos((Math.PI * k * j) / degree);
    }
    a[k] = ((k === 0 || k === degree ? 1 : 2) * s) / degree;
  }
  return a;
}

/**
 * T_0(t)..T_degree(t) by the three-term recurrence, written into `out`.
 * @example
 * ```ts
 * chebyshevRow(0.5, 3, new Float64Array(4)); // [1, 0.5, -0.5, -1]
 * ```
 */
export function chebyshevRow(t: number, degree: number, out: Float64Array): Float64Array {
  out[0] = 1;
  if (degree >= 1) out[1] = t;
  for (let k = 2; k <= degree; k++) out[k] = 2 * t * out[k - 1] - out[k - 2];
  return out;
}

/**
 * Converts Chebyshev coefficients a_k (p = Σ a_k T_k(t)) to monomial coefficients c_k
 * (p = Σ c_k t^k). Stable for the degrees used here (≤ 30) because |t| ≤ 1: the monomial
 * coefficients grow like 2^d but the evaluation error stays ~ d·ε·Σ|a_k|·2^d ≪ the fit error.
 * @example
 * ```ts
 * chebyshevToMonomial(new Float64Array([0, 0, 1])); // [-1, 0, 2]  (T_2 = 2t² − 1)
 * ```
 */
export function chebyshevToMonomial(a: Float64Array): Float64Array {
  const d = a.length - 1;
  const c = new Float64Array(d + 1);
  let prev = new Float64Array(d + 1); // T_{k-1}
  let cur = new Float64Array(d + 1); // T_k
  prev[0] = 1;
  c[0] += a[0];
  if (d >= 1) { cur[1] = 1; c[1] += a[1]; }
  for (let k = 2; k <= d; k++) {
    const next = new Float64Array(d + 1);
    for (let i = 0; i < k; i++) next[i + 1] += 2 * cur[i];
    for (let i = 0; i <= k - 2; i++) next[i] -= prev[i];
    for (let i = 0; i <= k; i++) c[i] += a[k] * next[i];
    prev = cur;
    cur = next;
  }
  return c;
}
