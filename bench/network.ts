/**
 * `npm run bench -- network [--json]`: the runtime's transport figures (issue 3), measured
 * between real `tfe player` processes on 127.0.0.1.
 * - zmq_throughput_gbytes_per_s: a 64 MiB tensor sent player to player (target ≥ 1 GB/s).
 * - zmq_roundtrip_us: a small message driver → player → driver, median.
 * - zmq_raw_throughput_gbytes_per_s: plain zeromq between two processes in the same run, with
 *   the runtime/raw ratio. It sends each 64 MiB as one frame, which the receiver allocates
 *   fresh (glibc maps blocks above 32 MiB anew: a page fault per 4 KiB); the runtime sends
 *   frames of at most 8 MiB (wire/codec.ts), so it can beat this figure.
 * - instruction_overhead_us: a no-op kernel op (Reshape to the same shape), driver to player
 *   and back, batched 1,000 per flush, per instruction (target ≤ 20 µs); with the in-memory
 *   (LocalConfig) figure next to it.
 * - peer_round_us: one round of a protocol with nothing to compute: each of three players sends
 *   a one-element tensor to both others and adds the two it receives; per round, 200 rounds per
 *   flush. A training step pays it once per round (SecureNN network A: 40, ABY3: 60), so it is
 *   the floor of a networked step's time; with the LocalConfig figure; zmq_raw_peer_round_us,
 *   the same round between three plain zeromq processes (no tfe-js code), and the ratio of the
 *   two (what the runtime adds to a round); and the floor of the floor: zmq_raw_pingpong_us, plain zeromq between two processes wired as players are (a
 *   ROUTER bound in each, a DEALER to the other), a message there and back; and next to it
 *   tcp_raw_pingpong_us, the same 48 bytes there and back over a plain TCP socket (node:net,
 *   no ZeroMQ): what ZeroMQ's I/O thread adds to each hop on this machine (each message wakes
 *   the sender's I/O thread, the receiver's, and then the receiver's main thread).
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import * as zmq from 'zeromq';
import { U64 } from '../src/kernels/index.js';
import { LocalConfig } from '../src/runtime/config/config.js';
import type { DriverRuntime } from '../src/runtime/driver/driver.js';
import { freePort, startLocalCluster } from '../src/runtime/transport/zmq/local_cluster.js';
import { keep, tidy } from '../src/runtime/driver/scope.js';
import { timeMedian, type BenchResult } from './util.js';

const MIB64 = 8 * 1024 * 1024; // u64 elements in 64 MiB

async function throughput(rt: DriverRuntime): Promise<number> {
  const x = rt.samplePrivate('server0', [MIB64], U64);
  const reps = 4;
  const once = async () => {
    const hs = Array.from({ length: reps }, () => rt.send(x, 'server1'));
    await rt.flush();
    rt.free(...hs);
  };
  const ms = await timeMedian(once, { warmup: 1, minRuns: 3, minMs: 2000 });
  return (reps * MIB64 * 8) / 1e9 / (ms / 1000);
}

/** A child process running `script` (plain zeromq or node:net), once it has printed its first line (which it returns). */
async function scriptChild(script: string): Promise<{ child: ReturnType<typeof spawn>; line: string }> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(String(d).trim())));
  return { child, line };
}

/**
 * The transport's floor in the same run: plain zeromq, 64 MiB messages from this process to
 * a bare ROUTER in another process that acknowledges each one (no tfe-js code involved).
 */
async function rawThroughput(): Promise<number> {
  const port = await freePort();
  const script = `const z=require('zeromq');(async()=>{const r=new z.Router({receiveHighWaterMark:0});` +
    `await r.bind('tcp://127.0.0.1:${port}');console.log('up');for await(const [id] of r) await r.send([id,'k']);})()`;
  const { child } = await scriptChild(script);
  const d = new zmq.Dealer({ sendHighWaterMark: 0, linger: 0 });
  d.connect(`tcp://127.0.0.1:${port}`);
  const big = Buffer.alloc(MIB64 * 8, 1);
  try {
    const ms = await timeMedian(async () => {
      for (let i = 0; i < 4; i++) {
        await d.send(big);
        await d.receive();
      }
    }, { warmup: 1, minRuns: 3, minMs: 2000 });
    return (4 * big.length) / 1e9 / (ms / 1000);
  } finally {
    d.close();
    child.kill();
  }
}

