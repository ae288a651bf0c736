/**
 * Shape inference for the packed boolean-circuit kernel `BitUnzipPack` (see kernel_names.ts):
 * a rank-1 u64 input of m words gives ceil(m/2) words.
 * @internal
 */
import { ValueError } from '../../errors.js';
import { ringName } from '../dtype.js';
import { BIT_UNZIP_PACK } from '../kernel_names.js';
import { registerOutputInference } from '../ops/infer_output.js';

registerOutputInference(BIT_UNZIP_PACK, ['x'], ([x]) => {
  if (x.ring.dtype !== 'u64' || x.shape.length !== 1) {
    throw new ValueError(`\`x\` of ${BIT_UNZIP_PACK} must be a rank-1 u64 tensor, got [${x.shape.join(',')}] ${ringName(x.ring)}`);
  }
  return { shape: [Math.ceil(x.shape[0] / 2)], ring: x.ring };
});
