/**
 * The typed surface of the CUDA addon (`build/Release/tfe_cuda.node`, built from
 * `native/cuda/` with `TFE_CUDA=1 npm install` or `npm run build:cuda`). This is the only module
 * that loads it. Signatures mirror the CPU addon's (`../native/binding.ts`) with opaque device
 * handles in place of typed arrays; outputs are fresh handles, kernels are queued on one CUDA
 * stream, and only downloads wait for the device.
 *
 * Conventions: `modulus` 0 means u64, m in [2, 256] means u8 mod m; strides count elements.
 * @internal
 */
import type { HostArray } from '../dtype.js';
import { requireAddon, type ConvGeom } from '../native/binding.js';

/** An opaque device buffer (an N-API External); freed by `free` or when garbage-collected. */
export type DeviceHandle = object & { readonly __deviceHandle?: never };
type H = DeviceHandle;
type Ints = readonly number[] | Int32Array;

/** The first device. @example `loadCudaBinding().deviceInfo().name // 'NVIDIA H100 80GB HBM3'` */
export interface DeviceInfo { count: number; name: string; major: number; minor: number; memoryBytes: number }

/** The addon's functions. @example `const h = loadCudaBinding().upload(new BigUint64Array([1n]))` */
export interface DeviceBinding {
  /** The first device; throws with the reason when there is none. */
  deviceInfo(): DeviceInfo;
  upload(values: HostArray): H;
  /** Copies to the host (pinned memory for large buffers, handed on without another copy). */
  download(h: H): HostArray;
  downloadAsync(h: H): Promise<HostArray>;
  free(h: H): void;
  alloc(u64: boolean, n: number, zero: boolean): H;
  fill(h: H, value: bigint): void;
  binary(op: number, a: H, b: H, outShape: Ints, aStrides: Ints, bStrides: Ints, modulus: number): H;
  compare(op: number, a: H, b: H, outShape: Ints, aStrides: Ints, bStrides: Ints, signed: boolean): H;
  select(cond: H, a: H, b: H, outShape: Ints, cStrides: Ints, aStrides: Ints, bStrides: Ints): H;
  unary(op: number, x: H, modulus: number): H;
  shift(op: number, x: H, bits: number): H;
  bitExtract(x: H, bit: number): H;
  bitDecompose(x: H): H;
  cast(x: H, toU64: boolean, modulus: number): H;
  oneHot(x: H, depth: number, toU64: boolean): H;
  stridedCopy(dst: H, dstOffset: number, dstStrides: Ints, src: H, srcOffset: number, srcStrides: Ints, shape: Ints): void;
  gather(x: H, outer: number, axisLen: number, inner: number, indices: Ints): H;
  /** Output o sums x over the view's trailing (reduced) axes; the view lists kept axes first. */
  reduceSum(x: H, viewShape: Ints, viewStrides: Ints, outSize: number, modulus: number): H;
  cumSum(x: H, outer: number, len: number, inner: number, exclusive: boolean, reverse: boolean, modulus: number): H;
  matmul(a: H, b: H, batchShape: Ints, aBatchStrides: Ints, bBatchStrides: Ints, M: number, K: number, N: number,
    transposeA: boolean, transposeB: boolean, modulus: number): H;
  conv2d(x: H, w: H, F: number, ...geom: ConvGeom): H;
  im2col(x: H, ...geom: ConvGeom): H;
  col2im(cols: H, ...geomAndModulus: [...ConvGeom, number]): H;
  prgUniform(seed: Uint8Array, nonce: bigint, offset: bigint, n: number, modulus: number): H;
}

/**
 * Loads the CUDA addon once; throws with the loader's reason when it was not built.
 * @example
 * ```ts
 * const dev = loadCudaBinding();
 * dev.deviceInfo(); // throws 'no CUDA device (...)' on a machine without a GPU
 * ```
 */
export function loadCudaBinding(): DeviceBinding {
  return requireAddon<DeviceBinding>('tfe_cuda.node');
}
