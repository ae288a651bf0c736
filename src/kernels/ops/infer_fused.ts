/**
 * Shape inference for the fused Pond kernels (`AddN`, `TruncDealLow`, `TruncDealMsb`,
 * `TruncFinish`, and the stacked truncation's `TruncMask`, `TruncDealStacked`,
 * `TruncFinishStacked`; see kernel_names.ts), registered through the contract's extension hook so the
 * driver and every player validate them like any other kernel. Importing this module registers
 * the rules.
 * @example
 * ```ts
 * import './ops/infer_fused.js';
 * inferOutput('AddN', [{ shape: [2], ring: U64 }, { shape: [], ring: U64 }]); // { shape: [2], ... }
 * ```
 */
import { ValueError } from '../../errors.js';
import { U64 } from '../dtype.js';
import { ADD_N, TRUNC_DEAL_LOW, TRUNC_DEAL_MSB, TRUNC_DEAL_STACKED, TRUNC_FINISH, TRUNC_FINISH_STACKED, TRUNC_MASK } from '../kernel_names.js';
import { registerOutputInference } from './infer_output.js';
import { checkBool, checkInt, checkRing, fmtShape, isU64, sizeOf, type TensorInfo } from './validate.js';

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Checks that the named inputs are u64 and of one shape; rank-0 ones may broadcast when `scalars`. */
function commonShape(names: string[], inputs: TensorInfo[], scalars: boolean): number[] {
  inputs.forEach((t, i) => checkRing(names[i], t, isU64, 'u64'));
  const full = inputs.find((t) => !scalars || t.shape.length > 0) ?? inputs[0];
  inputs.forEach((t, i) => {
    if (!(scalars && t.shape.length === 0) && !sameShape(t.shape, full.shape)) {
      throw new ValueError(`\`${names[i]}\` must have shape ${fmtShape(full.shape)}${scalars ? ' or be rank 0' : ''}, got ${fmtShape(t.shape)}`);
    }
  });
  return [...full.shape];
}

registerOutputInference(ADD_N, ['...'], (xs) => ({ shape: commonShape(xs.map((_, i) => `xs[${i}]`), xs, true), ring: U64 }));

registerOutputInference(TRUNC_DEAL_LOW, ['r0', 'r1', 's'], (xs, attrs) => {
  checkInt('bits', attrs.bits, 1, 62);
  return { shape: commonShape(['r0', 'r1', 's'], xs, false), ring: U64 };
});

registerOutputInference(TRUNC_DEAL_MSB, ['r0', 'r1', 's'], (xs) => ({ shape: commonShape(['r0', 'r1', 's'], xs, false), ring: U64 }));

registerOutputInference(TRUNC_FINISH, ['cOwn', 'cOther', 't', 'm'], (xs, attrs) => {
  checkInt('bits', attrs.bits, 1, 62);
  checkBool('first', attrs.first);
  return { shape: commonShape(['cOwn', 'cOther', 't', 'm'], xs, false), ring: U64 };
});

/** Checks that `name` is a rank-1 u64 tensor of k·n elements for one k of `parts`. */
function stacked(name: string, t: TensorInfo, n: number, parts: readonly number[]): void {
  checkRing(name, t, isU64, 'u64');
  if (!(t.shape.length === 1 && parts.some((k) => k * n === t.shape[0]))) {
    throw new ValueError(`\`${name}\` must be rank 1 with ${parts.map((k) => k * n).join(' or ')} elements (${parts.join(' or ')} parts of ${n}), got ${fmtShape(t.shape)}`);
  }
}

registerOutputInference(TRUNC_MASK, ['x', 'r'], ([x, r], attrs) => {
  checkBool('first', attrs.first);
  checkRing('x', x, isU64, 'u64');
  stacked('r', r, sizeOf(x.shape), [1, 2, 3]);
  return { shape: [...x.shape], ring: U64 };
});

registerOutputInference(TRUNC_DEAL_STACKED, ['rtm', 'r1'], ([rtm, r1], attrs) => {
  checkInt('bits', attrs.bits, 1, 62);
  const n = commonShape(['r1'], [r1], false);
  if (n.length !== 1) throw new ValueError(`\`r1\` must be rank 1, got ${fmtShape(n)}`);
  stacked('rtm', rtm, n[0], [3]);
  return { shape: [2 * n[0]], ring: U64 };
});

registerOutputInference(TRUNC_FINISH_STACKED, ['cOwn', 'cOther', 'tm'], ([own, other, tm], attrs) => {
  checkInt('bits', attrs.bits, 1, 62);
  checkBool('first', attrs.first);
  const shape = commonShape(['cOwn', 'cOther'], [own, other], false);
  stacked('tm', tm, sizeOf(shape), [2, 3]);
  return { shape, ring: U64 };
});
