import { ProtocolError, ValueError } from '../../errors.js';
import { encodeFixed } from '../../kernels/fixed_point.js';
import { U64 } from '../../kernels/dtype.js';
import type { Handle, Runtime } from '../runtime_link.js';
import { currentRuntime, inputWithShape, keepHandle } from '../runtime_link.js';
import { allIntegers, placeConstant, toPlain } from '../lift.js';
import type { Conv2DOptions, InputOptions, InputProvider, Pool2DOptions, Protocol, ProtocolCapabilities, SavedShares } from '../protocol.js';
import { checkScale } from '../capabilities.js';
import { boundOf, maxAbs, productBound } from '../overflow.js';
import { TfeTensor, type Liftable, type TensorLike } from '../tensor.js';
import { beaverProduct, beaverSquare, mask } from './beaver.js';
import * as linear from './linear.js';
import * as nonlinear from './nonlinear.js';
import { pow } from '../generic/powers.js';
import { stackTensors } from '../generic/rows.js';
import { PondMaskedTensor, PondPrivateTensor, PondPrivateVariable, PondPublicTensor, PondPublicVariable, type TruncationRecord } from './pond_tensors.js';
import { loadShares, saveShares } from './saved_shares.js';
import { inputSource, outputTo, revealToDriver, shareFrom } from './sharing.js';
import { TRUNCATION_BOUND, truncatePrivate, truncatePublic } from './truncate.js';
import { ownedSignHandles } from './sign_source.js';
import { PondDealtSplines } from './dealt_splines.js';
import { canSquareTruncated, hasLiveTruncation, recordHandles, truncatedProduct, truncatedSquare } from './truncated_product.js';

/**
 * Options of {@link Pond}.
 * @example
 * ```ts
 * tfe.setProtocol(new tfe.Pond({ fracBits: 16 }));
 * ```
 */
export interface PondArgs {
  /** Fractional bits of fixed-point values (default 16). */
  fracBits?: number;
  /**
   * relu: 'exact' (default: x·[x ≥ 0] from the dealer-assisted exact MSB, 8 rounds, or 1 for
   * tensors of at most 256 elements (see `fss`), exact on the whole ring) or 'chebyshev' (TF Encrypted's approach: a polynomial on [−8, 8], error ≤ 0.25).
   */
  relu?: 'exact' | 'chebyshev';
  /**
   * Function secret sharing for small tensors (default true): for a private tensor of at most
   * 256 elements, the dealer deals keys of a distributed comparison function (2 KB per
   * element and server; pond/fss.ts), so relu is exact in 1 round (the tree's takes 8), and
   * sigmoid and tanh are 14-piece linear splines in 2 rounds (pond/spline.ts; errors ≤ 0.0025
   * and ≤ 0.005) instead of the degree-9 polynomials with their exact clamps (9 rounds, about
   * 200 bytes per element, ≤ 0.0028 and ≤ 0.0057); SecureNN's relu and its derivative take 1
   * round instead of 4. `false` keeps the tree, DReLU and the polynomials at every size.
   */
  fss?: boolean;
}

let debugMode = false;

/**
 * Turns debug checks on: before every private truncation the value is revealed to the driver
 * and checked against the truncation bound |x| < 2^62; a violation fails the next awaited
 * call with a ProtocolError naming the op. For development only: it opens values.
 * @example
 * ```ts
 * tfe.setDebug(true);
 * ```
 */
export function setDebug(on: boolean): void { debugMode = on; }

/** Nesting depth of {@link withoutRangeChecks}. */
let rangeChecksSuspended = 0;

/**
 * @internal Runs `issue` without debug range checks: for values whose out-of-range results are
 * discarded by design (an approximation's polynomial on inputs outside its interval, replaced
 * by the value at the interval's end).
 */
export function withoutRangeChecks<T>(issue: () => T): T {
  rangeChecksSuspended++;
  try {
    return issue();
  } finally {
    rangeChecksSuspended--;
  }
}

