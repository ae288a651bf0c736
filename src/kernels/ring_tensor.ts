import type { TensorStorage } from './backend.js';
import type { DType, HostArray, RingSpec } from './dtype.js';
import { getBackendForStorage } from './engine.js';

/**
 * An immutable tensor over Z_2^64 (`u64`) or a small ring Z_m (`u8`). The elements live in
 * backend storage: a typed array on the host, or device memory behind a handle. `values()`
 * gives host values (downloading if needed); protocols hold ring tensors only on players.
 *
 * @example
 * ```ts
 * const t = ring.fromBigInts([1n, 2n, 3n], [3]);
 * t.shape;    // [3]
 * t.values(); // BigUint64Array [1n, 2n, 3n]
 * ```
 */
export class RingTensor {
  /** Number of elements. */
  readonly size: number;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly storage: TensorStorage,
    /** Modulus of a `u8` tensor; undefined for `u64`. */
    readonly modulus?: number,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /** Rank (number of dimensions). */
  get rank(): number { return this.shape.length; }

  /** The ring of this tensor. */
  get ring(): RingSpec { return this.dtype === 'u64' ? { dtype: 'u64' } : { dtype: 'u8', modulus: this.modulus }; }

  /** Host values, row-major (downloads from a device backend; free on host backends). */
  values(): HostArray {
    return getBackendForStorage(this.storage).download(this.storage, this.dtype);
  }

  /** Host values without blocking the event loop. */
  data(): Promise<HostArray> {
    return getBackendForStorage(this.storage).downloadAsync(this.storage, this.dtype);
  }

  /** Releases device memory early. Host tensors are garbage-collected. */
  dispose(): void {
    getBackendForStorage(this.storage).release(this.storage);
  }

  /** A description without values, e.g. `RingTensor(u64, shape=[2,3])`. */
  toString(): string {
    const r = this.dtype === 'u64' ? 'u64' : `u8 mod ${this.modulus}`;
    return `RingTensor(${r}, shape=[${this.shape.join(',')}])`;
  }
}
