/**
 * Optimizers on private weights: SGD (momentum, Nesterov), Adam and AMSgrad, in tfjs's
 * formulation so one step matches `tf.train.*` with the same hyper-parameters.
 *
 * Adam keeps the bias-corrected moments directly (m̂_t = a_t·m̂_{t−1} + b_t·g with public
 * a_t, b_t; same for v̂), which equals tfjs's m/(1 − β1^t) in exact arithmetic and keeps v̂ at
 * the scale of g² instead of (1 − β2)·g², where fixed point (f = 16, ulp 1.5e-5) would lose it.
 * The step is lr·m̂·r with r = 1/√(v̂ + δ), δ = 2^−14, by a Newton inverse square root on
 * [2^−14, 2^12 + 2^−14] (relative error ≤ 1e-4 float). δ plays the role of tfjs's epsilon: the
 * effective epsilon is about √δ ≈ 0.008 (tfjs: 1e-7), so for |g| ≥ 0.05 the step is within 1%
 * of tfjs's and smaller gradients take proportionally smaller steps. v̂ above 2^12 (|g| > 64)
 * is outside the documented interval: the last range piece still covers it up to 2^14, the
 * result degrades above that, and from about 2^15 (|g| > 180) ABY3's range comparisons, on
 * 32-bit lanes for this bound, pick arbitrary pieces, so the step is garbage: clip gradients
 * or scale the loss.
 * AMSgrad takes the exact maximum of the bias-corrected v̂ (needs exact comparison: SecureNN or ABY3).
 *
 * Constants ride in truncations made anyway (generic `scaledProduct`): training multiplies
 * the weight-gradient products by lr/N (plain SGD) or 1/N (`gradientScale`), Adam its g² by
 * b_t and m̂·r by lr. Each such constant is rounded to 12 significant bits (relative 2^−12,
 * against 2^−17 for a separate scaling), and the product it rides in must stay below 2^18 in
 * magnitude at f = 16 (a batch-summed weight gradient, g², m̂·r; layers fold only sums of at
 * most `MAX_FOLDED_TERMS` = 4096 terms, so each term may average 2^6); in exchange every step
 * makes one truncation fewer over all weights (Adam: three), and one round fewer per
 * truncation on ABY3. Adam's m̂ = a_t·m̂ + b_t·g is one weighted sum in one truncation (generic
 * `scaledSum`: each weight to a relative 2^−17, as a separate scaling keeps it) where two
 * scalings took two; v̂ keeps its two, since one sum would hold v at g²'s scale 2f.
 */
import { NotImplementedError, ValueError } from '../errors.js';
import { missingCapability, requireExact } from '../protocols/capabilities.js';
import { invSqrt, invSqrtPlan, scaleBy, scaledProduct, scaledSum, type GenericNewtonPlan } from '../protocols/generic/index.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';

/** A trainable weight as the optimizer sees it. */
export interface OptimizerVariable { name: string; value: TfeTensor }

/**
 * The base of tfe optimizers.
 * @example
 * ```ts
 * const opt = tfe.train.sgd(0.1);
 * opt.applyGradients(prot, vars, grads);
 * ```
 */