/**
 * Pond (Dahl, Mancuso, Dupis, Decoste, Giraud, Livingstone, Patriquin, Uhma — "Private
 * Machine Learning in TensorFlow using Secure Computation", 2018): additive 2-out-of-2
 * sharing over Z_2^64 between `server0` and `server1`, with `server2` (the crypto producer)
 * dealing Beaver triples and truncation pairs from seeds it shares with each server.
 *
 * Every op dispatches on its operands (public, private, masked); products of two scaled
 * values truncate once, exactly to one unit in the last place for |x| < 2^62 before
 * truncation (with f = 16: products whose real value is below 2^30 in magnitude).
 *
 * @example
 * ```ts
 * tfe.setProtocol(new tfe.protocols.Pond());
 * const x = await tfe.definePrivateInput('input-provider', () => [1, 2, 3]);
 * console.log(await x.mul(x).reveal()); // ≈ [1, 4, 9]
 * ```
 */
export class Pond implements Protocol {
  readonly name: string = 'Pond';
  readonly fracBits: number;
  readonly capabilities: ProtocolCapabilities = { exactComparison: undefined, fixedPoint: this, dealtSplines: new PondDealtSplines(this) };
  /** @internal debug checks not yet awaited */
  readonly pendingChecks: Promise<void>[] = [];

  private producer?: string;
  /** How relu is computed (see {@link PondArgs.relu}). */
  readonly reluMode: 'exact' | 'chebyshev';
  /** Whether small tensors use the dealer's DCF keys (see {@link PondArgs.fss}). */
  readonly fss: boolean;

  /** The first server. */
  readonly s0: string;

  /**
   * @param s0OrArgs first server (default `server0`), or the options alone:
   *   `new Pond({ fracBits: 20 })`
   * @param s1 second server (default `server1`)
   * @param cryptoProducer the dealer; by default `server2`, or `crypto-producer` when the
   *   active config names that player and no `server2` (TF Encrypted's alias)
   * @param args options, when the players are named
   */
  constructor(
    s0OrArgs: string | PondArgs = 'server0',
    readonly s1 = 'server1',
    cryptoProducer?: string,
    args: PondArgs = {},
  ) {
    if (s0OrArgs === null || (typeof s0OrArgs !== 'string' && typeof s0OrArgs !== 'object')) {
      throw new ValueError(`the first argument of a protocol must be a player name or an options object, got ${s0OrArgs === null ? 'null' : typeof s0OrArgs}`);
    }
    const a = typeof s0OrArgs === 'object' ? s0OrArgs : args;
    this.s0 = typeof s0OrArgs === 'string' ? s0OrArgs : 'server0';
    for (const [what, v] of [['s1', s1], ['cryptoProducer', cryptoProducer ?? 'server2']] as const) {
      if (typeof v !== 'string' || v === '') throw new ValueError(`\`${what}\` must be a player name, got ${typeof v === 'string' ? 'an empty string' : typeof v}`);
    }
    const f = a.fracBits ?? 16;
    if (!Number.isInteger(f) || f < 1 || f > 30) throw new ValueError(`\`fracBits\` must be an integer in [1, 30], got ${f}`);
    const names = [this.s0, s1, cryptoProducer ?? 'server2'];
    if (new Set(names).size !== 3) throw new ValueError(`Pond needs three distinct players, got [${names.join(', ')}]`);
    this.producer = cryptoProducer;
    this.fracBits = f;
    if (a.relu !== undefined && a.relu !== 'exact' && a.relu !== 'chebyshev') {
      throw new ValueError(`\`relu\` must be 'exact' or 'chebyshev', got ${String(a.relu)}`);
    }
    this.reluMode = a.relu ?? 'exact';
    if (a.fss !== undefined && typeof a.fss !== 'boolean') throw new ValueError(`\`fss\` must be a boolean, got ${typeof a.fss}`);
    this.fss = a.fss ?? true;
  }

