/**
 * Comparisons of public values (`Less`, ..., `NotEqual`) and `Select`. Comparisons broadcast
 * and return bits (u8 mod 2); `signed` reads u64 as two's complement, u8 compares unsigned.
 */
import type { CompareAttrs } from '../kernel_names.js';
import type { KernelBackend } from '../backend.js';
import { BITS } from '../dtype.js';
import type { RingTensor } from '../ring_tensor.js';
import type { RefKernel } from './reference_backend.js';
import { broadcastMap, broadcastShapes, output, sizeOf, signed } from './util.js';

const COMPARE: Record<string, (a: bigint, b: bigint) => boolean> = {
  Less: (a, b) => a < b,
  LessEqual: (a, b) => a <= b,
  Greater: (a, b) => a > b,
  GreaterEqual: (a, b) => a >= b,
  Equal: (a, b) => a === b,
  NotEqual: (a, b) => a !== b,
};

/** Element i of a tensor's values as a bigint, signed when asked (u64 only). */
function reader(t: RingTensor, asSigned: boolean): (i: number) => bigint {
  const v = t.values();
  if (t.dtype === 'u8') return (i) => BigInt(v[i]);
  return asSigned ? (i) => signed(v[i] as bigint) : (i) => v[i] as bigint;
}

function compare(name: string, a: RingTensor, b: RingTensor, attrs: CompareAttrs, be: KernelBackend): RingTensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const [ia, ib] = [broadcastMap(shape, a.shape), broadcastMap(shape, b.shape)];
  const [x, y, f] = [reader(a, attrs.signed), reader(b, attrs.signed), COMPARE[name]];
  const out = new Uint8Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = f(x(ia[i]), y(ib[i])) ? 1 : 0;
  return output(be, shape, BITS, out);
}

function select(cond: RingTensor, a: RingTensor, b: RingTensor, be: KernelBackend): RingTensor {
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
  const [ic, ia, ib] = [cond, a, b].map((t) => broadcastMap(shape, t.shape));
  const [c, x, y] = [cond.values(), a.values(), b.values()];
  const out = a.dtype === 'u64' ? new BigUint64Array(sizeOf(shape)) : new Uint8Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = c[ic[i]] ? x[ia[i]] : y[ib[i]];
  return output(be, shape, a.ring, out);
}

/** The comparison and select reference kernels. @example `compareKernels.length // 7` */
export const compareKernels: RefKernel[] = [
  ...Object.keys(COMPARE).map((kernelName) => ({
    kernelName,
    kernelFunc: ([a, b]: RingTensor[], attrs: CompareAttrs, be: KernelBackend) => compare(kernelName, a, b, attrs, be),
  })),
  { kernelName: 'Select', kernelFunc: ([c, a, b], _attrs, be) => select(c, a, b, be) },
];
