/**
 * The one path from a front-door op to a kernel: check the arguments are ring tensors,
 * validate with {@link inferOutput}, run, and check the backend honoured the inferred shape.
 */
import { TfeError, ValueError } from '../../errors.js';
import { ringName, sameRing } from '../dtype.js';
import { runKernel, runKernelAsync } from '../engine.js';
import { RingTensor } from '../ring_tensor.js';
import { inferOutput } from './infer_output.js';
import { fmtShape } from './validate.js';

/**
 * Throws unless `t` is a RingTensor.
 * @example
 * ```ts
 * checkTensor('a', 3); // ValueError: `a` must be a RingTensor, got number
 * ```
 */
export function checkTensor(name: string, t: unknown): RingTensor {
  if (!(t instanceof RingTensor)) {
    const found = t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t;
    throw new ValueError(`\`${name}\` must be a RingTensor, got ${found}`);
  }
  return t;
}

function validate(kernelName: string, inputs: RingTensor[], attrs: object) {
  return inferOutput(kernelName, inputs.map((t) => ({ shape: t.shape, ring: t.ring })), attrs);
}

function checkResult(kernelName: string, out: RingTensor, want: ReturnType<typeof inferOutput>): RingTensor {
  const same = out.shape.length === want.shape.length && out.shape.every((n, i) => n === want.shape[i]);
  if (!same || !sameRing(out.ring, want.ring)) {
    throw new TfeError(`backend bug: kernel \`${kernelName}\` returned ${ringName(out.ring)} ${fmtShape(out.shape)}, expected ${ringName(want.ring)} ${fmtShape(want.shape)}`, 'ERR_BACKEND');
  }
  return out;
}

/**
 * Runs any contract kernel on the active backend after validating its inputs and attributes.
 * @example
 * ```ts
 * const c = ring.op('MatMul', [a, b], { transposeA: false, transposeB: false });
 * ```
 */
export function op(kernelName: string, inputs: RingTensor[], attrs: object = {}): RingTensor {
  inputs.forEach((t, i) => checkTensor(`inputs[${i}]`, t));
  const want = validate(kernelName, inputs, attrs);
  return checkResult(kernelName, runKernel(kernelName, inputs, attrs), want);
}

/**
 * Like {@link op}, without blocking the event loop where the backend has an asynchronous form.
 * @example
 * ```ts
 * const c = await ring.opAsync('MatMul', [a, b], { transposeA: false, transposeB: false });
 * ```
 */
export async function opAsync(kernelName: string, inputs: RingTensor[], attrs: object = {}): Promise<RingTensor> {
  inputs.forEach((t, i) => checkTensor(`inputs[${i}]`, t));
  const want = validate(kernelName, inputs, attrs);
  return checkResult(kernelName, await runKernelAsync(kernelName, inputs, attrs), want);
}

/**
 * Normalises a possibly negative axis (tfjs style: −1 is the last axis).
 * @example
 * ```ts
 * normalizeAxis('axis', -1, 3); // 2
 * normalizeAxis('axis', 3, 3);  // ValueError: `axis` must be in [-3, 3) ...
 * ```
 */
export function normalizeAxis(name: string, axis: unknown, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ValueError(`\`${name}\` must be an integer in [${-rank}, ${rank}) for a rank-${rank} tensor, got ${String(axis)}`);
  }
  return axis < 0 ? axis + rank : axis;
}
