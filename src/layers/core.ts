import { NotImplementedError, ValueError } from '../errors.js';
import { driverRandomBytes } from '../random.js';
import { protocolsWith } from '../protocols/capabilities.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { activationBackward, activationName, forwardActivation, needsExactForTraining, type ActivationCache, type ActivationName } from './activations.js';
import { checkArgs, checkInput, Layer, registerLayer, type BackwardOptions, type CallKwargs, type Gradients, type LayerArgs, type Shape } from './layer.js';

/**
 * Arguments of {@link Activation}.
 * @example
 * ```ts
 * tfe.layers.activation({ activation: 'relu' });
 * ```
 */
export interface ActivationArgs extends LayerArgs { activation: ActivationName }

/**
 * Applies an activation: 'relu' (exact under every protocol by default), 'sigmoid',
 * 'tanh' (protocol approximations), 'softmax' (generic, max subtraction where exact), 'linear'.
 * @example
 * ```ts
 * const a = new Activation({ activation: 'sigmoid' });
 * ```
 */
export class Activation extends Layer {
  static override readonly className: string = 'Activation';
  readonly activation: ActivationName;
  private cache?: ActivationCache;

  constructor(args: ActivationArgs) {
    checkArgs('Activation', args, ['activation']);
    super(args);
    this.activation = activationName(args.activation, 'Activation');
  }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    const act = forwardActivation(this.prot(), this.activation, x, !!kwargs.training);
    if (kwargs.training || kwargs.cache) this.cache = act;
    return act.y;
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const c = this.needCache(this.cache);
    if (opts.skipActivation) return { dx: dy, grads: [] };
    return { dx: activationBackward(this.prot(), this.activation, c, dy, this.name), grads: [] };
  }

  override outputActivation(): string | undefined { return this.activation; }
  override preActivation(): TfeTensor | undefined { return this.cache?.x; }

  override checkProtocol(p: Protocol, training: boolean): void {
    if (training && needsExactForTraining(this.activation) && !p.capabilities.exactComparison) {
      throw new NotImplementedError(`${this.getClassName()} layer \`${this.name}\` ('${this.activation}') cannot be trained under ${p.name} (its backward needs exact comparison): use ${protocolsWith('exactComparison')}`);
    }
  }

  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), activation: this.activation }; }
}

/**
 * Arguments of {@link ReLU} (tfjs `ReLULayerArgs`).
 * @example
 * ```ts
 * tfe.layers.reLU({ inputShape: [16] });
 * ```
 */
export interface ReLUArgs extends LayerArgs { maxValue?: number }

/**
 * Rectified linear unit as a layer (tfjs `tf.layers.reLU`); `maxValue` is not supported.
 * @example
 * ```ts
 * const r = new ReLU({});
 * ```
 */
export class ReLU extends Activation {
  static override readonly className = 'ReLU';
  constructor(args: ReLUArgs = {}) {
    checkArgs('ReLU', args, [], { maxValue: undefined });
    super({ ...args, activation: 'relu' } as ActivationArgs);
  }
  override getConfig(): Record<string, unknown> { const c = super.getConfig(); delete c.activation; return c; }
}

/**
 * Flattens every example to one axis: [n, ...] → [n, prod(...)].
 * @example
 * ```ts
 * const f = new Flatten({});
 * ```
 */
export class Flatten extends Layer {
  static override readonly className = 'Flatten';
  private shapeSeen?: readonly number[];
  constructor(args: LayerArgs & { dataFormat?: string } = {}) { checkArgs('Flatten', args, [], { dataFormat: 'channelsLast' }); super(args); }
  override computeOutputShape(s: Shape): Shape {
    const rest = s.slice(1);
    return [s[0], rest.every((d) => typeof d === 'number') ? (rest as number[]).reduce((a, b) => a * b, 1) : null];
  }
  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    if (kwargs.training || kwargs.cache) this.shapeSeen = x.shape;
    return this.prot().reshape(x, [x.shape[0], x.size / Math.max(x.shape[0], 1)]);
  }
  backward(dy: TfeTensor): Gradients { return { dx: this.prot().reshape(dy, [...this.needCache(this.shapeSeen)]), grads: [] }; }
}

/**
 * Arguments of {@link Reshape}.
 * @example
 * ```ts
 * tfe.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] });
 * ```
 */
export interface ReshapeArgs extends LayerArgs { targetShape: number[] }

/**
 * Reshapes every example to `targetShape` (batch size excluded; one entry may be -1).
 * @example
 * ```ts
 * const r = new Reshape({ targetShape: [28, 28, 1] });
 * ```
 */
