import { NotImplementedError } from '../errors.js';
import { missingCapability, requireExact } from '../protocols/capabilities.js';
import { avgPool2dGrad, maxPool2dGrad, windowGeometry } from '../protocols/generic/index.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { pair } from './conv2d.js';
import { checkArgs, checkInput, Layer, registerLayer, type BackwardOptions, type CallKwargs, type Gradients, type LayerArgs, type Shape } from './layer.js';

/**
 * Arguments of the 2-D pooling layers (tfjs `Pooling2DLayerArgs`).
 * @example
 * ```ts
 * tfe.layers.averagePooling2d({ poolSize: 2, strides: 2 });
 * ```
 */
export interface Pooling2DArgs extends LayerArgs {
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  dataFormat?: 'channelsLast';
}

abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  protected inputShapeSeen?: readonly number[];

  constructor(cls: string, args: Pooling2DArgs = {}) {
    checkArgs(cls, args, ['poolSize', 'strides', 'padding'], { dataFormat: 'channelsLast' });
    super(args);
    this.poolSize = pair(args.poolSize ?? 2, 'poolSize', cls);
    this.strides = pair(args.strides ?? this.poolSize, 'strides', cls);
    this.padding = args.padding ?? 'valid';
    if (this.padding !== 'valid' && this.padding !== 'same') throw new NotImplementedError(`${cls}: \`padding\` '${String(this.padding)}' is not supported; use 'valid' or 'same'`);
  }

  override computeOutputShape(s: Shape): Shape {
    const g = windowGeometry([1, s[1] as number, s[2] as number, 1], this.poolSize, this.strides, this.padding);
    return [s[0], g.oh, g.ow, s[3]];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding, dataFormat: 'channelsLast' };
  }
}

/**
 * Average pooling over 2-D windows (NHWC), TensorFlow 'same' semantics (padding excluded from
 * the count). Linear, so it runs under every protocol; backward spreads dy/count over each window.
 * @example
 * ```ts
 * const pool = new AveragePooling2D({ poolSize: 2 });
 * ```
 */
export class AveragePooling2D extends Pooling2D {
  static override readonly className = 'AveragePooling2D';
  constructor(args: Pooling2DArgs = {}) { super('AveragePooling2D', args); }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    checkInput(this.name, x.shape, [null, null, null, null]);
    if (kwargs.training || kwargs.cache) this.inputShapeSeen = x.shape;
    return this.prot().avgPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const shape = this.needCache(this.inputShapeSeen);
    if (opts.needDx === false) return { grads: [] };
    return { dx: avgPool2dGrad(this.prot(), dy, shape, this.poolSize, this.strides, this.padding), grads: [] };
  }
}

/**
 * Max pooling over 2-D windows (NHWC). Needs exact comparison (SecureNN, ABY3); the protocol's
 * argmax mask routes dy to the maximum of each window in backward (ties: as the protocol documents).
 * @example
 * ```ts
 * const pool = new MaxPooling2D({ poolSize: [2, 2] });
 * ```
 */
export class MaxPooling2D extends Pooling2D {
  static override readonly className = 'MaxPooling2D';
  private cache?: { shape: readonly number[]; mask?: TfeTensor };
  constructor(args: Pooling2DArgs = {}) { super('MaxPooling2D', args); }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    checkInput(this.name, x.shape, [null, null, null, null]);
    const ex = requireExact(this.prot(), `MaxPooling2D layer \`${this.name}\``);
    const { y, mask } = ex.maxPool2dWithArgmax(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
    if (kwargs.training || kwargs.cache) this.cache = { shape: x.shape, mask };
    return y;
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const c = this.needCache(this.cache);
    if (opts.needDx === false) return { grads: [] };
    if (!c.mask) throw new NotImplementedError(`MaxPooling2D layer \`${this.name}\`: the protocol returned no argmax mask, so backward is unavailable`);
    return { dx: maxPool2dGrad(this.prot(), dy, c.mask, c.shape, this.poolSize, this.strides, this.padding), grads: [] };
  }

  override checkProtocol(p: Protocol): void {
    if (!p.capabilities.exactComparison) {
      throw new NotImplementedError(missingCapability(p, 'exactComparison', `MaxPooling2D layer \`${this.name}\``));
    }
  }
}

/**
 * Arguments of {@link GlobalAveragePooling2D}.
 * @example
 * ```ts
 * tfe.layers.globalAveragePooling2d({});
 * ```
 */
export interface GlobalPooling2DArgs extends LayerArgs { dataFormat?: 'channelsLast' }

/**
 * Mean over the spatial axes: [n, h, w, c] → [n, c].
 * @example
 * ```ts
 * const gap = new GlobalAveragePooling2D({});
 * ```
 */
export class GlobalAveragePooling2D extends Layer {
  static override readonly className = 'GlobalAveragePooling2D';
  private shapeSeen?: readonly number[];
  constructor(args: GlobalPooling2DArgs = {}) {
    checkArgs('GlobalAveragePooling2D', args, [], { dataFormat: 'channelsLast' });
    super(args);
  }

  override computeOutputShape(s: Shape): Shape { return [s[0], s[3]]; }

  call(x: TfeTensor, kwargs: CallKwargs = {}): TfeTensor {
    checkInput(this.name, x.shape, [null, null, null, null]);
    if (kwargs.training || kwargs.cache) this.shapeSeen = x.shape;
    return this.prot().mean(x, [1, 2]);
  }

  backward(dy: TfeTensor, opts: BackwardOptions = {}): Gradients {
    const [n, h, w, c] = this.needCache(this.shapeSeen);
    if (opts.needDx === false) return { grads: [] };
    const p = this.prot();
    const zeros = p.defineConstant(new Float64Array(n * h * w * c), { shape: [n, h, w, c] });
    return { dx: p.add(zeros, p.reshape(p.div(dy, h * w), [n, 1, 1, c])), grads: [] };
  }

  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), dataFormat: 'channelsLast' }; }
}

registerLayer('AveragePooling2D', (c) => AveragePooling2D.fromConfig(c));
registerLayer('MaxPooling2D', (c) => MaxPooling2D.fromConfig(c));
registerLayer('GlobalAveragePooling2D', (c) => GlobalAveragePooling2D.fromConfig(c));
