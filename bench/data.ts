/**
 * `npm run bench -- data [--json]`: the data figures of issue 15. Big files are generated into
 * a temporary folder under `.tfe-tmp/` at bench time and deleted afterwards.
 * - arrow_rows_per_s / csv_rows_per_s: ROWS × 16 float64 columns (default 1,000,000; env
 *   TFE_BENCH_DATA_ROWS), loaded on server0, encoded and secret-shared, LocalConfig; the Arrow
 *   file in record batches of 65,536 rows (as Arrow writers chunk tables). One warm-up load
 *   first: the JIT, and the native output pool whose huge-page blocks later loads reuse (the
 *   first touch of fresh memory is slow on this VM, ~4 ms per MiB).
 * - psi_100k_s: ECDH-PSI (X25519) on two sets of 100,000 IDs with 90 % overlap, one process per
 *   party (bench/workers/psi_party.ts) over TCP on 127.0.0.1; the slower party's time from
 *   connection to result (env TFE_BENCH_PSI_N for another size: psi_<n>_s).
 * - vfl_lr_epoch_s(_networked): the 7,000 × 16 fraud LR, one epoch of batch 100, LocalConfig
 *   and three `tfe player` processes on 127.0.0.1, in steady state (see {@link vflEpoch});
 *   vfl_lr_epoch_s_networked_second: the second epoch after the players start, the cost of
 *   their warm-up.
 * - arrow_stream_peak_rss_mb: peak RSS of a child process streaming a 10,000,000 × 16 Arrow
 *   stream (env TFE_BENCH_STREAM_ROWS) record batch by record batch.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { finished } from 'node:stream/promises';
import { RecordBatchStreamWriter, Table, makeTable, tableToIPC } from 'apache-arrow';
import * as tfe from '../src/index.js';
import { LocalConfig, setConfig } from '../src/runtime/config/config.js';
import { startLocalCluster } from '../src/runtime/transport/zmq/local_cluster.js';
import { fraudPsi, trainFraud } from '../examples/vertical-fraud-detection/run.js';
import { generateFraudData } from '../examples/vertical-fraud-detection/generate.js';
import { randomValues, timeMedian, type BenchResult } from './util.js';

const COLS = 16;
const ROWS = Number(process.env.TFE_BENCH_DATA_ROWS ?? 1_000_000);
const PSI_N = Number(process.env.TFE_BENCH_PSI_N ?? 100_000);
const STREAM_ROWS = Number(process.env.TFE_BENCH_STREAM_ROWS ?? 10_000_000);

function columns(rows: number, seed: number): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (let c = 0; c < COLS; c++) out[`x${c}`] = randomValues(rows, seed + c);
  return out;
}

/**
 * Rows per second of loading `path` on server0 and secret-sharing it (LocalConfig): one warm-up
 * load (JIT, the native output pool), then the median of `runs` timed loads.
 */
async function loadRate(path: string, source: 'csv' | 'arrow', runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    setConfig(new LocalConfig(['server0', 'server1', 'server2'], { log: () => undefined }));
    const t0 = performance.now();
    const x = await tfe.definePrivateInput('server0', source === 'csv' ? tfe.data.csv(path) : tfe.data.arrow(path));
    await tfe.getRuntime().flush();
    if (i > 0) times.push((performance.now() - t0) / 1000);
    if (x.shape[0] !== ROWS) throw new Error(`loaded ${x.shape[0]} rows, expected ${ROWS}`);
    x.dispose();
    await tfe.getConfig().close();
  }
  times.sort((a, b) => a - b);
  return ROWS / times[times.length >> 1]!;
}

/** An Arrow IPC file of `cols`, written in record batches of `per` rows. */
function arrowFile(path: string, cols: Record<string, Float64Array>, per: number): void {
  const rows = cols.x0!.length;
  const batches = [];
  for (let r = 0; r < rows; r += per) {
    const part: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(cols)) part[k] = v.subarray(r, Math.min(rows, r + per));
    batches.push(...makeTable(part).batches);
  }
  writeFileSync(path, tableToIPC(new Table(batches), 'file'));
}

/** Two `bench/workers/psi_party.ts` processes, n IDs each, 90 % in common; the slower party's time. */
async function psiSeconds(n: number): Promise<number> {
  const worker = new URL('./workers/psi_party.ts', import.meta.url).pathname;
  const party = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = (p: ReturnType<typeof party>) => { const out: string[] = []; p.stdout.setEncoding('utf8').on('data', (d: string) => out.push(...d.split('\n').filter(Boolean))); return out; };
  const a = party(['listen', String(n), '0']);
  const outA = lines(a);
  const port = await new Promise<number>((resolve, reject) => {
    a.stdout.on('data', () => { const l = outA.find((x) => x.startsWith('port ')); if (l) resolve(Number(l.slice(5))); });
    a.once('exit', (code) => reject(new Error(`PSI party A exited with ${code}`)));
  });
  const b = party(['connect', String(port), String(n), String(Math.round(n * 0.1))]);
  const outB = lines(b);
  const done = (p: ReturnType<typeof party>) => new Promise<void>((res, rej) => p.once('exit', (c) => (c === 0 ? res() : rej(new Error(`PSI party exited with ${c}`)))));
  await Promise.all([done(a), done(b)]);
  const [ra, rb] = [outA, outB].map((o) => JSON.parse(o[o.length - 1]!) as { seconds: number; common: number });
  if (ra!.common !== n - Math.round(n * 0.1) || rb!.common !== ra!.common) throw new Error('PSI bench: wrong intersection size');
  return Math.max(ra!.seconds, rb!.seconds);
}