  /** The crypto producer (dealer of triples and truncation pairs). */
  get cp(): string {
    if (!this.producer) {
      const known = currentRuntime().players;
      this.producer = known.includes('crypto-producer') && !known.includes('server2') ? 'crypto-producer' : 'server2';
    }
    return this.producer;
  }

  /** The runtime of the active config. @internal */
  get rt(): Runtime { return currentRuntime([this.s0, this.s1, this.cp]); }

  // ---- values -------------------------------------------------------------------------------

  async definePrivateInput(player: string, provider: InputProvider, opts: InputOptions = {}): Promise<TfeTensor> {
    const fracBits = opts.integer ? 0 : this.fracBits;
    const bound = opts.bounds === undefined ? undefined : boundOf(opts.bounds).abs;
    const h = await inputWithShape(this.rt, player, inputSource(provider, fracBits, opts.shape, opts.bounds));
    const x = shareFrom(this, h, fracBits);
    x.bound = bound;
    return x;
  }

  async definePublicInput(player: string, provider: InputProvider, opts: InputOptions = {}): Promise<TfeTensor> {
    const fracBits = opts.integer ? 0 : this.fracBits;
    const bound = opts.bounds === undefined ? undefined : boundOf(opts.bounds).abs;
    const h = await inputWithShape(this.rt, player, inputSource(provider, fracBits, opts.shape, opts.bounds));
    const copies = [this.s0, this.s1].map((s) => (s === player ? h : this.rt.send(h, s))) as [Handle, Handle];
    if (!copies.includes(h)) this.rt.free(h);
    const pub = new PondPublicTensor(this, fracBits, copies);
    pub.bound = bound;
    return pub;
  }

  defineConstant(value: Liftable, opts: { shape?: number[]; integer?: boolean } = {}): PondPublicTensor {
    const plain = toPlain(value, opts.shape, 'value');
    const integer = opts.integer ?? false;
    if (integer && !allIntegers(plain.values)) throw new ValueError('`value` must hold integers when `integer` is true');
    const fracBits = integer ? 0 : this.fracBits;
    const encoded = encodeFixed(plain.values, plain.shape, { fracBits });
    const c = new PondPublicTensor(this, fracBits, placeConstant(this.rt, [this.s0, this.s1], encoded) as [Handle, Handle]);
    c.bound = maxAbs(plain.values);
    return c;
  }

  definePrivateVariable(init: TensorLike, opts: { shape?: number[]; integer?: boolean } = {}): PondPrivateVariable {
    const x = this.toPrivate(this.lift(init, opts.integer ? 0 : this.fracBits, opts.shape));
    const v = new PondPrivateVariable(this, x.fracBits, x.shares.map((h) => this.keep(this.copy(h))) as [Handle, Handle]);
    return v;
  }

  definePublicVariable(init: TensorLike, opts: { shape?: number[]; integer?: boolean } = {}): PondPublicVariable {
    const x = this.lift(init, opts.integer ? 0 : this.fracBits, opts.shape);
    if (!(x instanceof PondPublicTensor)) throw new ValueError('`init` of a public variable must be public');
    return new PondPublicVariable(this, x.fracBits, x.values.map((h) => this.keep(this.copy(h))) as [Handle, Handle]);
  }

  assign(variable: TfeTensor, value: TensorLike): void {
    const v = this.toTensor(value);
    if (variable instanceof PondPrivateVariable) {
      const x = this.rescaleTo(this.toPrivate(v), variable.fracBits);
      checkSameShape(variable, x, 'assign');
      const old = variable.shares;
      variable.shares = x.shares.map((h) => this.keep(this.copy(h))) as [Handle, Handle];
      if (variable.masked) this.dispose(variable.masked);
      variable.masked = undefined;
      this.rt.free(...old);
    } else if (variable instanceof PondPublicVariable) {
      if (!(v instanceof PondPublicTensor)) throw new ValueError('cannot assign a private value to a public variable');
      checkSameShape(variable, v, 'assign');
      const old = variable.values;
      variable.setValues(this.rescaleTo(v, variable.fracBits).values.map((h) => this.keep(this.copy(h))) as [Handle, Handle]);
      this.rt.free(...old);
    } else {
      throw new ValueError(`\`variable\` must be a variable from definePrivateVariable/definePublicVariable, got ${variable}`);
    }
  }

