/**
 * The runtime's one door into the kernels package (DESIGN.md §3; lint enforces it): importing
 * the kernels barrel registers the backends and their kernels, so a `tfe player` process can
 * run them, and this file re-exports exactly what the runtime uses: ring tensors and specs, the
 * kernel engine, host storage, and `inferOutput`, which gives the driver output shapes without
 * waiting for players.
 *
 * @example
 * ```ts
 * const { shape, ring } = inferOutput('Add', [{ shape: [2], ring: U64 }, { shape: [2], ring: U64 }], {});
 * ```
 */
export {
  HostStorage, RingTensor, bytesPerElement, getBackend, inferOutput, normalizeRing, ringName, runKernel, runKernelAsync, sameRing,
} from '../kernels/index.js';
export type { HostArray, KernelAttrMap, KernelAttrsArg, KernelName, RingSpec } from '../kernels/index.js';
