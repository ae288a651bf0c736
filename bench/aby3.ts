/**
 * `npm run bench -- aby3 [--json]` (issue 18): ABY3 next to SecureNN in the same run, on
 * LocalConfig and again with three `tfe player` processes on 127.0.0.1 (names suffixed
 * `_networked`). SecureNN's figures carry the prefix `securenn_`.
 *  - relu_1e6_ms, relu_bytes_per_element (all players together, from the runtime's counters;
 *    `rounds`: the most flights of any player). ABY3: about 91 B, SecureNN 258 B
 *  - every figure is steady state: one untimed warm-up run first (the first run of a 10^6-element
 *    op also pays for fresh pages: about 2.5 s for ABY3's sigmoid)
 *  - sigmoid_1e6_ms (ABY3 with `{sigmoid: 'polynomial'}`, error ≤ 0.0028; SecureNN: its default
 *    Chebyshev one, the same error; ABY3's default 21-piece form costs about 5x more)
 *  - private_matmul_1024_ms: [1024, 1024] · [1024, 1024], both private
 *  - sort_1024_ms: one row of 1024 values, bitonic (ABY3 only: SecureNN has no sort)
 *  - softmax_128x10_ms
 *  - networkA_train_step_ms (SGD) and networkA_adam_train_step_ms: MNIST network A
 *    (784-128-128-10, relu, softmax + CCE), batch 128, steady state after untimed warm-up steps
 * `ABY3_BENCH_QUICK=1` skips the 1e6-element and 1024² figures (for a fast look).
 */
import * as L from '../src/layers/index.js';
import { sequential, train, type Optimizer, type Sequential } from '../src/models/index.js';
import { ABY3 } from '../src/protocols/aby3/index.js';
import { softmax } from '../src/protocols/generic/index.js';
import { setProtocol, type Protocol } from '../src/protocols/protocol.js';
import { SecureNN } from '../src/protocols/securenn/index.js';
import type { TfeTensor } from '../src/protocols/tensor.js';
import { LocalConfig, getConfig, getRuntime, setConfig, tidy } from '../src/runtime/index.js';
import { loadMnist, oneHot } from '../examples/private-training/mnist.js';
import { onThreePlayers, privateOf, randomValues, timeMedian, warmupSteps, type BenchResult } from './util.js';

const BATCH = 128;
const quick = process.env.ABY3_BENCH_QUICK === '1';
/**
 * Runs of the 10^6-element relu and sigmoid: the median of five after two untimed ones. With
 * one untimed run and the larger of two timed ones, freshly started players were still
 * compiling and sizing their heaps, and the networked relu read 20-40% above its steady state.
 */
const LARGE_OP = { warmup: 2, minRuns: 5, minMs: 0 };


/** Runs `op` in a scope and waits until every player has run it. */
async function runOnce(op: () => unknown): Promise<void> {
  await tidy(async () => { op(); await getRuntime().flush(); });
}

function networkA(opt: Optimizer): Sequential {
  const m = sequential({ layers: [
    L.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    L.dense({ units: 128, activation: 'relu' }),
    L.dense({ units: 10, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  return m;
}

/** Every figure of one protocol on the active config. */
async function figures(p: Protocol & { sort?: (x: TfeTensor) => TfeTensor }, prefix: string, suffix: string): Promise<BenchResult[]> {
  setProtocol(p);
  const rt = getRuntime();
  const out: BenchResult[] = [];
  const name = (n: string) => `${prefix}${n}${suffix}`;
  const meta = { protocol: p.name, config: suffix ? 'three tfe player processes on 127.0.0.1' : 'LocalConfig' };
  const n = quick ? 1e5 : 1e6;
  const x = privateOf(randomValues(n, 1), [n]);
  out.push({ name: name(quick ? 'relu_1e5_ms' : 'relu_1e6_ms'), value: await timeMedian(() => runOnce(() => p.relu(x)), LARGE_OP), unit: 'ms', ...meta });
  await rt.resetCounters();
  await runOnce(() => p.relu(x));
  const counters = await rt.counters();
  const bytes = Object.values(counters).reduce((s, c) => s + c.bytesSent, 0);
  out.push({ name: name('relu_bytes_per_element'), value: bytes / n, unit: 'B', rounds: Math.max(...Object.values(counters).map((c) => c.rounds)), ...meta });
  out.push({ name: name(quick ? 'sigmoid_1e5_ms' : 'sigmoid_1e6_ms'), value: await timeMedian(() => runOnce(() => p.sigmoid(x)), LARGE_OP), unit: 'ms', ...meta });
  p.dispose(x);
  if (!quick) {
    const a = privateOf(randomValues(1024 * 1024, 2), [1024, 1024]);
    const b = privateOf(randomValues(1024 * 1024, 3), [1024, 1024]);
    out.push({ name: name('private_matmul_1024_ms'), value: await timeMedian(() => runOnce(() => p.matmul(a, b)), { warmup: 1, minRuns: 2, minMs: 0 }), unit: 'ms', ...meta });
    p.dispose(a); p.dispose(b);
  }
  const s = privateOf(randomValues(1024, 4), [1, 1024]);
  out.push(p.sort
    ? { name: name('sort_1024_ms'), value: await timeMedian(() => runOnce(() => p.sort!(s)), { warmup: 1, minRuns: 3, minMs: 0 }), unit: 'ms', ...meta }
    : { name: name('sort_1024_ms'), value: NaN, unit: 'ms', skipped: `${p.name} has no sort`, ...meta });
  const logits = privateOf(randomValues(128 * 10, 5).map((v) => 4 * v), [128, 10]);
  out.push({ name: name('softmax_128x10_ms'), value: await timeMedian(() => runOnce(() => softmax(p, logits)), { warmup: 1, minRuns: 3, minMs: 500 }), unit: 'ms', ...meta });
  const d = loadMnist('train', BATCH);
  const xs = privateOf(d.images, [BATCH, 784]);
  const ys = privateOf(oneHot(d.labels), [BATCH, 10]);
  const warmup = warmupSteps(suffix !== '');
  for (const [fig, opt, slow] of [['networkA_train_step_ms', train.sgd(0.1), false], ['networkA_adam_train_step_ms', train.adam(0.001), true]] as const) {
    const m = networkA(opt);
    const step = () => m.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    // Adam's first step fits its Newton plans; its steps are slow, so three timed runs suffice,
    // and 30 untimed ones: the players are warm from the SGD figure's steps just before
    out.push({ name: name(fig), value: await timeMedian(step, { warmup: slow ? Math.min(warmup, 30) : warmup, minRuns: slow ? 3 : 5, minMs: slow ? 0 : 2000 }), unit: 'ms', batch: BATCH, ...meta });
  }
  return out;
}

async function local(): Promise<BenchResult[]> {
  setConfig(new LocalConfig([], { log: () => undefined }));
  try {
    return [...(await figures(new ABY3({ sigmoid: 'polynomial' }), '', '')), ...(await figures(new SecureNN(), 'securenn_', ''))];
  } finally {
    await getConfig().close();
  }
}

async function networked(): Promise<BenchResult[]> {
  return onThreePlayers('networked', async () => [
    ...(await figures(new ABY3({ sigmoid: 'polynomial' }), '', '_networked')),
    ...(await figures(new SecureNN(), 'securenn_', '_networked')),
  ]);
}

/** The suite. */
export async function run(): Promise<BenchResult[]> {
  return [...(await local()), ...(await networked())];
}
