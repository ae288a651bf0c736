import { NotImplementedError, ValueError } from '../errors.js';
import type { KernelBackend, TensorStorage } from './backend.js';
import type { RingTensor } from './ring_tensor.js';

/**
 * A kernel body: reads input tensors and attributes, returns a new tensor.
 * @example
 * ```ts
 * const negRef: KernelFunc = ([x]) => ring.neg(x); // a kernel body
 * ```
 */
export type KernelFunc = (inputs: RingTensor[], attrs: any, backend: KernelBackend) => RingTensor;
/**
 * The asynchronous form of a kernel: it runs off the event loop and settles a promise.
 * @example
 * ```ts
 * const matMulAsync: AsyncKernelFunc = async ([a, b], attrs) => runKernel('MatMul', [a, b], attrs);
 * ```
 */
export type AsyncKernelFunc = (inputs: RingTensor[], attrs: any, backend: KernelBackend) => Promise<RingTensor>;

/**
 * A kernel registration, tfjs-style: one body per `(kernelName, backendName)`.
 * @example
 * ```ts
 * registerKernel({ kernelName: 'Add', backendName: 'reference', kernelFunc: addRef });
 * ```
 */
export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFunc;
  /** Optional asynchronous form for long kernels (matmul, conv2d, large elementwise, PRG). */
  kernelFuncAsync?: AsyncKernelFunc;
}

interface BackendEntry { factory: () => KernelBackend; priority: number; instance?: KernelBackend; failed?: boolean }

const backends = new Map<string, BackendEntry>();
const kernels = new Map<string, KernelConfig>();
let active: KernelBackend | undefined;

const key = (kernel: string, backend: string) => `${backend}/${kernel}`;

/**
 * Registers a backend factory. The highest-priority backend whose factory succeeds becomes the
 * default. A factory that throws is skipped (with the warning its module prints).
 * @example
 * ```ts
 * registerBackend('native', () => new NativeBackend(), 2);
 * ```
 */
export function registerBackend(name: string, factory: () => KernelBackend, priority: number): void {
  backends.set(name, { factory, priority });
}

/**
 * Registers a kernel for a backend; a later registration replaces an earlier one.
 * @example
 * ```ts
 * registerKernel({ kernelName: 'Neg', backendName: 'reference', kernelFunc: ([x]) => ring.neg(x) });
 * ```
 */
export function registerKernel(config: KernelConfig): void {
  kernels.set(key(config.kernelName, config.backendName), config);
}

/**
 * The registered kernel, or undefined.
 * @example
 * ```ts
 * getKernel('MatMul', 'native')?.kernelFunc; // undefined when not registered
 * ```
 */
export function getKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  return kernels.get(key(kernelName, backendName));
}

function instantiate(name: string): KernelBackend | undefined {
  const entry = backends.get(name);
  if (!entry || entry.failed) return undefined;
  if (!entry.instance) {
    try {
      entry.instance = entry.factory();
    } catch {
      entry.failed = true;
      return undefined;
    }
  }
  return entry.instance;
}

/**
 * Names of registered backends that could be created, highest priority first.
 * @example
 * ```ts
 * availableBackends(); // e.g. ['native', 'reference']
 * ```
 */
export function availableBackends(): string[] {
  return [...backends.entries()]
    .sort((a, b) => b[1].priority - a[1].priority)
    .map(([name]) => name)
    .filter((name) => instantiate(name) !== undefined);
}

/**
 * Selects the backend for ring kernels: `native`, `reference`, or `cuda` where built.
 * @example
 * ```ts
 * setBackend('reference'); // the pure-TypeScript oracle
 * ```
 */
export function setBackend(name: string): void {
  const b = instantiate(name);
  if (!b) {
    throw new ValueError(`backend \`${name}\` is not available; available: [${availableBackends().join(', ')}]`);
  }
  active = b;
}

/**
 * The active backend (the highest-priority available one unless `setBackend` chose).
 * @example
 * ```ts
 * getBackend().name; // 'native' when the addon is built
 * ```
 */
export function getBackend(): KernelBackend {
  if (!active) {
    const name = availableBackends()[0];
    if (!name) throw new NotImplementedError('no ring backend could be created');
    active = instantiate(name)!;
  }
  return active;
}

/**
 * Returns the instance of a named backend, creating it if needed.
 * @example
 * ```ts
 * findBackend('reference')?.name; // 'reference'
 * ```
 */
export function findBackend(name: string): KernelBackend | undefined {
  return instantiate(name);
}

/** The backend that owns a storage object's kind (the active one when it matches). */
export function getBackendForStorage(storage: TensorStorage): KernelBackend {
  const b = getBackend();
  if (b.storageKind === storage.kind) return b;
  for (const name of backends.keys()) {
    const inst = backends.get(name)!.instance;
    if (inst && inst.storageKind === storage.kind) return inst;
  }
  throw new ValueError(`no backend owns storage of kind \`${storage.kind}\``);
}

function lookup(kernelName: string, backend: KernelBackend): KernelConfig {
  const k = kernels.get(key(kernelName, backend.name));
  if (!k) throw new NotImplementedError(`kernel \`${kernelName}\` is not registered for backend \`${backend.name}\``);
  return k;
}

/** Moves inputs whose storage another backend owns (e.g. host → cuda). */
function localize(inputs: RingTensor[], backend: KernelBackend): RingTensor[] {
  return inputs.map((t) => {
    if (t.storage.kind === backend.storageKind) return t;
    const host = t.values();
    const Ctor = t.constructor as new (...a: unknown[]) => RingTensor;
    return new Ctor(t.shape, t.dtype, backend.upload(host, t.dtype), t.modulus);
  });
}

/**
 * Runs a kernel on the active backend (or on `backendName`), blocking until it is done.
 * Front-door ops in `ops/` validate arguments first; kernels assume valid input.
 * @example
 * ```ts
 * const c = runKernel('Add', [a, b], {});
 * ```
 */
export function runKernel(kernelName: string, inputs: RingTensor[], attrs: object = {}, backendName?: string): RingTensor {
  const backend = backendName ? requireBackend(backendName) : getBackend();
  return lookup(kernelName, backend).kernelFunc(localize(inputs, backend), attrs, backend);
}

/**
 * Runs a kernel without blocking the event loop where the backend has an asynchronous form;
 * otherwise runs the synchronous form.
 * @example
 * ```ts
 * const c = await runKernelAsync('MatMul', [a, b], { transposeA: false, transposeB: false });
 * ```
 */
export async function runKernelAsync(kernelName: string, inputs: RingTensor[], attrs: object = {}, backendName?: string): Promise<RingTensor> {
  const backend = backendName ? requireBackend(backendName) : getBackend();
  const k = lookup(kernelName, backend);
  const local = localize(inputs, backend);
  return k.kernelFuncAsync ? k.kernelFuncAsync(local, attrs, backend) : k.kernelFunc(local, attrs, backend);
}

function requireBackend(name: string): KernelBackend {
  const b = instantiate(name);
  if (!b) throw new ValueError(`backend \`${name}\` is not available; available: [${availableBackends().join(', ')}]`);
  return b;
}
