/**
 * `PrivateCompareMask`, `PrivateCompareZeroTest` and `BitDecomposeSub`: SecureNN's
 * PrivateCompare pipeline, fused (see kernel_names.ts). Written step by step after the paper's Algorithm 3, with BigInt for ρ, so
 * it reads as the definition the native kernels must match bit for bit.
 */
import type { RingTensor } from '../ring_tensor.js';
import { BITS } from '../dtype.js';
import type { PrivateCompareMaskAttrs } from '../kernel_names.js';
import type { RefKernel } from './reference_backend.js';
import { output, u64, u8 } from './util.js';

const L = 64;
const MAX_U64 = (1n << 64n) - 1n;
const mod = (v: number, p: number) => ((v % p) + p) % p;

/** The vector c of one element before blinding (step 1–4 of Algorithm 3). */
function cVector(x: Uint8Array, r: bigint, beta: number, p: number, first: boolean, edgeCase: boolean): number[] {
  const f = first ? 1 : 0;
  if (edgeCase && beta === 1 && r === MAX_U64) return Array.from({ length: L }, (_, i) => (i === 0 ? 0 : f));
  const rho = beta === 1 ? BigInt.asUintN(64, r + 1n) : r;
  const sigma = 1 - 2 * beta;
  const c = new Array<number>(L);
  let suffix = 0;
  for (let i = L - 1; i >= 0; i--) {
    const rhoI = Number((rho >> BigInt(i)) & 1n);
    c[i] = mod(sigma * (f * rhoI - x[i]) + suffix + f, p);
    suffix = mod(suffix + x[i] * (1 - 2 * rhoI) + f * rhoI, p);
  }
  return c;
}

function mask([x, r, beta, s, z, rot]: RingTensor[], a: PrivateCompareMaskAttrs): { shape: number[]; values: Uint8Array; p: number } {
  const p = x.modulus!;
  const [xv, rv, bv, sv, zv, kv] = [u8(x), u64(r), u8(beta), u8(s), u8(z), u8(rot)];
  const out = new Uint8Array(xv.length);
  for (let e = 0; e < rv.length; e++) {
    const at = e * L;
    const c = cVector(xv.subarray(at, at + L), rv[e], bv[e], p, !!a.first, !!a.edgeCase);
    for (let i = 0; i < L; i++) {
      const d = (sv[at + i] + 1) * c[i] + (a.first ? zv[at + i] : -zv[at + i]);
      out[at + ((i + kv[e]) % L)] = mod(d, p);
    }
  }
  return { shape: [...x.shape], values: out, p };
}

/** The fused PrivateCompare reference kernels. @example `privateCompareKernels.map((k) => k.kernelName)` */
export const privateCompareKernels: RefKernel[] = [
  {
    kernelName: 'PrivateCompareMask',
    kernelFunc: (inputs, a: PrivateCompareMaskAttrs, be) => {
      const { shape, values, p } = mask(inputs, a);
      return output(be, shape, { dtype: 'u8', modulus: p }, values);
    },
  },
  {
    kernelName: 'PrivateCompareZeroTest',
    kernelFunc: ([d0, d1], _a, be) => {
      const p = d0.modulus!;
      const [a, b] = [u8(d0), u8(d1)];
      const n = a.length / L;
      const out = new Uint8Array(n);
      for (let e = 0; e < n; e++) {
        for (let i = e * L; i < e * L + L; i++) if ((a[i] + b[i]) % p === 0) out[e] = 1;
      }
      return output(be, d0.shape.slice(0, -1), BITS, out);
    },
  },
  {
    kernelName: 'BitDecomposeSub',
    kernelFunc: ([x, s], _a, be) => {
      const m = s.modulus!;
      const [xv, sv] = [u64(x), u8(s)];
      const out = new Uint8Array(sv.length);
      for (let e = 0; e < xv.length; e++) {
        for (let i = 0; i < L; i++) out[e * L + i] = mod(Number((xv[e] >> BigInt(i)) & 1n) - sv[e * L + i], m);
      }
      return output(be, s.shape, s.ring, out);
    },
  },
];
