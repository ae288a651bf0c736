import { ValueError } from '../../errors.js';
import { Pond, type PondArgs } from '../pond/pond.js';
import type { PondPrivateTensor } from '../pond/pond_tensors.js';
import { signView } from '../pond/sign_source.js';
import { fssRelu, usesFss } from '../pond/fss.js';
import { PondDealtSplines } from '../pond/dealt_splines.js';
import { registerCapability, type ExactComparison, type ProtocolCapabilities } from '../capabilities.js';
import type { Pool2DOptions } from '../protocol.js';
import type { TensorLike, TfeTensor } from '../tensor.js';
import { tidy } from '../runtime_link.js';
import * as cmp from './comparisons.js';
import { piecewiseConstantBySearch } from '../generic/piecewise_constant.js';
import '../../kernels/index.js'; // registers every kernel, the fused PrivateCompare ones included
import { DEFAULT_CHUNK, msb, oneMinus, type MsbProtocol } from './msb.js';
import { PIECEWISE_SIGMOID, PIECEWISE_TANH, piecewiseLinear } from './piecewise.js';
import * as pooling from './pooling.js';

/**
 * How sigmoid and tanh are computed: Pond's Chebyshev polynomials, or exact-comparison pieces.
 * @example
 * ```ts
 * const mode: ActivationMode = 'piecewise';
 * ```
 */
export type ActivationMode = 'chebyshev' | 'piecewise';

/**
 * Options of {@link SecureNN}.
 * @example
 * ```ts
 * const args: SecureNNArgs = { fracBits: 16, sigmoid: 'piecewise', prime: 67 };
 * ```
 */
export interface SecureNNArgs extends PondArgs {
  /** sigmoid: 'chebyshev' (Pond's, the default) or 'piecewise' (21 linear pieces, error ≤ 0.0035). */
  sigmoid?: ActivationMode;
  /** tanh: 'chebyshev' (default) or 'piecewise' (error ≤ 0.007). */
  tanh?: ActivationMode;
  /** The prime p of PrivateCompare's field: a prime in [67, 251] (default {@link DEFAULT_PRIME}; the paper's is 67). */
  prime?: number;
  /** Elements per chunk of the comparison protocols (default 131072); bounds player memory. */
  chunkSize?: number;
  /**
   * The MSB protocol under every comparison: 'wrap-free' (default: ComputeMSB on the low 63
   * bits, exact on the whole ring, 3 rounds, 218 B/element) or 'share-convert' (the paper's
   * ShareConvert + ComputeMSB, exact except at −1 ulp, 7 rounds, 440 B/element).
   */
  msb?: MsbProtocol;
}

/**
 * The default prime of PrivateCompare's field: 127. Any prime above 66 gives the same protocol,
 * security and traffic (one byte per field element); the paper picks the smallest, 67. With
 * 127 = 2^7 − 1 the servers' common randomness is cheap to draw exactly: the PRG's rejection
 * sampling keeps 254/256 of its bytes for Z_127 and 252/256 for the blinding factors in
 * Z_127^* (drawn mod 126), against 201/256 and 198/256 for p = 67; relu spends about a quarter
 * less CPU (measured on 16,384 elements).
 * @example
 * ```ts
 * new SecureNN({ prime: 67 }); // the paper's field instead of DEFAULT_PRIME
 * ```
 */
export const DEFAULT_PRIME = 127;

function isPrime(n: number): boolean {
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return n > 1;
}

/**
 * SecureNN (Wagh, Gupta, Chandran — "SecureNN: 3-Party Secure Computation for Neural Network
 * Training", PETS 2019): Pond plus exact comparisons, with `server2` as both the crypto
 * producer and the comparison helper. Exact on the whole ring: relu and its derivative,
 * isNegative/less/lessEqual/greater/greaterEqual/equal/equalZero/sign (private 0/1 or ±1
 * tensors with fracBits 0, usable in arithmetic), select, maximum, reduceMax, argmax and
 * maxPool2d with the argmax mask. Comparisons of x and y are exact when |x − y| < 2^63 ring
 * units (2^47 for f = 16). Ties: argmax and the maxPool mask pick the first maximum (as tfjs).
 *
 * Cost of one MSB (the core of every comparison): 3 rounds, 218 bytes per element; relu adds
 * one Beaver product: 4 rounds, about 258 bytes per element.
 *
 * @example
 * ```ts
 * tfe.setProtocol(new tfe.protocols.SecureNN());
 * const x = await tfe.definePrivateInput('input-provider', () => [-1, 0, 2]);
 * console.log(await tfe.relu(x).reveal()); // Float64Array [0, 0, 2]
 * const snn = new tfe.protocols.SecureNN({ sigmoid: 'piecewise' });
 * ```
 */
export class SecureNN extends Pond implements ExactComparison {
  override readonly name: string = 'SecureNN';
  override readonly capabilities: ProtocolCapabilities = { exactComparison: this, fixedPoint: this, dealtSplines: new PondDealtSplines(this) };
  /** The prime of PrivateCompare's field. */
  readonly prime: number;
  /** Elements per chunk of the comparison protocols. */
  readonly chunkSize: number;
  readonly sigmoidMode: ActivationMode;
  /** The MSB protocol under every comparison. */
  readonly msbProtocol: MsbProtocol;
  readonly tanhMode: ActivationMode;

