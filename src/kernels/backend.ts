import type { DType, HostArray } from './dtype.js';

/**
 * Where a tensor's elements live, owned by one backend (like tfjs's dataId). Host backends
 * (`native`, `reference`) share {@link HostStorage}, so their tensors need no transfer between
 * them; a device backend (`cuda`) keeps its own storage behind a handle and downloads only on
 * request.
 * @example
 * ```ts
 * const storage: TensorStorage = ring.zeros([3], U64).storage;
 * ```
 */
export interface TensorStorage {
  /** The storage kind: `host` for typed arrays in this process, or a device kind. */
  readonly kind: string;
  /** Bytes held. */
  readonly byteLength: number;
}

/**
 * Elements in a typed array of this process. Immutable once a kernel returned it: kernels
 * always write fresh storage, so tensors may share one (reshape is free).
 * @example
 * ```ts
 * const s = new HostStorage(new BigUint64Array([1n, 2n]));
 * s.kind; // 'host'
 * ```
 */
export class HostStorage implements TensorStorage {
  readonly kind = 'host';
  #values: HostArray;
  constructor(values: HostArray) { this.#values = values; }
  get values(): HostArray { return this.#values; }
  get byteLength(): number { return this.#values.byteLength; }
  /**
   * Hands the array to a new owner (the native output cache) and leaves this storage empty, so
   * a stale tensor still pointing here reads zero elements instead of the new owner's data.
   */
  surrender(): HostArray {
    const v = this.#values;
    this.#values = v instanceof BigUint64Array ? new BigUint64Array(0) : new Uint8Array(0);
    return v;
  }
}

/**
 * A compute backend for ring tensors. Kernels are registered separately, by
 * `(kernelName, backendName)`; the backend owns storage and the transfers to and from the host.
 *
 * @example
 * ```ts
 * registerBackend('reference', () => new ReferenceBackend(), 1);
 * ```
 */
export interface KernelBackend {
  /** Registry name, e.g. `native`. */
  readonly name: string;
  /** The kind of storage the backend's kernels read and write. */
  readonly storageKind: string;
  /** Makes backend storage from host values (the array is adopted, not copied, where possible). */
  upload(values: HostArray, dtype: DType): TensorStorage;
  /** Copies storage to the host, blocking. */
  download(storage: TensorStorage, dtype: DType): HostArray;
  /** Copies storage to the host without blocking the event loop. */
  downloadAsync(storage: TensorStorage, dtype: DType): Promise<HostArray>;
  /** Releases device memory; a no-op for host storage. */
  release(storage: TensorStorage): void;
}

/**
 * Host-storage transfers, shared by the `native` and `reference` backends.
 * @example
 * ```ts
 * class MyBackend extends HostBackend { readonly name = 'mine'; }
 * ```
 */
export abstract class HostBackend implements KernelBackend {
  abstract readonly name: string;
  readonly storageKind = 'host';
  upload(values: HostArray): TensorStorage { return new HostStorage(values); }
  download(storage: TensorStorage): HostArray { return (storage as HostStorage).values; }
  downloadAsync(storage: TensorStorage): Promise<HostArray> { return Promise.resolve(this.download(storage)); }
  release(): void { /* garbage-collected */ }
}
