import { NotImplementedError, ValueError } from '../../errors.js';
import { encodeFixed } from '../../kernels/fixed_point.js';
import { U64 } from '../../kernels/dtype.js';
import type { Handle, Runtime } from '../runtime_link.js';
import { currentRuntime, inputWithShape, keepHandle, tidy } from '../runtime_link.js';
import { allIntegers, placeConstant, toPlain } from '../lift.js';
import { checkScale, registerCapability, type ExactComparison } from '../capabilities.js';
import type { Conv2DOptions, InputOptions, InputProvider, Pool2DOptions, Protocol, ProtocolCapabilities, SavedShares } from '../protocol.js';
import { boundOf } from '../overflow.js';
import { inputSource } from '../pond/sharing.js';
import { TfeTensor, type Liftable, type TensorLike } from '../tensor.js';
import { ABY3BooleanTensor, ABY3PrivateTensor, ABY3PrivateVariable, ABY3PublicTensor, ABY3PublicVariable, type ReplicatedShares } from './aby3_tensors.js';
import * as generic from '../generic/index.js';
import * as cmp from './comparisons.js';
import * as fns from './functions.js';
import type { SigmoidMode } from './functions.js';
import { b2a } from './b2a.js';
import { ABY3DealtSplines } from './dealt_splines.js';
import { a2b } from './boolean.js';
import { addSub, concat, mapLocal, mapShares } from './linear.js';
import { divPublic, product } from './multiply.js';
import * as pooling from './pooling.js';
import { outputTo, revealToDriver } from './reveal.js';
import { loadShares, saveShares } from './saved_shares.js';
import * as shape from './shape.js';
import { maskAndReshare, shareFrom } from './sharing.js';
import { truncateShares } from './truncate.js';
import { recordHandles } from './truncated_product.js';
import { ownedSignHandles } from './sign_view.js';
import { pow } from '../generic/powers.js';
import { stackTensors } from '../generic/rows.js';

/**
 * Options of {@link ABY3}.
 * @example
 * ```ts
 * const args: ABY3Args = { fracBits: 16, sigmoid: 'polynomial' };
 * ```
 */
export interface ABY3Args {
  /** Fractional bits of fixed-point values (default 16). */
  fracBits?: number;
  /** The three servers (default server0, server1, server2). */
  servers?: [string, string, string];
  /**
   * sigmoid: 'accurate' (the default: 21 linear pieces from exact comparisons, error ≤ 0.0035),
   * 'piecewise' (ABY3's 3-piece linear: 0 below −½, x + ½ between, 1 above; error ≤ 0.378, the
   * paper's choice) or 'polynomial' (a degree-9 minimax polynomial on the input clamped
   * exactly to [−6, 6]; error ≤ 0.0028, about a fifth of the traffic of 'accurate').
   */
  sigmoid?: SigmoidMode;
  /**
   * Whether server2 deals DCF keys (dealt_keys.ts) to server0 and server1 for tensors of at
   * most 256 elements: relu (2 rounds instead of 8), sigmoid and tanh (Pond's splines, 3
   * rounds; not with `sigmoid: 'piecewise'`), softmax (one private prediction's logits: 13
   * rounds instead of 35), and a training batch's 1/Σ (5 rounds instead of 11). Each key is
   * 2 KB per element and server. Default true.
   */
  fss?: boolean;
}

