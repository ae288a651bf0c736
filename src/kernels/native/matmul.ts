/** `MatMul`: batched with broadcast batch dims and transposes; async form off the event loop. */
import type { HostArray } from '../dtype.js';
import type { MatMulAttrs } from '../kernel_names.js';
import type { RingTensor } from '../ring_tensor.js';
import type { NativeKernel } from './binary.js';
import { loadBinding } from './binding.js';
import { takeOutput } from './out_cache.js';
import { host, matmulPlan, modCode, wrap } from './util.js';

function call([a, b]: RingTensor[], at: MatMulAttrs, async: boolean): [number[], HostArray | Promise<HostArray>] {
  const { M, K, N, batch, sa, sb } = matmulPlan(a, b, at);
  const out = takeOutput(a.dtype === 'u64', batch.reduce((x, d) => x * d, M * N));
  const v = loadBinding().matmul(host(a), host(b), batch, sa, sb, M, K, N, !!at.transposeA, !!at.transposeB, modCode(a), async, out);
  return [[...batch, M, N], v];
}

/** The matmul kernel. @example `matmulKernels[0].kernelName // 'MatMul'` */
export const matmulKernels: NativeKernel[] = [
  {
    kernelName: 'MatMul',
    kernelFunc: (inputs, attrs: MatMulAttrs, be) => {
      const [shape, v] = call(inputs, attrs, false);
      return wrap(be, shape, inputs[0].dtype, inputs[0].modulus, v as HostArray);
    },
    kernelFuncAsync: async (inputs, attrs: MatMulAttrs, be) => {
      const [shape, v] = call(inputs, attrs, true);
      return wrap(be, shape, inputs[0].dtype, inputs[0].modulus, await v);
    },
  },
];