export abstract class Optimizer {
  abstract readonly name: string;
  protected iterations = 0;
  protected readonly slots = new Map<string, TfeTensor[]>();
  /**
   * Updates `vars` in place with `grads` (same order). All weights take one step together:
   * their values, gradients and state are joined into flat vectors (a local reshape and
   * concat), updated once, and split back. A private update costs rounds (truncations, Adam's
   * comparisons and Newton steps), and the weights' updates one after another cost them once
   * per weight: network A's six weights made Adam's update six times as deep. A step that is
   * one local subtraction per weight (plain SGD on gradients that carry lr/N already) updates
   * each weight directly: there the joining would be all the work (under ABY3, network A's
   * step made about 160 reshape, concat and slice instructions for six subtractions).
   *
   * `divisor` (default 1): the gradients are `divisor` times the true ones, as training's
   * summed loss gradients are (losses.ts `summedGradient`). The step wants them multiplied by
   * {@link Optimizer.gradientScale}: lr/divisor for plain SGD, 1/divisor otherwise. With
   * `scaled`, `grads` carry that factor already (training folds it into the layers' gradient
   * products, generic `scaledProduct`); otherwise one scaling of all of them applies it.
   */
  applyGradients(p: Protocol, vars: OptimizerVariable[], grads: TfeTensor[], divisor = 1, scaled = false): void {
    if (vars.length !== grads.length) throw new ValueError(`optimizer: ${vars.length} weights but ${grads.length} gradients`);
    if (!(Number.isSafeInteger(divisor) && divisor >= 1)) throw new ValueError(`optimizer: the gradients' \`divisor\` must be a positive whole number, got ${divisor}`);
    this.iterations++;
    if (!vars.length) return;
    const n = this.stateCount();
    const slots = vars.map((v) => (n ? this.slot(p, v, n) : []));
    const c = this.gradientScale(divisor);
    if (n === 0 && (scaled || c === 1) && this.localStep()) {
      vars.forEach((v, i) => p.assign(v.value, this.step(p, v.value, grads[i], []).value));
      return;
    }
    const g = joined(p, grads);
    const next = this.step(p, joined(p, vars.map((v) => v.value)), scaled || c === 1 ? g : scaleBy(p, g, c), Array.from({ length: n }, (_, k) => joined(p, slots.map((s) => s[k]))));
    assignSplit(p, vars.map((v) => v.value), next.value);
    next.state.forEach((t, k) => assignSplit(p, slots.map((s) => s[k]), t));
  }
  /**
   * The public constant c > 0 that {@link Optimizer.applyGradients} multiplies gradient sums
   * with divisor N by before its step: 1/N (the mean gradient), or lr/N for plain SGD, which
   * applies it directly.
   * @example
   * ```ts
   * tfe.train.sgd(0.1).gradientScale(128); // 0.1 / 128
   * ```
   */
  gradientScale(divisor: number): number { return 1 / divisor; }
  /** True when {@link Optimizer.step} without state is elementwise and local (no truncation): then weights are updated one by one. */
  protected localStep(): boolean { return false; }
  /** Throws when `p` cannot run this optimizer. */
  checkProtocol(p: Protocol): void { void p; }
  /** How many state tensors each weight keeps (momentum, moments). */
  protected abstract stateCount(): number;
  /**
   * One step on flat vectors: the new weights and the new state, in `state`'s order. `g` is
   * the gradient sum times {@link Optimizer.gradientScale} (the mean gradient, or lr times it
   * for plain SGD).
   */
  protected abstract step(p: Protocol, value: TfeTensor, g: TfeTensor, state: TfeTensor[]): { value: TfeTensor; state: TfeTensor[] };
  /** A private zero-initialised state variable per weight. */
  protected slot(p: Protocol, v: OptimizerVariable, n: number): TfeTensor[] {
    let s = this.slots.get(v.name);
    if (!s) {
      s = Array.from({ length: n }, () => p.definePrivateVariable(new Float64Array(v.value.size), { shape: [...v.value.shape] }));
      this.slots.set(v.name, s);
    }
    return s;
  }
  /**
   * The step count and the state tensors per weight name (checkpoints save them).
   * @example
   * ```ts
   * const { iterations, slots } = model.optimizer.getState();
   * ```
   */
  getState(): { iterations: number; slots: ReadonlyMap<string, readonly TfeTensor[]> } {
    return { iterations: this.iterations, slots: this.slots };
  }

  /**
   * Sets the step count and makes zero-initialised state for each listed weight, returned in
   * order for the caller to fill (checkpoint loading replaces their shares).
   * @example
   * ```ts
   * const [[m, v]] = opt.restoreState(p, 12, [{ weight, count: 2 }]);
   * ```
   */
  restoreState(p: Protocol, iterations: number, entries: readonly { weight: OptimizerVariable; count: number }[]): TfeTensor[][] {
    if (!Number.isSafeInteger(iterations) || iterations < 0) throw new ValueError(`optimizer: \`iterations\` must be a non-negative integer, got ${iterations}`);
    this.dispose();
    this.iterations = iterations;
    return entries.map((e) => this.slot(p, e.weight, e.count));
  }

  /** Frees the optimizer state. */
  dispose(): void { for (const s of this.slots.values()) for (const t of s) t.dispose(); this.slots.clear(); }
  /** Serialisable hyper-parameters. */
  abstract getConfig(): Record<string, unknown>;
}

