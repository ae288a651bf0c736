/**
 * Typed capabilities: what a protocol can do beyond the {@link Protocol} interface, declared
 * once by the protocol and asked for by layers, losses, metrics and optimizers (DESIGN.md §6).
 * Code never probes a protocol for method names: it reads `p.capabilities.exactComparison`,
 * which is either an object implementing {@link ExactComparison} or undefined, and
 * {@link requireExact} turns "undefined" into a `NotImplementedError` naming the protocols that
 * do have the capability.
 *
 * @example
 * ```ts
 * const ex = requireExact(tfe.getProtocol(), 'maxPooling2d layer `pool_1`');
 * const { y, mask } = ex.maxPool2dWithArgmax(x, { poolSize: 2 });
 * ```
 */
import { NotImplementedError, ValueError } from '../errors.js';
import type { Pool2DOptions, Protocol } from './protocol.js';
import type { TensorLike, TfeTensor } from './tensor.js';
import type { Spline } from './approximations/linear_spline.js';

/**
 * Exact comparisons and everything built on them. Comparison results are private 0/1 tensors
 * with fracBits 0, usable in arithmetic. Implemented by SecureNN (and by every later protocol
 * with exact comparison).
 *
 * @example
 * ```ts
 * const ex: ExactComparison | undefined = prot.capabilities.exactComparison;
 * if (ex) y = ex.relu(x);
 * ```
 */
export interface ExactComparison {
  /** 1 where x < 0, else 0. */
  isNegative(x: TensorLike): TfeTensor;
  /** 1 where x < y, else 0. */
  less(x: TensorLike, y: TensorLike): TfeTensor;
  /** 1 where x ≤ y, else 0. */
  lessEqual(x: TensorLike, y: TensorLike): TfeTensor;
  /** 1 where x > y, else 0. */
  greater(x: TensorLike, y: TensorLike): TfeTensor;
  /** 1 where x ≥ y, else 0. */
  greaterEqual(x: TensorLike, y: TensorLike): TfeTensor;
  /** 1 where x = y, else 0. */
  equal(x: TensorLike, y: TensorLike): TfeTensor;
  /** 1 where x = 0, else 0. */
  equalZero(x: TensorLike): TfeTensor;
  /** a where cond = 1, b where cond = 0 (cond a private 0/1 tensor). */
  select(cond: TfeTensor, a: TensorLike, b: TensorLike): TfeTensor;
  /** Exact relu. */
  relu(x: TensorLike): TfeTensor;
  /** 1 where x ≥ 0, else 0. */
  reluDerivative(x: TensorLike): TfeTensor;
  /** relu and its derivative from one comparison (for training). */
  reluWithDerivative(x: TensorLike): { y: TfeTensor; derivative: TfeTensor };
  /** Elementwise maximum. */
  maximum(x: TensorLike, y: TensorLike): TfeTensor;
  /** Elementwise minimum. */
  minimum(x: TensorLike, y: TensorLike): TfeTensor;
  /** Maximum over `axis`. */
  reduceMax(x: TensorLike, axis?: number, keepDims?: boolean): TfeTensor;
  /** One-hot (private 0/1) of the first maximum over `axis`, the axis kept. */
  argmaxOneHot(x: TensorLike, axis?: number): TfeTensor;
  /** Max pooling, NHWC. */
  maxPool2d(x: TensorLike, opts: Pool2DOptions): TfeTensor;
  /** Max pooling and the one-hot mask [n, oh, ow, kh·kw, c] of each window's first maximum. */
  maxPool2dWithArgmax(x: TensorLike, opts: Pool2DOptions): { y: TfeTensor; mask: TfeTensor };
  /**
   * For each table, the value of the piece x falls in: piece 0 is x < thresholds[0], piece j
   * is thresholds[j−1] ≤ x < thresholds[j], the last x ≥ the last threshold (ascending
   * thresholds; tables one value longer). The comparisons are exact (one batch under ABY3, a
   * binary search under SecureNN, whose comparisons cost more bytes than rounds); results are at
   * the protocol's fixed-point scale, exact for dyadic table values (otherwise within k/2 ulp:
   * the table's steps are encoded; generic/piecewise_constant.ts). `bound` (real units,
   * optional): |x| stays below it, which lets ABY3 compare on 32-bit lanes (half the bytes)
   * when (bound + max |threshold|)·2^f < 2^31, f the scale of x − threshold (the larger of x's
   * and the protocol's); beyond a given bound the pieces are arbitrary.
   */
  piecewiseConstant(x: TensorLike, thresholds: readonly number[], tables: readonly (readonly number[])[], bound?: number): TfeTensor[];
}

/**
 * Comparisons from dealt keys (function secret sharing) for small tensors: one round per batch
 * of comparisons, where the round count matters more than the bytes (a single private
 * prediction). Pond and SecureNN have it (pond/fss.ts, pond/dealt_splines.ts), and ABY3 with
 * server2 dealing (aby3/dealt_splines.ts); generic code
 * builds the small-tensor softmax on it (generic/dealt_softmax.ts).
 *
 * @example
 * ```ts
 * const dealt = prot.capabilities.dealtSplines;
 * if (dealt?.accepts(x)) y = dealt.spline(x, expSpline());
 * ```
 */
