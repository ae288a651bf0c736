/**
 * Registers the `native` ring backend (the C++ addon, priority 2) and all its kernels. When the
 * addon cannot load, one line goes to stderr and the backend's factory throws, so the engine
 * falls back to `reference`.
 * @example
 * ```ts
 * import './native/register.js';
 * setBackend('native');
 * ```
 */
import { HostBackend, type HostStorage, type TensorStorage } from '../backend.js';
import { registerBackend, registerKernel } from '../engine.js';
import { binaryKernels } from './binary.js';
import { loadBinding } from './binding.js';
import { bitKernels } from './bits.js';
import { compareKernels } from './compare.js';
import { convKernels } from './conv.js';
import { creationKernels } from './creation.js';
import { fusedPondKernels } from './fused_pond.js';
import { gatherKernels } from './gather.js';
import { joinKernels } from './join.js';
import { layoutKernels } from './layout.js';
import { matmulKernels } from './matmul.js';
import { prgKernels } from './prg_uniform.js';
import { oddRingKernels } from './odd_ring.js';
import { bitPackKernels } from './bit_pack.js';
import { dcfKernels } from './dcf.js';
import { keepOutput } from './out_cache.js';
import { privateCompareKernels } from './private_compare.js';
import { reduceKernels } from './reduce.js';
import { unaryKernels } from './unary.js';

/** The native backend: host storage, kernels in the addon. @example `new NativeBackend().name // 'native'` */
export class NativeBackend extends HostBackend {
  readonly name = 'native';
  /**
   * Hands a pooled output block back at once: to the output cache for the next output of its
   * size (the storage then reads as empty), or to the addon detached, so every view of it
   * reads as empty. Other buffers are left to the garbage collector. Callers must know that
   * nothing reads the storage any more (the runtime's storage_refs.ts).
   */
  override release(storage?: TensorStorage): void {
    if (!storage) return;
    const host = storage as HostStorage;
    const binding = loadBinding();
    if (!binding.pooled(host.values)) return; // not ours (another backend's, a view of a message): the GC frees it
    if (keepOutput(host.values)) host.surrender();
    else binding.recycle(host.values);
  }
}

let warned = false;

registerBackend('native', () => {
  try {
    loadBinding();
  } catch (e) {
    if (!warned) {
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      process.stderr.write(`tfe-js: native ring addon unavailable (${reason}); using the reference backend\n`);
      warned = true;
    }
    throw e;
  }
  return new NativeBackend();
}, 2);

const ALL = [
  binaryKernels, compareKernels, unaryKernels, bitKernels, layoutKernels, joinKernels, gatherKernels,
  reduceKernels, creationKernels, matmulKernels, convKernels, prgKernels,
  fusedPondKernels,
  privateCompareKernels, oddRingKernels, bitPackKernels, dcfKernels,
];
for (const k of ALL.flat()) registerKernel({ ...k, backendName: 'native' });