async function roundtrip(rt: DriverRuntime): Promise<number> {
  for (let i = 0; i < 200; i++) await rt.ping('server1');
  const times: number[] = [];
  for (let i = 0; i < 3000; i++) times.push(await rt.ping('server1'));
  times.sort((a, b) => a - b);
  return times[times.length >> 1] * 1000;
}

async function overhead(rt: DriverRuntime): Promise<number> {
  const a = rt.fill('server0', [1], 0n, U64);
  const batch = async () => {
    tidy(() => {
      for (let i = 0; i < 1000; i++) rt.op('server0', 'Reshape', [a], { shape: [1] });
    });
    await rt.flush();
  };
  const ms = await timeMedian(batch, { warmup: 20, minRuns: 20, minMs: 3000 });
  return (ms * 1000) / 1000;
}

const TRIO = ['server0', 'server1', 'server2'];
const ROUNDS = 200;
/** Timed rounds of {@link rawPeerRound} (after as many untimed). */
const RAW_ROUNDS = 3000;

async function peerRound(rt: DriverRuntime): Promise<number> {
  let held = TRIO.map((p) => keep(rt.fill(p, [1], 1n, U64)));
  const rounds = async () => {
    for (let r = 0; r < ROUNDS; r++) {
      const next = tidy(() => TRIO.map((p, i) => keep(rt.op(p, 'Add', [rt.send(held[(i + 1) % 3], p), rt.send(held[(i + 2) % 3], p)]))));
      rt.free(...held);
      held = next;
    }
    await rt.flush();
  };
  const ms = await timeMedian(rounds, { warmup: 3, minRuns: 5, minMs: 2000 });
  rt.free(...held);
  return (ms * 1000) / ROUNDS;
}

/** Plain zeromq in the players' wiring: this process and a child each bind a ROUTER and send through a DEALER to the other's. */
async function rawPingPong(): Promise<number> {
  const [mine, theirs] = [await freePort(), await freePort()];
  const script = `const z=require('zeromq');(async()=>{const r=new z.Router({receiveHighWaterMark:0});await r.bind('tcp://127.0.0.1:${theirs}');` +
    `const d=new z.Dealer({sendHighWaterMark:0,linger:0});d.connect('tcp://127.0.0.1:${mine}');console.log('up');for await(const [,...f] of r) await d.send(f);})()`;
  const router = new zmq.Router({ receiveHighWaterMark: 0, linger: 0 });
  await router.bind(`tcp://127.0.0.1:${mine}`);
  const { child } = await scriptChild(script);
  const d = new zmq.Dealer({ sendHighWaterMark: 0, linger: 0 });
  d.connect(`tcp://127.0.0.1:${theirs}`);
  const incoming = router[Symbol.asyncIterator]();
  const header = Buffer.alloc(40), payload = Buffer.alloc(8);
  try {
    const ms = await timeMedian(async () => {
      for (let i = 0; i < 1000; i++) {
        await d.send([header, payload]);
        await incoming.next();
      }
    }, { warmup: 1, minRuns: 3, minMs: 2000 });
    return ms; // per 1,000 round trips: µs per round trip
  } finally {
    d.close();
    router.close();
    child.kill();
  }
}

/**
 * The peer round of plain zeromq: three child processes wired as players (each binds a ROUTER
 * and has a DEALER to each of the others), each round every one sends 48 bytes (a header and
 * one element) to both others and waits for both; µs per round over RAW_ROUNDS rounds after
 * as many warm-up rounds, as the first child times it. No tfe-js code runs: this is the floor
 * under `peer_round_us` on this machine (the same messages, processes and sockets).
 */
async function rawPeerRound(): Promise<number> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const script = (i: number) => `const z=require('zeromq');(async()=>{const P=${JSON.stringify(ports)},i=${i},R=${RAW_ROUNDS};` +
    `const r=new z.Router({receiveHighWaterMark:0,linger:0});await r.bind('tcp://127.0.0.1:'+P[i]);` +
    `const ds=[1,2].map((k)=>{const d=new z.Dealer({sendHighWaterMark:0,sendTimeout:0,linger:0});d.connect('tcp://127.0.0.1:'+P[(i+k)%3]);return d;});` +
    `console.log('up');const it=r[Symbol.asyncIterator]();const h=Buffer.alloc(40),v=Buffer.alloc(8);let t0=0;` +
    `for(let k=0;k<2*R;k++){if(k===R)t0=performance.now();for(const d of ds)d.send([h,v]);await it.next();await it.next();}` +
    `if(i===0)console.log(String((performance.now()-t0)*1000/R));setTimeout(()=>process.exit(0),200);})()`;
  const kids = await Promise.all([0, 1, 2].map((i) => scriptChild(script(i))));
  try {
    const line = await new Promise<string>((resolve) => kids[0].child.stdout!.once('data', (d: Buffer) => resolve(String(d).trim())));
    return Number(line);
  } finally {
    for (const k of kids) k.child.kill();
  }
}

