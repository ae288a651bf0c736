import { ValueError } from '../errors.js';
import { U64, type RingTensor } from '../kernels/index.js';
import type { Handle, Runtime } from './runtime_link.js';

/** A plain value with its shape, flattened row-major to float64. */
export interface PlainArray { values: Float64Array; shape: number[] }

interface TensorLikeData { dataSync(): ArrayLike<number>; shape: number[] }

/**
 * Flattens a number, nested number array, typed array or tfjs tensor to float64 values with a
 * shape. A typed array is 1-D unless `shape` says otherwise.
 * @example
 * ```ts
 * toPlain([[1, 2], [3, 4]]); // { values: Float64Array [1, 2, 3, 4], shape: [2, 2] }
 * ```
 */
export function toPlain(value: unknown, shape?: readonly number[], what = 'value'): PlainArray {
  let out: PlainArray;
  if (typeof value === 'number') {
    out = { values: Float64Array.of(value), shape: [] };
  } else if (value instanceof Float64Array || value instanceof Float32Array || value instanceof Int32Array || value instanceof Uint8Array) {
    out = { values: Float64Array.from(value), shape: [value.length] };
  } else if (Array.isArray(value)) {
    const dims: number[] = [];
    for (let v: unknown = value; Array.isArray(v); v = v[0]) dims.push(v.length);
    const flat = (value as unknown[]).flat(Infinity) as unknown[];
    if (flat.length !== dims.reduce((a, b) => a * b, 1) || flat.some((v) => typeof v !== 'number')) {
      throw new ValueError(`\`${what}\` must be a rectangular array of numbers, got a ragged or non-numeric array`);
    }
    out = { values: Float64Array.from(flat as number[]), shape: dims };
  } else if (value && typeof (value as TensorLikeData).dataSync === 'function') {
    const t = value as TensorLikeData;
    out = { values: Float64Array.from(t.dataSync()), shape: [...t.shape] };
  } else {
    throw new ValueError(`\`${what}\` must be a number, array, typed array or tfjs tensor, got ${typeof value}`);
  }
  if (shape) {
    const size = shape.reduce((a, b) => a * b, 1);
    // A flat value (scalar, list, typed array) takes any shape of its size; a value with a shape
    // of its own (nested array, tensor of rank ≥ 2) must have exactly the declared one.
    if (out.shape.length >= 2 && (out.shape.length !== shape.length || out.shape.some((d, k) => d !== shape[k]))) {
      throw new ValueError(`\`${what}\` has shape [${out.shape.join(',')}], which does not match the declared shape [${shape.join(',')}]`);
    }
    if (size !== out.values.length) {
      throw new ValueError(`\`${what}\` has ${out.values.length} elements, which does not fit shape [${shape.join(',')}]`);
    }
    out.shape = [...shape];
  }
  return out;
}

/** True when every value is an integer (so it can be used unscaled). */
export function allIntegers(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i])) return false;
  return true;
}

/**
 * A public encoded constant on each of `players`: one `fill` of its shape when every element
 * is the same (a scalar, or an array of one value such as a polynomial's constant term), else
 * an upload of the tensor. A fill sends no payload and leaves a training step's batch
 * replayable without it.
 * @example
 * ```ts
 * const values = placeConstant(rt, ['server0', 'server1'], encodeFixed(Float64Array.of(1, 1), [2]));
 * ```
 */
export function placeConstant(rt: Runtime, players: readonly string[], encoded: RingTensor): Handle[] {
  const v = encoded.values() as BigUint64Array;
  let uniform = v.length > 0;
  for (let i = 1; uniform && i < v.length; i++) uniform = v[i] === v[0];
  return players.map((s) => (uniform ? rt.fill(s, [...encoded.shape], v[0]!, U64) : rt.upload(s, encoded)));
}
