/**
 * The kernels barrel: the ring engine's public surface. Importing it registers the `reference`
 * backend (pure TypeScript, priority 1), the `native` backend (C++ addon, priority 2, where
 * it loads) and the `cuda` backend (priority 3, where its addon was built and a GPU answers).
 * @example
 * ```ts
 * import { ring, encodeFixed, decodeFixed } from './kernels/index.js';
 * const y = ring.matmul(encodeFixed([1, 2, 3, 4], [2, 2]), encodeFixed([1, 0, 0, 1], [2, 2]));
 * ```
 */
import './reference/register.js';
import './native/register.js';
import './cuda/register.js';
import './shared/register.js';

import * as ring from './ops/index.js';

export { ring };
export { inferOutput, knownKernels } from './ops/infer_output.js';
export { RingTensor } from './ring_tensor.js';
export { BITS, U64, allocHost, bytesPerElement, normalizeRing, ringName, sameRing } from './dtype.js';
export type { DType, HostArray, RingSpec } from './dtype.js';
export { DEFAULT_FRAC_BITS, decodeFixed, encodeFixed, fixedRange } from './fixed_point.js';
export type { FixedPointOptions, TensorLike } from './fixed_point.js';
export { SEED_BYTES, keystream, newSeed, prgValues } from './prg.js';
export {
  availableBackends, findBackend, getBackend, getKernel, registerBackend, registerKernel, runKernel,
  runKernelAsync, setBackend,
} from './engine.js';
export type { AsyncKernelFunc, KernelConfig, KernelFunc } from './engine.js';
export { HostBackend, HostStorage } from './backend.js';
export type { KernelBackend, TensorStorage } from './backend.js';
export { axisGeometry } from './reference/window.js';
export * from './kernel_names.js';