/** Arguments of {@link SGD}. */
export interface SGDArgs { learningRate?: number; momentum?: number; nesterov?: boolean }

/**
 * Stochastic gradient descent with optional momentum (tfjs `tf.train.momentum`: a ← μ·a + g,
 * w ← w − lr·a; Nesterov: w ← w − lr·(g + μ·a)).
 * @example
 * ```ts
 * const opt = new SGD({ learningRate: 0.1, momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly learningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args: SGDArgs = {}) {
    super();
    this.learningRate = positive(args.learningRate ?? 0.01, 'learningRate');
    this.momentum = args.momentum ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new ValueError(`sgd: \`momentum\` must be in [0, 1), got ${this.momentum}`);
    this.nesterov = args.nesterov ?? false;
  }
  protected stateCount(): number { return this.momentum === 0 ? 0 : 1; }
  /** Without momentum the step is w − g. */
  protected override localStep(): boolean { return this.momentum === 0; }
  /** lr/N without momentum (the step is then w − g), 1/N with it. */
  override gradientScale(divisor: number): number { return this.momentum === 0 ? this.learningRate / divisor : 1 / divisor; }
  protected step(p: Protocol, value: TfeTensor, g: TfeTensor, [acc]: TfeTensor[]): { value: TfeTensor; state: TfeTensor[] } {
    if (this.momentum === 0) return { value: p.sub(value, g), state: [] };
    const a = p.add(scaleBy(p, acc, this.momentum), g);
    const step = this.nesterov ? p.add(g, scaleBy(p, a, this.momentum)) : a;
    return { value: p.sub(value, scaleBy(p, step, this.learningRate)), state: [a] };
  }
  getConfig(): Record<string, unknown> { return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov }; }
}

/** Arguments of {@link Adam}. */
export interface AdamArgs { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number; amsgrad?: boolean }

const DELTA = 2 ** -14;

/**
 * Adam (Kingma & Ba 2015) and AMSgrad (Reddi et al. 2018) — see the module comment for the
 * private inverse square root and its accuracy.
 * @example
 * ```ts
 * const opt = new Adam({ learningRate: 0.001 });
 * ```
 */
export class Adam extends Optimizer {
  readonly name: string;
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private plan?: GenericNewtonPlan;
  constructor(args: AdamArgs = {}) {
    super();
    this.learningRate = positive(args.learningRate ?? 0.001, 'learningRate');
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.amsgrad = args.amsgrad ?? false;
    this.name = this.amsgrad ? 'amsgrad' : 'adam';
    for (const [k, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b > 0 && b < 1)) throw new ValueError(`${this.name}: \`${k}\` must be in (0, 1), got ${b}`);
    }
  }
  override checkProtocol(p: Protocol): void {
    if (this.amsgrad && !p.capabilities.exactComparison) {
      throw new NotImplementedError(missingCapability(p, 'exactComparison', 'optimizer `amsgrad` (its maximum)'));
    }
  }
  protected stateCount(): number { return this.amsgrad ? 3 : 2; }
  protected step(p: Protocol, value: TfeTensor, g: TfeTensor, [m, s, sMax]: TfeTensor[]): { value: TfeTensor; state: TfeTensor[] } {
    const t = this.iterations;
    // g is the mean gradient, not the sum: g² of a batch sum would be divisor² times larger in the ring
    const c1 = 1 - this.beta1 ** t, c1p = 1 - this.beta1 ** (t - 1);
    const c2 = 1 - this.beta2 ** t, c2p = 1 - this.beta2 ** (t - 1);
    const mHat = t === 1 ? g : weighted(p, [[m, (this.beta1 * c1p) / c1], [g, (1 - this.beta1) / c1]]);
    // the product's constant rides in its own truncation (one round and truncation fewer on ABY3);
    // one weighted sum as for m̂ would need v at g²'s scale 2f, leaving room only for v̂ < 2^4
    const vHat = t === 1 ? p.square(g) : p.add(scaleBy(p, s, (this.beta2 * c2p) / c2), timesConstant(p, g, g, (1 - this.beta2) / c2));
    const state = [mHat, vHat];
    let denomArg = vHat;
    if (this.amsgrad) {
      denomArg = t === 1 ? vHat : requireExact(p, 'optimizer `amsgrad`').maximum(sMax, vHat);
      state.push(denomArg);
    }
    this.plan ??= invSqrtPlan({ interval: [DELTA, 2 ** 12 + DELTA], targetRelativeError: 1e-4 });
    const r = invSqrt(p, p.add(denomArg, DELTA + this.epsilon ** 2), this.plan);
    return { value: p.sub(value, timesConstant(p, mHat, r, this.learningRate)), state };
  }
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/** Σ c_i·x_i in one truncation ({@link scaledSum}), or a sum of scalings. */
function weighted(p: Protocol, terms: readonly (readonly [TfeTensor, number])[]): TfeTensor {
  return scaledSum(p, terms) ?? terms.map(([x, c]) => scaleBy(p, x, c)).reduce((acc, x) => p.add(acc, x));
}

