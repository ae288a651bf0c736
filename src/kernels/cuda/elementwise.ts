/**
 * The `cuda` backend's elementwise, bit, creation and PRG kernels: each reads device handles,
 * queues one device kernel and wraps the output handle (no host copies).
 */
import type { RingTensor } from '../ring_tensor.js';
import {
  BINARY_KERNELS, COMPARE_KERNELS, SHIFT_KERNELS, UNARY_KERNELS,
  type BitDecomposeAttrs, type BitExtractAttrs, type CastAttrs, type CompareAttrs, type FillAttrs, type OneHotAttrs,
  type PrgUniformAttrs, type ShiftAttrs,
} from '../kernel_names.js';
import { binaryPlan, broadcastShape, broadcastStrides, modCode, numel } from '../native/util.js';
import type { CudaBackend } from './cuda_backend.js';

/**
 * A cuda kernel body: inputs, attributes and the backend (its device and handle helpers).
 * @example
 * ```ts
 * const neg: CudaKernel = ([x], _a, be) => be.wrap(x.shape, x.dtype, x.modulus, be.device.unary(0, be.handleOf(x.storage), modCode(x)));
 * ```
 */
export type CudaKernel = (inputs: RingTensor[], attrs: any, be: CudaBackend) => RingTensor;

const h = (be: CudaBackend, t: RingTensor) => be.handleOf(t.storage);

const binary = (op: number): CudaKernel => ([a, b], _attrs, be) => {
  const p = binaryPlan(a.shape, b.shape);
  return be.wrap(p.shape, a.dtype, a.modulus, be.device.binary(op, h(be, a), h(be, b), p.flat, p.sa, p.sb, modCode(a)));
};

const compare = (op: number): CudaKernel => ([a, b], attrs: CompareAttrs, be) => {
  const p = binaryPlan(a.shape, b.shape);
  const signed = a.dtype === 'u64' && !!attrs.signed;
  return be.wrap(p.shape, 'u8', 2, be.device.compare(op, h(be, a), h(be, b), p.flat, p.sa, p.sb, signed));
};

const select: CudaKernel = ([c, a, b], _attrs, be) => {
  const shape = broadcastShape(c.shape, a.shape, b.shape);
  const s = (t: RingTensor) => broadcastStrides(shape, t.shape);
  return be.wrap(shape, a.dtype, a.modulus, be.device.select(h(be, c), h(be, a), h(be, b), shape, s(c), s(a), s(b)));
};

/** Elementwise and bit kernels by name. @example `elementwiseKernels.Add` */
export const elementwiseKernels: Record<string, CudaKernel> = {
  ...Object.fromEntries(BINARY_KERNELS.map((name, op) => [name, binary(op)])),
  ...Object.fromEntries(COMPARE_KERNELS.map((name, op) => [name, compare(op)])),
  Select: select,
  ...Object.fromEntries(UNARY_KERNELS.map((name, op): [string, CudaKernel] =>
    [name, ([x], _a, be) => be.wrap(x.shape, x.dtype, x.modulus, be.device.unary(op, h(be, x), modCode(x)))])),
  ...Object.fromEntries(SHIFT_KERNELS.map((name, op): [string, CudaKernel] =>
    [name, ([x], a: ShiftAttrs, be) => be.wrap(x.shape, 'u64', undefined, be.device.shift(op, h(be, x), a.bits))])),
  BitExtract: ([x], a: BitExtractAttrs, be) => be.wrap(x.shape, 'u8', 2, be.device.bitExtract(h(be, x), a.bit)),
  BitDecompose: ([x], a: BitDecomposeAttrs, be) => be.wrap([...x.shape, 64], 'u8', a.modulus, be.device.bitDecompose(h(be, x))),
  Cast: ([x], a: CastAttrs, be) => {
    const m = a.dtype === 'u64' ? 0 : (a.modulus ?? 256);
    return be.wrap(x.shape, a.dtype, m, be.device.cast(h(be, x), a.dtype === 'u64', m));
  },
  OneHot: ([x], a: OneHotAttrs, be) =>
    be.wrap([...x.shape, a.depth], a.dtype, a.modulus ?? 256, be.device.oneHot(h(be, x), a.depth, a.dtype === 'u64')),
  Fill: (_inputs, a: FillAttrs, be) => {
    const u64 = a.dtype === 'u64';
    const m = BigInt(a.modulus ?? 256);
    const value = u64 ? BigInt.asUintN(64, BigInt(a.value)) : ((BigInt(a.value) % m) + m) % m;
    const out = be.device.alloc(u64, numel(a.shape), value === 0n);
    if (value !== 0n) be.device.fill(out, value);
    return be.wrap(a.shape, a.dtype, Number(m), out);
  },
  PrgUniform: (_inputs, a: PrgUniformAttrs, be) => {
    const m = a.dtype === 'u64' ? 0 : (a.modulus ?? 256);
    const out = be.device.prgUniform(a.seed, BigInt.asUintN(64, a.nonce), BigInt.asUintN(64, a.offset), numel(a.shape), m);
    return be.wrap(a.shape, a.dtype, m, out);
  },
};
