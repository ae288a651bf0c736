/**
 * tfjs-style training callbacks and the verbose-1 progress bar. Logs hold only what was
 * revealed to the driver (the loss and metrics, when `fit({revealTo})` is the driver).
 */

import '../tfjs_env.js'; // quiet tfjs (PROD mode) before it is used
import * as tf from '@tensorflow/tfjs';
import { tensorBoard } from '../observability/events.js';

/**
 * Revealed values of a batch or epoch (`loss`, `acc`, `val_loss`, ...).
 * @example
 * ```ts
 * const logs: tfe.Logs = { loss: 0.42, val_loss: 0.47 };
 * ```
 */
export type Logs = Record<string, number>;

/**
 * The tfjs `CustomCallbackArgs` hooks; each may be async.
 * @example
 * ```ts
 * const cb: tfe.CustomCallbackArgs = { onEpochEnd: (epoch, logs) => console.log(epoch, logs?.loss) };
 * ```
 */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** The hooks tfjs's own callbacks (`tf.Callback`, `tf.callbacks.earlyStopping`) expect. */
interface TfjsCallbackHooks { model?: StoppableModel; setModel?: (model: StoppableModel) => void; setParams?: (params: Record<string, unknown>) => void }

/** What a callback can reach: the model, to set `stopTraining`. */
export interface StoppableModel { stopTraining: boolean }

/**
 * The base class of callbacks (tfjs `tf.Callback`): `this.model.stopTraining = true` ends `fit`
 * after the current batch.
 * @example
 * ```ts
 * class StopAt extends tfe.Callback { async onEpochEnd(e: number) { if (e === 2) this.model!.stopTraining = true; } }
 * ```
 */
export class Callback {
  model?: StoppableModel;
  /** tfjs's training parameters: epochs, steps, batchSize, samples, verbose, doValidation. */
  params: Record<string, unknown> = {};
  setModel(model: StoppableModel): void { this.model = model; }
  setParams(params: Record<string, unknown>): void { this.params = params; }
}

/**
 * Runs a list of callbacks in order.
 * @example
 * ```ts
 * const list = new CallbackList([{ onEpochEnd: (e, logs) => console.log(e, logs) }], model);
 * ```
 */
export class CallbackList {
  constructor(readonly callbacks: CustomCallbackArgs[], model: StoppableModel, params: Record<string, unknown> = {}) {
    // tfe's Callback and tfjs's own callbacks (tf.callbacks.earlyStopping, ...) both receive
    // the model (to set `stopTraining`) and tfjs's params.
    for (const c of callbacks as (CustomCallbackArgs & TfjsCallbackHooks)[]) {
      // tfjs's setModel insists on a tf.LayersModel; its callbacks only read and set
      // `this.model.stopTraining`, so they get the model as a plain property.
      if (c instanceof Callback) c.setModel(model);
      else if (typeof c.setModel === 'function') c.model = model;
      if (typeof c.setParams === 'function') c.setParams(params);
    }
  }
  /** Whether any callback wants batch-level logs. */
  get wantsBatchLogs(): boolean { return this.callbacks.some((c) => c.onBatchEnd); }
  /** Whether any callback exists. */
  get any(): boolean { return this.callbacks.length > 0; }
  async trainBegin(logs?: Logs): Promise<void> { for (const c of this.callbacks) await c.onTrainBegin?.(logs); }
  async trainEnd(logs?: Logs): Promise<void> { for (const c of this.callbacks) await c.onTrainEnd?.(logs); }
  async epochBegin(e: number, logs?: Logs): Promise<void> { for (const c of this.callbacks) await c.onEpochBegin?.(e, logs); }
  async epochEnd(e: number, logs?: Logs): Promise<void> { for (const c of this.callbacks) await c.onEpochEnd?.(e, logs); }
  async batchBegin(b: number, logs?: Logs): Promise<void> { for (const c of this.callbacks) await c.onBatchBegin?.(b, logs); }
  async batchEnd(b: number, logs?: Logs): Promise<void> { for (const c of this.callbacks) await c.onBatchEnd?.(b, logs); }
}

/**
 * The progress bar of `fit({verbose: 1})`: `Epoch 1/5` then `12/47 [=====>......] 3.2s loss=0.1234`,
 * redrawn in place on a TTY and printed once per epoch otherwise.
 * @example
 * ```ts
 * const bar = new ProgressBar(5, 47); bar.epochBegin(0); bar.update(1, { loss: 0.7 }); bar.epochEnd({ loss: 0.6 });
 * ```
 */
export class ProgressBar {
  private started = 0;
  constructor(readonly epochs: number, readonly steps: number, private readonly out: NodeJS.WriteStream = process.stdout) {}

  epochBegin(epoch: number): void {
    this.started = Date.now();
    this.out.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  /** Redraws after `step` batches (1-based). */
  update(step: number, logs: Logs = {}): void {
    if (!this.out.isTTY) return;
    this.out.write(`\r${this.line(step, logs)}`);
  }

  epochEnd(logs: Logs = {}): void {
    this.out.write(`${this.out.isTTY ? '\r' : ''}${this.line(this.steps, logs)}\n`);
  }

  private line(step: number, logs: Logs): string {
    const width = 30;
    const done = Math.round((width * step) / Math.max(this.steps, 1));
    const bar = '='.repeat(Math.max(done - 1, 0)) + (done > 0 ? (step >= this.steps ? '=' : '>') : '') + '.'.repeat(width - done);
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const vals = Object.entries(logs).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ');
    return `${String(step).padStart(String(this.steps).length)}/${this.steps} [${bar}] ${secs}s ${vals}`.trimEnd();
  }
}

/**
 * `tfe.callbacks`, as `tf.callbacks`: tfjs's own callbacks work with `fit` unchanged, since they
 * see only the revealed logs and set `model.stopTraining`.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.2, callbacks: tfe.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2 }) });
 * ```
 */
export const callbacks = {
  /** Stops training when `monitor` (default `val_loss`) stops improving (tfjs's `tf.callbacks.earlyStopping`). */
  earlyStopping: (args?: Parameters<typeof tf.callbacks.earlyStopping>[0]): CustomCallbackArgs => tf.callbacks.earlyStopping(args) as unknown as CustomCallbackArgs,
  /** Writes the revealed loss and metrics to TensorBoard event files in `dir` (see src/observability/events.ts). */
  tensorBoard: (dir?: string): CustomCallbackArgs => tensorBoard(dir),
};
