/**
 * Fuzzes a real `PlayerDaemon` over ZeroMQ on 127.0.0.1 (issue 16): mutated driver batches,
 * peer tensors, pings and byes (flipped bytes, truncations, extra or missing frames, random
 * JSON, huge shapes) from a raw DEALER, then checks the daemon still serves an honest driver.
 * Reports `fuzz_cases`, `fuzz_crashes` (the daemon's loop died or the honest run failed) and
 * `fuzz_rss_growth_mb` (RSS after minus before, after a GC when exposed).
 */
import * as zmq from 'zeromq';
import { U64 } from '../src/kernels/index.js';
import { RemoteConfig } from '../src/runtime/config/config.js';
import { parseHostmap } from '../src/runtime/config/hostmap.js';
import { freePort } from '../src/runtime/transport/zmq/local_cluster.js';
import { PlayerDaemon } from '../src/runtime/transport/zmq/zmq_player.js';
import { encodeHeader, encodeJson, MsgType, tensorMessage } from '../src/runtime/wire/codec.js';
import { hostTensor } from '../src/runtime/wire/tensor_bytes.js';
import type { BenchResult } from './util.js';

/** A small seeded PRNG (xorshift32): fuzz inputs only, never secrets. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

function seeds(session: string): Buffer[][] {
  const t = hostTensor(new BigUint64Array([1n, 2n, 3n]), [3], U64);
  return [
    [encodeHeader(MsgType.Batch, session, 0), ...encodeJson([{ op: 'sync', req: 1 }])],
    [encodeHeader(MsgType.Batch, session, 0), ...encodeJson([{ op: 'fill', out: 1, shape: [2, 2], value: 5n, ring: U64 }, { op: 'reveal', src: 1, req: 2 }])],
    [encodeHeader(MsgType.Batch, session, 0), ...encodeJson([{ op: 'kernel', out: 2, kernel: 'Add', inputs: [1, 1], attrs: {} }])],
    tensorMessage(MsgType.PeerTensor, session, 7, 'server1', t),
    [encodeHeader(MsgType.PeerSeed, session, 0, 'server1'), Buffer.alloc(16, 1)],
    [encodeHeader(MsgType.Ping, session, 1)],
    [encodeHeader(MsgType.Bye, session, 0)],
    [encodeHeader(MsgType.PeerPing, '', 0, 'server1')],
  ];
}

const JUNK = ['{}', '[]', 'null', '[{"op":"fill","out":1,"shape":[4294967296,4294967296],"value":{"$big":"1"},"ring":{"dtype":"u64"}}]', '[{"op":"sync","req":-1}]', '"x"', '[{"op":"__proto__"}]', '{"a":'];

/** One mutated message from `rand`. */
function mutate(rand: () => number, session: string): Buffer[] {
  const base = seeds(rand() < 0.7 ? session : Buffer.from(Array.from({ length: 8 }, () => (rand() * 256) | 0)).toString('hex'));
  const frames = base[(rand() * base.length) | 0].map((f) => Buffer.from(f));
  const kind = (rand() * 6) | 0;
  if (kind === 0) { const f = frames[(rand() * frames.length) | 0]; for (let k = 0; k < 1 + rand() * 8; k++) if (f.length) f[(rand() * f.length) | 0] = (rand() * 256) | 0; }
  else if (kind === 1) { const i = (rand() * frames.length) | 0; frames[i] = frames[i].subarray(0, (rand() * frames[i].length) | 0); }
  else if (kind === 2) frames.push(Buffer.alloc((rand() * 64) | 0, (rand() * 256) | 0));
  else if (kind === 3 && frames.length > 1) frames.pop();
  else if (kind === 4) frames.splice(1, frames.length - 1, Buffer.from(JUNK[(rand() * JUNK.length) | 0]));
  return frames;
}

/**
 * Sends `cases` fuzzed messages to a fresh in-process player; returns the counts and RSS growth.
 * @example
 * ```ts
 * const r = await fuzzPlayer(1000, 1); // { cases: 1000, crashes: 0, rssGrowthMb: ... }
 * ```
 */
export async function fuzzPlayer(cases: number, seed: number): Promise<{ cases: number; crashes: number; rssGrowthMb: number; logLines: number }> {
  const port = await freePort();
  const hostmap = parseHostmap({ server0: `127.0.0.1:${port}`, server1: `127.0.0.1:${await freePort()}` });
  let logLines = 0;
  let crashes = 0;
  const daemon = new PlayerDaemon({ name: 'server0', hostmap, dataDir: process.cwd(), log: (l) => { logLines++; if (/receive loop ended/.test(l)) crashes++; } });
  await daemon.start();
  const gc = (globalThis as { gc?: () => void }).gc;
  const rss = () => { gc?.(); return process.memoryUsage().rss / 2 ** 20; };
  const dealer = new zmq.Dealer({ linger: 0, sendHighWaterMark: 0 });
  dealer.connect(`tcp://127.0.0.1:${port}`);
  const rand = prng(seed);
  const session = '00112233aabbccdd';
  const drain = (async () => { try { for await (const _ of dealer) { /* replies */ } } catch { /* closed */ } })();
  let before = 0;
  for (let i = 0; i < cases; i++) {
    if (i === Math.min(2000, cases >> 2)) before = rss(); // after warm-up
    await dealer.send(mutate(rand, session));
    if (i % 500 === 499) await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 300));
  const after = rss();
  dealer.close();
  await drain;
  // The honest run next to the fuzzing: a one-player driver still computes.
  try {
    const cfg = new RemoteConfig({ server0: `127.0.0.1:${port}` }, { timeoutMs: 5000 });
    const rt = cfg.runtime();
    const v = [...(await rt.reveal(rt.op('server0', 'Add', [rt.fill('server0', [2], 20n, U64), rt.fill('server0', [2], 22n, U64)]))).values()];
    if (v[0] !== 42n || v[1] !== 42n) crashes++;
    await cfg.close();
  } catch (e) { crashes++; if (process.env.TFE_FUZZ_DEBUG) console.error(e); }
  await daemon.stop();
  return { cases, crashes, rssGrowthMb: after - before, logLines };
}

/** `npm run bench -- fuzz`: 10^5 cases. */
export async function run(): Promise<BenchResult[]> {
  const r = await fuzzPlayer(100_000, 16);
  return [
    { name: 'fuzz_cases', value: r.cases, unit: 'messages' },
    { name: 'fuzz_crashes', value: r.crashes, unit: 'count' },
    { name: 'fuzz_rss_growth_mb', value: +r.rssGrowthMb.toFixed(1), unit: 'MB' },
    { name: 'fuzz_log_lines', value: r.logLines, unit: 'lines' },
  ];
}