/**
 * ABY3 (Mohassel and Rindal, "ABY3: A Mixed Protocol Framework for Machine Learning",
 * CCS 2018): 2-out-of-3 replicated sharing over Z_2^64 among three servers, arithmetic and
 * boolean, honest majority, semi-honest. Multiplication is local cross terms plus one round of
 * resharing with zero-sharings from pairwise PRF keys (no dealer, no triples); truncation is
 * exact to 1 ulp for |x| < 2^62 (dealer-assisted with the MSB trick, see truncate.ts);
 * comparisons go through an MSB-only carry circuit on bit-packed words and bit injection,
 * exact on the whole ring (x − y must not overflow: |x − y| < 2^63 ring units).
 *
 * Costs per element (u64 words): private mul with truncation 2 rounds, 64 bytes; without
 * truncation (integer factor) 1 round, 24 bytes; comparison 8 rounds, about 83 bytes; relu
 * 8 rounds, about 91 bytes (element counts rounded up to a multiple of 64). Comparisons of
 * values with a known bound below 2^31 ring units (`piecewiseConstant`, which Adam's inverse
 * square root uses) run on 32-bit lanes, two per word: about 33 bytes each. With the `fss`
 * option (the default), relu, sigmoid, tanh and softmax of tensors of at most 256 elements
 * take DCF keys that server2 deals (dealt_splines.ts): relu in 2 rounds, exact for
 * |x| < 2^62, at 2 KB of key per element and server.
 *
 * @example
 * ```ts
 * tfe.setProtocol(new tfe.protocols.ABY3());
 * const x = await tfe.definePrivateInput('input-provider', () => [-1, 0, 2]);
 * console.log(await tfe.relu(x).reveal()); // Float64Array [0, 0, 2]
 * ```
 */
export class ABY3 implements Protocol, ExactComparison {
  readonly name: string = 'ABY3';
  readonly fracBits: number;
  /** Server2's DCF keys for small tensors (dealt_splines.ts); its `dealtSplines` capability. @internal */
  readonly dealt: ABY3DealtSplines = new ABY3DealtSplines(this);
  readonly capabilities: ProtocolCapabilities = { exactComparison: this, fixedPoint: this, dealtSplines: this.dealt };
  readonly servers: readonly [string, string, string];
  readonly sigmoidMode: SigmoidMode;
  /** Whether small tensors use server2's DCF keys (see {@link ABY3Args.fss}). */
  readonly fss: boolean;

  constructor(args: ABY3Args = {}) {
    const f = args.fracBits ?? 16;
    if (!Number.isInteger(f) || f < 1 || f > 30) throw new ValueError(`\`fracBits\` must be an integer in [1, 30], got ${f}`);
    const servers = args.servers ?? ['server0', 'server1', 'server2'];
    if (!Array.isArray(servers) || servers.length !== 3 || new Set(servers).size !== 3) {
      throw new ValueError(`ABY3 needs three distinct servers, got [${String(servers)}]`);
    }
    const mode = args.sigmoid ?? 'accurate';
    if (mode !== 'piecewise' && mode !== 'accurate' && mode !== 'polynomial') throw new ValueError(`\`sigmoid\` must be 'accurate', 'piecewise' or 'polynomial', got ${String(mode)}`);
    this.fracBits = f;
    this.servers = [...servers] as [string, string, string];
    this.sigmoidMode = mode;
    if (args.fss !== undefined && typeof args.fss !== 'boolean') throw new ValueError(`\`fss\` must be a boolean, got ${typeof args.fss}`);
    this.fss = args.fss ?? true;
  }

  /** The runtime of the active config. @internal */
  get rt(): Runtime { return currentRuntime(this.servers); }

  // ---- values -------------------------------------------------------------------------------

  async definePrivateInput(player: string, provider: InputProvider, opts: InputOptions = {}): Promise<TfeTensor> {
    const fracBits = opts.integer ? 0 : this.fracBits;
    const h = await inputWithShape(this.rt, player, inputSource(provider, fracBits, opts.shape, opts.bounds));
    const x = new ABY3PrivateTensor(this, fracBits, shareFrom(this, h));
    if (opts.bounds !== undefined) x.bound = boundOf(opts.bounds).abs;
    return x;
  }

