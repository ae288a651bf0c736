/**
 * SecureNN benchmarks (`npm run bench -- securenn --json`): exact relu on 1e5
 * and 1e6 elements, its communication per element and rounds (from the runtime's counters,
 * one relu of 1e5 elements = one chunk), the same for the paper's ShareConvert pipeline, max
 * pooling 2×2 on [64, 28, 28, 16], argmax of [1000, 10]. `paper_relu_bytes_per_element` is the SecureNN paper's ReLU figure
 * (8ℓ·log p + 24ℓ bits, ℓ = 64, log p = 7) for comparison. LocalConfig first; then relu,
 * max pooling and argmax again with three `tfe player` processes on 127.0.0.1 (`_networked`).
 */
import * as tfe from '../src/index.js';
import { SecureNN } from '../src/protocols/securenn/index.js';
import type { PondPrivateTensor } from '../src/protocols/pond/pond_tensors.js';
import { currentRuntime } from '../src/protocols/runtime_link.js';
import { onThreePlayers, privateOf, timeMedian, type BenchResult, randomValues } from './util.js';


/**
 * Runs `op` and waits until server0's share of the result exists. Masks made inside the scope
 * are freed with it, so every run pays the full protocol (as for fresh activations).
 */
async function runOnce(op: () => tfe.TfeTensor): Promise<void> {
  await tfe.tidy(async () => { await currentRuntime().reveal((op() as PondPrivateTensor).shares[0]); });
}

/** The suite: LocalConfig, then the timed figures with three `tfe player` processes (`_networked`). */
export async function run(): Promise<BenchResult[]> {
  const snn = new SecureNN();
  tfe.setProtocol(snn);
  const rt = currentRuntime();
  const out: BenchResult[] = [];

  const x5 = privateOf(randomValues(1e5, 1), [1e5]);
  out.push({ name: 'relu_1e5_ms', value: await timeMedian(() => runOnce(() => tfe.relu(x5)), { minRuns: 3, minMs: 1000 }), unit: 'ms' });
  await rt.resetCounters();
  await runOnce(() => tfe.relu(x5));
  const counters = await rt.counters();
  const bytes = Object.values(counters).reduce((s, c) => s + c.bytesSent, 0);
  const rounds = Math.max(...Object.values(counters).map((c) => c.rounds));
  out.push({ name: 'relu_bytes_per_element', value: bytes / 1e5, unit: 'B', byPlayer: Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, c.bytesSent / 1e5])) });
  out.push({ name: 'relu_rounds', value: rounds, unit: 'rounds', byPlayer: Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, c.rounds])) });
  const paper = new SecureNN({ msb: 'share-convert' });
  tfe.setProtocol(paper);
  const x5p = privateOf(randomValues(1e5, 1), [1e5]);
  await rt.resetCounters();
  await runOnce(() => tfe.relu(x5p));
  const paperCounters = await rt.counters();
  out.push({
    name: 'relu_share_convert_bytes_per_element',
    value: Object.values(paperCounters).reduce((s, c) => s + c.bytesSent, 0) / 1e5,
    unit: 'B',
    rounds: Math.max(...Object.values(paperCounters).map((c) => c.rounds)),
    note: "the paper's pipeline (ShareConvert + ComputeMSB), SecureNN({ msb: 'share-convert' })",
  });
  tfe.setProtocol(snn);
  out.push({ name: 'paper_relu_bytes_per_element', value: (8 * 64 * 7 + 24 * 64) / 8, unit: 'B', note: 'SecureNN (PETS 2019) ReLU: 8ℓ·log p + 24ℓ bits, 10 rounds' });

  out.push(...(await timed(snn, '')));
  await tfe.getConfig().close();
  return [...out, ...(await onThreePlayers('securenn_networked', async () => {
    const p = new SecureNN();
    tfe.setProtocol(p);
    return timed(p, '_networked');
  }))];
}

/** The timed figures on the active config, each name with `suffix`. */
async function timed(snn: SecureNN, suffix: string): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const x6 = privateOf(randomValues(1e6, 2), [1e6]);
  // steady state, as every suite: one untimed run first (the first 10^6 relu also pays for fresh pages);
  // the median of three, as two runs on this noisy machine differed by up to 2 x (628-1174 ms networked)
  const relu6 = await timeMedian(() => runOnce(() => tfe.relu(x6)), { warmup: 1, minRuns: 3, minMs: 0 });
  out.push({ name: `relu_1e6_ms${suffix}`, value: relu6, unit: 'ms', backend: tfe.getBackend().name });
  const plain = randomValues(1e6, 2);
  const plainMs = await timeMedian(() => plain.map((v) => (v > 0 ? v : 0)), { minRuns: 5, minMs: 200 });
  out.push({ name: `relu_1e6_ratio_vs_plaintext${suffix}`, value: relu6 / plainMs, unit: 'x', plaintextMs: plainMs });
  tfe.dispose(x6);

  const img = privateOf(randomValues(64 * 28 * 28 * 16, 3), [64, 28, 28, 16]);
  out.push({
    name: `maxpool_2x2_64x28x28x16_ms${suffix}`,
    value: await timeMedian(() => runOnce(() => snn.maxPool2d(img, { poolSize: 2 })), { warmup: 1, minRuns: 3, minMs: 0 }),
    unit: 'ms',
  });
  tfe.dispose(img);

  const logits = privateOf(randomValues(1000 * 10, 4), [1000, 10]);
  out.push({ name: `argmax_1000x10_ms${suffix}`, value: await timeMedian(() => runOnce(() => snn.argmax(logits, 1)), { minRuns: 3, minMs: 1000 }), unit: 'ms' });
  tfe.dispose(logits);
  return out;
}
