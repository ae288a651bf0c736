/**
 * Where a player runs its kernels (player/executors.ts): small ones on its own thread, larger
 * ones on the addon's executor, and, for a player alone in its process (`tfe player`), kernels
 * up to ALONE_INLINE_WORK on its own thread after its queued messages have gone to the wire.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, ring } from '../../src/kernels/index.js';
import type { RingTensor } from '../../src/runtime/kernel_link.js';
import { ALONE_INLINE_WORK, INLINE_ELEMENTS, kernelWork } from '../../src/runtime/player/executors.js';
import { Player } from '../../src/runtime/player/player.js';
import type { PeerNet } from '../../src/runtime/transport/transport.js';
import type { Instruction, PlayerReply } from '../../src/runtime/wire/instructions.js';

const zeros = (shape: number[]) => ring.fromBigInts(new Array(shape.reduce((a, b) => a * b, 1)).fill(0n), shape);

test('kernelWork: elements of the output, and a quarter per multiply-add for products', () => {
  const a = zeros([128, 784]), b = zeros([784, 128]);
  assert.is(kernelWork('MatMul', [a, b], {}, 128 * 128), (128 * 128 * 784) / 4);
  assert.is(kernelWork('MatMul', [zeros([784, 128]), zeros([784, 10])], { transposeA: true }, 128 * 10), (128 * 10 * 784) / 4);
  const x = zeros([1, 8, 8, 3]), w = zeros([3, 3, 3, 4]);
  assert.is(kernelWork('Conv2D', [x, w], {}, 8 * 8 * 4), (8 * 8 * 4 * 27) / 4);
  assert.is(kernelWork('Add', [a, a], {}, a.size), a.size);
  assert.ok(ALONE_INLINE_WORK > INLINE_ELEMENTS);
});

/** A player with a peer net that logs sends and flushes, and runs `batch` to its reply. */
async function run(inlineWork: number | undefined, n: number): Promise<{ log: string[]; sum: RingTensor }> {
  const log: string[] = [];
  const net: PeerNet = {
    copiesTensor: () => true,
    sendTensor: (to, _s, tag) => { log.push(`send ${tag} to ${to}`); return 0; },
    sendSeed: () => 0,
    flush: () => log.push('flush'),
    addressOf: () => '127.0.0.1:0',
    isPeer: (name) => name === 'server1',
  };
  const player = new Player({ name: 'server0', net, inProcess: false, inlineWork });
  const batch: Instruction[] = [
    { op: 'fill', out: 1, shape: [4], value: 3n, ring: U64 },
    { op: 'send', src: 1, to: 'server1', tag: 7, round: 1 },
    { op: 'fill', out: 2, shape: [n], value: 5n, ring: U64 },
    { op: 'kernel', out: 3, kernel: 'Add', inputs: [2, 2], attrs: {} },
    { op: 'kernel', out: 4, kernel: 'ReduceSum', inputs: [3], attrs: { axes: [0], keepDims: false } },
    { op: 'reveal', src: 4, req: 1 },
  ];
  const reply = await new Promise<PlayerReply>((resolve) => player.submit('00000000000000aa', batch, { reply: resolve }));
  player.endSession('00000000000000aa');
  if (reply.kind !== 'tensor') throw new Error(`expected a tensor reply, got ${JSON.stringify(reply)}`);
  return { log, sum: reply.tensor };
}

test('a player alone in its process flushes its messages, then runs a large kernel on its own thread', async () => {
  const n = 2 * INLINE_ELEMENTS;
  const alone = await run(ALONE_INLINE_WORK, n);
  assert.equal([...alone.sum.values()], [BigInt(10 * n)]);
  assert.is(alone.log[0], 'send 7 to server1');
  assert.ok(alone.log.slice(1).includes('flush'), `the send went out before the kernel: ${alone.log.join(', ')}`);
  // The default (in-process players, LocalConfig): the same kernel goes to the executor, no flush.
  const shared = await run(undefined, n);
  assert.equal([...shared.sum.values()], [BigInt(10 * n)]);
  assert.equal(shared.log, ['send 7 to server1']);
  // Small kernels never flush: the round's messages still leave together at the end of the turn.
  const small = await run(ALONE_INLINE_WORK, 64);
  assert.equal(small.log, ['send 7 to server1']);
  assert.equal([...small.sum.values()], [640n]);
});

test('kernels above ALONE_INLINE_WORK still go to the executor (the event loop keeps answering)', async () => {
  const big = await run(INLINE_ELEMENTS * 2, INLINE_ELEMENTS * 4);
  assert.equal(big.log, ['send 7 to server1']);
  assert.equal([...big.sum.values()], [BigInt(10 * INLINE_ELEMENTS * 4)]);
});

test.run();
