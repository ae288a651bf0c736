import { NotImplementedError, ValueError } from '../errors.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { activationBackward, activationName, forwardActivation, needsExactForTraining, type ActivationCache, type ActivationName } from './activations.js';
import { initialValues, serializeInitializer, type InitializerSpec } from './initializers.js';
import { checkArgs, checkInput, Layer, registerLayer, type BackwardOptions, type CallKwargs, type Gradients, type LayerArgs, type Shape } from './layer.js';
import { protocolsWith } from '../protocols/capabilities.js';
import { MAX_FOLDED_TERMS, scaleBy, scaledProduct } from '../protocols/generic/index.js';

/**
 * Arguments of {@link Dense} (tfjs `DenseLayerArgs`).
 * @example
 * ```ts
 * tfe.layers.dense({ units: 128, activation: 'relu', inputShape: [784] });
 * ```
 */
export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  inputDim?: number;
  kernelRegularizer?: unknown; biasRegularizer?: unknown; activityRegularizer?: unknown;
  kernelConstraint?: unknown; biasConstraint?: unknown;
}

/**
 * A fully connected layer y = activation(x·W + b) on the last axis, W secret-shared.
 * Backward: dz = activation'(dy), dW = xᵀ·dz, db = Σ dz, dx = dz·Wᵀ (W's Beaver mask from the
 * forward pass is reused).
 * @example
 * ```ts
 * const d = new Dense({ units: 10, activation: 'softmax', inputShape: [784] });
 * ```
 */
export class Dense extends Layer {
  static override readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  private cache?: { x2: TfeTensor; w: TfeTensor; act: ActivationCache; shape: readonly number[] };

  constructor(args: DenseArgs) {
    checkArgs('Dense', args, ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'inputDim'],
      { kernelRegularizer: undefined, biasRegularizer: undefined, activityRegularizer: undefined, kernelConstraint: undefined, biasConstraint: undefined });
    const a = args as DenseArgs;
    super(a.inputShape === undefined && a.inputDim !== undefined ? { ...a, inputShape: [a.inputDim] } : a);
    if (!Number.isInteger(a.units) || a.units <= 0) throw new ValueError(`Dense: \`units\` must be a positive integer, got ${String(a.units)}`);
    this.units = a.units;
    this.activation = activationName(a.activation, 'Dense');
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = a.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = a.biasInitializer ?? 'zeros';
  }

  override build(inputShape: Shape): void {
    const din = inputShape[inputShape.length - 1];
    if (typeof din !== 'number' || inputShape.length < 2) throw new ValueError(`Dense \`${this.name}\`: input must have rank ≥ 2 with a known last axis, got [${inputShape.join(',')}]`);
    this.addWeight('kernel', [din, this.units], initialValues(this.kernelInitializer, [din, this.units], 'kernelInitializer'));
    if (this.useBias) this.addWeight('bias', [this.units], initialValues(this.biasInitializer, [this.units], 'biasInitializer'));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape): Shape { return [...inputShape.slice(0, -1), this.units]; }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    const p = this.prot();
    const din = this.weightList[0].shape[0];
    checkInput(this.name, x.shape.slice(-1), [din]);
    const x2 = x.rank === 2 ? x : p.reshape(x, [x.size / din, din]);
    const w = p.reshape(this.weightList[0].value, [din, this.units]);
    let z = p.matmul(x2, w);
    if (this.useBias) z = p.add(z, this.weightList[1].value);
    const act = forwardActivation(p, this.activation, z, !!kwargs.training);
    const y = act.y;
    if (kwargs.training || kwargs.cache) this.cache = { x2, w, act, shape: x.shape };
    return x.rank === 2 ? y : p.reshape(y, [...x.shape.slice(0, -1), this.units]);
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const p = this.prot();
    const c = this.needCache(this.cache);
    const dy2 = dy.rank === 2 ? dy : p.reshape(dy, [dy.size / this.units, this.units]);
    const dz = opts.skipActivation ? dy2 : activationBackward(p, this.activation, c.act, dy2, this.name);
    // x2ᵀ·dz times the optimizer's constant in the product's own truncation (one, not two)
    const s = opts.gradientScale;
    const folds = this.trainable && s !== undefined && s !== 1 && c.x2.shape[0] <= MAX_FOLDED_TERMS; // the rows are the product's terms
    const scaled = folds ? scaledProduct(p, c.x2, dz, s, (a, b) => p.matmul(a, b, { transposeA: true })) : undefined;
    const grads = !this.trainable ? [] : [scaled ?? p.matmul(c.x2, dz, { transposeA: true })];
    if (this.trainable && this.useBias) {
      const db = p.reduceSum(dz, 0);
      grads.push(scaled ? scaleBy(p, db, s!) : db); // [units] values: a small truncation beside the kernel's
    }
    let dx: TfeTensor | undefined;
    if (opts.needDx !== false) {
      dx = p.matmul(dz, c.w, { transposeB: true });
      if (c.shape.length !== 2) dx = p.reshape(dx, [...c.shape]);
    }
    return { dx, grads, scaled: scaled !== undefined };
  }

  override outputActivation(): string | undefined { return this.activation; }
  override preActivation(): TfeTensor | undefined { return this.cache?.act.x; }

  override checkProtocol(p: Protocol, training: boolean): void {
    if (training && needsExactForTraining(this.activation) && !p.capabilities.exactComparison) {
      throw new NotImplementedError(`Dense layer \`${this.name}\` with activation '${this.activation}' cannot be trained under ${p.name} (its backward needs exact comparison): use ${protocolsWith('exactComparison')}`);
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer), biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}

registerLayer('Dense', (c) => Dense.fromConfig(c));
