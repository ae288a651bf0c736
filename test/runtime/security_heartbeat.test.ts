/**
 * Issue 16, finding 6, with real `tfe player` processes on 127.0.0.1 and the default liveness
 * settings (3.5 s timeout, 0.5 s heartbeats): a stopped (SIGSTOP, not dead) player fails a
 * waiting run with a CommunicationError naming it in under 5 s, and after SIGCONT a new run
 * works; a kernel of several seconds and a 64 MiB message raise nothing, because players
 * answer heartbeats from a worker thread with its own socket (liveness.ts) even while their
 * main thread is blocked, which the last test shows directly.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CommunicationError } from '../../src/errors.js';
import { U64 } from '../../src/kernels/index.js';
import { startLocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';
import { LivenessProbe, SilenceClock } from '../../src/runtime/transport/zmq/liveness.js';

test('default settings: a SIGSTOPped player is reported in under 5 s; after SIGCONT a new run works', async () => {
  const cluster = await startLocalCluster(['server0', 'server1']);
  try {
    const rt = cluster.config.runtime();
    assert.equal([...(await rt.reveal(rt.fill('server1', [2], 3n, U64))).values()], [3n, 3n]);
    cluster.procs.get('server1')!.kill('SIGSTOP');
    const t0 = Date.now();
    const e = await rt.reveal(rt.fill('server1', [1], 1n, U64)).then(() => undefined, (x: Error) => x);
    const elapsed = Date.now() - t0;
    assert.instance(e, CommunicationError);
    assert.match(e!.message, /`server1` at .* did not answer within 3500 ms/);
    assert.ok(elapsed < 5000, `reported after ${elapsed} ms`);
    console.error(`SIGSTOP reported after ${elapsed} ms`);
    cluster.procs.get('server1')!.kill('SIGCONT');
    const rt2 = cluster.config.runtime();
    assert.equal([...(await rt2.reveal(rt2.fill('server1', [2], 4n, U64))).values()], [4n, 4n]);
  } finally {
    await cluster.stop();
  }
});

test('default settings: a kernel of several seconds and a 64 MiB message raise nothing', async () => {
  const cluster = await startLocalCluster(['server0', 'server1']);
  try {
    const rt = cluster.config.runtime();
    const n = 4096;
    const a = rt.fill('server0', [n, n], 1n, U64);
    const t0 = Date.now();
    const product = rt.op('server0', 'MatMul', [a, a]); // n³ ≈ 6.9e10 multiply-adds: seconds
    const c = rt.op('server0', 'ReduceSum', [product], { axes: [1], keepDims: false });
    const moved = rt.send(rt.fill('server0', [1 << 23], 2n, U64), 'server1'); // 64 MiB peer message
    const total = rt.op('server1', 'ReduceSum', [moved], { axes: [0], keepDims: false });
    const [cv, tv] = await Promise.all([rt.reveal(c), rt.reveal(total)]);
    const ms = Date.now() - t0;
    assert.is((cv.values() as BigUint64Array)[0], BigInt(n * n));
    assert.equal([...tv.values()], [2n * BigInt(1 << 23)]);
    console.error(`a ${n}² matmul and a 64 MiB message: ${ms} ms, no false alarm`);
  } finally {
    await cluster.stop();
  }
});

test('the liveness worker answers while its process\'s main thread is blocked for 6 s', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/busy_responder.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, '6000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d) => { out += d; const m = /port (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
    child.once('exit', () => reject(new Error(`busy_responder exited: ${out}`)));
  });
  const lags: number[] = [];
  const probe = new LivenessProbe(`127.0.0.1:${port}`, {}, (lag) => lags.push(lag));
  const timer = setInterval(() => probe.ping(), 250);
  try {
    await new Promise((r) => child.stdout!.on('data', () => { if (out.includes('done')) r(undefined); }));
    // Echoes kept coming while the main thread was blocked: their reported lag grew past 3 s.
    assert.ok(lags.length >= 8, `${lags.length} echoes`);
    assert.ok(Math.max(...lags) > 3000, `largest main-thread lag ${Math.max(...lags)} ms`);
  } finally {
    clearInterval(timer);
    probe.close();
    child.kill();
  }
});

test('SilenceClock: silence counts between timely ticks; a late tick of our own loop restarts it', () => {
  const clock = new SilenceClock(500);
  const t0 = Date.now();
  clock.heard(t0);
  assert.is(clock.silentFor(t0 + 400), 400);
  assert.is(clock.silentFor(t0 + 900), 900);
  assert.is(clock.silentFor(t0 + 1400), 1400);
  assert.is(clock.silentFor(t0 + 4000), 0); // 2.6 s since our last tick: we were not listening
  assert.is(clock.silentFor(t0 + 4500), 500);
});

test.run();