  /** Masks a private tensor once and keeps the mask across scopes (for weights reused in many products). */
  cache(x: TfeTensor): TfeTensor {
    if (x instanceof PondPublicTensor || x instanceof PondMaskedTensor) return x;
    const m = mask(this, x as PondPrivateTensor);
    for (const h of [m.a, ...m.aShares, ...m.alpha]) this.keep(h);
    return m;
  }

  async reveal(x: TfeTensor): Promise<Float64Array> {
    this.own(x);
    const out = await revealToDriver(this, x);
    await this.settleChecks();
    return out;
  }

  async defineOutput(player: string, x: TfeTensor, receive?: (values: Float64Array, shape: readonly number[]) => void | Promise<void>): Promise<void> {
    this.own(x);
    await outputTo(this, player, x, receive);
    await this.settleChecks();
  }

  saveShares(x: TfeTensor, pathOf: (player: string, index: number) => string, sink?: { name: string; args: (player: string) => Record<string, unknown> }): SavedShares { return saveShares(this, this.toTensor(x), pathOf, sink); }
  loadShares(saved: SavedShares): TfeTensor { return loadShares(this, saved); }

  dispose(x: TfeTensor): void {
    if (x instanceof PondPublicTensor) this.rt.free(...x.values);
    else if (x instanceof PondMaskedTensor) this.rt.free(...[x.a, ...x.aShares, ...x.alpha].filter((h) => !h.disposed));
    else if (x instanceof PondPrivateTensor) {
      this.rt.free(...x.shares);
      if (x.masked) this.dispose(x.masked);
      if (x.truncation) this.rt.free(...recordHandles(x.truncation).filter((h) => !h.disposed));
      if (x.signSource) this.rt.free(...ownedSignHandles(x.signSource));
    }
  }

  // ---- arithmetic ---------------------------------------------------------------------------

  add(x: TensorLike, y: TensorLike): TfeTensor { return linear.addSub(this, 'Add', x, y); }
  sub(x: TensorLike, y: TensorLike): TfeTensor { return linear.addSub(this, 'Sub', x, y); }
  neg(x: TensorLike): TfeTensor { return linear.mapLocal(this, this.toTensor(x), 'Neg', {}, false); }

  mul(x: TensorLike, y: TensorLike): TfeTensor {
    if (x === y && x instanceof TfeTensor) return this.square(x);
    return this.product('Mul', {}, x, y);
  }

  square(x: TensorLike): TfeTensor {
    const t = this.toTensor(x);
    if (t instanceof PondPublicTensor) return this.product('Mul', {}, t, t);
    const priv = t as PondPrivateTensor | PondMaskedTensor;
    const z = canSquareTruncated(this, priv) ? truncatedSquare(this, priv) : beaverSquare(this, priv);
    const out = this.truncateProduct(z, t.fracBits, t.fracBits);
    out.bound = productBound('square', t, t, 1);
    return out;
  }

  matmul(x: TensorLike, y: TensorLike, opts: { transposeA?: boolean; transposeB?: boolean } = {}): TfeTensor {
    return this.product('MatMul', { transposeA: !!opts.transposeA, transposeB: !!opts.transposeB }, x, y);
  }

