import type { Handle } from '../runtime_link.js';
import type { Protocol } from '../protocol.js';
import { TfeTensor } from '../tensor.js';

/**
 * A public Pond tensor: the same value, fixed-point encoded, on `server0` and `server1`.
 * @example
 * ```ts
 * const c = tfe.defineConstant([1, 2, 3]); // PondPublicTensor(shape=[3], fracBits=16)
 * ```
 */
export class PondPublicTensor extends TfeTensor {
  readonly kind = 'public' as const;
  constructor(protocol: Protocol, fracBits: number, readonly values: readonly [Handle, Handle]) {
    super(protocol, values[0].shape, fracBits);
  }
}

/**
 * A private Pond tensor: additive shares x = x0 + x1 mod 2^64, x0 on `server0`, x1 on
 * `server1`. Neither share alone says anything about x. Once masked for a product, the masked
 * form is kept, so every later product with the same tensor reuses it (weights in forward and
 * backward pay for masking once).
 * @example
 * ```ts
 * const x = tfe.definePrivateInput('input-provider', () => [1, 2, 3]);
 * ```
 */
export class PondPrivateTensor extends TfeTensor {
  readonly kind = 'private' as const;
  /** @internal the masked form, once computed. */
  masked?: PondMaskedTensor;
  /** @internal what the truncation that made this tensor left for a product (truncated_product.ts). */
  truncation?: TruncationRecord;
  constructor(protocol: Protocol, fracBits: number, public shares: readonly [Handle, Handle]) {
    super(protocol, shares[0].shape, fracBits);
  }

  /**
   * @internal the untruncated value a comparison of this tensor can start from (sign_source.ts).
   * Kept beside the tensor, not on it, so that scopes never count its handles as reachable:
   * they die with their scope at the latest.
   */
  get signSource(): SignSource | undefined { return signSources.get(this); }
  set signSource(s: SignSource | undefined) {
    if (s) signSources.set(this, s);
    else signSources.delete(this);
  }
}

const signSources = new WeakMap<PondPrivateTensor, SignSource>();

/**
 * A private tensor with its Beaver mask: the crypto producer holds a (and shares a0, a1 with
 * the servers through their common seeds), and both servers hold the opened alpha = x − a.
 * A masked tensor multiplies with another without opening anything new about x.
 * @example
 * ```ts
 * const w = tfe.cache(tfe.definePrivateVariable(init)); // PondMaskedTensor
 * ```
 */
export class PondMaskedTensor extends TfeTensor {
  readonly kind = 'masked' as const;
  constructor(
    protocol: Protocol,
    readonly unmasked: PondPrivateTensor,
    /** The mask a on the crypto producer. */
    readonly a: Handle,
    /** Its shares a0 (server0) and a1 (server1). */
    readonly aShares: readonly [Handle, Handle],
    /** The opened alpha = x − a, one copy on each server. */
    readonly alpha: readonly [Handle, Handle],
    /** The runtime's `randomEpoch` when the mask was drawn (a later `setRandomSeed` makes it stale). */
    readonly epoch: number,
  ) {
    super(protocol, unmasked.shape, unmasked.fracBits);
  }
}

/**
 * A private variable: a private tensor whose shares `tfe.assign` replaces in place (weights,
 * optimizer state). Its handles survive `tidy` scopes until the variable is disposed.
 * @example
 * ```ts
 * const w = tfe.definePrivateVariable(tf.randomNormal([784, 10]));
 * tfe.assign(w, w.sub(grad.mul(0.1)));
 * ```
 */
export class PondPrivateVariable extends PondPrivateTensor {}

/**
 * A public variable: a public tensor that `tfe.assign` can replace.
 * @example
 * ```ts
 * const step = tfe.definePublicVariable(0);
 * ```
 */
export class PondPublicVariable extends PondPublicTensor {
  /** @internal */
  setValues(values: readonly [Handle, Handle]): void { (this as { values: readonly [Handle, Handle] }).values = values; }
}

/**
 * What a truncation keeps for a later product of its result (truncated_product.ts): the bits
 * truncated, each server's two parts of the opened c, and on the producer its stream with
 * server0 ([r0 | t0 | m0]) and server1's dealt [t1 | m1].
 * @example
 * ```ts
 * const r: TruncationRecord = { k: 16, c: [[c00, c01], [c10, c11]], dealt: [stream, toServer1], epoch: rt.randomEpoch, order: 1 };
 * ```
 */
export interface TruncationRecord {
  readonly k: number;
  readonly c: readonly [readonly [Handle, Handle], readonly [Handle, Handle]];
  readonly dealt: readonly [Handle, Handle];
  /** The runtime's `randomEpoch` when it was made (a later `setRandomSeed` makes it stale). */
  readonly epoch: number;
  /** Made after every record with a smaller number (a product fuses the later operand's). */
  readonly order: number;
  /**
   * For a tensor ±y + v of a truncation's result y (a public addend or a negation keeps the
   * record, linear.ts): whether y is negated, and the public v on each server.
   */
  readonly negate?: boolean;
  readonly offset?: readonly [Handle, Handle];
}

/**
 * The untruncated form of a product's truncated result, for comparisons (sign_source.ts): the
 * sign of y − v is the sign of base − v·2^k (plus the addends, shifted by k), except within
 * one unit of y = v, where the truncation itself decides either way.
 * @example
 * ```ts
 * const s: SignSource = { k: 16, base: [z0, z1], addends: [], owned: true };
 * ```
 */
export interface SignSource {
  /** The tensor's ring values are base/2^k plus the addends, within one unit. */
  readonly k: number;
  /** 2-out-of-2 shares of the untruncated product, at scale 2^-(fracBits + k). */
  readonly base: readonly [Handle, Handle];
  /** Private tensors added (or subtracted) after the truncation, at the tensor's own scale. */
  readonly addends: readonly { readonly shares: readonly [Handle, Handle]; readonly sub: boolean }[];
  /** True for the truncation's own result, which frees `base` when disposed (views and sums only refer to it). */
  readonly owned: boolean;
}
