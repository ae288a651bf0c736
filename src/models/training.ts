/**
 * The training and evaluation loops of `Sequential`. One step: forward with caches, the loss
 * gradient (fused p − y on the logits for sigmoid+BCE and softmax+CCE), backward through every
 * layer, the optimizer update, then a flush; all of it in a `tidy` scope so player memory stays
 * flat. Batches are cut from the shares by public slices or, with `shuffle`, by a public
 * permutation (gathers on the shares; nothing about the values is revealed).
 *
 * Reveal policy: the loss and metrics are computed and revealed only when the progress bar
 * (`verbose: 1`) or a callback needs them, and only to `revealTo` (default `driver`). With any
 * other player, that player receives the values and the driver's logs omit them.
 */
import { driverRandomInt } from '../random.js';
import { eventsDirectory, tensorBoard } from '../observability/events.js';
import { NotImplementedError, ValueError } from '../errors.js';
import { scaleBy } from '../protocols/generic/index.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { getRuntime, tidy } from '../runtime/index.js';
import { CallbackList, ProgressBar, type CustomCallbackArgs, type Logs } from './callbacks.js';
import { asPrivate, type ModelInput } from './data_input.js';
import { sparseToOneHot } from './losses.js';
import type { ModelFitArgs, Sequential } from './sequential.js';

/**
 * What `fit` returns (tfjs `History`).
 * @example
 * ```ts
 * const h: History = await model.fit(x, y); h.history.loss;
 * ```
 */
export interface History { epoch: number[]; history: Record<string, number[]>; params: Record<string, unknown> }

function batchOf(p: Protocol, t: TfeTensor, idx: number[], start: number, size: number, shuffled: boolean): TfeTensor {
  if (shuffled) return p.gather(t, idx.slice(start, start + size), 0);
  // a fresh view even for the whole tensor: masks made inside a step's scope die with it
  if (size === t.shape[0]) return p.reshape(t, [...t.shape]);
  return p.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1)]);
}

/**
 * Private labels shaped like the model output (sparse labels become one-hot). @internal
 * @example
 * ```ts
 * const y1 = prepareLabels(model, prot, ySparse, 128); // [128] → [128, 10]
 * ```
 */
export function prepareLabels(model: Sequential, p: Protocol, y: TfeTensor, n: number): TfeTensor {
  const out = model.outputShape;
  const want = [n, ...(out.slice(1) as number[])];
  const sparse = model.loss?.name === 'sparseCategoricalCrossentropy';
  if (sparse) {
    const k = want[want.length - 1];
    if (!(y.shape[0] === n && (y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)))) {
      throw new ValueError(`sparseCategoricalCrossentropy expects labels of shape [${n}] or [${n},1], got y of shape [${y.shape.join(',')}]`);
    }
    return sparseToOneHot(p, y, k);
  }
  if (y.rank !== want.length || y.shape.some((d, i) => d !== want[i])) {
    throw new ValueError(`labels must have the model's output shape [${want.join(',')}], got y of shape [${y.shape.join(',')}]`);
  }
  return y;
}

async function revealScalar(p: Protocol, t: TfeTensor, to: string, name: string): Promise<number | undefined> {
  if (to === 'driver') return (await p.reveal(t))[0];
  await p.defineOutput(to, t, (v) => { console.log(`[${to}] ${name}=${v[0].toFixed(4)}`); });
  return undefined;
}

/** Loss and metric values of the last forward (cached) pass. */
async function lossLogs(model: Sequential, p: Protocol, pred: TfeTensor, y: TfeTensor, to: string, prefix = ''): Promise<Logs> {
  const last = model.layers[model.layers.length - 1];
  const logs: Logs = {};
  const loss = model.loss!;
  const l = await revealScalar(p, loss.value(p, { pred, logits: loss.fuses ? last.preActivation() : undefined }, y), to, `${prefix}loss`);
  if (l !== undefined) logs[`${prefix}loss`] = l;
  for (const m of model.metrics) {
    const v = await revealScalar(p, m.compute(p, pred, y), to, prefix + m.name);
    if (v !== undefined) logs[prefix + m.name] = v;
  }
  return logs;
}

