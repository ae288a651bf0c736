/**
 * The base of every tfe layer: a tfjs-layers-shaped object whose `call` runs forward on
 * private tensors and whose `backward` returns the input gradient and the gradients of its
 * trainable weights. Shapes follow tfjs: `computeOutputShape` takes and returns full shapes
 * whose first entry is the batch size (`null` when unknown); `inputShape` never includes it.
 */
import { NotImplementedError, ValueError } from '../errors.js';
import { getProtocol, type Protocol } from '../protocols/protocol.js';
import { maxAbs } from '../protocols/overflow.js';
import type { TfeTensor } from '../protocols/tensor.js';

/**
 * A shape whose first entry is the batch size, `null` when unknown.
 * @example
 * ```ts
 * const s: Shape = [null, 784]; // any batch size, 784 features
 * ```
 */
export type Shape = (number | null)[];

/**
 * Arguments every layer accepts (tfjs `LayerArgs`).
 * @example
 * ```ts
 * const layer = tfe.layers.dense({ units: 10, name: 'logits', inputShape: [784] });
 * ```
 */
export interface LayerArgs {
  name?: string;
  /** Shape of one example, without the batch size. */
  inputShape?: number[];
  /** Shape with the batch size first (the batch size is ignored: tfe models take any batch). */
  batchInputShape?: (number | null)[];
  batchSize?: number;
  trainable?: boolean;
  dtype?: string;
}

/**
 * Options of `call`: `training` (dropout active, caches for backward); `cache` keeps caches in inference mode.
 * @example
 * ```ts
 * const y = await layer.call(x, { training: true });
 * ```
 */
export interface CallKwargs { training?: boolean; cache?: boolean }

/**
 * What `backward` returns: the input gradient and one gradient per trainable weight, in order.
 * `scaled`: the weight gradients are multiplied by the `gradientScale` asked for (a layer that
 * ignores the option leaves it unset, and training scales them itself).
 * @example
 * ```ts
 * const { dx, grads } = await layer.backward(dy);
 * ```
 */
export interface Gradients { dx?: TfeTensor; grads: TfeTensor[]; scaled?: boolean }

/**
 * Options of `backward`.
 * @example
 * ```ts
 * const { grads } = await firstLayer.backward(dy, { needDx: false });
 * ```
 */
export interface BackwardOptions {
  /** The loss already differentiated through this layer's activation (fused p − y). */
  skipActivation?: boolean;
  /** The input gradient is not needed (first layer). */
  needDx?: boolean;
  /**
   * A public constant c > 0 to multiply the weight gradients by (not `dx`): the optimizer's
   * lr/N or 1/N (`Optimizer.gradientScale`). A layer may fold it into the truncation its
   * gradient product makes anyway (generic `scaledProduct`) and then returns `scaled: true`.
   */
  gradientScale?: number;
}

/**
 * A layer weight: a private (or public) protocol variable.
 * @example
 * ```ts
 * for (const w of layer.weights) console.log(w.name, w.shape, w.trainable);
 * ```
 */
export interface LayerWeight { name: string; shape: number[]; value: TfeTensor; trainable: boolean }

/**
 * A serialised layer: `{className, config}` as in tfjs.
 * @example
 * ```ts
 * const s: SerializedLayer = { className: 'Dense', config: { units: 10 } };
 * ```
 */
export interface SerializedLayer { className: string; config: Record<string, unknown> }

const counters = new Map<string, number>();
const registry = new Map<string, (config: Record<string, unknown>) => Layer>();

/**
 * Registers a layer class for `fromConfig`/`deserializeLayer` (like tfjs `registerClass`).
 * @example
 * ```ts
 * registerLayer('Dense', (c) => new Dense(c as DenseArgs));
 * ```
 */
export function registerLayer(className: string, make: (config: Record<string, unknown>) => Layer): void {
  registry.set(className, make);
}

/**
 * Builds a layer from `{className, config}`.
 * @example
 * ```ts
 * const d = deserializeLayer({ className: 'Dense', config: { units: 3 } });
 * ```
 */
export function deserializeLayer(s: SerializedLayer): Layer {
  const make = registry.get(s?.className);
  if (!make) throw new NotImplementedError(`layer class \`${String(s?.className)}\` is not supported by tfe; supported: [${[...registry.keys()].join(', ')}]`);
  return make({ ...(s.config ?? {}) });
}

/**
 * Rejects unsupported and unknown arguments: a known tfjs argument tfe does not implement
 * gives a NotImplementedError naming it.
 * @example
 * ```ts
 * checkArgs('Dense', args, ['units'], { kernelRegularizer: undefined });
 * ```
 */
export function checkArgs(className: string, args: object, known: readonly string[], unsupported: Record<string, unknown> = {}): void {
  if (args === null || typeof args !== 'object') throw new ValueError(`${className}: arguments must be an object, got ${args === null ? 'null' : typeof args}`);
  const base = ['name', 'inputShape', 'batchInputShape', 'batchSize', 'trainable', 'dtype', 'inputDType'];
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined || v === null) continue;
    if (k in unsupported) {
      const d = unsupported[k];
      const same = v === d || (Array.isArray(v) && v.every((e) => e === d)) || JSON.stringify(v) === JSON.stringify(d);
      if (!same) throw new NotImplementedError(`${className}: argument \`${k}\` is not supported by tfe`);
      continue;
    }
    if (!known.includes(k) && !base.includes(k)) throw new ValueError(`${className}: unknown argument \`${k}\``);
  }
}