  conv2d(x: TensorLike, w: TensorLike, opts: Conv2DOptions = {}): TfeTensor {
    const s = opts.strides ?? 1;
    const strides: [number, number] = typeof s === 'number' ? [s, s] : s;
    return this.product('Conv2D', { strides, padding: opts.padding ?? 'valid' }, x, w);
  }

  div(x: TensorLike, y: number | Liftable): TfeTensor { return linear.divPublic(this, this.toTensor(x), y); }
  pow(x: TensorLike, n: number): TfeTensor { return pow(this, this.toTensor(x), n); }
  polynomial(x: TensorLike, coefficients: ArrayLike<number>, coefficientBits?: number): TfeTensor { return nonlinear.polynomial(this, this.toTensor(x), coefficients, coefficientBits); }
  sigmoid(x: TensorLike): TfeTensor { return nonlinear.approximate(this, 'sigmoid', this.toTensor(x)); }
  tanh(x: TensorLike): TfeTensor { return nonlinear.approximate(this, 'tanh', this.toTensor(x)); }
  /** relu: exact by default ({@link PondArgs.relu}), or TF Encrypted's Chebyshev form. */
  relu(x: TensorLike): TfeTensor {
    return this.reluMode === 'exact' ? nonlinear.exactRelu(this, this.toTensor(x)) : nonlinear.approximate(this, 'relu', this.toTensor(x));
  }

  // ---- shape and reduction ------------------------------------------------------------------

  avgPool2d(x: TensorLike, opts: Pool2DOptions): TfeTensor { return linear.avgPool2d(this, this.toTensor(x), opts); }
  reduceSum(x: TensorLike, axis?: number | number[], keepDims = false): TfeTensor { return linear.reduceSum(this, this.toTensor(x), axis, keepDims); }
  mean(x: TensorLike, axis?: number | number[], keepDims = false): TfeTensor { return linear.mean(this, this.toTensor(x), axis, keepDims); }
  transpose(x: TensorLike, perm?: number[]): TfeTensor { return linear.transpose(this, this.toTensor(x), perm); }
  reshape(x: TensorLike, shape: number[]): TfeTensor { return linear.reshape(this, this.toTensor(x), shape); }
  expandDims(x: TensorLike, axis = 0): TfeTensor { return linear.expandDims(this, this.toTensor(x), axis); }
  squeeze(x: TensorLike, axes?: number[]): TfeTensor { return linear.squeeze(this, this.toTensor(x), axes); }
  concat(xs: TensorLike[], axis = 0): TfeTensor { return linear.concat(this, xs.map((x) => this.toTensor(x)), axis); }
  stack(xs: TensorLike[], axis = 0): TfeTensor { return stackTensors(this, xs.map((x) => this.toTensor(x)), axis); }
  slice(x: TensorLike, begin: number[], size?: number[]): TfeTensor { return linear.slice(this, this.toTensor(x), begin, size); }
  stridedSlice(x: TensorLike, begin: number[], end: number[], strides?: number[]): TfeTensor {
    return linear.stridedSlice(this, this.toTensor(x), begin, end, strides);
  }
  pad(x: TensorLike, paddings: [number, number][]): TfeTensor { return linear.pad(this, this.toTensor(x), paddings); }
  gather(x: TensorLike, indices: number[], axis = 0): TfeTensor { return linear.gather(this, this.toTensor(x), indices, axis); }
  split(x: TensorLike, numOrSizes: number | number[], axis = 0): TfeTensor[] { return linear.split(this, this.toTensor(x), numOrSizes, axis); }

  // ---- internals used by the modules --------------------------------------------------------

  /** @internal A tensor of this protocol, or a lifted public constant. */
  toTensor(v: TensorLike, integerHint = false): TfeTensor {
    if (v instanceof TfeTensor) { this.own(v); return v; }
    const integer = integerHint && allIntegers(toPlain(v).values);
    return this.lift(v, integer ? 0 : this.fracBits);
  }

