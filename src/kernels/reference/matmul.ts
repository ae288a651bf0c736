/**
 * `MatMul`: a [...batchA, M, K] · b [...batchB, K, N] → [...batch, M, N], batch dimensions
 * broadcast, `transposeA`/`transposeB` swap an operand's last two axes first. u64 products use
 * the exact limb method of `limb_dot.ts`; u8 products are plain number sums reduced mod m.
 */
import type { KernelBackend } from '../backend.js';
import type { MatMulAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { RefKernel } from './reference_backend.js';
import { limbMatMul, limbRows } from './limb_dot.js';
import { broadcastMap, broadcastShapes, output, sizeOf, u64, u8 } from './util.js';

/** u8 block: out[m, n] = Σ_k A(m, k)·B(k, n) mod mod, with A and B given as element getters. */
function smallMatMul(A: (m: number, k: number) => number, B: (k: number, n: number) => number,
  M: number, N: number, K: number, mod: number, out: Uint8Array, at: number): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0; // < 2^16 · K, exact in a double for any realistic K
      for (let k = 0; k < K; k++) s += A(m, k) * B(k, n);
      out[at + m * N + n] = s % mod;
    }
  }
}

/**
 * The reference matrix product.
 * @example
 * ```ts
 * const c = matMulRef(a, b, { transposeA: false, transposeB: true }, findBackend('reference')!);
 * ```
 */
export function matMulRef(a: RingTensor, b: RingTensor, attrs: MatMulAttrs, be: KernelBackend): RingTensor {
  const [ra, rb] = [a.rank, b.rank];
  const [M, K] = attrs.transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const N = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const [ia, ib] = [broadcastMap(batch, a.shape.slice(0, -2)), broadcastMap(batch, b.shape.slice(0, -2))];
  const shape = [...batch, M, N];
  const nb = sizeOf(batch);
  if (a.dtype === 'u64') {
    const [x, y, out] = [u64(a), u64(b), new BigUint64Array(sizeOf(shape))];
    for (let i = 0; i < nb; i++) {
      const la = limbRows(x, ia[i] * M * K, M, K, attrs.transposeA);
      const lb = limbRows(y, ib[i] * K * N, N, K, !attrs.transposeB); // rows of Bᵀ
      limbMatMul(la, lb, M, N, K, out, i * M * N);
    }
    return output(be, shape, a.ring, out);
  }
  const [x, y, out] = [u8(a), u8(b), new Uint8Array(sizeOf(shape))];
  for (let i = 0; i < nb; i++) {
    const [oa, ob] = [ia[i] * M * K, ib[i] * K * N];
    const A = attrs.transposeA ? (m: number, k: number) => x[oa + k * M + m] : (m: number, k: number) => x[oa + m * K + k];
    const B = attrs.transposeB ? (k: number, n: number) => y[ob + n * K + k] : (k: number, n: number) => y[ob + k * N + n];
    smallMatMul(A, B, M, N, K, a.modulus!, out, i * M * N);
  }
  return output(be, shape, a.ring, out);
}

/** The matmul reference kernel. @example `matmulKernels[0].kernelName // 'MatMul'` */
export const matmulKernels: RefKernel[] = [
  { kernelName: 'MatMul', kernelFunc: ([a, b], attrs: MatMulAttrs, be) => matMulRef(a, b, attrs, be) },
];
