import '../tfjs_env.js'; // quiet tfjs (PROD mode) before it is used
import * as tf from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import { deserializeLayer, Layer, type SerializedLayer, type Shape } from '../layers/index.js';
import { getProtocol, type Protocol } from '../protocols/protocol.js';
import { TfeTensor } from '../protocols/tensor.js';
import { tidy } from '../runtime/index.js';
import type { CustomCallbackArgs } from './callbacks.js';
import { checkLossActivation, getLoss, type Loss } from './losses.js';
import { checkMetricProtocol, getMetric, type Metric } from './metrics.js';
import { getOptimizer, type Optimizer } from './optimizers.js';
import { asPrivate, type ModelInput } from './data_input.js';
import { evaluateModel, fitDatasetModel, fitModel, type BatchDataset, type History } from './training.js';
import { formatSummary } from './summary.js';
import { restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { analyzeRanges, type LayerRange } from './range_analysis.js';

/**
 * Arguments of {@link Sequential}.
 * @example
 * ```ts
 * const args: tfe.SequentialArgs = { layers: [tfe.layers.dense({ units: 1, inputShape: [4] })], name: 'lr' };
 * ```
 */
export interface SequentialArgs { layers?: Layer[]; name?: string }
/**
 * Arguments of `compile`.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
export interface ModelCompileArgs { optimizer: string | Optimizer; loss: string | Loss; metrics?: string | string[] }
/**
 * Arguments of `fit` (tfjs `ModelFitArgs`; `revealTo` is tfe's reveal policy).
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 5, batchSize: 32, validationSplit: 0.2, revealTo: 'driver' });
 * ```
 */
export interface ModelFitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationData?: [ModelInput, ModelInput];
  callbacks?: CustomCallbackArgs | CustomCallbackArgs[];
  verbose?: 0 | 1;
  initialEpoch?: number;
  /** Who learns the loss and metrics: `driver` (default) or a player name. Nothing else is revealed. */
  revealTo?: string;
  /** Player that secret-shares plain (non-private) x and y (default `input-provider`). */
  dataOwner?: string;
  validationSplit?: number; classWeight?: unknown; sampleWeight?: unknown; stepsPerEpoch?: number;
}

let modelCount = 0;

/**
 * A linear stack of layers trained and evaluated on secret-shared data (tfjs `tf.sequential`).
 * Weights are secret-shared; nothing is revealed except what `fit({revealTo})`, `evaluate`,
 * `predict({reveal: true})` or `getWeights({revealTo})` ask for.
 * @example
 * ```ts
 * const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] });
 * model.compile({ optimizer: tfe.train.sgd(0.1), loss: 'binaryCrossentropy' });
 * await model.fit(x, y, { epochs: 5, batchSize: 32 });
 * ```
 */
export class Sequential {
  static readonly className = 'Sequential';
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set by a callback to end `fit` after the current batch. */
  stopTraining = false;
  /** @internal */ optimizer?: Optimizer;
  /** @internal */ loss?: Loss;
  /** @internal */ metrics: Metric[] = [];
  /** @internal The metric names given to `compile` (checkpoints record them). */ metricNames: string[] = [];
  private protocol?: Protocol;

  constructor(args: SequentialArgs = {}) {
    this.name = args.name ?? `sequential_${++modelCount}`;
    for (const l of args.layers ?? []) this.add(l);
  }

  /** Appends a layer. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new ValueError(`\`add\` expects a tfe layer (tfe.layers.*), got ${layer === null ? 'null' : typeof layer}`);
    if (this.layers.length === 0 && !layer.inputShape) throw new ValueError(`the first layer of a Sequential model needs \`inputShape\` (layer \`${layer.name}\`)`);
    if (this.protocol) throw new ValueError('cannot add layers to a model whose weights were already created');
    this.layers.push(layer);
  }

  /** Input shape, batch first (`null`). */
  get inputShape(): Shape { return [null, ...this.layers[0].inputShape!]; }

  /** Output shape of every layer for a given batch. */
  outputShapes(batch: number | null = null): Shape[] {
    if (this.layers.length === 0) throw new ValueError('the model has no layers');
    const out: Shape[] = [];
    let s: Shape = [batch, ...this.layers[0].inputShape!];
    for (const l of this.layers) { s = l.computeOutputShape(s); out.push(s); }
    return out;
  }

  /** Output shape, batch first. */
  get outputShape(): Shape { const s = this.outputShapes(); return s[s.length - 1]; }

  /** Creates the weights (secret-shared) under the active protocol, once. */
  build(): Protocol {
    if (this.protocol) return this.protocol;
    const p = getProtocol();
    let s: Shape = this.inputShape;
    for (const l of this.layers) { if (!l.built) l.build(s); s = l.computeOutputShape(s); }
    this.protocol = p;
    return p;
  }

  /** Prints the layer table like tfjs (builds the model first, creating its weights). */
  summary(lineLength?: number, positions?: number[], printFn: (line: string) => void = console.log): void {
    this.build();
    for (const line of formatSummary(this, lineLength, positions)) printFn(line);
  }

