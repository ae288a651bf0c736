/**
 * Registers the `cuda` ring backend (priority 3, above `native`) and all its kernels. The
 * backend's factory succeeds only when the CUDA addon was built (`TFE_CUDA=1 npm install`) AND
 * a device answers; then it becomes the default by priority and says so once on stderr.
 * Otherwise the engine silently keeps `native` (with TFE_CUDA=1 set, the reason is printed).
 * @example
 * ```ts
 * import './cuda/register.js';
 * setBackend('cuda'); // ValueError listing the available backends where there is no GPU
 * ```
 */
import { availableBackends, registerBackend, registerKernel, runKernel } from '../engine.js';
import {
  ADD_MOD_ODD, ADD_N, BIT_DECOMPOSE_SUB, DCF_EVAL, DCF_GEN, BIT_UNPACK_TREE, BIT_UNZIP_PACK, LANE_PACK, PERMUTE_LAST_AXIS, SIGN_BITS_TREE, POND_LEAVES, POND_PREFIX_COMBINE, POND_PREFIX_DEAL, POND_PREFIX_MASK, PREFIX_NEXT_G, PREFIX_NEXT_P,
  PREFIX_TERMS, PRIVATE_COMPARE_MASK, PRIVATE_COMPARE_ZERO_TEST, SIGN_LEAF_TERMS, TRUNC_DEAL_LOW, TRUNC_DEAL_MSB, TRUNC_DEAL_STACKED, TRUNC_FINISH, TRUNC_FINISH_STACKED, TRUNC_MASK,
} from '../kernel_names.js';
import { RingTensor } from '../ring_tensor.js';
import { permuteLastAxis } from '../shared/permute_last_axis.js';
import { type DeviceBinding, loadCudaBinding } from './binding.js';
import { CudaBackend } from './cuda_backend.js';
import { type CudaKernel, elementwiseKernels } from './elementwise.js';
import { layoutKernels } from './layout.js';

/**
 * A kernel that has no device body yet: its inputs are downloaded, the host backend runs it
 * (`native`, or `reference` without the addon), and the result is uploaded. Used for the
 * protocols' fused elementwise kernels; exact, but each call pays the two transfers.
 */
function viaHost(kernelName: string): CudaKernel {
  return (inputs, attrs, be) => {
    const out = runKernel(kernelName, inputs, attrs, availableBackends().includes('native') ? 'native' : 'reference');
    return new RingTensor([...out.shape], out.dtype, be.upload(out.values(), out.dtype), out.modulus);
  };
}

/** The protocols' fused kernels, run through the host for now (see {@link viaHost}). */
const HOST_FUSED = [ADD_N, TRUNC_DEAL_LOW, TRUNC_DEAL_MSB, TRUNC_FINISH, TRUNC_MASK, TRUNC_DEAL_STACKED, TRUNC_FINISH_STACKED, PRIVATE_COMPARE_MASK, PRIVATE_COMPARE_ZERO_TEST, BIT_DECOMPOSE_SUB, ADD_MOD_ODD, BIT_UNZIP_PACK,
  PREFIX_TERMS, PREFIX_NEXT_G, PREFIX_NEXT_P, BIT_UNPACK_TREE, SIGN_BITS_TREE, SIGN_LEAF_TERMS, LANE_PACK, POND_LEAVES, POND_PREFIX_MASK, POND_PREFIX_COMBINE, POND_PREFIX_DEAL, DCF_GEN, DCF_EVAL];

/** Every kernel of the contract on a device backend (PermuteLastAxis and the fused kernels through the host). */
export const deviceKernels: Record<string, CudaKernel> = {
  ...elementwiseKernels,
  ...layoutKernels,
  [PERMUTE_LAST_AXIS]: ([x, keys], _attrs, be) => permuteLastAxis(x, keys, be),
  ...Object.fromEntries(HOST_FUSED.map((k) => [k, viaHost(k)])),
};

/**
 * Registers a device backend named `name` over the binding `device()` returns, with every
 * kernel in {@link deviceKernels}. The real `cuda` backend is registered this way below; tests
 * register an emulated device the same way to check the TypeScript side on any machine.
 * @example
 * ```ts
 * registerDeviceBackend('cuda', () => loadCudaBinding(), 3);
 * ```
 */
export function registerDeviceBackend(name: string, device: () => DeviceBinding, priority: number): void {
  registerBackend(name, () => new CudaBackend(name, device()), priority);
  for (const [kernelName, body] of Object.entries(deviceKernels)) {
    registerKernel({ kernelName, backendName: name, kernelFunc: (inputs, attrs, be) => body(inputs, attrs, be as CudaBackend) });
  }
}

let told = false;

function tell(line: string): void {
  if (!told) process.stderr.write(`tfe-js: ${line}\n`);
  told = true;
}

registerDeviceBackend('cuda', () => {
  try {
    const dev = loadCudaBinding();
    const info = dev.deviceInfo();
    tell(`cuda ring backend on ${info.name} (sm_${info.major}${info.minor}); it takes priority over native`);
    return dev;
  } catch (e) {
    if (process.env.TFE_CUDA === '1') {
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      tell(`cuda ring backend unavailable (${reason}); using the CPU backends`);
    }
    throw e;
  }
}, 3);