  async definePublicInput(player: string, provider: InputProvider, opts: InputOptions = {}): Promise<TfeTensor> {
    const fracBits = opts.integer ? 0 : this.fracBits;
    const h = await inputWithShape(this.rt, player, inputSource(provider, fracBits, opts.shape, opts.bounds));
    const copies = this.servers.map((s) => (s === player ? h : this.rt.send(h, s))) as [Handle, Handle, Handle];
    if (!copies.includes(h)) this.rt.free(h);
    const pub = new ABY3PublicTensor(this, fracBits, copies);
    if (opts.bounds !== undefined) pub.bound = boundOf(opts.bounds).abs;
    return pub;
  }

  defineConstant(value: Liftable, opts: { shape?: number[]; integer?: boolean } = {}): ABY3PublicTensor {
    const plain = toPlain(value, opts.shape, 'value');
    const integer = opts.integer ?? false;
    if (integer && !allIntegers(plain.values)) throw new ValueError('`value` must hold integers when `integer` is true');
    const fracBits = integer ? 0 : this.fracBits;
    const encoded = encodeFixed(plain.values, plain.shape, { fracBits });
    return new ABY3PublicTensor(this, fracBits, placeConstant(this.rt, this.servers, encoded) as [Handle, Handle, Handle]);
  }

  /** A private variable; a plain initial value is shared and re-randomised (1 round), so no server knows it. */
  definePrivateVariable(init: TensorLike, opts: { shape?: number[]; integer?: boolean } = {}): ABY3PrivateVariable {
    const x = this.lift(init, opts.integer ? 0 : this.fracBits, opts.shape);
    const shares = x instanceof ABY3PublicTensor ? this.rerandomize(this.toPrivate(x)) : mapShares(this.toPrivate(x).shares, (h) => this.copy(h));
    return new ABY3PrivateVariable(this, x.fracBits, mapShares(shares, (h) => this.keep(h)));
  }

  definePublicVariable(init: TensorLike, opts: { shape?: number[]; integer?: boolean } = {}): ABY3PublicVariable {
    const x = this.lift(init, opts.integer ? 0 : this.fracBits, opts.shape);
    if (!(x instanceof ABY3PublicTensor)) throw new ValueError('`init` of a public variable must be public');
    return new ABY3PublicVariable(this, x.fracBits, x.values.map((h) => this.keep(this.copy(h))) as [Handle, Handle, Handle]);
  }

  assign(variable: TfeTensor, value: TensorLike): void {
    const v = this.toTensor(value);
    if (variable instanceof ABY3PrivateVariable) {
      const x = this.rescaleTo(this.toPrivate(v), variable.fracBits);
      checkSameShape(variable, x, 'assign');
      const old = variable.shares;
      variable.shares = mapShares(x.shares, (h) => this.keep(this.copy(h)));
      this.rt.free(...old.flat());
    } else if (variable instanceof ABY3PublicVariable) {
      if (!(v instanceof ABY3PublicTensor)) throw new ValueError('cannot assign a private value to a public variable');
      checkSameShape(variable, v, 'assign');
      const old = variable.values;
      variable.setValues(this.rescaleTo(v, variable.fracBits).values.map((h) => this.keep(this.copy(h))) as [Handle, Handle, Handle]);
      this.rt.free(...old);
    } else {
      throw new ValueError(`\`variable\` must be a variable from definePrivateVariable/definePublicVariable, got ${variable}`);
    }
  }

  /** ABY3 needs no masks: products of replicated shares are local plus one resharing. Returns x. */
  cache(x: TfeTensor): TfeTensor { this.own(x); return x; }

  reveal(x: TfeTensor): Promise<Float64Array> { this.own(x); return revealToDriver(this, x); }

  defineOutput(player: string, x: TfeTensor, receive?: (values: Float64Array, shape: readonly number[]) => void | Promise<void>): Promise<void> {
    this.own(x);
    return outputTo(this, player, this.arithmetic(x), receive);
  }

  saveShares(x: TfeTensor, pathOf: (player: string, index: number) => string): SavedShares { return saveShares(this, this.arithmetic(this.toTensor(x)), pathOf); }
  loadShares(saved: SavedShares): TfeTensor { return loadShares(this, saved); }

