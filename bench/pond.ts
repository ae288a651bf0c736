/**
 * Pond benchmarks (`npm run bench -- pond --json`): private matmuls against one plain ring
 * matmul of the same shape in the same run, bytes sent, sigmoid and truncation on LocalConfig,
 * then the same figures with three `tfe player` processes on 127.0.0.1 (suffix `_networked`).
 */
import * as tfe from '../src/index.js';
import { ring } from '../src/kernels/index.js';
import { newSeed } from '../src/kernels/prg.js';
import { shareFrom } from '../src/protocols/pond/sharing.js';
import { truncatePrivate } from '../src/protocols/pond/truncate.js';
import { currentRuntime } from '../src/protocols/runtime_link.js';
import { onThreePlayers, privateOf, timeMedian, type BenchResult, randomValues } from './util.js';


/** One private × private matmul, truncation included; masks made in the scope die with it, so each run masks afresh. */
async function privateMatmulMs(n: number): Promise<{ ms: number; bytes: number }> {
  const x = privateOf(randomValues(n * n, 1), [n, n]);
  const y = privateOf(randomValues(n * n, 2), [n, n]);
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
  tfe.dispose([x, y]);
  return { ms, bytes };
}

/** Figures on the active config, each name with `suffix`. */
async function figures(suffix: string): Promise<BenchResult[]> {
  const pond = new tfe.Pond();
  tfe.setProtocol(pond);
  const out: BenchResult[] = [];
  const p256 = await privateMatmulMs(256);
  out.push({ name: `private_matmul_256_ms${suffix}`, value: p256.ms, unit: 'ms' });
  const p1024 = await privateMatmulMs(1024);
  out.push({ name: `private_matmul_1024_ms${suffix}`, value: p1024.ms, unit: 'ms' });
  if (!suffix) {
    const a = ring.uniform(newSeed(), [1024, 1024], { dtype: 'u64' });
    const b = ring.uniform(newSeed(), [1024, 1024], { dtype: 'u64' });
    const ringMs = await timeMedian(() => ring.matmul(a, b), { minRuns: 3, minMs: 1000 });
    out.push({ name: 'ring_matmul_1024_ms', value: ringMs, unit: 'ms', backend: tfe.getBackend().name });
    out.push({ name: 'private_matmul_1024_ratio', value: p1024.ms / ringMs, unit: 'x' });
    out.push({ name: 'private_matmul_1024_mbytes', value: p1024.bytes / 1e6, unit: 'MB' });
  }

  const n = 1_000_000;
  const xs = privateOf(randomValues(n, 3).map((v) => v * 8), [n]);
  const sigmoidMs = await timeMedian(async () => {
    await tfe.tidy(async () => { await currentRuntime().reveal((tfe.sigmoid(xs) as tfe.PondPrivateTensor).shares[0]); });
  }, { minRuns: 3, minMs: 1000 });
  out.push({ name: `sigmoid_1e6_ms${suffix}`, value: sigmoidMs, unit: 'ms' });
  tfe.dispose(xs);
  const raw = ring.shiftRightArithmetic(ring.uniform(newSeed(), [n], { dtype: 'u64' }), 2);
  const shared = shareFrom(pond, currentRuntime().upload(pond.s0, raw), 0);
  tfe.keep(shared);
  const truncMs = await timeMedian(async () => {
    await tfe.tidy(async () => { await currentRuntime().reveal(truncatePrivate(pond, shared, 16).shares[0]); });
  }, { minRuns: 3, minMs: 1000 });
  out.push({ name: `truncate_1e6_ms${suffix}`, value: truncMs, unit: 'ms' });
  tfe.dispose(shared);
  return out;
}

/** The suite: LocalConfig, then three `tfe player` processes (`_networked`). */
export async function run(): Promise<BenchResult[]> {
  const local = await figures('');
  await tfe.getConfig().close();
  return [...local, ...(await onThreePlayers('pond_networked', () => figures('_networked')))];
}