  /** @internal Lifts a plain value; integers lift unscaled when `fracBits` is 0. */
  lift(v: TensorLike, fracBits: number, shape?: number[]): TfeTensor {
    if (v instanceof TfeTensor) { this.own(v); return v; }
    return this.defineConstant(v as Liftable, { shape, integer: fracBits === 0 });
  }

  /** @internal Private view of a tensor (public values are shared trivially: x0 = x, x1 = 0). */
  toPrivate(x: TfeTensor): PondPrivateTensor {
    if (x instanceof PondPrivateTensor) return x;
    if (x instanceof PondMaskedTensor) return x.unmasked;
    const pub = x as PondPublicTensor;
    const zero = this.rt.fill(this.s1, pub.shape, 0n, U64);
    return new PondPrivateTensor(this, pub.fracBits, [this.copy(pub.values[0]), zero]);
  }

  /**
   * x brought to scale 2^-fracBits (the `fixedPoint` capability): an exact truncation down
   * (1 round), an exact left shift up (local).
   * @example
   * ```ts
   * const y = pond.rescaleTo(pond.withScale(raw, 32), 16); // a product's 2f back to f
   * ```
   */
  rescaleTo<T extends TfeTensor>(x: T, fracBits: number): T {
    checkScale(fracBits);
    if (x.fracBits === fracBits) return x;
    if (x.fracBits > fracBits) {
      const k = x.fracBits - fracBits;
      return (x instanceof PondPublicTensor ? truncatePublic(this, x, k, fracBits) : truncatePrivate(this, this.toPrivate(x), k, fracBits)) as unknown as T;
    }
    return linear.mapLocal(this, x, 'ShiftLeft', { bits: fracBits - x.fracBits }, false, fracBits) as unknown as T;
  }

  /**
   * The same shares read at scale 2^-fracBits (the `fixedPoint` capability): no instruction.
   * @example
   * ```ts
   * const raw = pond.square(pond.withScale(x, 0)); // x·x, not truncated
   * ```
   */
  withScale(x: TfeTensor, fracBits: number): TfeTensor {
    checkScale(fracBits);
    if (x instanceof PondPublicTensor) return new PondPublicTensor(this, fracBits, x.values);
    const source = this.toPrivate(x);
    const out = new PondPrivateTensor(this, fracBits, source.shares);
    // a mask is of ring values, whatever their label: the view reuses it (Beaver products
    // check it is still live before they do)
    const m = x instanceof PondMaskedTensor ? x : source.masked;
    if (m) out.masked = new PondMaskedTensor(this, out, m.a, m.aShares, m.alpha, m.epoch);
    out.truncation = source.truncation; // the same ring values: the record describes them too
    if (source.signSource) out.signSource = { ...source.signSource, owned: false };
    return out;
  }

  /** @internal Truncates a product of scales fa and fb back to max(fa, fb). */
  truncateProduct(z: TfeTensor, fa: number, fb: number): TfeTensor {
    const k = Math.min(fa, fb);
    if (k === 0) return z;
    const f = Math.max(fa, fb);
    if (z instanceof PondPublicTensor) {
      const t = truncatePublic(this, z, k, f);
      this.dispose(z);
      return t;
    }
    const t = truncatePrivate(this, z as PondPrivateTensor, k, f);
    // z stays, freed with t: a comparison of t can start from it (sign_source.ts)
    t.signSource = { k, base: (z as PondPrivateTensor).shares, addends: [], owned: true };
    return t;
  }

  /** @internal Queues a debug range check (reveals; only in debug mode). */
  debugCheckRange(x: PondPrivateTensor, op: string): void {
    if (!debugMode || rangeChecksSuspended > 0) return;
    this.pendingChecks.push(revealToDriver(this, new PondPrivateTensor(this, 0, x.shares)).then((v) => {
      const bound = Number(TRUNCATION_BOUND);
      for (let i = 0; i < v.length; i++) {
        if (!(Math.abs(v[i]) < bound)) {
          throw new ProtocolError(`\`${op}\`: a value before truncation is outside |x| < 2^62 (element ${i} of shape [${x.shape.join(',')}]); the result would be wrong`);
        }
      }
    }));
  }

