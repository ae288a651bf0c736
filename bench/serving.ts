/**
 * `npm run bench -- serving [--json]`: private prediction serving (issue 19) on network A
 * (784-128-128-10, ReLU) under the default protocol (Pond), with three `tfe player` processes,
 * `tfe serve` as the driver process and clients in other processes, all on 127.0.0.1.
 * - latency_p50_ms, latency_p99_ms: single-image requests from one client, sequential
 *   (client-side wall time: share, send, batch, reconstruct). Targets ≤ 30 and ≤ 100 ms.
 * - throughput_rps: 16 concurrent clients (one process) sending single images back to back
 *   for 10 s. Target ≥ 400.
 * Also, for each phase: CPU milliseconds per request over every process (three players, the
 * serving driver, the client process; from /proc and process.cpuUsage), which a busy machine
 * distorts far less than wall time, and the mean batch size of the throughput phase.
 * The load average is reported with the figures: the machine may be shared.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileHandler } from '../src/models/index.js';
import { freePort, startLocalCluster } from '../src/runtime/index.js';
import type { BenchResult } from './util.js';

const root = new URL('../', import.meta.url).pathname;

/** CPU milliseconds (user + system) a process has used, from /proc (Linux; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime, stime in clock ticks (USER_HZ = 100)
  } catch { return NaN; }
}

function output(child: ChildProcess): Promise<string> {
  let out = '', err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`client exited ${code}: ${err}`)))));
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tfe-bench-serving-'));
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    tf.layers.dense({ units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 10 }),
  ] });
  await model.save(fileHandler(join(dir, 'model.json')));
  const cluster = await startLocalCluster(['server0', 'server1', 'server2'], { startTimeoutMs: 120_000 });
  let server: ChildProcess | undefined;
  try {
    const address = `tcp://127.0.0.1:${await freePort()}`;
    const ports = `${await freePort()},${await freePort()}`;
    server = spawn(process.execPath, [join(root, 'bin/tfe.js'), 'serve', '--model', dir, '--config', cluster.configPath, '--address', address, '--server-ports', ports, '--max-batch-size', '64'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let log = '';
      server!.stderr!.on('data', (d: Buffer) => { log += d; if (log.includes('serving on')) resolve(); });
      server!.once('exit', (code) => reject(new Error(`tfe serve exited ${code}: ${log}`)));
    });
    const worker = join(root, 'bench/workers/serving_client.ts');
    const pids = [...cluster.procs.values(), server].map((c) => c.pid);
    const serviceCpu = () => pids.reduce<number>((a, pid) => a + cpuMs(pid), 0);
    // CPU of the service's processes is read around each client run (the client's own
    // start-up and warm-up are in its run; they are small next to the service's work)
    let cpu0 = serviceCpu();
    const lat = JSON.parse(await output(spawn(process.execPath, ['--import', 'tsx', worker, 'latency', address, '200'], { stdio: ['ignore', 'pipe', 'pipe'] }))) as { p50: number; p99: number; n: number; clientCpuMs: number };
    const latCpu = (serviceCpu() - cpu0 + lat.clientCpuMs) / lat.n;
    const loadLat = loadavg().map((x) => +x.toFixed(2));
    cpu0 = serviceCpu();
    const thr = JSON.parse(await output(spawn(process.execPath, ['--import', 'tsx', worker, 'throughput', address, '16', '10'], { stdio: ['ignore', 'pipe', 'pipe'] }))) as { rps: number; done: number; clientCpuMs: number; meanBatch: number };
    const thrCpu = (serviceCpu() - cpu0 + thr.clientCpuMs) / thr.done;
    const load = loadavg().map((x) => +x.toFixed(2));
    return [
      { name: 'latency_p50_ms', value: lat.p50, unit: 'ms', requests: lat.n, protocol: 'Pond', network: 'A 784-128-128-10', target: 30, loadavg: loadLat },
      { name: 'latency_p99_ms', value: lat.p99, unit: 'ms', requests: lat.n, protocol: 'Pond', target: 100, loadavg: loadLat },
      { name: 'latency_cpu_ms_per_request', value: latCpu, unit: 'ms', note: 'CPU of 3 players + driver + client per single-image request', loadavg: loadLat },
      { name: 'throughput_rps', value: thr.rps, unit: 'requests/s', clients: 16, requests: thr.done, protocol: 'Pond', target: 400, loadavg: load },
      { name: 'throughput_cpu_ms_per_request', value: thrCpu, unit: 'ms', note: 'CPU of 3 players + driver + client process per request, 16 clients', loadavg: load },
      { name: 'throughput_mean_batch', value: thr.meanBatch, unit: 'requests/batch', loadavg: load },
    ];
  } finally {
    server?.kill('SIGTERM');
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
