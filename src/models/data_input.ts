/**
 * Turning `fit`/`predict` inputs into private tensors: protocol tensors pass through; plain
 * data (tfjs tensors, nested arrays) is secret-shared from its owner's player (`dataOwner`,
 * default `input-provider`), which in LocalConfig runs the provider in-process; with remote
 * players the driver shares what it holds (see {@link shareFrom}).
 */
import { ValueError } from '../errors.js';
import { maxAbs } from '../protocols/overflow.js';
import type { Protocol } from '../protocols/protocol.js';
import { TfeTensor } from '../protocols/tensor.js';
import { getRuntime } from '../runtime/index.js';

/** Inputs a model accepts. */
export type ModelInput = TfeTensor | { dataSync(): ArrayLike<number>; shape: number[] } | number[] | number[][] | number[][][] | number[][][][];

function plain(v: unknown, what: string): { values: Float64Array; shape: number[] } {
  if (v && typeof (v as { dataSync?: unknown }).dataSync === 'function') {
    const t = v as { dataSync(): ArrayLike<number>; shape: number[] };
    return { values: Float64Array.from(t.dataSync()), shape: [...t.shape] };
  }
  if (Array.isArray(v)) {
    const shape: number[] = [];
    for (let a: unknown = v; Array.isArray(a); a = a[0]) shape.push(a.length);
    const flat = (v as unknown[]).flat(Infinity) as number[];
    if (flat.length !== shape.reduce((a, b) => a * b, 1) || flat.some((x) => typeof x !== 'number')) throw new ValueError(`\`${what}\` must be a rectangular numeric array`);
    return { values: Float64Array.from(flat), shape };
  }
  throw new ValueError(`\`${what}\` must be a private tensor, a tfjs tensor or a numeric array, got ${v === null ? 'null' : typeof v}`);
}

/**
 * Secret-shares driver-held plain values from `owner`'s player when it runs in this process
 * (LocalConfig); when it is remote (RemoteConfig), a provider closure cannot run there, so the
 * driver — which holds the values anyway — shares them itself (`definePrivateVariable`).
 * @example
 * ```ts
 * const w = await shareFrom(prot, 'model-owner', values, [784, 128]);
 * ```
 */
export async function shareFrom(p: Protocol, owner: string, values: Float64Array, shape: number[]): Promise<TfeTensor> {
  // A remote owner's provider cannot run here: the driver, which holds the values, shares them.
  const t = getRuntime().isInProcess(owner) ? await p.definePrivateInput(owner, () => values, { shape }) : p.definePrivateVariable(values, { shape });
  // The bound is public metadata (warnings and range reports show it): fine here, since the
  // party sharing these values (the driver's process) already holds them.
  t.bound = maxAbs(values);
  return t;
}

/**
 * A private tensor for `v`.
 * @example
 * ```ts
 * const x = await asPrivate(prot, tf.tensor2d([[1, 2]]), 'input-provider', 'x');
 * ```
 */
export async function asPrivate(p: Protocol, v: ModelInput, owner: string, what: string): Promise<TfeTensor> {
  if (v instanceof TfeTensor) return v;
  const { values, shape } = plain(v, what);
  return shareFrom(p, owner, values, shape);
}