function trainStep(model: Sequential, p: Protocol, xb: TfeTensor, yb: TfeTensor): TfeTensor {
  const pred = model.forward(xb, { training: true });
  const last = model.layers.length - 1;
  const fused = !!model.loss!.fuses;
  const logits = fused ? model.layers[last].preActivation() : undefined;
  // the summed loss's gradient where the loss has it: the optimizer divides by the batch size
  const summed = model.loss!.summedGradient?.(p, { pred, logits }, yb);
  let dy: TfeTensor | undefined = summed ? summed.gradient : model.loss!.gradient(p, { pred, logits }, yb);
  const vars: { name: string; value: TfeTensor }[] = [];
  const grads: TfeTensor[] = [];
  // the optimizer's lr/N or 1/N, folded into each layer's gradient products where it can
  const divisor = summed?.divisor ?? 1;
  const gradientScale = model.optimizer!.gradientScale(divisor);
  for (let i = last; i >= 0; i--) {
    const layer = model.layers[i];
    const r = layer.backward(dy!, { skipActivation: i === last && fused, needDx: i > 0, gradientScale });
    layer.trainableWeights.forEach((w, k) => { vars.push(w); grads.push(r.scaled || gradientScale === 1 ? r.grads[k] : scaleBy(p, r.grads[k], gradientScale)); });
    dy = r.dx;
  }
  model.optimizer!.applyGradients(p, vars, grads, divisor, true);
  return pred;
}

const UNSUPPORTED_FIT = ['classWeight', 'sampleWeight', 'stepsPerEpoch'] as const;

/**
 * `model.fit`. @internal
 * @example
 * ```ts
 * const history = await fitModel(model, x, y, { epochs: 1, batchSize: 128 });
 * ```
 */
export async function fitModel(model: Sequential, xIn: ModelInput, yIn: ModelInput, args: ModelFitArgs): Promise<History> {
  if (!model.optimizer || !model.loss) throw new ValueError(`model \`${model.name}\` must be compiled before fit: call model.compile({optimizer, loss})`);
  for (const k of UNSUPPORTED_FIT) if (args[k] !== undefined) throw new NotImplementedError(`fit: argument \`${k}\` is not supported by tfe`);
  const p = model.build();
  const owner = args.dataOwner ?? 'input-provider';
  const x = await asPrivate(p, xIn, owner, 'x');
  model.checkInput(x);
  model.warnRanges(x);
  const n = x.shape[0];
  const yRaw = await asPrivate(p, yIn, owner, 'y');
  const y = prepareLabels(model, p, yRaw, n);
  // tensors made here (shared plain data, one-hot labels) are freed when fit ends
  const made = [x !== xIn ? x : undefined, yRaw !== yIn ? yRaw : undefined, y !== yRaw ? y : undefined].filter((t): t is TfeTensor => !!t);
  try {
    const split = validationSplitOf(p, x, y, n, args);
    if (!split) return await fitLoop(model, p, x, y, n, owner, args);
    made.push(split.x, split.y, split.xVal, split.yVal);
    return await fitLoop(model, p, split.x, split.y, split.x.shape[0], owner, { ...args, validationData: [split.xVal, split.yVal] });
  } finally {
    for (const t of made) t.dispose();
  }
}

/**
 * `fit({validationSplit})` as tfjs does it: the last fraction of the examples (before
 * shuffling) is held out for validation. The split is a public slice of the shares. Ignored
 * when `validationData` is given, as in tfjs.
 */
function validationSplitOf(p: Protocol, x: TfeTensor, y: TfeTensor, n: number, args: ModelFitArgs) {
  const f = args.validationSplit;
  if (f === undefined || args.validationData) return undefined;
  if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new ValueError(`fit: \`validationSplit\` must be a number in (0, 1), got ${String(f)}`);
  const at = Math.floor(n * (1 - f));
  if (at < 1 || at >= n) throw new ValueError(`fit: \`validationSplit\` ${f} of ${n} examples leaves ${at} for training and ${n - at} for validation; both must be at least 1`);
  const rows = (t: TfeTensor, start: number, size: number) => p.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1)]);
  return { x: rows(x, 0, at), y: rows(y, 0, at), xVal: rows(x, at, n - at), yVal: rows(y, at, n - at) };
}

