/**
 * Shape inference for every kernel of the contract (`kernel_names.ts`): validates inputs and
 * attributes exactly as the kernels expect them (canonical attributes: axes in [0, rank),
 * explicit sizes, absent booleans read as false) and returns the output's shape and ring.
 * The front-door ops and the runtime (which plans on the driver, without values) both use it,
 * so validation lives in one place.
 */
import { NotImplementedError, ValueError } from '../../errors.js';
import { normalizeRing, type RingSpec } from '../dtype.js';
import { ELEMENTWISE_RULES, type Rule } from './infer_elementwise.js';
import { LAYOUT_RULES } from './infer_layout.js';
import { fmtShape } from './validate.js';

const RULES: Record<string, Rule> = { ...ELEMENTWISE_RULES, ...LAYOUT_RULES };

/** Input names of each kernel, for arity checks and messages ('...' = one or more). */
const INPUTS: Record<string, string[]> = {
  Neg: ['x'], BitwiseNot: ['x'], ShiftLeft: ['x'], ShiftRightLogical: ['x'], ShiftRightArithmetic: ['x'],
  BitExtract: ['x'], BitDecompose: ['x'], Cast: ['x'], OneHot: ['x'], Transpose: ['x'], Reshape: ['x'],
  Slice: ['x'], Pad: ['x'], Gather: ['x'], Tile: ['x'], ReduceSum: ['x'], CumSum: ['x'], Im2Col: ['x'],
  Col2Im: ['cols'], Select: ['cond', 'a', 'b'], Conv2D: ['x', 'w'], Fill: [], PrgUniform: [], Concat: ['...'],
};
const inputNames = (k: string) => INPUTS[k] ?? ['a', 'b']; // binary and comparison kernels

/** Names of all kernels that shape inference knows. @example `knownKernels().includes('MatMul') // true` */
export function knownKernels(): string[] {
  return Object.keys(RULES);
}

/**
 * Validates a kernel call and computes its output's shape and ring, without running it.
 * Throws `ValueError` naming the offending argument, or `NotImplementedError` for an unknown
 * kernel.
 * @example
 * ```ts
 * inferOutput('MatMul', [{ shape: [2, 3], ring: U64 }, { shape: [3, 4], ring: U64 }],
 *   { transposeA: false, transposeB: false }); // { shape: [2, 4], ring: { dtype: 'u64' } }
 * ```
 */
export function inferOutput(kernelName: string, inputs: { shape: readonly number[]; ring: RingSpec }[], attrs: object = {}): { shape: number[]; ring: RingSpec } {
  const rule = RULES[kernelName];
  if (!rule) throw new NotImplementedError(`kernel \`${kernelName}\` is not in the kernel contract`);
  const names = inputNames(kernelName);
  const variadic = names[0] === '...';
  if (variadic ? inputs.length < 1 : inputs.length !== names.length) {
    const want = variadic ? 'at least 1 input' : `${names.length} input(s) (${names.map((n) => `\`${n}\``).join(', ')})`;
    throw new ValueError(`kernel \`${kernelName}\` takes ${want}, got ${inputs.length}`);
  }
  inputs.forEach((t, i) => {
    const name = variadic ? `xs[${i}]` : names[i];
    if (!Array.isArray(t.shape) || !t.shape.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new ValueError(`\`${name}\` must have a shape of non-negative integers, got ${fmtShape(t.shape ?? [])}`);
    }
    normalizeRing(t.ring);
  });
  const out = rule(inputs.map((t) => ({ shape: t.shape, ring: normalizeRing(t.ring) })), attrs ?? {});
  return { shape: [...out.shape], ring: normalizeRing(out.ring) };
}

// ---- extension hook (added for SecureNN's kernels; keep it small) ----------------------------

/**
 * Registers shape inference for a kernel defined outside `kernel_names.ts` (e.g. SecureNN's
 * `PermuteLastAxis`), so the driver and players validate it like any contract kernel.
 * @example
 * ```ts
 * registerOutputInference('PermuteLastAxis', ['x', 'keys'], ([x]) => ({ shape: [...x.shape], ring: x.ring }));
 * ```
 */
export function registerOutputInference(kernelName: string, inputs: string[], rule: Rule): void {
  RULES[kernelName] = rule;
  INPUTS[kernelName] = inputs;
}