  /** Chooses optimizer, loss and metrics; checks that the protocol supports training every layer. */
  compile(args: ModelCompileArgs): void {
    if (!args || typeof args !== 'object') throw new ValueError('`compile` expects {optimizer, loss, metrics?}');
    const p = this.build();
    const loss = getLoss(args.loss);
    const optimizer = getOptimizer(args.optimizer);
    const last = this.layers[this.layers.length - 1];
    checkLossActivation(loss, last.outputActivation(), last.name);
    for (const l of this.layers) l.checkProtocol(p, true);
    optimizer.checkProtocol(p);
    const units = this.outputShape[this.outputShape.length - 1] ?? 1;
    const names = args.metrics === undefined ? [] : Array.isArray(args.metrics) ? args.metrics : [args.metrics];
    const metrics = names.map((m) => getMetric(m, units));
    for (const m of metrics) checkMetricProtocol(m, p);
    this.loss = loss;
    this.optimizer = optimizer;
    this.metrics = metrics;
    this.metricNames = names.map(String);
  }

  /** Forward pass through every layer. @internal */
  forward(x: TfeTensor, kwargs: { training?: boolean; cache?: boolean } = {}): TfeTensor {
    const p = this.build();
    for (const l of this.layers) l.checkProtocol(p, false);
    this.checkInput(x);
    let out = x;
    for (const l of this.layers) out = l.call(out, kwargs);
    return out;
  }

  /** Fails with both shapes when `x` does not fit the model. @internal */
  checkInput(x: TfeTensor): void {
    const want = this.inputShape;
    if (x.rank !== want.length || want.some((d, i) => d !== null && d !== x.shape[i])) {
      throw new ValueError(`model \`${this.name}\` expects input of shape [${want.map((d) => d ?? 'null').join(',')}], got x of shape [${x.shape.join(',')}]`);
    }
  }