/** A plain TCP echo between this process and a child (node:net, Nagle off): µs per 48-byte round trip. */
async function rawTcpPingPong(): Promise<number> {
  const script = `const n=require('net');const s=n.createServer((c)=>{c.setNoDelay(true);c.on('data',(d)=>c.write(d));});` +
    `s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
  const { child, line } = await scriptChild(script);
  const sock = connect(Number(line), '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((resolve) => sock.once('connect', resolve));
  const message = Buffer.alloc(48);
  let pending = 0;
  let wake: (() => void) | undefined;
  sock.on('data', (d: Buffer) => { pending -= d.length; if (pending <= 0) wake?.(); });
  const once = () => new Promise<void>((resolve) => { wake = resolve; pending = message.length; sock.write(message); });
  try {
    const ms = await timeMedian(async () => { for (let i = 0; i < 1000; i++) await once(); }, { warmup: 1, minRuns: 3, minMs: 2000 });
    return ms; // per 1,000 round trips: µs per round trip
  } finally {
    sock.destroy();
    child.kill();
  }
}

export async function run(): Promise<BenchResult[]> {
  const local = new LocalConfig(TRIO, { log: () => undefined });
  const localOverhead = await overhead(local.runtime());
  const localRound = await peerRound(local.runtime());
  await local.close();
  const cluster = await startLocalCluster(TRIO);
  try {
    const rt = cluster.config.runtime();
    const gbps = await throughput(rt);
    const rtt = await roundtrip(rt);
    const ovh = await overhead(rt);
    const round = await peerRound(rt);
    const raw = await rawThroughput();
    const rawPing = await rawPingPong();
    const tcpPing = await rawTcpPingPong();
    const rawRound = await rawPeerRound();
    return [
      { name: 'zmq_throughput_gbytes_per_s', value: +gbps.toFixed(3), unit: 'GB/s', target: '>= 1', tensor_bytes: MIB64 * 8 },
      { name: 'zmq_raw_throughput_gbytes_per_s', value: +raw.toFixed(3), unit: 'GB/s', note: 'plain zeromq, one 64 MiB frame per message, same run', ratio_runtime_vs_raw: +(gbps / raw).toFixed(2) },
      { name: 'zmq_roundtrip_us', value: +rtt.toFixed(1), unit: 'us' },
      { name: 'instruction_overhead_us', value: +ovh.toFixed(2), unit: 'us', target: '<= 20', batch: 1000 },
      { name: 'instruction_overhead_local_us', value: +localOverhead.toFixed(2), unit: 'us', batch: 1000, ratio_zmq_vs_local: +(ovh / localOverhead).toFixed(2) },
      { name: 'peer_round_us', value: +round.toFixed(1), unit: 'us', players: 3, rounds_per_flush: ROUNDS },
      { name: 'zmq_raw_peer_round_us', value: +rawRound.toFixed(1), unit: 'us', note: 'plain zeromq, three processes wired as players, same run', ratio_runtime_vs_raw: +(round / rawRound).toFixed(2) },
      { name: 'peer_round_local_us', value: +localRound.toFixed(1), unit: 'us', ratio_zmq_vs_local: +(round / localRound).toFixed(2) },
      { name: 'zmq_raw_pingpong_us', value: +rawPing.toFixed(1), unit: 'us', note: 'plain zeromq, two processes wired as players, same run' },
      { name: 'tcp_raw_pingpong_us', value: +tcpPing.toFixed(1), unit: 'us', note: 'plain TCP (node:net), two processes, same run', ratio_zmq_vs_tcp: +(rawPing / tcpPing).toFixed(2) },
    ];
  } finally {
    await cluster.stop();
  }
}
