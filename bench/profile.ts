/**
 * `npm run bench -- profile [--json]` (issue 17): where a networked training step spends its
 * time. Three `tfe player` processes on 127.0.0.1 trace their sessions (`--trace`), the driver
 * traces its own (`setTrace`) and merges them; STEPS network-A SGD steps (SecureNN, batch 128)
 * run inside one `tfe.tag('steps')` after warm-up. Per player and per step: kernel time (span
 * time not spent waiting), time waiting on peers, batch decode time, idle time (wall minus
 * busy), garbage-collection pauses (the players' `gc` spans), threads busy (process CPU time
 * over wall time, from /proc) and CPU time by thread
 * (main, ZeroMQ I/O, the others: kernel workers and V8 helpers); for the driver:
 * encode-and-send time and CPU. The same step on LocalConfig is measured for comparison,
 * and so is the transport floor: one more step's peer messages replayed over plain zeromq with
 * nothing computed (`transport_floor_ms`, {@link transportFloor}), and the least
 * networked/LocalConfig ratio it leaves (`floor_ratio`), and the CPU floor (`cpu_floor_ms`: the
 * LocalConfig step's CPU time and the bare transport's over the machine's cores, a bound that
 * holds even where computation and messages overlap). The same figures, with the step's
 * LocalConfig and networked times, for ABY3's network A step with SGD (`aby3_`) and with Adam
 * (`aby3_adam_`), and the fraud example's logistic-regression step (`fraud_lr_`, 70 per epoch).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTrace, tag } from '../src/observability/index.js';
import type { TraceEvent } from '../src/observability/trace.js';
import { getProtocol, setProtocol, type Protocol } from '../src/protocols/protocol.js';
import { SecureNN } from '../src/protocols/securenn/index.js';
import { ABY3 } from '../src/protocols/aby3/index.js';
import { Pond } from '../src/protocols/pond/pond.js';
import * as L from '../src/layers/index.js';
import { sequential, train } from '../src/models/index.js';
import { LocalConfig, getRuntime, setConfig } from '../src/runtime/index.js';
import { freePort, startLocalCluster } from '../src/runtime/transport/zmq/local_cluster.js';
import { BATCH, batch, networkA, step } from './mnist.js';
import { randomValues, timeMedian, warmupSteps, type BenchResult } from './util.js';

const STEPS = 10;
/** Replays of the recorded step for the transport floor. */
const REPLAY_STEPS = 20;
/** Batches per fit of the fraud logistic-regression workload. */
const LR_BATCHES = 10;
const PLAYERS = ['server0', 'server1', 'server2'];

/** CPU seconds (user + system) in a /proc stat file (Linux), NaN when unreadable. */
function statSeconds(path: string): number {
  try {
    const text = readFileSync(path, 'utf8');
    const f = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch { return NaN; }
}

/** CPU seconds of a process. */
function cpuSeconds(pid: number): number {
  return statSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU seconds of a process by kind of thread: `main` (JavaScript, kernels run inline),
 * `zmqIo` (ZeroMQ's I/O thread), `kernels` (the addon's `tfe-pool` and `tfe-async` threads)
 * and `other` (V8's compiler and garbage-collector helpers, named "node", and libuv's).
 */
function threadSeconds(pid: number): { main: number; zmqIo: number; kernels: number; other: number } {
  let main = NaN, zmqIo = 0, kernels = 0;
  let tids: string[] = [];
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return { main: NaN, zmqIo: NaN, kernels: NaN, other: NaN }; }
  for (const tid of tids) {
    if (tid === String(pid)) { main = statSeconds(`/proc/${pid}/task/${tid}/stat`); continue; }
    let comm = '';
    try { comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(); } catch { continue; /* ended */ }
    if (comm.startsWith('ZMQbg/IO')) zmqIo += statSeconds(`/proc/${pid}/task/${tid}/stat`) || 0;
    else if (comm.startsWith('tfe-')) kernels += statSeconds(`/proc/${pid}/task/${tid}/stat`) || 0;
  }
  // the process total still counts threads that ended; clock ticks can still make a difference of it dip below 0
  return { main, zmqIo, kernels, other: cpuSeconds(pid) - main - zmqIo - kernels };
}

/** The CPU time (user + system, every thread of this process) of `runs` more runs, in ms per run. */
async function cpuMsPerRun(run: () => Promise<unknown>, runs: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < runs; k++) await run();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / runs;
}

