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
  /** @internal What the truncation that made these shares left behind, while a product can use it (truncated_product.ts). */
  truncation?: ABY3TruncationRecord;
  constructor(protocol: Protocol, fracBits: number, public shares: ReplicatedShares) {
    super(protocol, shares[0][0].shape, fracBits);
  }

  /**
   * @internal The untruncated product these shares came from, for comparisons (sign_view.ts).
   * Kept beside the tensor, not on it, so that scopes never count its handles as reachable:
   * they die with their scope at the latest.
   */
  get signSource(): ABY3SignSource | undefined { return signSources.get(this); }
  set signSource(s: ABY3SignSource | undefined) {
    if (s) signSources.set(this, s);
    else signSources.delete(this);
  }
}

const signSources = new WeakMap<ABY3PrivateTensor, ABY3SignSource>();

/**
 * What a truncation (truncate.ts) leaves for a later product of its result y
 * (truncated_product.ts): y = E + A with E public to server0 and server1 (from the opened c)
 * and A = 2^(63−k)·s⊙m − t made of server2's t and m and the public sign s = 1 − 2·c63.
 * @example
 * ```ts
 * if (y.truncation) y.truncation.k; // the bits the truncation dropped
 * ```
 */
export interface ABY3TruncationRecord {
  /** Bits dropped. */
  k: number;
  /** The two parts of c on server0 and on server1 (each pair sums to c). */
  c: readonly [readonly [Handle, Handle], readonly [Handle, Handle]];
  /** y as a 2-out-of-2 sharing: y0 on server0, y1 on server1. */
  twoOfTwo: readonly [Handle, Handle];
  /**
   * The servers' parts of t and m, server0's then server1's: one holds the stream it drew,
   * [r_i | t_i | m_i], the other the [t_j | m_j] it was sent (truncate.ts alternates which).
   */
  parts: readonly [Handle, Handle];
  /** The same on server2: the stream it drew with one server, then the part it sent the other. */
  dealt: readonly [Handle, Handle];
  /** The shares this record describes: a record is used only while the tensor still has them. */
  of: ReplicatedShares;
  /** The runtime's random epoch when made (a `setRandomSeed` after it makes it stale). */
  epoch: number;
  /** Creation order: of two fresh operands, the later one's record is used. */
  order: number;
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

/**
 * The untruncated product a truncated tensor came from (sign_view.ts): additive terms on
 * server0, server1 and (optionally) server2 summing to its value times 2^k, plus private
 * addends (a bias) at the tensor's own scale.
 * @example
 * ```ts
 * const s: ABY3SignSource = { k: 16, terms: [z0, z1, z2], addends: [], owned: true };
 * ```
 */
export interface ABY3SignSource {
  /** Bits the product was truncated by. */
  readonly k: number;
  /** The product's additive terms, one per server (server2's may be absent). */
  readonly terms: readonly [Handle, Handle, Handle?];
  /** Server1's copy of server2's term, received in the truncation's first round. */
  readonly z2AtServer1?: Handle;
  /** Private tensors added (or subtracted) after the truncation. */
  readonly addends: readonly { readonly shares: ReplicatedShares; readonly sub: boolean }[];
  /** True for the truncation's own result, which frees the terms when disposed. */
  readonly owned: boolean;
}