async function fitLoop(model: Sequential, p: Protocol, x: TfeTensor, y: TfeTensor, n: number, owner: string, args: ModelFitArgs): Promise<History> {
  if (y.shape[0] !== n) throw new ValueError(`x and y must have the same number of examples, got x of shape [${x.shape.join(',')}] and y of shape [${y.shape.join(',')}]`);
  const epochs = args.epochs ?? 1;
  const batchSize = Math.min(args.batchSize ?? 32, n);
  const steps = Math.ceil(n / batchSize);
  const revealTo = args.revealTo ?? 'driver';
  const verbose = args.verbose ?? 1;
  const given = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks as CustomCallbackArgs];
  // TFE_EVENTS / tfe.setEvents: every fit writes its revealed loss and metrics to TensorBoard.
  const cbs = new CallbackList(eventsDirectory() ? [...given, tensorBoard()] : given, model,
    { epochs, steps, batchSize, samples: n, verbose, doValidation: !!args.validationData });
  const wantLogs = verbose > 0 || cbs.any;
  const history: History = { epoch: [], history: {}, params: { epochs, steps, batchSize, samples: n } };
  const rt = getRuntime();
  model.stopTraining = false;
  await cbs.trainBegin();
  try {
    for (let epoch = args.initialEpoch ?? 0; epoch < epochs && !model.stopTraining; epoch++) {
      const bar = verbose > 0 ? new ProgressBar(epochs, steps) : undefined;
      bar?.epochBegin(epoch);
      await cbs.epochBegin(epoch);
      const shuffle = args.shuffle ?? true;
      const idx = Array.from({ length: n }, (_, i) => i);
      if (shuffle) for (let i = n - 1; i > 0; i--) { const j = driverRandomInt(i + 1); [idx[i], idx[j]] = [idx[j], idx[i]]; }
      const sums: Logs = {};
      let counted = 0;
      // The driver encodes step b + 1 while the players finish step b (its backward pass and
      // update): each step waits for the one before it, so at most one step is in flight.
      let previousStep: Promise<void> = Promise.resolve();
      for (let b = 0; b < steps && !model.stopTraining; b++) {
        await cbs.batchBegin(b, { batch: b, size: batchSize });
        const size = Math.min(batchSize, n - b * batchSize);
        const logs = await tidy(async () => {
          const xb = batchOf(p, x, idx, b * batchSize, size, shuffle);
          const yb = batchOf(p, y, idx, b * batchSize, size, shuffle);
          const pred = trainStep(model, p, xb, yb);
          return wantLogs ? await lossLogs(model, p, pred, yb, revealTo) : {};
        });
        const thisStep = rt.flush();
        thisStep.catch(() => undefined); // awaited below or at the next step; never unhandled
        await previousStep;
        previousStep = thisStep;
        for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v * size;
        counted += size;
        bar?.update(b + 1, logs);
        await cbs.batchEnd(b, { batch: b, size, ...logs });
      }
      await previousStep;
      const epochLogs: Logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(counted, 1)]));
      if (args.validationData) Object.assign(epochLogs, await evalLogs(model, p, args.validationData, batchSize, revealTo, owner, 'val_'));
      bar?.epochEnd(epochLogs);
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(epochLogs)) (history.history[k] ??= []).push(v);
      await cbs.epochEnd(epoch, epochLogs);
    }
  } finally {
    await cbs.trainEnd(); // callbacks release what they hold (event files) even when fit fails
  }
  return history;
}

/** A stream of private batches (tfjs `Dataset`-like: `iterator()` with `next()`, or any async iterable). */
export type BatchDataset = AsyncIterable<{ xs: ModelInput; ys: ModelInput }> | { iterator(): Promise<{ next(): Promise<IteratorResult<{ xs: ModelInput; ys: ModelInput }>> }> };