  dispose(x: TfeTensor): void {
    if (x instanceof ABY3PublicTensor) this.rt.free(...x.values.filter((h) => !h.disposed));
    else if (x instanceof ABY3PrivateTensor || x instanceof ABY3BooleanTensor) {
      const record = x instanceof ABY3PrivateTensor && x.truncation ? recordHandles(x.truncation) : [];
      if (x instanceof ABY3PrivateTensor && x.signSource) record.push(...ownedSignHandles(x.signSource));
      this.rt.free(...[...x.shares.flat(), ...record].filter((h) => !h.disposed));
    }
  }

  // ---- arithmetic ---------------------------------------------------------------------------

  add(x: TensorLike, y: TensorLike): TfeTensor { return addSub(this, 'Add', x, y); }
  sub(x: TensorLike, y: TensorLike): TfeTensor { return addSub(this, 'Sub', x, y); }
  neg(x: TensorLike): TfeTensor { return mapLocal(this, this.toTensor(x), 'Neg', {}); }
  mul(x: TensorLike, y: TensorLike): TfeTensor { return product(this, 'Mul', {}, x, y); }
  square(x: TensorLike): TfeTensor { return product(this, 'Mul', {}, x, x); }
  matmul(x: TensorLike, y: TensorLike, opts: { transposeA?: boolean; transposeB?: boolean } = {}): TfeTensor {
    return product(this, 'MatMul', { transposeA: !!opts.transposeA, transposeB: !!opts.transposeB }, x, y);
  }
  conv2d(x: TensorLike, w: TensorLike, opts: Conv2DOptions = {}): TfeTensor {
    const s = opts.strides ?? 1;
    return product(this, 'Conv2D', { strides: typeof s === 'number' ? [s, s] : s, padding: opts.padding ?? 'valid' }, x, w);
  }
  div(x: TensorLike, y: number | Liftable): TfeTensor { return divPublic(this, this.toTensor(x), y); }
  pow(x: TensorLike, n: number): TfeTensor { return pow(this, this.toTensor(x), n); }
  polynomial(x: TensorLike, coefficients: ArrayLike<number>, coefficientBits?: number): TfeTensor { return fns.polynomial(this, this.toTensor(x), coefficients, coefficientBits); }
  sigmoid(x: TensorLike): TfeTensor { return tidy(() => fns.sigmoid(this, this.toTensor(x), this.sigmoidMode)); }
  tanh(x: TensorLike): TfeTensor { return tidy(() => fns.tanh(this, this.toTensor(x))); }
  relu(x: TensorLike): TfeTensor { return tidy(() => cmp.relu(this, x)); }

  /** exp(x) ≈ (1 + x/2^8)^(2^8) (generic/exp_softmax.ts): on [−16, 0] absolute error ≤ 0.009 worst case (about 0.003 seen, near 0). 8 products. */
  exp(x: TensorLike, opts?: generic.ExpOptions): TfeTensor { return generic.exp(this, this.toTensor(x), opts); }
  /** Softmax over the last axis with exact max subtraction, exp and a Newton reciprocal; absolute error ≤ 0.01. */
  softmax(x: TensorLike): TfeTensor { return tidy(() => generic.softmax(this, this.toTensor(x))); }
  /** 1/x for x in `interval` (0 < lo < hi), Newton iterations from a fitted start; relative error ≤ 1e-3 plus 2 ulp. */
  reciprocal(x: TensorLike, interval: [number, number]): TfeTensor { return generic.reciprocal(this, this.toTensor(x), { interval }); }
  /** 1/√x for x in `interval`, Newton iterations; relative error ≤ 1e-3 plus 2 ulp. */
  invSqrt(x: TensorLike, interval: [number, number]): TfeTensor { return generic.invSqrt(this, this.toTensor(x), { interval }); }
  /** √x = x·(1/√x) for x in `interval`; relative error ≤ 1e-3 plus 2 ulp. */
  sqrt(x: TensorLike, interval: [number, number]): TfeTensor {
    const xt = this.toTensor(x);
    return this.mul(xt, generic.invSqrt(this, xt, { interval }));
  }
  /** log(x) for x in `interval` (a minimax polynomial, refined by Newton on wide intervals); absolute error ≤ 1e-3 on [1, 10] (wider intervals: generic/log.ts). */
  log(x: TensorLike, interval: [number, number]): TfeTensor { return generic.log(this, this.toTensor(x), interval); }

