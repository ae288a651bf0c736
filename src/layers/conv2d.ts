import { NotImplementedError, ValueError } from '../errors.js';
import { protocolsWith } from '../protocols/capabilities.js';
import { conv2dGrads, scaleBy, windowGeometry } from '../protocols/generic/index.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { activationBackward, activationName, forwardActivation, needsExactForTraining, type ActivationCache, type ActivationName } from './activations.js';
import { initialValues, serializeInitializer, type InitializerSpec } from './initializers.js';
import { checkArgs, checkInput, Layer, registerLayer, type BackwardOptions, type CallKwargs, type Gradients, type LayerArgs, type Shape } from './layer.js';

/**
 * Arguments of {@link Conv2D} (tfjs `ConvLayerArgs`).
 * @example
 * ```ts
 * tfe.layers.conv2d({ filters: 8, kernelSize: 3, strides: 1, padding: 'same', inputShape: [28, 28, 1] });
 * ```
 */
export interface Conv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  dataFormat?: 'channelsLast';
  dilationRate?: number | [number, number];
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: unknown; biasRegularizer?: unknown; activityRegularizer?: unknown;
  kernelConstraint?: unknown; biasConstraint?: unknown;
}

/**
 * Normalises a tfjs pair argument (`3` or `[3, 2]`).
 * @example
 * ```ts
 * pair(3, 'kernelSize', 'Conv2D'); // [3, 3]
 * ```
 */
export function pair(v: unknown, what: string, cls: string): [number, number] {
  const a = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(`${cls}: \`${what}\` must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [a[0], a[1]];
}

/**
 * 2-D convolution on NHWC input with an HWIO kernel (rectangular kernels, strides, 'same' or
 * 'valid'). Backward: dW = im2col(x)ᵀ·dz and dx = col2im(dz·Wᵀ), one private matmul each.
 * @example
 * ```ts
 * const c = new Conv2D({ filters: 8, kernelSize: [3, 3], padding: 'same', inputShape: [28, 28, 1] });
 * ```
 */
export class Conv2D extends Layer {
  static override readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  private cache?: { x: TfeTensor; w: TfeTensor; act: ActivationCache };

  constructor(args: Conv2DArgs) {
    checkArgs('Conv2D', args, ['filters', 'kernelSize', 'strides', 'padding', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer'],
      { dataFormat: 'channelsLast', dilationRate: 1, kernelRegularizer: undefined, biasRegularizer: undefined, activityRegularizer: undefined, kernelConstraint: undefined, biasConstraint: undefined });
    if (Array.isArray(args.dilationRate) && args.dilationRate.some((d) => d !== 1)) throw new NotImplementedError('Conv2D: argument `dilationRate` is not supported by tfe');
    super(args);
    if (!Number.isInteger(args.filters) || args.filters <= 0) throw new ValueError(`Conv2D: \`filters\` must be a positive integer, got ${String(args.filters)}`);
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 'kernelSize', 'Conv2D');
    this.strides = pair(args.strides ?? 1, 'strides', 'Conv2D');
    this.padding = args.padding ?? 'valid';
    if (this.padding !== 'valid' && this.padding !== 'same') throw new NotImplementedError(`Conv2D: \`padding\` '${String(this.padding)}' is not supported; use 'valid' or 'same'`);
    this.activation = activationName(args.activation, 'Conv2D');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
  }

  override build(inputShape: Shape): void {
    if (inputShape.length !== 4 || typeof inputShape[3] !== 'number') throw new ValueError(`Conv2D \`${this.name}\`: expects NHWC input of rank 4, got [${inputShape.join(',')}]`);
    const shape = [...this.kernelSize, inputShape[3], this.filters];
    this.addWeight('kernel', shape, initialValues(this.kernelInitializer, shape, 'kernelInitializer'));
    if (this.useBias) this.addWeight('bias', [this.filters], initialValues(this.biasInitializer, [this.filters], 'biasInitializer'));
    this.built = true;
  }

  override computeOutputShape(s: Shape): Shape {
    const g = windowGeometry([1, s[1] as number, s[2] as number, 1], this.kernelSize, this.strides, this.padding);
    return [s[0], g.oh, g.ow, this.filters];
  }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    const p = this.prot();
    const ws = this.weightList[0].shape;
    checkInput(this.name, x.shape, [null, null, null, ws[2]]);
    const w = p.reshape(this.weightList[0].value, ws);
    let z = p.conv2d(x, w, { strides: this.strides, padding: this.padding });
    if (this.useBias) z = p.add(z, this.weightList[1].value);
    const act = forwardActivation(p, this.activation, z, !!kwargs.training);
    const y = act.y;
    if (kwargs.training || kwargs.cache) this.cache = { x, w, act };
    return y;
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const p = this.prot();
    const c = this.needCache(this.cache);
    const dz = opts.skipActivation ? dy : activationBackward(p, this.activation, c.act, dy, this.name);
    // dw times the optimizer's constant in its product's own truncation where it can
    const s = this.trainable ? opts.gradientScale : undefined;
    const { dx, dw, scaled } = conv2dGrads(p, c.x, c.w, dz, this.strides, this.padding, opts.needDx !== false, s);
    const grads = [dw];
    if (this.useBias) {
      const db = p.reduceSum(dz, [0, 1, 2]);
      grads.push(scaled ? scaleBy(p, db, s!) : db);
    }
    return { dx, grads: this.trainable ? grads : [], scaled };
  }

  override outputActivation(): string | undefined { return this.activation; }
  override preActivation(): TfeTensor | undefined { return this.cache?.act.x; }

  override checkProtocol(p: Protocol, training: boolean): void {
    if (training && needsExactForTraining(this.activation) && !p.capabilities.exactComparison) {
      throw new NotImplementedError(`Conv2D layer \`${this.name}\` with activation '${this.activation}' cannot be trained under ${p.name} (its backward needs exact comparison): use ${protocolsWith('exactComparison')}`);
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
      dataFormat: 'channelsLast', dilationRate: [1, 1], activation: this.activation, useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer), biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}

registerLayer('Conv2D', (c) => Conv2D.fromConfig(c));