export class Reshape extends Layer {
  static override readonly className = 'Reshape';
  readonly targetShape: number[];
  private shapeSeen?: readonly number[];
  constructor(args: ReshapeArgs) {
    checkArgs('Reshape', args, ['targetShape']);
    super(args);
    if (!Array.isArray(args.targetShape) || !args.targetShape.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) {
      throw new ValueError(`Reshape: \`targetShape\` must be positive integers (one may be -1), got ${JSON.stringify(args.targetShape)}`);
    }
    this.targetShape = [...args.targetShape];
  }
  private resolve(size: number): number[] {
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const t = this.targetShape.map((d) => (d === -1 ? size / known : d));
    if (t.reduce((a, b) => a * b, 1) !== size || t.some((d) => !Number.isInteger(d))) {
      throw new ValueError(`layer \`${this.name}\`: cannot reshape examples of ${size} elements to [${this.targetShape.join(',')}]`);
    }
    return t;
  }
  override computeOutputShape(s: Shape): Shape {
    const rest = s.slice(1);
    if (!rest.every((d) => typeof d === 'number')) return [s[0], ...this.targetShape];
    return [s[0], ...this.resolve((rest as number[]).reduce((a, b) => a * b, 1))];
  }
  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    if (kwargs.training || kwargs.cache) this.shapeSeen = x.shape;
    return this.prot().reshape(x, [x.shape[0], ...this.resolve(x.size / Math.max(x.shape[0], 1))]);
  }
  backward(dy: TfeTensor): Gradients { return { dx: this.prot().reshape(dy, [...this.needCache(this.shapeSeen)]), grads: [] }; }
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), targetShape: this.targetShape }; }
}

/**
 * Arguments of {@link Dropout}.
 * @example
 * ```ts
 * tfe.layers.dropout({ rate: 0.5 });
 * ```
 */
export interface DropoutArgs extends LayerArgs { rate: number; noiseShape?: number[]; seed?: number }

/**
 * Dropout: identity at inference; in training each unit is kept with probability 1 − rate and
 * scaled by 1/(1 − rate). The keep mask is public (it says which units are dropped, nothing
 * about the data) and drawn from the driver's randomness (node:crypto, or the
 * `tfe.setRandomSeed` stream).
 * @example
 * ```ts
 * const d = new Dropout({ rate: 0.2 });
 * ```
 */
export class Dropout extends Layer {
  static override readonly className = 'Dropout';
  readonly rate: number;
  private maskSeen?: TfeTensor | null;
  constructor(args: DropoutArgs) {
    checkArgs('Dropout', args, ['rate', 'seed'], { noiseShape: undefined });
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) throw new ValueError(`Dropout: \`rate\` must be in [0, 1), got ${String(args.rate)}`);
    this.rate = args.rate;
  }
  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    if (!kwargs.training || this.rate === 0) { this.maskSeen = null; return x; }
    const bytes = driverRandomBytes(x.size * 4);
    const keep = new Float64Array(x.size);
    const scale = 1 / (1 - this.rate);
    for (let i = 0; i < x.size; i++) keep[i] = bytes.readUInt32LE(4 * i) / 2 ** 32 >= this.rate ? scale : 0;
    const mask = this.prot().defineConstant(keep, { shape: [...x.shape] });
    this.maskSeen = mask;
    return this.prot().mul(x, mask);
  }
  backward(dy: TfeTensor): Gradients {
    const m = this.needCache(this.maskSeen);
    return { dx: m === null ? dy : this.prot().mul(dy, m), grads: [] };
  }
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate }; }
}

/**
 * Arguments of {@link InputLayer} (tfjs `InputLayerArgs`).
 * @example
 * ```ts
 * tfe.layers.inputLayer({ inputShape: [784] });
 * ```
 */
export interface InputLayerArgs extends LayerArgs { sparse?: boolean }

/**
 * Declares the input shape of a model (batch size excluded).
 * @example
 * ```ts
 * const inp = new InputLayer({ inputShape: [784] });
 * ```
 */
export class InputLayer extends Layer {
  static override readonly className = 'InputLayer';
  constructor(args: InputLayerArgs) {
    checkArgs('InputLayer', args, [], { sparse: false });
    super(args);
    if (!this.inputShape) throw new ValueError('InputLayer: `inputShape` (or `batchInputShape`) is required');
  }
  call(x: TfeTensor): TfeTensor { checkInput(this.name, x.shape, [null, ...this.inputShape!]); return x; }
  backward(dy: TfeTensor): Gradients { return { dx: dy, grads: [] }; }
}

registerLayer('Activation', (c) => Activation.fromConfig(c));
registerLayer('ReLU', (c) => ReLU.fromConfig(c));
registerLayer('Flatten', (c) => Flatten.fromConfig(c));
registerLayer('Reshape', (c) => Reshape.fromConfig(c));
registerLayer('Dropout', (c) => Dropout.fromConfig(c));
registerLayer('InputLayer', (c) => InputLayer.fromConfig(c));
