/** `PrgUniform`: uniform ring elements from the AES-128-CTR stream (see `../prg.ts`). */
import type { PrgUniformAttrs } from '../kernel_names.js';
import { prgValues } from '../prg.js';
import type { RefKernel } from './reference_backend.js';
import { output, ringOf, sizeOf } from './util.js';

/** The PRG reference kernel. @example `prgKernels[0].kernelName // 'PrgUniform'` */
export const prgKernels: RefKernel[] = [
  {
    kernelName: 'PrgUniform',
    kernelFunc: (_inputs, a: PrgUniformAttrs, be) => {
      const ring = ringOf(a.dtype, a.modulus);
      const values = prgValues(a.seed, a.nonce, a.offset, sizeOf(a.shape), a.dtype, ring.modulus);
      return output(be, a.shape, ring, values);
    },
  },
];