  /** @internal A copy of a handle on the same player (so variables own their storage). */
  copy(h: Handle): Handle { return this.rt.op(h.player, 'Reshape', [h], { shape: [...h.shape] }); }

  /** @internal Marks a handle as surviving scopes. */
  keep(h: Handle): Handle { return keepHandle(h); }

  private async settleChecks(): Promise<void> {
    const checks = this.pendingChecks.splice(0);
    await Promise.all(checks);
  }

  private own(x: TfeTensor): void {
    if (x.protocol !== this) throw new ValueError(`${x} belongs to protocol ${x.protocol.name}, not to this ${this.name}`);
  }

  private product(kernel: 'Mul' | 'MatMul' | 'Conv2D', attrs: object, xv: TensorLike, yv: TensorLike): TfeTensor {
    const x = this.toTensor(xv, true);
    const y = this.toTensor(yv, true);
    let z: TfeTensor;
    if (x instanceof PondPublicTensor && y instanceof PondPublicTensor) {
      z = new PondPublicTensor(this, x.fracBits + y.fracBits, [0, 1].map((i) => this.rt.op(x.values[i].player, kernel, [x.values[i], y.values[i]], attrs)) as [Handle, Handle]);
    } else if (x instanceof PondPublicTensor || y instanceof PondPublicTensor) {
      const priv = this.toPrivate(x instanceof PondPublicTensor ? y : x);
      const pub = (x instanceof PondPublicTensor ? x : y) as PondPublicTensor;
      const shares = [0, 1].map((i) => {
        const args = x instanceof PondPublicTensor ? [pub.values[i], priv.shares[i]] : [priv.shares[i], pub.values[i]];
        return this.rt.op(priv.shares[i].player, kernel, args, attrs);
      }) as [Handle, Handle];
      z = new PondPrivateTensor(this, x.fracBits + y.fracBits, shares);
    } else {
      const [px, py] = [x, y] as (PondPrivateTensor | PondMaskedTensor)[];
      // an operand fresh from a truncation needs no opening of its own (truncated_product.ts)
      const sameShape = kernel === 'Mul' && px.shape.length === py.shape.length && px.shape.every((d, i) => d === py.shape[i]);
      const fx = sameShape && hasLiveTruncation(this, px), fy = sameShape && hasLiveTruncation(this, py);
      // both fresh: fuse the later one (the earlier operand's mask opens before it is needed)
      if (fx && (!fy || px.truncation!.order > py.truncation!.order)) z = truncatedProduct(this, px as PondPrivateTensor & { truncation: TruncationRecord }, py);
      else if (fy) z = truncatedProduct(this, py as PondPrivateTensor & { truncation: TruncationRecord }, px);
      else z = beaverProduct(this, kernel, attrs, px, py);
    }
    const out = this.truncateProduct(z, x.fracBits, y.fracBits);
    out.bound = productBound(kernel, x, y, innerTerms(kernel, attrs, x, y));
    return out;
  }
}

/** How many products are summed into one output element of `kernel`. */
function innerTerms(kernel: 'Mul' | 'MatMul' | 'Conv2D', attrs: object, x: TfeTensor, y: TfeTensor): number {
  if (kernel === 'Mul') return 1;
  if (kernel === 'Conv2D') return y.shape[0] * y.shape[1] * y.shape[2];
  const transposeA = (attrs as { transposeA?: boolean }).transposeA;
  return x.shape[transposeA ? x.rank - 2 : x.rank - 1];
}

function checkSameShape(a: TfeTensor, b: TfeTensor, op: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ValueError(`\`${op}\`: value of shape [${b.shape.join(',')}] does not match variable of shape [${a.shape.join(',')}]`);
  }
}