/** LocalConfig steps measured for their CPU time after the timed ones. */
const CPU_RUNS = 5;

async function localStep(): Promise<{ ms: number; cpuMs: number }> {
  setConfig(new LocalConfig([], { log: () => undefined }));
  setProtocol(new SecureNN());
  const { x, y } = batch(BATCH);
  const m = networkA();
  const run = () => step(m, x, y);
  const ms = await timeMedian(run, { warmup: warmupSteps(false), minRuns: 5, minMs: 2000 });
  const cpuMs = await cpuMsPerRun(run, CPU_RUNS);
  await getRuntime().close();
  return { ms, cpuMs };
}

/**
 * The transport floor: the peer messages of one networked step (the players' `send` spans in
 * the 'replayed step' window: sender, receiver, round, bytes) replayed over plain zeromq by
 * three bench/workers/replay_party.ts processes wired as the players are, with nothing computed;
 * the slowest party's time per step. A networked step cannot take less than the LocalConfig
 * step's computation plus this, on the same machine, unless the two overlap; `floor_ratio` is
 * that sum over the LocalConfig step. `cpu_floor_ms` is the bound that holds with overlap: a
 * networked step does at least the LocalConfig step's work (its CPU time, every thread) and at
 * least the bare transport's (the replay parties' CPU time), and this machine has
 * `availableParallelism()` cores for both, so it cannot take less than their sum over the cores.
 */