  constructor(s0OrArgs: string | SecureNNArgs = 'server0', s1 = 'server1', cp = 'server2', args: SecureNNArgs = {}) {
    const a = typeof s0OrArgs === 'object' ? s0OrArgs : args;
    super(typeof s0OrArgs === 'string' ? s0OrArgs : 'server0', s1, cp, a);
    const prime = a.prime ?? DEFAULT_PRIME;
    if (!Number.isInteger(prime) || prime < 67 || prime > 251 || !isPrime(prime)) {
      throw new ValueError(`\`prime\` must be a prime in [67, 251] (PrivateCompare needs p > 66), got ${prime}`);
    }
    const chunk = a.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isInteger(chunk) || chunk < 1) throw new ValueError(`\`chunkSize\` must be a positive integer, got ${chunk}`);
    for (const [k, v] of [['sigmoid', a.sigmoid], ['tanh', a.tanh]] as const) {
      if (v !== undefined && v !== 'chebyshev' && v !== 'piecewise') throw new ValueError(`\`${k}\` must be 'chebyshev' or 'piecewise', got ${String(v)}`);
    }
    if (a.msb !== undefined && a.msb !== 'wrap-free' && a.msb !== 'share-convert') {
      throw new ValueError(`\`msb\` must be 'wrap-free' or 'share-convert', got ${String(a.msb)}`);
    }
    this.msbProtocol = a.msb ?? 'wrap-free';
    this.prime = prime;
    this.chunkSize = chunk;
    this.sigmoidMode = a.sigmoid ?? 'chebyshev';
    this.tanhMode = a.tanh ?? 'chebyshev';
  }

  // ---- comparisons: private 0/1 tensors with fracBits 0 -------------------------------------

  /** [x < 0], exact on the whole ring (ComputeMSB). 3 rounds. */
  isNegative(x: TensorLike): TfeTensor { return cmp.isNegative(this, x); }
  /**
   * DReLU, the derivative of relu (SecureNN, §"DReLU"): [x ≥ 0] as a private 0/1 tensor.
   *  1. split each share x_j = m_j·2^63 + u_j (local)
   *  2. ComputeMSB on w = u0 + u1 with m0, m1 folded in gives shares of MSB(x) (3 rounds)
   *  3. DReLU = 1 − MSB(x) (local)
   * 3 rounds, 218 bytes per element. The paper instead runs ShareConvert first (4 more
   * rounds), which cannot represent −1 ulp; `{msb: 'share-convert'}` selects that pipeline.
   * (relu takes the MSB of the untruncated product when x is a product's result: `dreluOf`.)
   */
  reluDerivative(x: TensorLike): TfeTensor {
    return this.dreluOf(x, false);
  }

  /**
   * DReLU of x, or with `fromProduct` of the untruncated product x came from when there is one
   * (pond/sign_source.ts): a round earlier, and different only where x is 0 (relu's value is
   * the same either way; its derivative at 0 is a convention). relu and its backprop use that.
   */
  private dreluOf(x: TensorLike, fromProduct: boolean): TfeTensor {
    const view = fromProduct ? signView(this, x) : undefined;
    const negative = cmp.isNegative(this, view ?? x);
    if (view) this.dispose(view);
    const out = oneMinus(this, negative);
    this.dispose(negative);
    return out;
  }
  /** Alias of {@link reluDerivative}. */
  drelu(x: TensorLike): TfeTensor { return this.reluDerivative(x); }
  /** [x < y]. */
  less(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.less(this, x, y)); }
  /** [x ≤ y]. */
  lessEqual(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.lessEqual(this, x, y)); }
  /** [x > y]. */
  greater(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.less(this, y, x)); }
  /** [x ≥ y]. */
  greaterEqual(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.lessEqual(this, y, x)); }
  /** [x = y] (two MSBs in one run). */
  equal(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.equal(this, x, y)); }
  /** [x = 0]. */
  equalZero(x: TensorLike): TfeTensor { return tidy(() => cmp.equal(this, x, 0)); }
  /** sign(x) ∈ {−1, 0, 1}, as tfjs (integer tensor, fracBits 0). */
  sign(x: TensorLike): TfeTensor { return tidy(() => cmp.sign(this, x)); }
  /** cond ? a : b for a private 0/1 `cond` (SelectShare, 1 round). */
  select(cond: TfeTensor, a: TensorLike, b: TensorLike): TfeTensor { return cmp.select(this, cond, a, b); }
  /** Elementwise maximum (ties: x). 4 rounds. */
  maximum(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.select(this, cmp.less(this, x, y), y, x)); }
  /** Elementwise minimum (ties: x). 4 rounds. */
  minimum(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.select(this, cmp.less(this, y, x), y, x)); }

  // ---- activations --------------------------------------------------------------------------

  /**
   * Exact relu (SecureNN, §"ReLU"), exact on the whole ring.
   *  1. d = DReLU(x) (3 rounds, 218 bytes per element)
   *  2. relu(x) = SelectShare(d, x, 0) = x·d, one Beaver product with no truncation, since d
   *     has fracBits 0 (1 round, 40 bytes per element)
   * 4 rounds, 258 bytes per element (the paper: 10 rounds, 8ℓ·log p + 24ℓ bits = 640 bytes).
   * Private tensors of at most 256 elements take [x ≥ 0]·x from the dealer's DCF keys instead
   * (pond/fss.ts; 1 round, 2 KB per element from the dealer; PondArgs.fss), as does
   * {@link reluWithDerivative}, whose derivative is the same step.
   */
  override relu(x: TensorLike): TfeTensor {
    const xt = this.toTensor(x);
    if (usesFss(this, xt)) { // tensors of at most 256 elements: 1 round from the dealer's DCF keys (pond/fss.ts)
      const { y, derivative } = fssRelu(this, this.toPrivate(xt));
      this.dispose(derivative);
      return y;
    }
    const d = this.dreluOf(xt, true);
    const y = this.mul(xt, d);
    this.dispose(d);
    return y;
  }

  /** relu and its derivative together (for backprop), sharing one DReLU. */
  reluWithDerivative(x: TensorLike): { y: TfeTensor; derivative: TfeTensor } {
    const xt = this.toTensor(x);
    if (usesFss(this, xt)) return fssRelu(this, this.toPrivate(xt));
    const derivative = this.dreluOf(xt, true);
    return { y: this.mul(xt, derivative), derivative };
  }

  /** Pond's Chebyshev sigmoid, or with `{sigmoid: 'piecewise'}` the 21-piece linear one (error ≤ 0.0035). */
  override sigmoid(x: TensorLike): TfeTensor {
    return this.sigmoidMode === 'piecewise' ? this.sigmoidPiecewise(x) : super.sigmoid(x);
  }

  /** Pond's Chebyshev tanh, or with `{tanh: 'piecewise'}` the 21-piece linear one (error ≤ 0.007). */
  override tanh(x: TensorLike): TfeTensor {
    return this.tanhMode === 'piecewise' ? this.tanhPiecewise(x) : super.tanh(x);
  }

  /** The piecewise-linear sigmoid regardless of the constructor option. 5 rounds. */
  sigmoidPiecewise(x: TensorLike): TfeTensor { return tidy(() => piecewiseLinear(this, this.toTensor(x), PIECEWISE_SIGMOID)); }
  /** The piecewise-linear tanh regardless of the constructor option. 5 rounds. */
  tanhPiecewise(x: TensorLike): TfeTensor { return tidy(() => piecewiseLinear(this, this.toTensor(x), PIECEWISE_TANH)); }

  // ---- reductions and pooling ---------------------------------------------------------------

  /** Maximum over `axis` (all pairs at once for short rows, else a log-depth tree; see pooling.ts). */
  reduceMax(x: TensorLike, axis = -1, keepDims = false): TfeTensor { return tidy(() => pooling.reduceMax(this, x, axis, keepDims)); }
  /** Index of the first maximum over `axis` (private integer), as tfjs argMax; `{oneHot: true}` gives the one-hot. */
  argmax(x: TensorLike, axis = -1, opts: { oneHot?: boolean } = {}): TfeTensor { return tidy(() => pooling.argmax(this, x, axis, opts)); }
  /** One-hot (private 0/1) of the first maximum over `axis`, the axis kept. */
  argmaxOneHot(x: TensorLike, axis = -1): TfeTensor { return tidy(() => pooling.argmax(this, x, axis, { oneHot: true })); }
  /** Max pooling, NHWC, any pool size, strides and padding. */
  maxPool2d(x: TensorLike, opts: Pool2DOptions): TfeTensor { return tidy(() => pooling.maxPool2dWithArgmax(this, x, opts, false).y); }
  /** Max pooling and the one-hot mask [n, oh, ow, kh·kw, c] of each window's first maximum, for backprop. */
  maxPool2dWithArgmax(x: TensorLike, opts: Pool2DOptions): { y: TfeTensor; mask: TfeTensor } {
    const r = tidy(() => pooling.maxPool2dWithArgmax(this, x, opts, true));
    return { y: r.y, mask: r.mask! };
  }

  /**
   * Public tables of x's piece by a binary search (generic/piecewise_constant.ts): a comparison
   * costs about 213 bytes and 3 rounds here, so ⌈log2(k + 1)⌉ of them in sequence beat k at
   * once (Adam's range: 3 instead of 6, about 11 rounds instead of 3). `bound` is not needed.
   */
  piecewiseConstant(x: TensorLike, thresholds: readonly number[], tables: readonly (readonly number[])[]): TfeTensor[] {
    return piecewiseConstantBySearch(this, this, this.toTensor(x), thresholds, tables);
  }

  /** @internal MSB of a private tensor (the primitive under every comparison). */
  msb(x: PondPrivateTensor): PondPrivateTensor { return msb(this, x, this.prime, this.chunkSize, this.msbProtocol); }
}

registerCapability('exactComparison', 'SecureNN');