async function* batchesOf(ds: BatchDataset): AsyncGenerator<{ xs: ModelInput; ys: ModelInput }> {
  if (ds && typeof (ds as { iterator?: unknown }).iterator === 'function') {
    const it = await (ds as { iterator(): Promise<{ next(): Promise<IteratorResult<{ xs: ModelInput; ys: ModelInput }>> }> }).iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  } else if (ds && typeof (ds as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    yield* ds as AsyncIterable<{ xs: ModelInput; ys: ModelInput }>;
  } else {
    throw new ValueError('`dataset` must have iterator() (a tfjs Dataset) or be an async iterable of {xs, ys}');
  }
}

/**
 * `model.fitDataset`: trains on batches streamed from their owner (each batch is secret-shared
 * when it arrives, so the whole set never has to be in memory), one pass per epoch.
 * @internal
 * @example
 * ```ts
 * await fitDatasetModel(model, { async *[Symbol.asyncIterator]() { yield { xs, ys }; } }, { epochs: 1 });
 * ```
 */
export async function fitDatasetModel(model: Sequential, dataset: BatchDataset, args: ModelFitArgs): Promise<History> {
  if (!model.optimizer || !model.loss) throw new ValueError(`model \`${model.name}\` must be compiled before fitDataset: call model.compile({optimizer, loss})`);
  const p = model.build();
  const owner = args.dataOwner ?? 'input-provider';
  const epochs = args.epochs ?? 1;
  const revealTo = args.revealTo ?? 'driver';
  const verbose = args.verbose ?? 1;
  const cbs = new CallbackList(args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks as CustomCallbackArgs], model);
  const wantLogs = verbose > 0 || cbs.any;
  const history: History = { epoch: [], history: {}, params: { epochs } };
  const rt = getRuntime();
  model.stopTraining = false;
  await cbs.trainBegin();
  for (let epoch = args.initialEpoch ?? 0; epoch < epochs && !model.stopTraining; epoch++) {
    if (verbose > 0) console.log(`Epoch ${epoch + 1}/${epochs}`);
    await cbs.epochBegin(epoch);
    const sums: Logs = {};
    let counted = 0, b = 0;
    for await (const { xs, ys } of batchesOf(dataset)) {
      if (model.stopTraining) break;
      await cbs.batchBegin(b, { batch: b });
      const logs = await tidy(async () => {
        const x = await asPrivate(p, xs, owner, 'xs');
        model.checkInput(x);
        const y = prepareLabels(model, p, await asPrivate(p, ys, owner, 'ys'), x.shape[0]);
        const pred = trainStep(model, p, p.reshape(x, [...x.shape]), p.reshape(y, [...y.shape]));
        const l = wantLogs ? await lossLogs(model, p, pred, y, revealTo) : {};
        await rt.flush();
        return { l, size: x.shape[0] };
      });
      for (const [k, v] of Object.entries(logs.l)) sums[k] = (sums[k] ?? 0) + v * logs.size;
      counted += logs.size;
      await cbs.batchEnd(b++, { batch: b, size: logs.size, ...logs.l });
    }
    const epochLogs: Logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(counted, 1)]));
    if (verbose > 0) console.log(`${b} batches, ${counted} examples ${Object.entries(epochLogs).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}`);
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(epochLogs)) (history.history[k] ??= []).push(v);
    await cbs.epochEnd(epoch, epochLogs);
  }
  await cbs.trainEnd();
  return history;
}

async function evalLogs(model: Sequential, p: Protocol, data: [ModelInput, ModelInput], batchSize: number, to: string, owner: string, prefix: string): Promise<Logs> {
  const x = await asPrivate(p, data[0], owner, 'x');
  model.checkInput(x);
  const n = x.shape[0];
  const y = prepareLabels(model, p, await asPrivate(p, data[1], owner, 'y'), n);
  const sums: Logs = {};
  const bs = Math.min(batchSize, n);
  for (let start = 0; start < n; start += bs) {
    const size = Math.min(bs, n - start);
    const logs = await tidy(async () => {
      const xb = batchOf(p, x, [], start, size, false);
      const yb = batchOf(p, y, [], start, size, false);
      const pred = model.forward(xb, { cache: true });
      return lossLogs(model, p, pred, yb, to, prefix);
    });
    for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v * size;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
}

/**
 * `model.evaluate`. @internal
 * @example
 * ```ts
 * const [loss, acc] = (await evaluateModel(model, x, y, {})) as number[];
 * ```
 */
export async function evaluateModel(model: Sequential, x: ModelInput, y: ModelInput, args: { batchSize?: number; revealTo?: string; dataOwner?: string }): Promise<number | number[]> {
  if (!model.loss) throw new ValueError(`model \`${model.name}\` must be compiled before evaluate: call model.compile({optimizer, loss})`);
  const p = model.build();
  const logs = await evalLogs(model, p, [x, y], args.batchSize ?? 32, args.revealTo ?? 'driver', args.dataOwner ?? 'input-provider', '');
  const vals = [logs.loss, ...model.metrics.map((m) => logs[m.name])];
  return vals.length === 1 ? vals[0] : vals;
}