  // ---- shape and reduction ------------------------------------------------------------------

  avgPool2d(x: TensorLike, opts: Pool2DOptions): TfeTensor { return shape.avgPool2d(this, this.toTensor(x), opts); }
  reduceSum(x: TensorLike, axis?: number | number[], keepDims = false): TfeTensor { return shape.reduceSum(this, this.toTensor(x), axis, keepDims); }
  mean(x: TensorLike, axis?: number | number[], keepDims = false): TfeTensor { return shape.mean(this, this.toTensor(x), axis, keepDims); }
  transpose(x: TensorLike, perm?: number[]): TfeTensor { return shape.transpose(this, this.toTensor(x), perm); }
  reshape(x: TensorLike, s: number[]): TfeTensor { return shape.reshape(this, this.toTensor(x), s); }
  expandDims(x: TensorLike, axis = 0): TfeTensor { return shape.expandDims(this, this.toTensor(x), axis); }
  squeeze(x: TensorLike, axes?: number[]): TfeTensor { return shape.squeeze(this, this.toTensor(x), axes); }
  concat(xs: TensorLike[], axis = 0): TfeTensor { return concat(this, xs.map((x) => this.toTensor(x)), axis); }
  stack(xs: TensorLike[], axis = 0): TfeTensor { return stackTensors(this, xs.map((x) => this.toTensor(x)), axis); }
  slice(x: TensorLike, begin: number[], size?: number[]): TfeTensor { return shape.slice(this, this.toTensor(x), begin, size); }
  stridedSlice(x: TensorLike, begin: number[], end: number[], strides?: number[]): TfeTensor {
    return shape.stridedSlice(this, this.toTensor(x), begin, end, strides);
  }
  pad(x: TensorLike, paddings: [number, number][]): TfeTensor { return shape.pad(this, this.toTensor(x), paddings); }
  gather(x: TensorLike, indices: number[], axis = 0): TfeTensor { return shape.gather(this, this.toTensor(x), indices, axis); }
  split(x: TensorLike, numOrSizes: number | number[], axis = 0): TfeTensor[] { return shape.split(this, this.toTensor(x), numOrSizes, axis); }

  // ---- exact comparisons (ExactComparison): private 0/1 tensors with fracBits 0 -------------