/**
 * Untimed epochs before the fraud epoch is timed: 5 (350 steps). The players' hot paths
 * (dataflow, codec, kernel dispatch) reach V8's optimised code over their first few hundred
 * instructions batches, like network A's first 120 steps (util.ts `warmupSteps`); this step is
 * 10 ms, not 100, so the compiling weighs on more of them. Measured on the 2-core bench
 * machine (networked, fit only, one cluster, epochs 0–9): 1.38, 1.04, 0.85, 0.79, 0.77, then
 * 0.58–0.64 s. `tfe player` daemons outlive a training job, so later jobs start warm.
 */
const VFL_WARMUP_EPOCHS = 5;

/**
 * The fraud epoch's seconds (loading both files, fit, delivering the weights): the median of
 * three after {@link VFL_WARMUP_EPOCHS} untimed ones, and the second epoch after the players
 * started (the first after one untimed epoch).
 */
async function vflEpoch(rel: string, networked: boolean): Promise<{ steady: number; second: number }> {
  const cluster = networked ? await startLocalCluster(['server0', 'server1', 'server2'], { playerFlags: ['--data-dir', process.cwd()] }) : undefined;
  setConfig(cluster ? cluster.config : new LocalConfig(['server0', 'server1', 'server2'], { log: () => undefined }));
  try {
    const epoch = () => trainFraud({ data: rel, epochs: 1, batchSize: 100 });
    await epoch();
    const second = await timeMedian(epoch, { warmup: 0, minRuns: 1, minMs: 0 });
    const steady = await timeMedian(epoch, { warmup: VFL_WARMUP_EPOCHS - 2, minRuns: 3, minMs: 0 });
    return { steady: steady / 1000, second: second / 1000 };
  } finally {
    await tfe.getConfig().close();
    await cluster?.stop();
  }
}

async function streamPeakRss(dir: string): Promise<number> {
  const path = join(dir, 'stream.arrows');
  const writer = RecordBatchStreamWriter.throughNode();
  const out = writer.pipe(createWriteStream(path));
  const per = 100_000;
  for (let r = 0; r < STREAM_ROWS; r += per) {
    const t = makeTable(columns(Math.min(per, STREAM_ROWS - r), r));
    for (const b of t.batches) writer.write(b);
  }
  writer.end();
  await finished(out);
  const script = join(dir, 'stream.ts');
  writeFileSync(script, `import { streamArrow } from '${new URL('../src/data/index.js', import.meta.url).pathname}';
let rows = 0; for await (const b of streamArrow(${JSON.stringify(path)})) rows += b.rows;
if (rows !== ${STREAM_ROWS}) throw new Error('rows ' + rows);
// VmHWM: this process's own peak (getrusage's maxRSS can carry the spawning process's peak over fork/exec)
console.log(Number(/VmHWM:\\s*(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))?.[1] ?? process.resourceUsage().maxRSS));`);
  const kb = Number(execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' }).trim().split('\n').pop());
  return kb / 1024;
}

/** The data suite. */
export async function run(): Promise<BenchResult[]> {
  mkdirSync('.tfe-tmp', { recursive: true });
  const dir = mkdtempSync(join(process.cwd(), '.tfe-tmp', 'bench-data-'));
  const rel = relative(process.cwd(), dir);
  const results: BenchResult[] = [];
  try {
    const cols = columns(ROWS, 1);
    arrowFile(join(dir, 'big.arrow'), cols, 65_536);
    results.push({ name: 'arrow_rows_per_s', value: await loadRate(join(rel, 'big.arrow'), 'arrow', 3), unit: 'rows/s', rows: ROWS, target: 1_000_000, note: 'record batches of 65,536 rows; median of 3 after a warm-up' });
    rmSync(join(dir, 'big.arrow'));
    const names = Object.keys(cols);
    const lines = [names.join(',')];
    for (let r = 0; r < ROWS; r++) lines.push(names.map((n) => cols[n]![r]!.toFixed(6)).join(','));
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    lines.length = 0;
    results.push({ name: 'csv_rows_per_s', value: await loadRate(join(rel, 'big.csv'), 'csv', 1), unit: 'rows/s', rows: ROWS, target: 200_000, note: 'after a warm-up' });
    rmSync(join(dir, 'big.csv'));
    const psiName = PSI_N === 100_000 ? 'psi_100k_s' : `psi_${PSI_N}_s`;
    results.push({ name: psiName, value: await psiSeconds(PSI_N), unit: 's', ids: PSI_N, target: PSI_N === 100_000 ? 10 : undefined, note: 'two processes over TCP on 127.0.0.1, X25519' });
    const fraud = join(dir, 'fraud');
    generateFraudData({ n: 7000, dir: fraud });
    await fraudPsi(fraud, fraud, 'bench');
    const local = await vflEpoch(join(rel, 'fraud'), false);
    const networked = await vflEpoch(join(rel, 'fraud'), true);
    const note = `includes loading both tables; median of 3 after ${VFL_WARMUP_EPOCHS} untimed epochs`;
    results.push({ name: 'vfl_lr_epoch_s', value: local.steady, unit: 's', note });
    results.push({ name: 'vfl_lr_epoch_s_networked', value: networked.steady, unit: 's', target: 0.8, note });
    results.push({ name: 'vfl_lr_epoch_s_networked_second', value: networked.second, unit: 's', note: 'the second epoch after the players start' });
    results.push({ name: 'arrow_stream_peak_rss_mb', value: await streamPeakRss(dir), unit: 'MiB', rows: STREAM_ROWS, target: 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
