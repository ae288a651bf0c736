/**
 * Discrete near-minimax fitting by Lawson's algorithm (iteratively reweighted least squares;
 * C. L. Lawson, "Contributions to the theory of linear least maximum approximation", 1961).
 *
 *  1. Sample f and the weight w on a dense grid of M points t_i = cos(πi/(M−1)) in [−1, 1]
 *     (clustered at the ends, where polynomial errors peak).
 *  2. Repeat: solve the weighted least-squares problem min Σ λ_i w_i² (p(t_i) − f_i)² in the
 *     Chebyshev basis restricted to the allowed indices, then set λ_i ← λ_i · w_i |p(t_i) − f_i|
 *     and normalise. The λ concentrate on the extremal points and p tends to the discrete
 *     weighted minimax polynomial; the max error decreases towards the optimum.
 *  3. Keep the iterate with the smallest max weighted error seen.
 *
 * The result is within a few percent of the true minimax error after a few hundred steps; callers
 * measure the final error anyway, so nothing relies on exact optimality.
 * @internal
 */
import { chebyshevRow } from './chebyshev_basis.js';

/**
 * Inputs of {@link lawsonMinimax}, all in the normalised variable t.
 * @example `lawsonMinimax({ f: Math.abs, weight: () => 1, degree: 2, indices: [0, 2], iterations: 200 })`
 */
export interface LawsonArgs {
  /** The target, as a function of t. */
  f: (t: number) => number;
  /** Non-negative weight of the error at t (1 for plain absolute error). */
  weight: (t: number) => number;
  degree: number;
  /** Chebyshev indices k allowed to be non-zero (parity restriction). */
  indices: readonly number[];
  iterations: number;
}

/**
 * Near-minimax Chebyshev coefficients (length `degree + 1`, zero outside `indices`).
 * @example
 * ```ts
 * const a = lawsonMinimax({ f: Math.abs, weight: () => 1, degree: 2, indices: [0, 2], iterations: 200 });
 * // |t| ≈ 1/8 + t²: a ≈ [0.625, 0, 0.5], max error 1/8
 * ```
 */
export function lawsonMinimax(args: LawsonArgs): Float64Array {
  const { f, weight, degree, indices, iterations } = args;
  const n = indices.length;
  const m = 2001 + 200 * degree;
  const rows = new Float64Array(m * n); // basis values B_p(t_i)
  const fs = new Float64Array(m);
  const ws = new Float64Array(m);
  const row = new Float64Array(degree + 1);
  for (let i = 0; i < m; i++) {
    let t = Math.cos((Math.PI * i) / (m - 1));
    if (Math.abs(t) < 1e-15) t = 0;
    chebyshevRow(t, degree, row);
    for (let p = 0; p < n; p++) rows[i * n + p] = row[indices[p]];
    fs[i] = f(t);
    ws[i] = weight(t);
  }
  const lambda = new Float64Array(m).fill(1 / m);
  const err = new Float64Array(m);
  let best: Float64Array = new Float64Array(n);
  let bestErr = Infinity;
  for (let it = 0; it < iterations; it++) {
    const sol = weightedLeastSquares(rows, fs, ws, lambda, n);
    if (sol === null) break;
    let maxErr = 0;
    let total = 0;
    for (let i = 0; i < m; i++) {
      let p = 0;
      for (let q = 0; q < n; q++) p += rows[i * n + q] * sol[q];
      err[i] = ws[i] * Math.abs(p - fs[i]);
      if (err[i] > maxErr) maxErr = err[i];
    }
    if (maxErr < bestErr) { bestErr = maxErr; best = sol; }
    for (let i = 0; i < m; i++) { lambda[i] *= err[i]; total += lambda[i]; }
    if (!(total > 0)) break; // exact fit: nothing left to reweight
    // Flush negligible weights to 0: subnormal floats would make every later pass ~10× slower.
    for (let i = 0; i < m; i++) { const l = lambda[i] / total; lambda[i] = l < 1e-200 ? 0 : l; }
  }
  const a = new Float64Array(degree + 1);
  for (let p = 0; p < n; p++) a[indices[p]] = best[p];
  return a;
}

/** Solves the n×n normal equations; null when they are singular. */
function weightedLeastSquares(
  rows: Float64Array, fs: Float64Array, ws: Float64Array, lambda: Float64Array, n: number,
): Float64Array | null {
  const g = new Float64Array(n * (n + 1)); // augmented [G | rhs]
  const m = fs.length;
  for (let i = 0; i < m; i++) {
    const w = lambda[i] * ws[i] * ws[i];
    if (w === 0) continue;
    const base = i * n;
    for (let p = 0; p < n; p++) {
      const bp = w * rows[base + p];
      for (let q = p; q < n; q++) g[p * (n + 1) + q] += bp * rows[base + q]; // upper triangle
      g[p * (n + 1) + n] += bp * fs[i];
    }
  }
  for (let p = 0; p < n; p++) for (let q = 0; q < p; q++) g[p * (n + 1) + q] = g[q * (n + 1) + p];
  return solveAugmented(g, n);
}

/** Gaussian elimination with partial pivoting on an n×(n+1) augmented matrix, in place. */
function solveAugmented(g: Float64Array, n: number): Float64Array | null {
  const w = n + 1;
  let scale = 0;
  for (let p = 0; p < n; p++) scale = Math.max(scale, Math.abs(g[p * w + p]));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(g[r * w + col]) > Math.abs(g[piv * w + col])) piv = r;
    if (!(Math.abs(g[piv * w + col]) > scale * 1e-14)) return null;
    if (piv !== col) {
      for (let k = 0; k < w; k++) { const s = g[col * w + k]; g[col * w + k] = g[piv * w + k]; g[piv * w + k] = s; }
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = g[r * w + col] / g[col * w + col];
      if (factor === 0) continue;
      for (let k = col; k < w; k++) g[r * w + k] -= factor * g[col * w + k];
    }
  }
  const x = new Float64Array(n);
  for (let p = 0; p < n; p++) x[p] = g[p * w + n] / g[p * w + p];
  return x;
}