/**
 * The base class of tfe layers.
 * @example
 * ```ts
 * class Identity extends Layer {
 *   static readonly className = 'Identity';
 *   call(x: TfeTensor) { return x; }
 *   backward(dy: TfeTensor) { return { dx: dy, grads: [] }; }
 * }
 * ```
 */
export abstract class Layer {
  /** The tfjs class name, e.g. `Dense`. */
  static readonly className: string = 'Layer';
  readonly name: string;
  trainable: boolean;
  /** Shape of one example (no batch size), when given. */
  readonly inputShape?: number[];
  built = false;
  protected weightList: LayerWeight[] = [];
  /** The protocol the weights were created under. */
  protected protocol?: Protocol;

  constructor(args: LayerArgs = {}) {
    const cls = (this.constructor as typeof Layer).className;
    const prefix = cls.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    this.name = args.name ?? `${prefix}_${n}`;
    this.trainable = args.trainable ?? true;
    const shape = args.inputShape ?? args.batchInputShape?.slice(1);
    if (shape !== undefined) {
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)) {
        throw new ValueError(`${cls}: \`inputShape\` must be positive integers without the batch size, got [${String(shape)}]`);
      }
      this.inputShape = shape as number[];
    }
  }

  /** The tfjs class name. */
  getClassName(): string { return (this.constructor as typeof Layer).className; }

  /** Creates the weights for inputs of `inputShape` (batch first). */
  build(inputShape: Shape): void { void inputShape; this.built = true; }

  /** Forward pass on a private (or public) tensor. */
  abstract call(x: TfeTensor, kwargs?: CallKwargs): TfeTensor;

  /** Backward pass of the last `call` made with `training: true`. */
  abstract backward(dy: TfeTensor, opts?: BackwardOptions): Gradients;

  /** Output shape for an input shape (batch first). */
  computeOutputShape(inputShape: Shape): Shape { return inputShape; }

  /** All weights, in tfjs order. */
  get weights(): LayerWeight[] { return [...this.weightList]; }
  /** Trainable weights (empty when `trainable` is false). */
  get trainableWeights(): LayerWeight[] { return this.trainable ? this.weightList.filter((w) => w.trainable) : []; }
  /** Weights the optimizer does not touch. */
  get nonTrainableWeights(): LayerWeight[] { return this.trainable ? this.weightList.filter((w) => !w.trainable) : this.weights; }

  /** Number of scalar parameters. */
  countParams(): number { return this.weightList.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0); }

  /** The activation fused into a loss gradient (`sigmoid`, `softmax`), if this layer ends with one. */
  outputActivation(): string | undefined { return undefined; }

  /** The input of the output activation in the last cached call (the logits), if any. */
  preActivation(): TfeTensor | undefined { return undefined; }

  /** Throws a NotImplementedError when `prot` cannot run this layer (training or inference). */
  checkProtocol(prot: Protocol, training: boolean): void { void prot; void training; }

  /** The serialisable configuration (tfjs names). */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.inputShape) c.batchInputShape = [null, ...this.inputShape];
    return c;
  }

  /** `{className, config}`. */
  serialize(): SerializedLayer { return { className: this.getClassName(), config: this.getConfig() }; }

  /** Builds a layer of this class from `getConfig()` output. */
  static fromConfig<T extends Layer>(this: new (args: never) => T, config: Record<string, unknown>): T {
    return new this(config as never);
  }

  /** Creates a weight from driver-side initial values, secret-shared on the servers. @internal */
  protected addWeight(name: string, shape: number[], init: Float64Array, trainable = true, isPublic = false): LayerWeight {
    const p = (this.protocol ??= getProtocol());
    const value = isPublic ? p.definePublicVariable(init, { shape }) : p.definePrivateVariable(init, { shape });
    // The initial values are public (drawn on the driver), so their magnitude bounds the weight
    // until training changes it (overflow analysis, src/protocols/overflow.ts).
    value.bound = maxAbs(init);
    const w = { name: `${this.name}/${name}`, shape, value, trainable };
    this.weightList.push(w);
    return w;
  }

  /** Disposes the weights' handles. */
  dispose(): void { for (const w of this.weightList) w.value.dispose(); }

  /** The protocol of the weights (or the active one). @internal */
  protected prot(): Protocol { return this.protocol ?? getProtocol(); }

  /** Fails with the layer named when a gradient is asked before a training call. @internal */
  protected needCache<T>(v: T | undefined): T {
    if (v === undefined) throw new ValueError(`${this.getClassName()} layer \`${this.name}\`: backward() needs a call() with {training: true} first`);
    return v;
  }
}

/**
 * Checks that a tensor has the expected shape (batch size excluded), naming both.
 * @example
 * ```ts
 * checkInput('dense_1', x.shape, [null, 784]);
 * ```
 */
export function checkInput(name: string, got: readonly number[], want: Shape): void {
  const ok = got.length === want.length && want.every((d, i) => d === null || d === got[i]);
  if (!ok) {
    throw new ValueError(`layer \`${name}\` expects input of shape [${want.map((d) => (d === null ? 'null' : d)).join(',')}], got [${got.join(',')}]`);
  }
}
