/**
 * Registers the kernels whose one TypeScript body serves both host backends (`PermuteLastAxis`),
 * with their shape inference. Imported by the kernels barrel, so every player has them.
 * @example
 * ```ts
 * import './kernels/register.js';
 * ```
 */
import { ValueError } from '../../errors.js';
import { U64 } from '../dtype.js';
import { registerKernel } from '../engine.js';
import { PERMUTE_LAST_AXIS } from '../kernel_names.js';
import { registerOutputInference } from '../ops/infer_output.js';
import { permuteLastAxis } from './permute_last_axis.js';
import './securenn_infer.js';
import './bit_pack_infer.js';
import './dcf_infer.js';

for (const backendName of ['reference', 'native']) {
  registerKernel({ kernelName: PERMUTE_LAST_AXIS, backendName, kernelFunc: ([x, keys], _attrs, backend) => permuteLastAxis(x, keys, backend) });
}

registerOutputInference(PERMUTE_LAST_AXIS, ['x', 'keys'], ([x, keys]) => {
  if (keys.ring.dtype !== U64.dtype) throw new ValueError('`keys` of PermuteLastAxis must be u64');
  if (x.shape.length < 1 || x.shape.length !== keys.shape.length || x.shape.some((d, i) => d !== keys.shape[i])) {
    throw new ValueError(`\`keys\` of PermuteLastAxis must have the shape of \`x\` (rank ≥ 1), got [${keys.shape.join(',')}] and [${x.shape.join(',')}]`);
  }
  if (x.shape[x.shape.length - 1] > 1 << 20) throw new ValueError(`PermuteLastAxis: last axis of ${x.shape[x.shape.length - 1]} exceeds 2^20`);
  return { shape: [...x.shape], ring: x.ring };
});