  /** Trains on private x and y. Reveals only loss and metrics, to `revealTo` (default: the driver). */
  fit(x: ModelInput, y: ModelInput, args?: ModelFitArgs): Promise<History>;
  /** Trains on a dataset of `{xs, ys}` batches (e.g. `tfe.data.rows({xs, ys}).batch(32)`), as `fitDataset`. */
  fit(dataset: BatchDataset, args?: ModelFitArgs): Promise<History>;
  fit(x: ModelInput | BatchDataset, y?: ModelInput | ModelFitArgs, args: ModelFitArgs = {}): Promise<History> {
    if (x && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return fitDatasetModel(this, x as BatchDataset, (y ?? {}) as ModelFitArgs);
    return fitModel(this, x as ModelInput, y as ModelInput, args);
  }

  /** Trains on a stream of private batches `{xs, ys}` (a tfjs Dataset or an async iterable), shared from `dataOwner` as they arrive. */
  fitDataset(dataset: BatchDataset, args: ModelFitArgs = {}): Promise<History> { return fitDatasetModel(this, dataset, args); }

  /** Loss (and metrics) on x, y, revealed to `revealTo` (default: the driver). */
  evaluate(x: ModelInput, y: ModelInput, args: { batchSize?: number; revealTo?: string; dataOwner?: string } = {}): Promise<number | number[]> {
    return evaluateModel(this, x, y, args);
  }

  /** Private predictions; `reveal: true` opens them to the driver as a tfjs tensor. */
  predict(x: ModelInput, args: { batchSize?: number; reveal?: false; dataOwner?: string }): Promise<TfeTensor>;
  predict(x: ModelInput, args: { batchSize?: number; reveal: true; dataOwner?: string }): Promise<tf.Tensor>;
  predict(x: ModelInput): Promise<TfeTensor>;
  async predict(x: ModelInput, args: { batchSize?: number; reveal?: boolean; dataOwner?: string } = {}): Promise<TfeTensor | tf.Tensor> {
    const p = this.build();
    const xt = await asPrivate(p, x, args.dataOwner ?? 'input-provider', 'x');
    this.checkInput(xt);
    this.warnRanges(xt);
    const n = xt.shape[0];
    const bs = Math.min(args.batchSize ?? 32, n);
    const outs: (TfeTensor | Float64Array)[] = [];
    for (let start = 0; start < n; start += bs) {
      const size = Math.min(bs, n - start);
      const xb = size === n ? p.reshape(xt, [...xt.shape]) : p.slice(xt, [start, ...xt.shape.slice(1).map(() => 0)], [size, ...xt.shape.slice(1)]);
      outs.push(await tidy(async () => {
        const y = this.forward(xb);
        return args.reveal ? await p.reveal(y) : y;
      }));
    }
    const outShape = [n, ...(this.outputShape.slice(1) as number[])];
    if (args.reveal) {
      const all = new Float64Array(outShape.reduce((a, b) => a * b, 1));
      let off = 0;
      for (const o of outs as Float64Array[]) { all.set(o, off); off += o.length; }
      return tf.tensor(Float32Array.from(all), outShape);
    }
    return outs.length === 1 ? outs[0] as TfeTensor : p.concat(outs as TfeTensor[], 0);
  }

  /** The weight variables (private), or their values revealed to `revealTo`. */
  getWeights(): TfeTensor[];
  getWeights(args: { revealTo: string }): Promise<tf.Tensor[]>;
  getWeights(args?: { revealTo: string }): TfeTensor[] | Promise<tf.Tensor[]> {
    this.build();
    const ws = this.layers.flatMap((l) => l.weights);
    if (!args?.revealTo) return ws.map((w) => w.value);
    return revealWeights(this.protocol!, ws, args.revealTo);
  }

  /** Replaces the weights (tfjs order) with private tensors or plain values (shared from the driver). */
  setWeights(weights: (TfeTensor | tf.Tensor | Float64Array | number[])[]): void {
    const p = this.build();
    const ws = this.layers.flatMap((l) => l.weights);
    if (!Array.isArray(weights) || weights.length !== ws.length) throw new ValueError(`\`setWeights\` expects ${ws.length} tensors, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    ws.forEach((w, i) => {
      const v = weights[i];
      const shape = v instanceof TfeTensor || v instanceof tf.Tensor ? [...v.shape] : [v.length];
      const size = shape.reduce((a, b) => a * b, 1);
      if (size !== w.value.size || (shape.length > 1 && shape.join() !== w.shape.join())) {
        throw new ValueError(`\`setWeights\`: weight \`${w.name}\` has shape [${w.shape.join(',')}], got [${shape.join(',')}]`);
      }
      const value = v instanceof TfeTensor ? p.reshape(v, w.shape) : p.defineConstant(v instanceof tf.Tensor ? Float64Array.from(v.dataSync()) : Float64Array.from(v), { shape: w.shape });
      p.assign(w.value, value);
      w.value.bound = v instanceof TfeTensor ? v.bound : value.bound;
    });
  }

  /**
   * The range report for inputs with |x| ≤ `inputBound` (see range_analysis.ts): per layer, the
   * worst-case product and whether it can pass the fixed-point limit. `predict` and `fit` warn
   * about such layers by themselves when their input was declared with `{bounds}`.
   * @example
   * ```ts
   * model.analyzeRanges(255).filter((r) => r.overflow);
   * ```
   */
  analyzeRanges(inputBound: number): LayerRange[] { return analyzeRanges(this.layers, inputBound, this.build()); }

  /** Warns once per layer whose worst case can overflow, for an input with a declared bound. @internal */
  warnRanges(x: TfeTensor): void {
    if (x.bound === undefined) return;
    for (const r of this.analyzeRanges(x.bound)) {
      if (!r.overflow || this.rangeWarned.has(r.layer)) continue;
      this.rangeWarned.add(r.layer);
      console.warn(`tfe: layer \`${r.layer}\` (${r.className}) can overflow: for inputs with |x| ≤ ${x.bound}, |x·W| summed over its fan-in can reach ${r.worstProduct!.toExponential(2)} ≥ ${r.limit.toExponential(2)}, the largest product fixed point truncates exactly; scale the inputs or weights down`);
    }
  }
  private readonly rangeWarned = new Set<string>();

  /** Total number of parameters. */
  countParams(): number { return this.layers.reduce((a, l) => a + l.countParams(), 0); }

  /** `{name, layers: [{className, config}]}` (tfjs Sequential config). */
  getConfig(): { name: string; layers: SerializedLayer[] } { return { name: this.name, layers: this.layers.map((l) => l.serialize()) }; }

  /** A new, unbuilt model from `getConfig()` output. */
  static fromConfig(config: { name?: string; layers: SerializedLayer[] }): Sequential {
    if (!config || !Array.isArray(config.layers)) throw new ValueError('Sequential.fromConfig expects {layers: [{className, config}, ...]}');
    const layers = config.layers.map(deserializeLayer);
    return new Sequential({ name: config.name, layers });
  }

  /**
   * Loads a checkpoint written by {@link Sequential.save}: every player loads its own shares.
   * @example
   * ```ts
   * const model = await tfe.Sequential.load('checkpoints/mnist');
   * ```
   */
  static load(dir: string): Promise<Sequential> { return restoreCheckpoint(dir, (c) => Sequential.fromConfig(c)); }

  /** Saves a secret-shared checkpoint: each player writes its own shares (see `checkpoint.ts`). */
  async save(dir: string): Promise<void> {
    await saveCheckpoint(this, dir);
  }

  /** Frees weights and optimizer state on the players. */
  dispose(): void { for (const l of this.layers) l.dispose(); this.optimizer?.dispose(); }
}

async function revealWeights(p: Protocol, ws: { value: TfeTensor; shape: number[] }[], to: string): Promise<tf.Tensor[]> {
  if (to === 'driver') return Promise.all(ws.map(async (w) => tf.tensor(Float32Array.from(await p.reveal(w.value)), w.shape)));
  for (const w of ws) await p.defineOutput(to, w.value);
  return [];
}

/**
 * A Sequential model (tfjs `tf.sequential`).
 * @example
 * ```ts
 * const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 10, inputShape: [784] })] });
 * ```
 */
export function sequential(args: SequentialArgs = {}): Sequential { return new Sequential(args); }
