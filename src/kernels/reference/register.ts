/**
 * Registers the `reference` backend (priority 1) and every reference kernel. Importing this
 * module is enough; the native backend (priority 2) takes over where its addon loads.
 * @example
 * ```ts
 * import './reference/register.js';
 * runKernel('Add', [a, b], {}, 'reference');
 * ```
 */
import { registerBackend, registerKernel } from '../engine.js';
import { bitKernels } from './bits.js';
import { compareKernels } from './compare.js';
import { convKernels } from './conv.js';
import { creationKernels } from './creation.js';
import { elementwiseKernels } from './elementwise.js';
import { fusedPondKernels } from './fused_pond.js';
import { layoutKernels } from './layout.js';
import { matmulKernels } from './matmul.js';
import { prgKernels } from './prg_uniform.js';
import { oddRingKernels } from './odd_ring.js';
import { bitPackKernels } from './bit_pack.js';
import { dcfKernels } from './dcf.js';
import { privateCompareKernels } from './private_compare.js';
import { reduceKernels } from './reduce.js';
import { ReferenceBackend } from './reference_backend.js';
import '../ops/infer_fused.js';

registerBackend('reference', () => new ReferenceBackend(), 1);

const ALL = [
  elementwiseKernels, compareKernels, bitKernels, creationKernels, layoutKernels,
  reduceKernels, matmulKernels, convKernels, prgKernels, fusedPondKernels,
  privateCompareKernels, oddRingKernels, bitPackKernels, dcfKernels,
];
for (const k of ALL.flat()) registerKernel({ ...k, backendName: 'reference' });
