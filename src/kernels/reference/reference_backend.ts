import { HostBackend } from '../backend.js';
import type { KernelFunc } from '../engine.js';

/**
 * The `reference` backend: plain TypeScript over `BigUint64Array`/`Uint8Array`. It defines the
 * semantics of every kernel in `kernel_names.ts`; faster backends must match it bit for bit.
 * @example
 * ```ts
 * registerBackend('reference', () => new ReferenceBackend(), 1);
 * ```
 */
export class ReferenceBackend extends HostBackend {
  readonly name = 'reference';
}

/**
 * A reference kernel before registration (the backend name is added by `register.ts`).
 * @example
 * ```ts
 * const k: RefKernel = { kernelName: 'Neg', kernelFunc: ([x], _a, be) => negRef(x, be) };
 * ```
 */
export interface RefKernel { kernelName: string; kernelFunc: KernelFunc }