/** c·a·b in the product's truncation ({@link scaledProduct}), or a product and then a scaling. */
function timesConstant(p: Protocol, a: TfeTensor, b: TfeTensor, c: number): TfeTensor {
  return scaledProduct(p, a, b, c, (u, v) => p.mul(u, v)) ?? scaleBy(p, a === b ? p.square(a) : p.mul(a, b), c);
}

/** Several tensors as one flat vector (local: reshape and concat move no data between players). */
function joined(p: Protocol, ts: TfeTensor[]): TfeTensor {
  const flat = ts.map((t) => p.reshape(t, [t.size]));
  return flat.length === 1 ? flat[0] : p.concat(flat, 0);
}

/** Assigns the consecutive pieces of the flat vector `flat` to `targets`, in their shapes. */
function assignSplit(p: Protocol, targets: TfeTensor[], flat: TfeTensor): void {
  const parts = targets.length === 1 ? [flat] : p.split(flat, targets.map((t) => t.size), 0);
  targets.forEach((t, i) => p.assign(t, p.reshape(parts[i], [...t.shape])));
}

function positive(v: number, what: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ValueError(`optimizer: \`${what}\` must be a positive number, got ${String(v)}`);
  return v;
}

/**
 * An optimizer from its saved name and {@link Optimizer.getConfig} (checkpoints).
 * @example
 * ```ts
 * optimizerFromConfig('adam', { learningRate: 0.01 });
 * ```
 */
export function optimizerFromConfig(name: string, config: Record<string, unknown>): Optimizer {
  switch (name) {
    case 'sgd': return new SGD(config as SGDArgs);
    case 'adam': case 'amsgrad': return new Adam({ ...(config as AdamArgs), amsgrad: name === 'amsgrad' });
    default: throw new ValueError(`unknown optimizer \`${name}\` in checkpoint; expected sgd, adam or amsgrad`);
  }
}

/**
 * The optimizer named `name` (`sgd`, `momentum`, `adam`, `amsgrad`) with default settings, or
 * an Optimizer instance.
 * @example
 * ```ts
 * getOptimizer('adam');
 * ```
 */
export function getOptimizer(spec: string | Optimizer): Optimizer {
  if (spec instanceof Optimizer) return spec;
  switch (spec) {
    case 'sgd': return new SGD({ learningRate: 0.01 });
    case 'momentum': return new SGD({ learningRate: 0.01, momentum: 0.9 });
    case 'adam': return new Adam();
    case 'amsgrad': return new Adam({ amsgrad: true });
    default: throw new ValueError(`unknown optimizer \`${String(spec)}\`; use one of sgd, momentum, adam, amsgrad or an optimizer from tfe.train`);
  }
}

/**
 * Optimizer factories in tfjs's `tf.train` style.
 * @example
 * ```ts
 * model.compile({ optimizer: tfe.train.sgd(0.1), loss: 'binaryCrossentropy' });
 * ```
 */
export const train = {
  sgd: (learningRate: number): SGD => new SGD({ learningRate }),
  momentum: (learningRate: number, momentum: number, useNesterov = false): SGD => new SGD({ learningRate, momentum, nesterov: useNesterov }),
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Adam => new Adam({ learningRate, beta1, beta2, epsilon }),
  amsgrad: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Adam => new Adam({ learningRate, beta1, beta2, epsilon, amsgrad: true }),
};
