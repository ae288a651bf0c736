/**
 * Plaintext float64 oracles and deterministic data for protocol tests: every secure result is
 * compared against these, with tolerances derived from the fixed-point precision.
 */

/** A deterministic float generator (mulberry32), so failures reproduce. Test data only. */
export function floats(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

/** `n` random values in [lo, hi). */
export function randomArray(seed: number, n: number, lo = -1, hi = 1): Float64Array {
  const r = floats(seed);
  return Float64Array.from({ length: n }, () => r(lo, hi));
}

/** Row-major float64 matmul of [m,k]·[k,n]. */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const av = a[i * k + p];
    for (let j = 0; j < n; j++) out[i * n + j] += av * b[p * n + j];
  }
  return out;
}

/** Transpose of an [m,n] matrix. */
export function transpose2(a: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/** NHWC × HWIO convolution, TensorFlow padding. */
export function conv2d(x: Float64Array, xs: number[], w: Float64Array, ws: number[], strides: [number, number], padding: 'same' | 'valid'): { values: Float64Array; shape: number[] } {
  const [n, h, wd, c] = xs;
  const [kh, kw, , f] = ws;
  const oh = padding === 'same' ? Math.ceil(h / strides[0]) : Math.ceil((h - kh + 1) / strides[0]);
  const ow = padding === 'same' ? Math.ceil(wd / strides[1]) : Math.ceil((wd - kw + 1) / strides[1]);
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * strides[0] + kh - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * strides[1] + kw - wd, 0) / 2) : 0;
  const out = new Float64Array(n * oh * ow * f);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < f; o++) {
    let s = 0;
    for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
      const y = i * strides[0] - pt + dy, xx = j * strides[1] - pl + dx;
      if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
      for (let ch = 0; ch < c; ch++) s += x[((b * h + y) * wd + xx) * c + ch] * w[((dy * kw + dx) * c + ch) * f + o];
    }
    out[((b * oh + i) * ow + j) * f + o] = s;
  }
  return { values: out, shape: [n, oh, ow, f] };
}

/** Largest absolute difference; NaN anywhere gives Infinity. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/**
 * The error bound of a fixed-point product sum: each of `terms` products of values bounded by
 * `maxAbs` carries encoding errors of half a unit in each factor, plus one unit for truncation.
 */
export function productTolerance(fracBits: number, terms: number, maxAbs: number): number {
  const ulp = 2 ** -fracBits;
  return terms * (2 * maxAbs * ulp / 2 + ulp * ulp) + 2 * ulp;
}

/** Row-wise argmax of a [n, k] array. */
export function argmaxRows(v: ArrayLike<number>, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length / k; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (v[i * k + j] > v[i * k + best]) best = j;
    out.push(best);
  }
  return out;
}
