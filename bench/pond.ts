/**
 * Pond benchmarks on LocalConfig (`npm run bench -- pond --json`): private matmuls against one
 * plain ring matmul of the same shape in the same run, bytes sent, sigmoid and truncation.
 */
import * as tfe from '../src/index.js';
import { ring } from '../src/kernels/index.js';
import { newSeed } from '../src/kernels/prg.js';
import { shareFrom } from '../src/protocols/pond/sharing.js';
import { truncatePrivate } from '../src/protocols/pond/truncate.js';
import { currentRuntime } from '../src/protocols/runtime_link.js';
import { timeMedian, type BenchResult, randomValues } from './util.js';

async function privateMatrix(n: number, seed: number): Promise<tfe.TfeTensor> {
  return tfe.keep(await tfe.definePrivateInput('input-provider', () => randomValues(n * n, seed), { shape: [n, n] }));
}

/** One private × private matmul, truncation included; masks made in the scope die with it, so each run masks afresh. */
async function privateMatmulMs(n: number): Promise<{ ms: number; bytes: number }> {
  const x = await privateMatrix(n, 1);
  const y = await privateMatrix(n, 2);
  const once = async () => {
    await tfe.tidy(async () => { await currentRuntime().reveal((tfe.matmul(x, y) as tfe.PondPrivateTensor).shares[0]); });
  };
  await once();
  const rt = currentRuntime();
  await rt.resetCounters();
  await once();
  const counters = await rt.counters();
  const bytes = Object.values(counters).reduce((s, c) => s + c.bytesSent, 0);
  const ms = await timeMedian(once, { warmup: 0, minRuns: 3, minMs: 2000 });
  return { ms, bytes };
}

export async function run(): Promise<BenchResult[]> {
  const pond = new tfe.Pond();
  tfe.setProtocol(pond);
  const out: BenchResult[] = [];
  const p256 = await privateMatmulMs(256);
  out.push({ name: 'private_matmul_256_ms', value: p256.ms, unit: 'ms' });
  const p1024 = await privateMatmulMs(1024);
  out.push({ name: 'private_matmul_1024_ms', value: p1024.ms, unit: 'ms' });
  const a = ring.uniform(newSeed(), [1024, 1024], { dtype: 'u64' });
  const b = ring.uniform(newSeed(), [1024, 1024], { dtype: 'u64' });
  const ringMs = await timeMedian(() => ring.matmul(a, b), { minRuns: 3, minMs: 1000 });
  out.push({ name: 'ring_matmul_1024_ms', value: ringMs, unit: 'ms', backend: tfe.getBackend().name });
  out.push({ name: 'private_matmul_1024_ratio', value: p1024.ms / ringMs, unit: 'x' });
  out.push({ name: 'private_matmul_1024_mbytes', value: p1024.bytes / 1e6, unit: 'MB' });

  const n = 1_000_000;
  const xs = tfe.keep(await tfe.definePrivateInput('input-provider', () => randomValues(n, 3).map((v) => v * 8), { shape: [n] }));
  const sigmoidMs = await timeMedian(async () => {
    await tfe.tidy(async () => { await currentRuntime().reveal((tfe.sigmoid(xs) as tfe.PondPrivateTensor).shares[0]); });
  }, { minRuns: 3, minMs: 1000 });
  out.push({ name: 'sigmoid_1e6_ms', value: sigmoidMs, unit: 'ms' });
  const raw = ring.shiftRightArithmetic(ring.uniform(newSeed(), [n], { dtype: 'u64' }), 2);
  const shared = shareFrom(pond, currentRuntime().upload('input-provider', raw), 0);
  tfe.keep(shared);
  const truncMs = await timeMedian(async () => {
    await tfe.tidy(async () => { await currentRuntime().reveal(truncatePrivate(pond, shared, 16).shares[0]); });
  }, { minRuns: 3, minMs: 1000 });
  out.push({ name: 'truncate_1e6_ms', value: truncMs, unit: 'ms' });
  return out;
}
