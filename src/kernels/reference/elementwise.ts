/**
 * Elementwise kernels with numpy broadcasting: `Add`, `Sub`, `Mul`, `BitwiseAnd/Or/Xor`, and the
 * unary `Neg`, `BitwiseNot`. u64 values wrap mod 2^64 on assignment into a `BigUint64Array`;
 * u8 values are reduced mod the tensor's modulus m.
 */
import type { KernelBackend } from '../backend.js';
import type { RingTensor } from '../ring_tensor.js';
import type { RefKernel } from './reference_backend.js';
import { broadcastMap, broadcastShapes, output, sizeOf, u64, u8 } from './util.js';

type U64Op = (a: bigint, b: bigint) => bigint;
type U8Op = (a: number, b: number, m: number) => number;

const U64_BINARY: Record<string, U64Op> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  BitwiseAnd: (a, b) => a & b,
  BitwiseOr: (a, b) => a | b,
  BitwiseXor: (a, b) => a ^ b,
};

const U8_BINARY: Record<string, U8Op> = {
  Add: (a, b, m) => (a + b) % m,
  Sub: (a, b, m) => (a - b + m) % m,
  Mul: (a, b, m) => (a * b) % m,
  BitwiseAnd: (a, b) => a & b,
  BitwiseOr: (a, b) => a | b,
  BitwiseXor: (a, b) => a ^ b,
};

function binary(name: string, a: RingTensor, b: RingTensor, be: KernelBackend): RingTensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const ia = broadcastMap(shape, a.shape);
  const ib = broadcastMap(shape, b.shape);
  const n = sizeOf(shape);
  if (a.dtype === 'u64') {
    const [x, y, f, out] = [u64(a), u64(b), U64_BINARY[name], new BigUint64Array(n)];
    for (let i = 0; i < n; i++) out[i] = f(x[ia[i]], y[ib[i]]);
    return output(be, shape, a.ring, out);
  }
  const [x, y, f, m, out] = [u8(a), u8(b), U8_BINARY[name], a.modulus!, new Uint8Array(n)];
  for (let i = 0; i < n; i++) out[i] = f(x[ia[i]], y[ib[i]], m);
  return output(be, shape, a.ring, out);
}

const U64_UNARY: Record<string, (x: bigint) => bigint> = { Neg: (x) => -x, BitwiseNot: (x) => ~x };
const U8_UNARY: Record<string, (x: number, m: number) => number> = {
  Neg: (x, m) => (m - x) % m,
  BitwiseNot: (x) => 1 - x,
};

function unary(name: string, a: RingTensor, be: KernelBackend): RingTensor {
  if (a.dtype === 'u64') {
    const [x, f] = [u64(a), U64_UNARY[name]];
    return output(be, a.shape, a.ring, BigUint64Array.from(x, f));
  }
  const [x, f, m] = [u8(a), U8_UNARY[name], a.modulus!];
  return output(be, a.shape, a.ring, Uint8Array.from(x, (v) => f(v, m)));
}

/** The elementwise reference kernels. @example `elementwiseKernels.map((k) => k.kernelName)` */
export const elementwiseKernels: RefKernel[] = [
  ...Object.keys(U64_BINARY).map((kernelName) => ({
    kernelName,
    kernelFunc: ([a, b]: RingTensor[], _attrs: unknown, be: KernelBackend) => binary(kernelName, a, b, be),
  })),
  ...Object.keys(U64_UNARY).map((kernelName) => ({
    kernelName,
    kernelFunc: ([a]: RingTensor[], _attrs: unknown, be: KernelBackend) => unary(kernelName, a, be),
  })),
];
