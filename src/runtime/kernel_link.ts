/**
 * The runtime's one door into the kernels package: importing the kernels barrel registers
 * the backends and their kernels (so a `tfe player` process can run them), and `inferOutput`
 * gives the driver output shapes without waiting for players.
 *
 * @example
 * ```ts
 * const { shape, ring } = inferOutput('Add', [{ shape: [2], ring: U64 }, { shape: [2], ring: U64 }], {});
 * ```
 */
export { inferOutput } from '../kernels/index.js';
