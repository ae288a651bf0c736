/**
 * Exact u64 matrix products without per-multiply BigInt: the "limb method".
 *
 * Each u64 is split into four 16-bit limbs, x = Σ x_i·2^(16i). Modulo 2^64 only the limb
 * products with i + j ≤ 3 matter, so a dot product is
 *   Σ_k a_k·b_k ≡ T0 + T1·2^16 + T2·2^32 + T3·2^48   (mod 2^64),
 *   T_s = Σ_k Σ_{i+j=s} a_k,i · b_k,j.
 * Every limb product is < 2^32 and each T_s gains at most 4·(2^16−1)^2 < 2^34 per k, so over a
 * chunk of at most 2^18 values of k every T_s stays below 2^52 and is exact in a double.
 * Chunks are combined with BigInt, once per output element per chunk.
 * `test/kernels/limb_dot.test.ts` checks this against plain BigInt dot products.
 */

/** Largest k-chunk whose limb sums stay exact in doubles (2^18 · 2^34 = 2^52 < 2^53). @example `LIMB_CHUNK // 262144` */
export const LIMB_CHUNK = 1 << 18;
const ROW_BLOCK = 16;

/**
 * The four 16-bit limbs of an R×K matrix read out of `v` (a u64 array) at `offset`, as four
 * row-major Float64Arrays. Element (r, k) is `v[offset + r·K + k]`, or `v[offset + k·R + r]`
 * when `transposed`.
 * @example
 * ```ts
 * const [l0, l1, l2, l3] = limbRows(new BigUint64Array([0x0001_0002_0003_0004n]), 0, 1, 1, false);
 * // l0[0] = 4, l1[0] = 3, l2[0] = 2, l3[0] = 1
 * ```
 */
export function limbRows(v: BigUint64Array, offset: number, R: number, K: number, transposed: boolean): Float64Array[] {
  const w = new Uint32Array(v.buffer, v.byteOffset, v.length * 2); // little-endian: [lo, hi] per element
  const limbs = [0, 1, 2, 3].map(() => new Float64Array(R * K));
  for (let r = 0; r < R; r++) {
    for (let k = 0; k < K; k++) {
      const e = offset + (transposed ? k * R + r : r * K + k);
      const [lo, hi, o] = [w[2 * e], w[2 * e + 1], r * K + k];
      limbs[0][o] = lo & 0xffff;
      limbs[1][o] = lo >>> 16;
      limbs[2][o] = hi & 0xffff;
      limbs[3][o] = hi >>> 16;
    }
  }
  return limbs;
}

/** T[s] += Σ_{k<len} Σ_{i+j=s} a_i[ia+k]·b_j[ib+k]: the limb sums of one chunk of one dot product. */
function limbDot(a: Float64Array[], b: Float64Array[], ia: number, ib: number, len: number, T: Float64Array): void {
  const [a0, a1, a2, a3] = a;
  const [b0, b1, b2, b3] = b;
  let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  for (let k = 0; k < len; k++) {
    const x0 = a0[ia + k], x1 = a1[ia + k], x2 = a2[ia + k], x3 = a3[ia + k];
    const y0 = b0[ib + k], y1 = b1[ib + k], y2 = b2[ib + k], y3 = b3[ib + k];
    t0 += x0 * y0;
    t1 += x0 * y1 + x1 * y0;
    t2 += x0 * y2 + x1 * y1 + x2 * y0;
    t3 += x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0;
  }
  T[0] = t0; T[1] = t1; T[2] = t2; T[3] = t3;
}

/**
 * C = A·Bᵀ mod 2^64 for limb matrices A (M×K rows) and B (N×K rows), written into `out` at
 * `outOffset` as an M×N row-major block.
 * @example
 * ```ts
 * const out = new BigUint64Array(1);
 * limbMatMul(limbRows(a, 0, 1, 3, false), limbRows(b, 0, 1, 3, true), 1, 1, 3, out, 0);
 * ```
 */
export function limbMatMul(a: Float64Array[], b: Float64Array[], M: number, N: number, K: number, out: BigUint64Array, outOffset: number): void {
  const T = new Float64Array(4);
  // Rows of A in blocks of ROW_BLOCK, so each row of B is reused from cache ROW_BLOCK times.
  for (let m0 = 0; m0 < M; m0 += ROW_BLOCK) {
    for (let n = 0; n < N; n++) {
      for (let m = m0; m < Math.min(M, m0 + ROW_BLOCK); m++) {
        let acc = 0n;
        for (let k0 = 0; k0 < K; k0 += LIMB_CHUNK) {
          limbDot(a, b, m * K + k0, n * K + k0, Math.min(LIMB_CHUNK, K - k0), T);
          acc += BigInt(T[0]) + (BigInt(T[1]) << 16n) + (BigInt(T[2]) << 32n) + (BigInt(T[3]) << 48n);
        }
        out[outOffset + m * N + n] = acc;
      }
    }
  }
}
