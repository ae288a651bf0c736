/**
 * Where a player runs its kernels (player/executors.ts): small ones on its own thread, larger
 * ones on the addon's executor, and, for a player alone in its process (`tfe player`), kernels
 * up to its `inlineWork` on its own thread after its queued messages have gone to the wire.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, ring } from '../../src/kernels/index.js';
import { RingTensor } from '../../src/runtime/kernel_link.js';
import { ALONE_INLINE_WORK, EXEC, INLINE_ELEMENTS, kernelWork } from '../../src/runtime/player/executors.js';
import { Player } from '../../src/runtime/player/player.js';
import type { PeerNet } from '../../src/runtime/transport/transport.js';
import type { Instruction, PlayerReply } from '../../src/runtime/wire/instructions.js';

const filled = (n: number, v: bigint) => ring.fromBigInts(new Array(n).fill(v), [n]);
const zeros = (shape: number[]) => ring.fromBigInts(new Array(shape.reduce((a, b) => a * b, 1)).fill(0n), shape);

test('kernelWork: elements of the output; a quarter per multiply-add for products; AES blocks for DCF', () => {
  const a = zeros([128, 784]), b = zeros([784, 128]);
  assert.is(kernelWork('MatMul', [a, b], {}, 128 * 128), (128 * 128 * 784) / 4);
  assert.is(kernelWork('MatMul', [zeros([784, 128]), zeros([784, 10])], { transposeA: true }, 128 * 10), (128 * 10 * 784) / 4);
  const x = zeros([1, 8, 8, 3]), w = zeros([3, 3, 3, 4]);
  assert.is(kernelWork('Conv2D', [x, w], {}, 8 * 8 * 4), (8 * 8 * 4 * 27) / 4);
  assert.is(kernelWork('Add', [a, a], {}, a.size), a.size);
  // 256 points of one 64-bit key: its walk is up to 64 levels of 3 AES blocks per point
  assert.is(kernelWork('DcfEval', [zeros([194, 1]), zeros([256])], { bits: 64, width: 1, party: 0 }, 256), 256 * 64 * 3);
  assert.is(kernelWork('DcfGen', [zeros([10]), zeros([10, 2]), zeros([10, 4])], { bits: 16, width: 2 }, 2 * 70 * 10), 2 * 10 * 16 * 4);
  assert.ok(kernelWork('DcfEval', [zeros([194, 1]), zeros([2 ** 15])], { bits: 64, width: 1, party: 0 }, 2 ** 15) > ALONE_INLINE_WORK, 'a large DCF evaluation goes to the executor');
});

/** A player with `inlineWork` and a peer net that logs sends and flushes. */
function player(inlineWork: number | undefined) {
  const log: string[] = [];
  const net: PeerNet = {
    copiesTensor: () => true,
    sendTensor: (to, _s, tag) => { log.push(`send ${tag} to ${to}`); return 0; },
    sendSeed: () => 0,
    flush: () => log.push('flush'),
    addressOf: () => '127.0.0.1:0',
    isPeer: (name) => name === 'server1',
  };
  return { log, player: new Player({ name: 'server0', net, inProcess: false, inlineWork }) };
}

/** Runs Add(x, x) for an x of n elements through EXEC: the sum when inline, else a promise of it. */
function addOnce(inlineWork: number | undefined, n: number) {
  const { log, player: p } = player(inlineWork);
  const s = p.session('00000000000000aa')!;
  s.set(1, filled(n, 5n));
  s.set(2, filled(4, 3n));
  EXEC.send(s, { op: 'send', src: 2, to: 'server1', tag: 7, round: 1 });
  const ran = EXEC.kernel(s, { op: 'kernel', out: 3, kernel: 'Add', inputs: [1, 1], attrs: {} });
  return { log, ran, out: () => s.get(3), end: () => p.endSession('00000000000000aa') };
}

test('a player alone in its process flushes its messages, then runs a large kernel on its own thread', async () => {
  const n = 2 * INLINE_ELEMENTS;
  const alone = addOnce(ALONE_INLINE_WORK, n);
  assert.is(alone.ran, undefined, 'ran synchronously, no promise');
  assert.equal(alone.log, ['send 7 to server1', 'flush']);
  const t = alone.out();
  assert.ok(t instanceof RingTensor);
  assert.equal(new Set((t as RingTensor).values() as BigUint64Array), new Set([10n]));
  alone.end();
  // The default (in-process players, LocalConfig): the same kernel goes to the executor, no flush.
  const shared = addOnce(undefined, n);
  assert.ok(shared.ran instanceof Promise, 'handed to the executor');
  await shared.ran;
  assert.equal(shared.log, ['send 7 to server1']);
  assert.equal(new Set((shared.out() as RingTensor).values() as BigUint64Array), new Set([10n]));
  shared.end();
  // Small kernels never flush: the round's messages still leave together at the end of the turn.
  const small = addOnce(ALONE_INLINE_WORK, 64);
  assert.is(small.ran, undefined);
  assert.equal(small.log, ['send 7 to server1']);
  small.end();
});

test('inlineWork is the largest work run inline (Add(x, x) of n elements: 2n); more goes to the executor', async () => {
  const limit = 4 * INLINE_ELEMENTS;
  const at = addOnce(limit, limit / 2);
  assert.is(at.ran, undefined);
  assert.equal(at.log, ['send 7 to server1', 'flush']);
  at.end();
  const over = addOnce(limit, limit / 2 + 1);
  assert.ok(over.ran instanceof Promise);
  await over.ran;
  assert.equal(over.log, ['send 7 to server1']);
  assert.equal(new Set((over.out() as RingTensor).values() as BigUint64Array), new Set([10n]));
  over.end();
});

test('a daemon-like player runs a whole stream to the same result either way', async () => {
  const n = 2 * INLINE_ELEMENTS;
  const sums: bigint[] = [];
  for (const inlineWork of [ALONE_INLINE_WORK, undefined]) {
    const { player: p } = player(inlineWork);
    const batch: Instruction[] = [
      { op: 'fill', out: 1, shape: [n], value: 5n, ring: U64 },
      { op: 'kernel', out: 2, kernel: 'Add', inputs: [1, 1], attrs: {} },
      { op: 'kernel', out: 3, kernel: 'ReduceSum', inputs: [2], attrs: { axes: [0], keepDims: false } },
      { op: 'reveal', src: 3, req: 1 },
    ];
    const reply = await new Promise<PlayerReply>((resolve) => p.submit('00000000000000ab', batch, { reply: resolve }));
    p.endSession('00000000000000ab');
    if (reply.kind !== 'tensor') throw new Error(`expected a tensor reply, got ${JSON.stringify(reply)}`);
    sums.push(...(reply.tensor.values() as BigUint64Array));
  }
  assert.equal(sums, [BigInt(10 * n), BigInt(10 * n)]);
});

test.run();
