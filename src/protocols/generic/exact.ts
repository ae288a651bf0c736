/**
 * Access to the exact-comparison ops of protocols that have them (SecureNN, ABY3), behind one
 * small adapter, so layers never branch on a protocol's class: they ask {@link exactOps} and
 * get either the ops or a `NotImplementedError` that names the layer and the protocols that
 * support it (DESIGN.md §6).
 */
import { NotImplementedError } from '../../errors.js';
import type { Pool2DOptions, Protocol } from '../protocol.js';
import type { TensorLike, TfeTensor } from '../tensor.js';

/** The exact ops a layer may need, normalised across protocols. */
export interface ExactOps {
  /** Exact relu. */
  relu(x: TensorLike): TfeTensor;
  /** relu and its derivative from one comparison (for training). */
  reluWithDerivative(x: TensorLike): { y: TfeTensor; derivative: TfeTensor };
  /** 1 where x ≥ 0, else 0 (private 0/1 integers). */
  reluDerivative(x: TensorLike): TfeTensor;
  /** Max pooling and the one-hot argmax mask of every window, shape [n, oh, ow, ph·pw, c]. */
  maxPool2dWithMask(x: TensorLike, opts: Pool2DOptions): { y: TfeTensor; mask?: TfeTensor };
  /** Maximum over an axis. */
  reduceMax(x: TensorLike, axis: number, keepDims?: boolean): TfeTensor;
  /** One-hot argmax over the last axis (private 0/1). */
  argmaxOneHot(x: TensorLike, axis: number): TfeTensor;
  /** Elementwise maximum. */
  maximum(x: TensorLike, y: TensorLike): TfeTensor;
}

/**
 * The protocols with exact comparison, for error messages.
 * @example
 * ```ts
 * throw new NotImplementedError(`maxPooling2d needs exact comparison: use ${EXACT_PROTOCOLS}`);
 * ```
 */
export const EXACT_PROTOCOLS = 'SecureNN or ABY3';

type Loose = Record<string, ((...a: unknown[]) => unknown) | undefined>;

function method(p: Protocol, ...names: string[]): ((...a: unknown[]) => unknown) | undefined {
  const o = p as unknown as Loose;
  for (const n of names) if (typeof o[n] === 'function') return (o[n] as (...a: unknown[]) => unknown).bind(p);
  return undefined;
}

/**
 * The exact ops of `p`, or undefined when `p` has no exact comparison.
 * @example
 * ```ts
 * const ex = exactOps(tfe.getProtocol());
 * if (ex) y = ex.relu(x);
 * ```
 */
export function exactOps(p: Protocol): ExactOps | undefined {
  if (!p.capabilities?.exactComparison) return undefined;
  const drelu = method(p, 'reluDerivative', 'drelu', 'nonNegative', 'greaterEqualZero');
  const pool = method(p, 'maxPool2dWithArgmax', 'maxPool2dWithMask', 'maxPool2d');
  const rmax = method(p, 'reduceMax');
  const rwd = method(p, 'reluWithDerivative');
  const amax = method(p, 'argmaxOneHot', 'argmax');
  const maxi = method(p, 'maximum');
  const missing = (n: string) => (): never => { throw new NotImplementedError(`${p.name} declares exact comparison but has no \`${n}\``); };
  return {
    relu: (x) => p.relu(x),
    reluDerivative: (drelu ?? missing('reluDerivative')) as ExactOps['reluDerivative'],
    reluWithDerivative: (x) => {
      if (rwd) return rwd(x) as { y: TfeTensor; derivative: TfeTensor };
      const derivative = (drelu ?? missing('reluDerivative'))(x) as TfeTensor;
      return { y: p.mul(x, derivative), derivative };
    },
    maxPool2dWithMask: (x, opts) => {
      if (!pool) return missing('maxPool2d')();
      const r = pool(x, opts) as TfeTensor | { y?: TfeTensor; output?: TfeTensor; values?: TfeTensor; mask?: TfeTensor; argmax?: TfeTensor };
      if (r && typeof (r as TfeTensor).reveal === 'function') return { y: r as TfeTensor };
      const o = r as { y?: TfeTensor; output?: TfeTensor; values?: TfeTensor; mask?: TfeTensor; argmax?: TfeTensor };
      return { y: (o.y ?? o.output ?? o.values)!, mask: o.mask ?? o.argmax };
    },
    reduceMax: (x, axis, keepDims = false) => (rmax ?? missing('reduceMax'))(x, axis, keepDims) as TfeTensor,
    argmaxOneHot: (x, axis) => {
      if (!amax) return missing('argmax')();
      const r = amax(x, axis, { oneHot: true, outputStyle: 'onehot' }) as TfeTensor | { oneHot?: TfeTensor };
      return (typeof (r as TfeTensor).reveal === 'function' ? r : (r as { oneHot: TfeTensor }).oneHot) as TfeTensor;
    },
    maximum: (x, y) => (maxi ?? missing('maximum'))(x, y) as TfeTensor,
  };
}

/**
 * The exact ops of `p`, or a `NotImplementedError` naming `what` (a layer, a loss, an
 * optimizer) and the protocols that support it.
 * @example
 * ```ts
 * const ex = requireExact(prot, 'maxPooling2d layer `max_pooling2d_1`');
 * ```
 */
export function requireExact(p: Protocol, what: string): ExactOps {
  const ex = exactOps(p);
  if (!ex) throw new NotImplementedError(`${what} needs a protocol with exact comparison (${p.name} has none): use ${EXACT_PROTOCOLS}`);
  return ex;
}
