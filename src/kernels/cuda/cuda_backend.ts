/**
 * The `cuda` backend's storage and transfers: tensors live in device memory behind handles and
 * reach the host only through an explicit download (`values()` / `data()`). A device buffer
 * may back several tensors (Reshape shares it), so it is reference-counted: `dispose()` frees
 * device memory when the last tensor using it lets go; handles no tensor reaches are freed by
 * the garbage collector (the addon reports device bytes to V8 so collection keeps up).
 */
import { ValueError } from '../../errors.js';
import type { KernelBackend, TensorStorage } from '../backend.js';
import type { DType, HostArray } from '../dtype.js';
import { RingTensor } from '../ring_tensor.js';
import type { DeviceBinding, DeviceHandle } from './binding.js';

/** A device allocation shared by the storages of tensors that alias it. */
class DeviceBuffer {
  refs = 1;
  constructor(readonly handle: DeviceHandle, readonly byteLength: number) {}
}

/**
 * Tensor elements in device memory.
 * @example
 * ```ts
 * const s = backend.upload(new BigUint64Array([1n, 2n]), 'u64') as DeviceStorage;
 * s.byteLength; // 16
 * ```
 */
export class DeviceStorage implements TensorStorage {
  released = false;
  constructor(readonly kind: string, readonly buffer: DeviceBuffer) {}
  get byteLength(): number { return this.buffer.byteLength; }
}

/**
 * A device backend over a {@link DeviceBinding}: the real CUDA addon (`cuda`), or in tests an
 * emulated device with the same surface.
 * @example
 * ```ts
 * const be = new CudaBackend('cuda', loadCudaBinding());
 * const t = new RingTensor([2], 'u64', be.upload(new BigUint64Array([1n, 2n]), 'u64'));
 * ```
 */
export class CudaBackend implements KernelBackend {
  readonly storageKind: string;

  constructor(readonly name: string, readonly device: DeviceBinding) {
    this.storageKind = `device:${name}`;
  }

  upload(values: HostArray, _dtype: DType): TensorStorage {
    return this.adopt(this.device.upload(values), values.byteLength);
  }

  download(storage: TensorStorage): HostArray {
    return this.device.download(this.handleOf(storage));
  }

  downloadAsync(storage: TensorStorage): Promise<HostArray> {
    return this.device.downloadAsync(this.handleOf(storage));
  }

  release(storage: TensorStorage): void {
    const s = storage as DeviceStorage;
    if (s.released) return;
    s.released = true;
    if (--s.buffer.refs === 0) this.device.free(s.buffer.handle);
  }

  /** Storage for a handle a kernel just returned. */
  adopt(handle: DeviceHandle, byteLength: number): DeviceStorage {
    return new DeviceStorage(this.storageKind, new DeviceBuffer(handle, byteLength));
  }

  /** A second storage over the same device buffer (Reshape). */
  share(storage: TensorStorage): DeviceStorage {
    const s = storage as DeviceStorage;
    this.handleOf(s);
    s.buffer.refs++;
    return new DeviceStorage(this.storageKind, s.buffer);
  }

  /** The live device handle of a storage; a released one is a ValueError. */
  handleOf(storage: TensorStorage): DeviceHandle {
    const s = storage as DeviceStorage;
    if (s.released) throw new ValueError('the tensor was disposed: its device memory is released');
    return s.buffer.handle;
  }

  /** Wraps a kernel's output handle as a tensor of `shape` in the given ring. */
  wrap(shape: readonly number[], dtype: DType, modulus: number | undefined, handle: DeviceHandle): RingTensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const storage = this.adopt(handle, n * (dtype === 'u64' ? 8 : 1));
    return new RingTensor([...shape], dtype, storage, dtype === 'u64' ? undefined : modulus);
  }
}
