import type { Handle } from '../runtime_link.js';
import type { Protocol } from '../protocol.js';
import { TfeTensor } from '../tensor.js';

/**
 * The two shares server i holds of a replicated value: (x_i, x_{i+1}), both on `servers[i]`.
 * @example
 * ```ts
 * const [own, next]: SharePair = x.shares[0]; // x0 and x1 on server0
 * ```
 */
export type SharePair = readonly [Handle, Handle];

/** The three servers' pairs: `pairs[i]` = (x_i, x_{i+1}) on server i. */
export type ReplicatedShares = readonly [SharePair, SharePair, SharePair];

/**
 * A public ABY3 tensor: the same fixed-point value on each of the three servers.
 * @example
 * ```ts
 * tfe.setProtocol(new tfe.protocols.ABY3());
 * const c = tfe.defineConstant([1, 2, 3]); // ABY3PublicTensor(shape=[3], fracBits=16)
 * ```
 */
export class ABY3PublicTensor extends TfeTensor {
  readonly kind = 'public' as const;
  constructor(protocol: Protocol, fracBits: number, readonly values: readonly [Handle, Handle, Handle]) {
    super(protocol, values[0].shape, fracBits);
  }
}

/**
 * A private ABY3 tensor: 2-out-of-3 replicated arithmetic shares over Z_2^64,
 * x = x0 + x1 + x2, server i holding (x_i, x_{i+1}). Any two servers can reconstruct; one
 * alone learns nothing.
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('input-provider', () => [1, 2, 3]); // ABY3PrivateTensor
 * ```
 */
export class ABY3PrivateTensor extends TfeTensor {
  readonly kind = 'private' as const;
  constructor(protocol: Protocol, fracBits: number, public shares: ReplicatedShares) {
    super(protocol, shares[0][0].shape, fracBits);
  }
}

/**
 * A private boolean ABY3 tensor: 2-out-of-3 replicated XOR shares of 64-bit words,
 * x = x0 ⊕ x1 ⊕ x2, server i holding (x_i, x_{i+1}). Produced by A2B and consumed by the
 * boolean circuits (comparisons); `fracBits` is the scale of the arithmetic value it encodes.
 * @example
 * ```ts
 * const b = aby3.toBoolean(x); // ABY3BooleanTensor
 * ```
 */
export class ABY3BooleanTensor extends TfeTensor {
  readonly kind = 'private' as const;
  constructor(protocol: Protocol, fracBits: number, readonly shares: ReplicatedShares) {
    super(protocol, shares[0][0].shape, fracBits);
  }
}

/**
 * A private variable: an ABY3 private tensor whose shares `tfe.assign` replaces (weights,
 * optimizer state); its handles survive `tidy` scopes until disposed.
 * @example
 * ```ts
 * const w = tfe.definePrivateVariable([[0.1, 0.2]]);
 * ```
 */
export class ABY3PrivateVariable extends ABY3PrivateTensor {}

/**
 * A public variable: an ABY3 public tensor that `tfe.assign` can replace.
 * @example
 * ```ts
 * const step = tfe.definePublicVariable(0);
 * ```
 */
export class ABY3PublicVariable extends ABY3PublicTensor {
  /** @internal */
  setValues(values: readonly [Handle, Handle, Handle]): void { (this as { values: readonly [Handle, Handle, Handle] }).values = values; }
}