async function transportFloor(events: TraceEvent[], names: Map<number, string>, local: { ms: number; cpuMs: number }, networkedMs: number, prefix = '', stepsPerRun = 1): Promise<BenchResult[]> {
  const localMs = local.ms;
  const window = events.find((e) => e.pid === 0 && e.name === 'replayed step')!;
  const index = (name: string) => PLAYERS.indexOf(name);
  const plan = events
    .filter((e) => e.pid !== 0 && e.cat === 'send' && e.ts >= window.ts && e.ts <= window.ts + window.dur!)
    .map((e) => [index(names.get(e.pid)!), index(e.args!.to as string), e.args!.round as number, e.args!.bytesSent as number]);
  const dir = mkdtempSync(join(tmpdir(), 'tfe-replay-'));
  const planFile = join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const worker = new URL('./workers/replay_party.ts', import.meta.url).pathname;
  const ports = [await freePort(), await freePort(), await freePort()];
  const parties = ports.map((_, k) => spawn(process.execPath, ['--import', 'tsx', worker, String(k), planFile, String(REPLAY_STEPS), ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let timer: NodeJS.Timeout | undefined;
  try {
    const results = await Promise.race([
      Promise.all(parties.map((child) => new Promise<{ msPerStep: number; cpuMsPerStep: number }>((resolve, reject) => {
        let text = '';
        child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(text.trim().split('\n').pop()!)) : reject(new Error(`replay party exited with ${code}`))));
      }))),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the transport-floor replay did not finish within 120 s')), 120_000); }),
    ]);
    const ms = Math.max(...results.map((r) => r.msPerStep)) / stepsPerRun; // the replayed run held stepsPerRun steps
    const rounds = new Set(plan.map((m) => m[2])).size;
    const bytes = plan.reduce((a, m) => a + m[3], 0);
    const floorCpuMs = results.reduce((a, r) => a + r.cpuMsPerStep, 0) / stepsPerRun;
    const cores = availableParallelism();
    return [
      { name: `${prefix}transport_floor_ms`, value: ms, unit: 'ms/step', messages: plan.length / stepsPerRun, rounds: rounds / stepsPerRun, bytes: bytes / stepsPerRun, cpu_ms: +floorCpuMs.toFixed(1), note: 'the step\'s peer messages over plain zeromq, nothing computed' },
      { name: `${prefix}floor_ratio`, value: +((localMs + ms) / localMs).toFixed(2), unit: 'x', note: '(LocalConfig step + transport floor) / LocalConfig step', networked_ratio: +(networkedMs / localMs).toFixed(2) },
      { name: `${prefix}cpu_floor_ms`, value: +((local.cpuMs + floorCpuMs) / cores).toFixed(1), unit: 'ms/step', local_cpu_ms: +local.cpuMs.toFixed(1), transport_cpu_ms: +floorCpuMs.toFixed(1), cores, note: '(LocalConfig step CPU + transport floor CPU) / cores: no networked step on this machine is faster' },
    ];
  } finally {
    clearTimeout(timer);
    for (const child of parties) if (child.exitCode === null) child.kill(); // one failed: the others would wait for it
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The merged trace of the runtime `close` just ended, from `dir`. */
function readTrace(dir: string, session: string): { events: TraceEvent[]; names: Map<number, string> } {
  const events = (JSON.parse(readFileSync(join(dir, `tfe-trace-${session}.json`), 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  return { events, names: new Map(events.filter((e) => e.ph === 'M').map((e) => [e.pid, e.args!.name as string])) };
}

/** Other training steps whose floor the suite measures: made on the active config, under `protocol`. */
const FLOOR_WORKLOADS: { prefix: string; what: string; protocol: () => Protocol; make: () => () => Promise<unknown>; stepsPerRun: number; networkedWarmupRuns?: number }[] = [
  {
    prefix: 'aby3_', what: 'network A SGD step, batch 128, ABY3', protocol: () => new ABY3(),
    make: () => { const { x, y } = batch(BATCH); const m = networkA(); return () => step(m, x, y); },
    stepsPerRun: 1,
  },
  {
    prefix: 'aby3_adam_', what: 'network A Adam step, batch 128, ABY3', protocol: () => new ABY3(),
    make: () => { const { x, y } = batch(BATCH); const m = networkA(); m.compile({ optimizer: train.adam(0.001), loss: 'categoricalCrossentropy' }); return () => step(m, x, y); },
    stepsPerRun: 1,
  },
  {
    // the fraud example's step (examples/vertical-fraud-detection; an epoch is 70 of them), as
    // an epoch runs it: one fit over LR_BATCHES batches, per step
    prefix: 'fraud_lr_', what: `logistic regression step, 100 × 16, Pond, in a fit over ${LR_BATCHES} batches`, protocol: () => new Pond(),
    make: () => {
      const n = 100 * LR_BATCHES;
      const x = getProtocol().definePrivateVariable(randomValues(n * 16, 5), { shape: [n, 16] });
      const y = getProtocol().definePrivateVariable(Float64Array.from(randomValues(n, 6), (v) => (v > 0 ? 1 : 0)), { shape: [n, 1] });
      const m = sequential({ layers: [L.dense({ units: 1, activation: 'sigmoid', inputShape: [16], kernelInitializer: 'zeros' })] });
      m.compile({ optimizer: train.sgd(0.5), loss: 'binaryCrossentropy' });
      return () => m.fit(x, y, { epochs: 1, batchSize: 100, shuffle: false, verbose: 0 });
    },
    stepsPerRun: LR_BATCHES,
    // each player process runs this step's many small code paths once per step: V8 needs
    // hundreds of steps to optimise them all (the fraud epoch: about 7 epochs to settle)
    networkedWarmupRuns: 40,
  },
];

/** The median time of `runs` on a fresh, untraced cluster (traced players run strictly in order). */
async function networkedMs(w: (typeof FLOOR_WORKLOADS)[number]): Promise<number> {
  const cluster = await startLocalCluster(PLAYERS);
  try {
    setConfig(cluster.config);
    setProtocol(w.protocol());
    const run = w.make();
    return await timeMedian(run, { warmup: w.networkedWarmupRuns ?? Math.ceil(warmupSteps(true) / w.stepsPerRun), minRuns: 5, minMs: 2000 });
  } finally {
    await cluster.config.close().catch(() => undefined);
    await cluster.stop();
  }
}

/** One workload's LocalConfig and networked step, and its transport floor from a traced cluster. */
async function workloadFloor(w: (typeof FLOOR_WORKLOADS)[number]): Promise<BenchResult[]> {
  setConfig(new LocalConfig([], { log: () => undefined }));
  setProtocol(w.protocol());
  const localRun = w.make();
  const local = await timeMedian(localRun, { warmup: Math.ceil(warmupSteps(false) / w.stepsPerRun), minRuns: 5, minMs: 2000 });
  const localCpu = await cpuMsPerRun(localRun, CPU_RUNS);
  await getRuntime().close();
  const networked = await networkedMs(w);
  const dir = mkdtempSync(join(tmpdir(), 'tfe-profile-'));
  const cluster = await startLocalCluster(PLAYERS, { playerFlags: ['--trace', dir] });
  try {
    setConfig(cluster.config);
    setProtocol(w.protocol());
    setTrace(dir);
    const run = w.make();
    for (let k = 0; k < 3; k++) await run(); // the messages do not depend on warm code
    await tag('replayed step', run);
    const rt = getRuntime();
    const session = rt.session;
    await rt.close();
    const { events, names } = readTrace(dir, session);
    const [perLocal, perNetworked] = [local / w.stepsPerRun, networked / w.stepsPerRun];
    return [
      { name: `${w.prefix}local_step_ms`, value: perLocal, unit: 'ms', workload: w.what },
      { name: `${w.prefix}networked_step_ms`, value: perNetworked, unit: 'ms', note: 'untraced players' },
      ...(await transportFloor(events, names, { ms: perLocal, cpuMs: localCpu / w.stepsPerRun }, perNetworked, w.prefix, w.stepsPerRun)),
    ];
  } finally {
    setTrace(undefined);
    await cluster.config.close().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The suite. */
export async function run(): Promise<BenchResult[]> {
  const local = await localStep();
  const dir = mkdtempSync(join(tmpdir(), 'tfe-profile-'));
  const cluster = await startLocalCluster(PLAYERS, { playerFlags: ['--trace', dir] });
  const out: BenchResult[] = [{ name: 'local_step_ms', value: local.ms, unit: 'ms' }];
  try {
    setConfig(cluster.config);
    setProtocol(new SecureNN());
    setTrace(dir);
    const { x, y } = batch(BATCH);
    const m = networkA();
    for (let k = 0; k < warmupSteps(true); k++) await step(m, x, y); // steady state (see warmupSteps)
    const pids = new Map(PLAYERS.map((p) => [p, cluster.procs.get(p)!.pid!]));
    const cpu0 = new Map([...pids].map(([p, pid]) => [p, cpuSeconds(pid)]));
    const threads0 = new Map([...pids].map(([p, pid]) => [p, threadSeconds(pid)]));
    const driverCpu0 = process.cpuUsage();
    const t0 = performance.now();
    await tag('steps', async () => { for (let k = 0; k < STEPS; k++) await step(m, x, y); });
    const wall = performance.now() - t0;
    const driverCpu = process.cpuUsage(driverCpu0);
    const cpu = new Map([...pids].map(([p, pid]) => [p, cpuSeconds(pid) - cpu0.get(p)!]));
    const threads = new Map([...pids].map(([p, pid]) => {
      const [a, b] = [threads0.get(p)!, threadSeconds(pid)];
      return [p, { main: b.main - a.main, zmqIo: b.zmqIo - a.zmqIo, kernels: b.kernels - a.kernels, other: Math.max(b.other - a.other, 0) }];
    }));
    await tag('replayed step', () => step(m, x, y)); // its peer messages make the transport floor's plan
    const rt = getRuntime();
    const session = rt.session;
    await rt.close();
    const { events, names } = readTrace(dir, session);
    const window = events.find((e) => e.pid === 0 && e.name === 'steps')!;
    const inWindow = (e: TraceEvent) => e.ts >= window.ts && e.ts <= window.ts + window.dur!;
    const perStep = (v: number) => v / STEPS;
    out.push({ name: 'networked_step_ms', value: wall / STEPS, unit: 'ms', players: 'three tfe player processes on 127.0.0.1' });
    const batches = events.filter((e) => e.pid === 0 && e.cat === 'batch' && inWindow(e));
    out.push({ name: 'driver_encode_send_ms', value: perStep(batches.reduce((a, e) => a + e.dur!, 0) / 1000), unit: 'ms/step' });
    out.push({ name: 'driver_batches', value: perStep(batches.length), unit: 'batches/step' });
    out.push({ name: 'driver_instructions', value: perStep(batches.reduce((a, e) => a + (e.args!.instructions as number), 0)), unit: 'instructions/step' });
    out.push({ name: 'driver_threads_busy', value: (driverCpu.user + driverCpu.system) / 1000 / wall, unit: 'threads' });
    const floor = await transportFloor(events, names, local, wall / STEPS);
    out.push(...floor);
    for (const [pid, player] of names) {
      if (pid === 0) continue;
      const spans = events.filter((e) => e.pid === pid && e.ph === 'X' && inWindow(e));
      const instr = spans.filter((e) => e.cat !== 'decode' && e.cat !== 'gc');
      const busy = instr.reduce((a, e) => a + e.dur!, 0) / 1000;
      const wait = instr.reduce((a, e) => a + ((e.args?.waitMs as number) ?? 0), 0);
      const decode = spans.filter((e) => e.cat === 'decode').reduce((a, e) => a + e.dur!, 0) / 1000;
      out.push({ name: `${player}_kernel_ms`, value: perStep(busy - wait), unit: 'ms/step', instructions: perStep(instr.length) });
      out.push({ name: `${player}_wait_peers_ms`, value: perStep(wait), unit: 'ms/step' });
      out.push({ name: `${player}_decode_ms`, value: perStep(decode), unit: 'ms/step' });
      const gc = spans.filter((e) => e.cat === 'gc');
      out.push({ name: `${player}_gc_pause_ms`, value: perStep(gc.reduce((a, e) => a + e.dur!, 0) / 1000), unit: 'ms/step', collections: perStep(gc.length) });
      out.push({ name: `${player}_idle_ms`, value: perStep(Math.max(wall - busy - decode, 0)), unit: 'ms/step' });
      out.push({ name: `${player}_threads_busy`, value: (cpu.get(player)! * 1000) / wall, unit: 'threads' });
      const t = threads.get(player)!;
      out.push({ name: `${player}_cpu_main_ms`, value: perStep(t.main * 1000), unit: 'ms/step' });
      out.push({ name: `${player}_cpu_zmq_io_ms`, value: perStep(t.zmqIo * 1000), unit: 'ms/step' });
      out.push({ name: `${player}_cpu_kernel_threads_ms`, value: perStep(t.kernels * 1000), unit: 'ms/step', note: 'the addon\'s tfe-pool and tfe-async threads' });
      out.push({ name: `${player}_cpu_other_threads_ms`, value: perStep(t.other * 1000), unit: 'ms/step', note: 'V8 compiler and GC helpers' });
    }
  } finally {
    setTrace(undefined);
    await cluster.config.close().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const w of FLOOR_WORKLOADS) out.push(...(await workloadFloor(w)));
  return out;
}
