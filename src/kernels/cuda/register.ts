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
import { registerBackend, registerKernel } from '../engine.js';
import { PERMUTE_LAST_AXIS } from '../kernel_names.js';
import { permuteLastAxis } from '../shared/permute_last_axis.js';
import { type DeviceBinding, loadCudaBinding } from './binding.js';
import { CudaBackend } from './cuda_backend.js';
import { type CudaKernel, elementwiseKernels } from './elementwise.js';
import { layoutKernels } from './layout.js';

/** Every kernel of the contract on a device backend (PermuteLastAxis through the host). */
export const deviceKernels: Record<string, CudaKernel> = {
  ...elementwiseKernels,
  ...layoutKernels,
  [PERMUTE_LAST_AXIS]: ([x, keys], _attrs, be) => permuteLastAxis(x, keys, be),
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