  isNegative(x: TensorLike): TfeTensor { return tidy(() => cmp.isNegative(this, x)); }
  less(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.isNegative(this, this.sub(x, y))); }
  lessEqual(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.not(this, cmp.isNegative(this, this.sub(y, x)))); }
  greater(x: TensorLike, y: TensorLike): TfeTensor { return this.less(y, x); }
  greaterEqual(x: TensorLike, y: TensorLike): TfeTensor { return this.lessEqual(y, x); }
  equal(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => cmp.equalZero(this, this.sub(x, y))); }
  equalZero(x: TensorLike): TfeTensor { return tidy(() => cmp.equalZero(this, x)); }
  select(cond: TfeTensor, a: TensorLike, b: TensorLike): TfeTensor { return tidy(() => cmp.select(this, cond, a, b)); }
  reluDerivative(x: TensorLike): TfeTensor { return tidy(() => cmp.not(this, cmp.isNegative(this, x))); }
  reluWithDerivative(x: TensorLike): { y: TfeTensor; derivative: TfeTensor } {
    const r = tidy(() => cmp.reluWithDerivative(this, x, true));
    return { y: r.y, derivative: r.derivative! };
  }
  maximum(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => this.select(this.less(x, y), y, x)); }
  minimum(x: TensorLike, y: TensorLike): TfeTensor { return tidy(() => this.select(this.less(y, x), y, x)); }
  reduceMax(x: TensorLike, axis = -1, keepDims = false): TfeTensor { return tidy(() => pooling.reduceMax(this, this.toTensor(x), axis, keepDims)); }
  argmaxOneHot(x: TensorLike, axis = -1): TfeTensor { return tidy(() => pooling.argmaxOneHot(this, this.toTensor(x), axis)); }
  maxPool2d(x: TensorLike, opts: Pool2DOptions): TfeTensor { return tidy(() => pooling.maxPool2d(this, this.toTensor(x), opts, false).y); }
  maxPool2dWithArgmax(x: TensorLike, opts: Pool2DOptions): { y: TfeTensor; mask: TfeTensor } {
    const r = tidy(() => pooling.maxPool2d(this, this.toTensor(x), opts, true));
    return { y: r.y, mask: r.mask! };
  }
  piecewiseConstant(x: TensorLike, thresholds: readonly number[], tables: readonly (readonly number[])[], bound?: number): TfeTensor[] {
    return tidy(() => cmp.piecewiseConstant(this, x, thresholds, tables, bound));
  }
  /** Sorts each row along the last axis, ascending, with a bitonic network (rows padded to a power of two). */
  sort(x: TensorLike): TfeTensor { return tidy(() => pooling.sort(this, this.toTensor(x))); }

  // ---- conversions --------------------------------------------------------------------------

  /** Boolean (XOR) shares of x's 64-bit words: A2B, a Kogge–Stone adder (8 rounds, 296 bytes per element). */
  toBoolean(x: TensorLike): ABY3BooleanTensor {
    const xt = this.toPrivate(this.toTensor(x));
    return tidy(() => new ABY3BooleanTensor(this, xt.fracBits, a2b(this, xt.shares)));
  }

  /** Arithmetic shares of boolean-shared words: B2A (9 rounds, 312 bytes per element). */
  toArithmetic(b: ABY3BooleanTensor): ABY3PrivateTensor {
    if (!(b instanceof ABY3BooleanTensor)) throw new ValueError(`\`toArithmetic\` needs a boolean-shared tensor (from toBoolean), got ${String(b)}`);
    this.own(b);
    return new ABY3PrivateTensor(this, b.fracBits, b2a(this, b.shares));
  }

  // ---- internals used by the modules --------------------------------------------------------

  /** @internal A tensor of this protocol, or a lifted public constant. */
  toTensor(v: TensorLike, integerHint = false): TfeTensor {
    if (v instanceof TfeTensor) { this.own(v); return v; }
    const integer = integerHint && allIntegers(toPlain(v).values);
    return this.lift(v, integer ? 0 : this.fracBits);
  }

  /** @internal Lifts a plain value; integers lift unscaled when `fracBits` is 0. */
  lift(v: TensorLike, fracBits: number, s?: number[]): TfeTensor {
    if (v instanceof TfeTensor) { this.own(v); return v; }
    return this.defineConstant(v as Liftable, { shape: s, integer: fracBits === 0 });
  }

  /** @internal Private view: a public value is shared trivially (x0 = v, x1 = x2 = 0). */
  toPrivate(x: TfeTensor): ABY3PrivateTensor {
    if (x instanceof ABY3PrivateTensor) return x;
    if (x instanceof ABY3BooleanTensor) throw new ValueError(`${x} is boolean-shared; convert it with B2A first`);
    const pub = x as ABY3PublicTensor;
    const zero = (i: number) => this.rt.fill(this.servers[i], pub.shape, 0n, U64);
    const v = pub.values;
    return new ABY3PrivateTensor(this, pub.fracBits, [[this.copy(v[0]), zero(0)], [zero(1), zero(1)], [zero(2), this.copy(v[2])]]);
  }

  /** @internal Fresh shares of the same value (a zero-sharing added, 1 round). */
  rerandomize(x: ABY3PrivateTensor): ReplicatedShares {
    const terms = x.shares.map((pair, i) => (i === 0 ? this.rt.op(pair[0].player, 'Add', [pair[0], pair[1]]) : i === 1 ? this.copy(pair[1]) : this.rt.fill(pair[0].player, pair[0].shape, 0n, U64)));
    return maskAndReshare(this, terms, 'arithmetic');
  }

  /**
   * The same shares read at scale 2^-fracBits (the `fixedPoint` capability): no instruction.
   * @example
   * ```ts
   * const raw = aby3.square(aby3.withScale(x, 0)); // x·x, not truncated
   * ```
   */
  withScale(x: TfeTensor, fracBits: number): TfeTensor {
    checkScale(fracBits);
    if (x instanceof ABY3PublicTensor) return new ABY3PublicTensor(this, fracBits, x.values);
    const xp = this.toPrivate(x);
    const out = new ABY3PrivateTensor(this, fracBits, xp.shares);
    out.truncation = xp.truncation; // the same ring values: a product of either can use it
    if (xp.signSource) out.signSource = { ...xp.signSource, owned: false };
    return out;
  }

  /**
   * x brought to scale 2^-fracBits (the `fixedPoint` capability): an exact truncation down
   * (2 rounds), an exact left shift up (local).
   * @example
   * ```ts
   * const y = aby3.rescaleTo(aby3.withScale(raw, 32), 16); // a product's 2f back to f
   * ```
   */
  rescaleTo<T extends TfeTensor>(x: T, fracBits: number): T {
    checkScale(fracBits);
    if (x.fracBits === fracBits) return x;
    if (x.fracBits > fracBits) return this.truncate(x, x.fracBits - fracBits, fracBits) as unknown as T;
    return mapLocal(this, x, 'ShiftLeft', { bits: fracBits - x.fracBits }, fracBits) as unknown as T;
  }

  /** @internal Truncates by k bits (exact to 1 ulp for |x| < 2^62), labelling the result `fracBits`. */
  truncate(x: TfeTensor, k: number, fracBits: number): TfeTensor {
    if (k === 0) return x;
    if (x instanceof ABY3PublicTensor) return this.truncatePublic(x, k, fracBits);
    return truncateShares(this, this.toPrivate(x).shares, k, fracBits);
  }

  /** @internal Truncates a public tensor: an arithmetic shift on each copy. */
  truncatePublic(x: ABY3PublicTensor, k: number, fracBits: number): ABY3PublicTensor {
    return new ABY3PublicTensor(this, fracBits, x.values.map((h) => this.rt.op(h.player, 'ShiftRightArithmetic', [h], { bits: k })) as [Handle, Handle, Handle]);
  }

  /** @internal A copy of a handle on the same player. */
  copy(h: Handle): Handle { return this.rt.op(h.player, 'Reshape', [h], { shape: [...h.shape] }); }

  /** @internal Marks a handle as surviving scopes. */
  keep(h: Handle): Handle { return keepHandle(h); }

  /** @internal Boolean tensors open only to the driver (`reveal`); elsewhere they must be converted first. */
  private arithmetic(x: TfeTensor): TfeTensor {
    if (x instanceof ABY3BooleanTensor) throw new NotImplementedError(`${x} is boolean-shared: reveal it, or convert it with toArithmetic first`);
    return x;
  }

  private own(x: TfeTensor): void {
    if (x.protocol !== this) throw new ValueError(`${x} belongs to protocol ${x.protocol.name}, not to this ${this.name}`);
  }
}

function checkSameShape(a: TfeTensor, b: TfeTensor, op: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ValueError(`\`${op}\`: value of shape [${b.shape.join(',')}] does not match variable of shape [${a.shape.join(',')}]`);
  }
}

registerCapability('exactComparison', 'ABY3');
