/**
 * Compile-time checks of the typed kernel surface (`tsc --noEmit`, run by `.ci/run`, fails
 * when a `@ts-expect-error` below stops being an error): a misspelt kernel, a missing required
 * attribute and an unknown attribute are type errors; valid calls are not.
 */
import type { Handle, Runtime } from '../../src/runtime/api.js';

export function typedKernelCalls(rt: Runtime, h: Handle): Handle[] {
  return [
    // @ts-expect-error a misspelt kernel name
    rt.op('server0', 'MatMull', [h, h]),
    // @ts-expect-error ShiftLeft requires its `bits` attribute
    rt.op('server0', 'ShiftLeft', [h]),
    // @ts-expect-error an attribute ShiftLeft does not have
    rt.op('server0', 'ShiftLeft', [h], { bitz: 3 }),
    // @ts-expect-error Add takes no attributes
    rt.op('server0', 'Add', [h, h], { axis: 0 }),
    rt.op('server0', 'ShiftLeft', [h], { bits: 3 }),
    rt.op('server0', 'Add', [h, h]),
    rt.op('server0', 'MatMul', [h, h]),
    rt.op('server0', 'MatMul', [h, h], { transposeB: true }),
  ];
}
