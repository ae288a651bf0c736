import { NotImplementedError, ValueError } from '../errors.js';
import { invSqrt, invSqrtPlan, type GenericNewtonPlan } from '../protocols/generic/index.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { initialValues, serializeInitializer, type InitializerSpec } from './initializers.js';
import { checkArgs, checkInput, Layer, registerLayer, type BackwardOptions, type CallKwargs, type Gradients, type LayerArgs, type Shape } from './layer.js';

/**
 * Arguments of {@link BatchNormalization} (tfjs `BatchNormalizationLayerArgs`, plus tfe's `publicParameters`).
 * @example
 * ```ts
 * tfe.layers.batchNormalization({ epsilon: 1e-3, publicParameters: true });
 * ```
 */
export interface BatchNormalizationArgs extends LayerArgs {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerSpec;
  gammaInitializer?: InitializerSpec;
  movingMeanInitializer?: InitializerSpec;
  movingVarianceInitializer?: InitializerSpec;
  betaConstraint?: unknown; gammaConstraint?: unknown; betaRegularizer?: unknown; gammaRegularizer?: unknown;
  /** tfe: keep gamma, beta and the moving statistics public instead of secret-shared (default false). */
  publicParameters?: boolean;
  /** tfe: interval of moving variance + epsilon for the private inverse square root (default [1e-3, 1e3]). */
  varianceInterval?: [number, number];
}

/**
 * Batch normalization over the last axis with FROZEN statistics: y = γ·(x − μ)/√(σ² + ε) + β
 * with μ, σ² the moving mean and variance. In training, γ and β get gradients and the moving
 * statistics are neither used from the batch nor updated (tfe trains batch normalization only
 * with frozen statistics; import them from a plaintext model or set them with `setWeights`).
 * Parameters are private by default (1/√(σ² + ε) by a Newton inverse square root on
 * `varianceInterval`, relative error ≤ 1e-4 float) or public with `publicParameters: true`.
 * @example
 * ```ts
 * const bn = new BatchNormalization({ epsilon: 1e-3 });
 * ```
 */
export class BatchNormalization extends Layer {
  static override readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly publicParameters: boolean;
  readonly varianceInterval: [number, number];
  private readonly inits: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', InitializerSpec>;
  private plan?: GenericNewtonPlan;
  private cache?: { xhat: TfeTensor; factor: TfeTensor };

  constructor(args: BatchNormalizationArgs = {}) {
    checkArgs('BatchNormalization', args, ['axis', 'momentum', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer',
      'movingMeanInitializer', 'movingVarianceInitializer', 'publicParameters', 'varianceInterval'],
    { betaConstraint: undefined, gammaConstraint: undefined, betaRegularizer: undefined, gammaRegularizer: undefined });
    super(args);
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.publicParameters = args.publicParameters ?? false;
    this.varianceInterval = args.varianceInterval ?? [1e-3, 1e3];
    this.inits = {
      beta: args.betaInitializer ?? 'zeros', gamma: args.gammaInitializer ?? 'ones',
      movingMean: args.movingMeanInitializer ?? 'zeros', movingVariance: args.movingVarianceInitializer ?? 'ones',
    };
  }

  override build(inputShape: Shape): void {
    const ax = this.axis < 0 ? inputShape.length + this.axis : this.axis;
    if (ax !== inputShape.length - 1) throw new NotImplementedError(`BatchNormalization: argument \`axis\` must be the last axis (-1), got ${this.axis}`);
    const c = inputShape[ax];
    if (typeof c !== 'number') throw new ValueError(`BatchNormalization \`${this.name}\`: the last axis of the input must be known, got [${inputShape.join(',')}]`);
    const pub = this.publicParameters;
    if (this.scale) this.addWeight('gamma', [c], initialValues(this.inits.gamma, [c]), true, pub);
    if (this.center) this.addWeight('beta', [c], initialValues(this.inits.beta, [c]), true, pub);
    this.addWeight('moving_mean', [c], initialValues(this.inits.movingMean, [c]), false, pub);
    this.addWeight('moving_variance', [c], initialValues(this.inits.movingVariance, [c]), false, pub);
    this.built = true;
  }

  private weight(name: string): TfeTensor | undefined {
    return this.weightList.find((w) => w.name.endsWith(`/${name}`))?.value;
  }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    const p = this.prot();
    const c = this.weightList[0].shape[0];
    checkInput(this.name, x.shape.slice(-1), [c]);
    this.plan ??= invSqrtPlan({ interval: this.varianceInterval });
    const inv = invSqrt(p, p.add(this.weight('moving_variance')!, this.epsilon), this.plan);
    const gamma = this.weight('gamma');
    const factor = gamma ? p.mul(inv, gamma) : inv;
    const xhatNeeded = (kwargs.training || kwargs.cache) && this.scale;
    const centred = p.sub(x, this.weight('moving_mean')!);
    let y = p.mul(centred, factor);
    const beta = this.weight('beta');
    if (beta) y = p.add(y, beta);
    if (kwargs.training || kwargs.cache) this.cache = { xhat: xhatNeeded ? p.mul(centred, inv) : centred, factor };
    return y;
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const p = this.prot();
    const c = this.needCache(this.cache);
    const axes = Array.from({ length: dy.rank - 1 }, (_, i) => i);
    const grads: TfeTensor[] = [];
    if (this.scale) grads.push(p.reduceSum(p.mul(dy, c.xhat), axes));
    if (this.center) grads.push(p.reduceSum(dy, axes));
    const dx = opts.needDx === false ? undefined : p.mul(dy, c.factor);
    return { dx, grads: this.trainable ? grads : [] };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: serializeInitializer(this.inits.beta), gammaInitializer: serializeInitializer(this.inits.gamma),
      movingMeanInitializer: serializeInitializer(this.inits.movingMean), movingVarianceInitializer: serializeInitializer(this.inits.movingVariance),
      publicParameters: this.publicParameters, varianceInterval: this.varianceInterval,
    };
  }
}

registerLayer('BatchNormalization', (c) => BatchNormalization.fromConfig(c));