export interface DealtSplines {
  /** Whether x is a private tensor the keys serve (the protocol's option on, and small enough). */
  accepts(x: TfeTensor): boolean;
  /**
   * The exact maximum over the last axis, kept as size 1: a tree of relus, one round each
   * where the keys serve the level (⌈log2 k⌉ rounds for a tensor `accepts` takes); any size.
   */
  reduceMaxLastAxis(x: TfeTensor): TfeTensor;
  /**
   * The linear spline s of x at the protocol's scale (one round of comparisons and one
   * truncation). Its values must stay below `maxValue` in magnitude (default 1): the slopes
   * get the fractional bits the ring has room for, up to twice the protocol's.
   */
  spline(x: TfeTensor, s: Spline, opts?: { maxValue?: number }): TfeTensor;
}

/**
 * What a protocol can do beyond the {@link Protocol} interface. A capability is an object the
 * protocol implements (usually the protocol itself), or undefined when it has none.
 * @example
 * ```ts
 * const caps: ProtocolCapabilities = { exactComparison: undefined }; // Pond
 * ```
 */
export interface ProtocolCapabilities {
  /** Exact comparisons, relu, max, argmax and maxPool2d with its mask. */
  readonly exactComparison: ExactComparison | undefined;
  /** Control of the fixed-point scale label (Pond, SecureNN, ABY3). */
  readonly fixedPoint?: FixedPointScale;
  /** Comparisons and splines from dealt keys on small tensors (Pond, SecureNN, ABY3). */
  readonly dealtSplines?: DealtSplines;
}

/**
 * The fixed-point label of a tensor, for approximations that plan their own truncations. A
 * product of tensors labelled fa and fb is truncated by min(fa, fb) bits and labelled
 * max(fa, fb) (so a factor labelled 0 is an integer and the product is not truncated);
 * relabelling chooses the truncation without any extra step. Every truncation keeps its
 * protocol's bound: exact to 1 ulp for ring values |x| < 2^62.
 * @example
 * ```ts
 * const fp = prot.capabilities.fixedPoint;
 * const f = x.fracBits;
 * const raw = fp && fp.withScale(prot.square(fp.withScale(x, 0)), 2 * f); // x·x untruncated, at scale 2^-2f
 * ```
 */
export interface FixedPointScale {
  /**
   * The same shares (or public values) read at scale 2^-fracBits: nothing is computed or sent.
   * The result shares x's handles, so dispose only one of the two.
   */
  withScale(x: TfeTensor, fracBits: number): TfeTensor;
  /** x brought to scale 2^-fracBits: an exact truncation down (1 ulp, 1 or 2 rounds), a left shift up. */
  rescaleTo(x: TfeTensor, fracBits: number): TfeTensor;
}

/** The names of the capabilities, for messages. */
export type CapabilityName = keyof ProtocolCapabilities;

const providers = new Map<CapabilityName, Set<string>>();

/**
 * Records that the protocol class `protocolName` provides `capability`, so that errors can
 * name it. Each protocol module calls this once, at import.
 * @example
 * ```ts
 * registerCapability('exactComparison', 'SecureNN');
 * ```
 */
export function registerCapability(capability: CapabilityName, protocolName: string): void {
  let set = providers.get(capability);
  if (!set) providers.set(capability, (set = new Set()));
  set.add(protocolName);
}

/**
 * The protocols that provide `capability`, joined for a message: `SecureNN`, or `A, B or C` for several.
 * @example
 * ```ts
 * throw new NotImplementedError(`argmax needs exact comparison: use ${protocolsWith('exactComparison')}`);
 * ```
 */
export function protocolsWith(capability: CapabilityName): string {
  const names = [...(providers.get(capability) ?? [])].sort();
  if (names.length === 0) return 'no protocol available in this build';
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The message of a missing capability: `what` needs it, `p` lacks it, these protocols have it.
 * @example
 * ```ts
 * throw new NotImplementedError(missingCapability(p, 'exactComparison', 'MaxPooling2D layer `pool`'));
 * ```
 */
export function missingCapability(p: Protocol, capability: CapabilityName, what: string): string {
  const label = capability === 'exactComparison' ? 'exact comparison' : capability;
  return `${what} needs a protocol with ${label} (${p.name} has none): use ${protocolsWith(capability)}`;
}

/**
 * The exact comparisons of `p`, or a `NotImplementedError` naming `what` (a layer, a loss, a
 * metric, an optimizer) and the protocols that have them.
 * @example
 * ```ts
 * const ex = requireExact(prot, 'maxPooling2d layer `max_pooling2d_1`');
 * ```
 */
export function requireExact(p: Protocol, what: string): ExactComparison {
  const ex = p.capabilities.exactComparison;
  if (!ex) throw new NotImplementedError(missingCapability(p, 'exactComparison', what));
  return ex;
}

/**
 * Checks a scale label for {@link FixedPointScale.withScale}: an integer in [0, 62].
 * @example
 * ```ts
 * checkScale(16); // ok; checkScale(-1) throws ValueError
 * ```
 */
export function checkScale(fracBits: number): void {
  if (!Number.isInteger(fracBits) || fracBits < 0 || fracBits > 62) throw new ValueError(`\`fracBits\` must be an integer in [0, 62], got ${fracBits}`);
}
