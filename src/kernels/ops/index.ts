/**
 * The ring ops, tfjs-style typed front doors to the kernels of `kernel_names.ts`. Exported from
 * the kernels barrel as the `ring` namespace.
 * @example
 * ```ts
 * import { ring } from 'tfe-js/kernels';
 * const c = ring.matmul(ring.fromValues([1, 2, 3, 4], [2, 2]), ring.fromValues([5, 6, 7, 8], [2, 2]));
 * ```
 */
export * from './arithmetic.js';
export * from './creation.js';
export { inferOutput, knownKernels } from './infer_output.js';
export * from './layout.js';
export * from './linalg.js';
export { normalizeAxis, op, opAsync } from './run_op.js';
