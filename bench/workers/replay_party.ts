/**
 * One party of the transport-floor replay (bench/profile.ts): `<index> <planFile> <steps>
 * <port0> <port1> <port2>`. The plan is the peer messages of one recorded networked step, as
 * [from, to, round, bytes] with party indices; the party binds a ROUTER on its port and sends
 * through a DEALER to each other party's (the players' wiring), with plain zeromq and no tfe-js
 * code. Per round in order, it sends its messages of that round (one per destination, their
 * bytes summed: the players bundle a round's messages to a peer too) and then waits for every
 * party that sends it one in that round; messages carry (step, round, sender), so a party
 * that only sends (Pond's producer) and runs steps ahead is never mistaken for another. A
 * payload goes in frames of at most 8 MiB, as the players send a large tensor (wire/codec.ts),
 * and the party loads the native addon first, only for the malloc settings it makes in every
 * player (native/malloc_tuning.cc), so its buffers cost what the players' do. Nothing is computed, so
 * the time per step is what the step's communication alone costs on this machine. After
 * `steps` steps (and 5 untimed)
 * the parties meet at a barrier; each prints one JSON line `{"msPerStep": t, "cpuMsPerStep": c}`.
 */
import { readFileSync } from 'node:fs';
import * as zmq from 'zeromq';
import { PAYLOAD_FRAME_BYTES } from '../../src/runtime/wire/codec.js';
import { loadBinding } from '../../src/kernels/native/binding.js';

loadBinding(); // the players' malloc settings (native/malloc_tuning.cc); nothing of it runs after

const [me, planFile, stepsArg, ...portArgs] = process.argv.slice(2);
const self = Number(me), steps = Number(stepsArg), ports = portArgs.map(Number);
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as [number, number, number, number][];

/** Per round: bytes to each destination, and the parties that send to this one. */
const rounds = new Map<number, { send: Map<number, number>; from: Set<number> }>();
for (const [from, to, round, bytes] of plan) {
  let r = rounds.get(round);
  if (!r) rounds.set(round, (r = { send: new Map(), from: new Set() }));
  if (from === self) r.send.set(to, (r.send.get(to) ?? 0) + bytes);
  if (to === self) r.from.add(from);
}
const order = [...rounds.keys()].sort((a, b) => a - b);
const END = 0xffffffff;

const router = new zmq.Router({ receiveHighWaterMark: 0, linger: 1000 });
await router.bind(`tcp://127.0.0.1:${ports[self]}`);
const dealers = ports.map((port, k) => {
  if (k === self) return undefined;
  const d = new zmq.Dealer({ sendHighWaterMark: 0, linger: 1000 });
  d.connect(`tcp://127.0.0.1:${port}`);
  return d;
});
/** A payload of `n` bytes in frames of at most PAYLOAD_FRAME_BYTES, as the players send a large tensor (wire/codec.ts). */
const payloads = new Map<number, Buffer[]>();
const payload = (n: number) => {
  let frames = payloads.get(n);
  if (!frames) {
    const b = Buffer.alloc(n);
    frames = [];
    for (let at = 0; at < n || frames.length === 0; at += PAYLOAD_FRAME_BYTES) frames.push(b.subarray(at, Math.min(n, at + PAYLOAD_FRAME_BYTES)));
    payloads.set(n, frames);
  }
  return frames;
};
/** Labels of messages that arrived before this party reached them (a faster sender's). */
const early = new Set<string>();

/** A message's label: step, round and sender (a party that only sends runs steps ahead). */
const label = (stepIndex: number, round: number, from: number) => `${stepIndex}:${round}:${from}`;

async function send(to: number, stepIndex: number, round: number, bytes: number): Promise<void> {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(stepIndex, 0);
  header.writeUInt32LE(round, 4);
  header.writeUInt32LE(self, 8);
  await dealers[to]!.send([header, ...payload(bytes)]);
}

/** Waits for one message from each of `senders` labelled (stepIndex, round). */
async function awaitRound(stepIndex: number, round: number, senders: Iterable<number>): Promise<void> {
  const want = new Set([...senders].map((from) => label(stepIndex, round, from)));
  for (const l of [...want]) if (early.delete(l)) want.delete(l);
  while (want.size > 0) {
    const [, header] = await router.receive();
    const l = label(header.readUInt32LE(0), header.readUInt32LE(4), header.readUInt32LE(8));
    if (!want.delete(l)) early.add(l);
  }
}

let stepsRun = 0;
async function step(): Promise<void> {
  const stepIndex = stepsRun++;
  for (const round of order) {
    const r = rounds.get(round)!;
    for (const [to, bytes] of r.send) await send(to, stepIndex, round, bytes);
    await awaitRound(stepIndex, round, r.from);
  }
}

console.log('up');
for (let k = 0; k < 5; k++) await step();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let k = 0; k < steps; k++) await step();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
for (let k = 0; k < ports.length; k++) if (k !== self) await send(k, END, END, 1);
await awaitRound(END, END, ports.map((_, k) => k).filter((k) => k !== self));
console.log(JSON.stringify({ msPerStep: ms / steps, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps }));
router.close();
for (const d of dealers) d?.close();
