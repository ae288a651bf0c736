/**
 * Bundles of peer messages (wire/bundle.ts) and the player's send queue that makes them: a
 * round's small tensor and seed messages to one peer leave as one ZeroMQ message, in order;
 * pings, driver messages and big tensors go alone; malformed bundles are ProtocolErrors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Writable } from 'zeromq';
import { ProtocolError } from '../../src/errors.js';
import { ring } from '../../src/kernels/index.js';
import { MsgType, decodeHeader, encodeHeader, tensorMessage, tensorOf } from '../../src/runtime/wire/codec.js';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_MESSAGES, bundle, bundleable, unbundle } from '../../src/runtime/wire/bundle.js';
import { SendQueue } from '../../src/runtime/transport/zmq/send_queue.js';

const session = '0123456789abcdef';
const tensorMsg = (tag: number, n = 2) => tensorMessage(MsgType.PeerTensor, session, tag, 'server0', ring.fromBigInts(Array.from({ length: n }, (_, k) => BigInt(tag * 1000 + k)), [n]));
const seedMsg = () => [encodeHeader(MsgType.PeerSeed, session, 0, 'server0'), Buffer.alloc(16, 7)];
const pingMsg = () => [encodeHeader(MsgType.PeerPing, '', 0, 'server0')];
const protocolError = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof ProtocolError && re.test(e.message));

/** A socket that records what it is asked to send; each send settles on the next macrotask. */
function recorder(): { sock: Writable; sent: Buffer[][] } {
  const sent: Buffer[][] = [];
  const sock = { send: (frames: Buffer[]) => { sent.push(frames); return new Promise<void>((r) => setImmediate(r)); } } as unknown as Writable;
  return { sock, sent };
}

test('a bundle round-trips its messages in order, each still a tensor or seed message', () => {
  const msgs = [tensorMsg(1), seedMsg(), tensorMsg(3, 5)];
  const frames = bundle('server0', msgs);
  const h = decodeHeader(frames[0]);
  assert.equal([h.type, h.tag, h.name], [MsgType.PeerBundle, 3, 'server0']);
  const back = unbundle(h.tag, frames);
  assert.is(back.length, 3);
  assert.equal([...tensorOf(decodeHeader(back[0][0]), back[0]).values()], [1000n, 1001n]);
  assert.is(decodeHeader(back[1][0]).type, MsgType.PeerSeed);
  assert.equal([...tensorOf(decodeHeader(back[2][0]), back[2]).values()], [3000n, 3001n, 3002n, 3003n, 3004n]);
});

test('malformed bundles are ProtocolErrors naming what was expected', () => {
  const two = bundle('server0', [tensorMsg(1), tensorMsg(2)]);
  protocolError(() => unbundle(1, two.slice(0, 3)), /2 to 1024 messages; its header says 1/);
  protocolError(() => unbundle(MAX_BUNDLE_MESSAGES + 1, two), /its header says 1025/);
  protocolError(() => unbundle(2, two.slice(0, 4)), /must have 5 frames; found 4/);
  protocolError(() => unbundle(2, [...two, Buffer.alloc(1)]), /found 6/);
});

test('only small tensor and seed messages are bundleable', () => {
  assert.ok(bundleable(tensorMsg(1)));
  assert.ok(bundleable(seedMsg()));
  assert.not.ok(bundleable(pingMsg()));
  assert.not.ok(bundleable([encodeHeader(MsgType.Batch, session, 0), Buffer.from('[]')]));
  assert.not.ok(bundleable([tensorMsg(1)[0], Buffer.alloc(MAX_BUNDLE_BYTES)]));
});

test('the send queue bundles what one turn queued, keeps order, and sends pings and big tensors alone', async () => {
  const { sock, sent } = recorder();
  const q = new SendQueue(sock, (e) => { throw e; }, (msgs) => bundle('server0', msgs));
  q.send(tensorMsg(1));
  q.send(tensorMsg(2));
  q.send(seedMsg());
  q.send(pingMsg());
  q.send(tensorMsg(5));
  q.send([tensorMsg(6)[0], Buffer.alloc(MAX_BUNDLE_BYTES)]);
  q.send(tensorMsg(7));
  assert.is(sent.length, 0, 'nothing goes out before the turn ends');
  await q.drained();
  const kinds = sent.map((f) => `${MsgType[decodeHeader(f[0]).type]}/${f.length}`);
  assert.equal(kinds, ['PeerBundle/7', 'PeerPing/1', 'PeerTensor/2', 'PeerTensor/2', 'PeerTensor/2']);
  const tags = unbundle(3, sent[0]).map((m) => decodeHeader(m[0]));
  assert.equal(tags.map((h) => [MsgType[h.type], h.tag]), [['PeerTensor', 1], ['PeerTensor', 2], ['PeerSeed', 0]]);
  assert.equal(sent.slice(2).map((f) => decodeHeader(f[0]).tag), [5, 6, 7]);
  // Messages queued while a send is in flight travel together in the next one.
  sent.length = 0;
  q.send(tensorMsg(8));
  await new Promise((r) => queueMicrotask(() => r(undefined)));
  q.send(tensorMsg(9));
  q.send(tensorMsg(10));
  await q.drained();
  assert.equal(sent.map((f) => f.length), [2, 5]);
});

test('a queue without a bundler sends each message as queued, at once', async () => {
  const { sock, sent } = recorder();
  const q = new SendQueue(sock, (e) => { throw e; });
  q.send(tensorMsg(1));
  assert.is(sent.length, 1);
  q.send(tensorMsg(2));
  await q.drained();
  assert.equal(sent.map((f) => decodeHeader(f[0]).type), [MsgType.PeerTensor, MsgType.PeerTensor]);
});

test('flush hands the queued messages over at once, bundled and in order; the turn\'s drain sends nothing twice', async () => {
  const { sock, sent } = recorder();
  const errors: string[] = [];
  const q = new SendQueue(sock, (e) => errors.push(e.message), (msgs) => bundle('server0', msgs));
  q.send(tensorMsg(1));
  q.send(tensorMsg(2));
  q.flush();
  assert.equal(sent.map((f) => MsgType[decodeHeader(f[0]).type]), ['PeerBundle'], 'out before the turn ends');
  q.send(tensorMsg(3));
  q.flush();
  q.send(tensorMsg(4));
  await q.drained();
  assert.equal(sent.slice(1).map((f) => decodeHeader(f[0]).tag), [3, 4]);
  assert.equal(errors, []);
  q.flush(); // nothing queued: nothing sent
  assert.is(sent.length, 3);
});

test('a failed flush reports once and drops what is queued; a closed queue sends nothing', async () => {
  const errors: string[] = [];
  let calls = 0;
  // pings are never bundled, so three sends go out; each is refused
  const rejecting = { send: () => { calls++; return Promise.reject(new Error('host unreachable')); } } as unknown as Writable;
  /** A bundling queue on `sock` with three pings queued, flushed. */
  const flushedPings = (sock: Writable) => {
    const q = new SendQueue(sock, (e) => errors.push(e.message), (msgs) => bundle('server0', msgs));
    for (let i = 0; i < 3; i++) q.send(pingMsg());
    q.flush();
    return q;
  };
  const r = flushedPings(rejecting);
  assert.is(calls, 3);
  await r.drained();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(errors, ['host unreachable'], 'one report for the flush');
  // A socket that throws at once (closed): the rest of the queue is dropped, reported once.
  let tries = 0;
  const throwing = { send: () => { tries++; throw new Error('socket closed'); } } as unknown as Writable;
  const t = flushedPings(throwing);
  assert.is(tries, 1);
  assert.is(t.length, 0, 'what was still queued is dropped');
  assert.equal(errors, ['host unreachable', 'socket closed']);
  await t.drained();
  const closed = new SendQueue(rejecting, (e) => errors.push(e.message));
  closed.close();
  closed.send(pingMsg());
  closed.flush();
  assert.is(calls, 3, 'a closed queue sends nothing');
});

test('a flush while a drain waits on its send sends only what is queued, once, in order', async () => {
  const { sock, sent } = recorder(); // each send settles on the next macrotask
  const q = new SendQueue(sock, (e) => { throw e; }, (msgs) => bundle('server0', msgs));
  q.send(pingMsg());
  await new Promise((resolve) => queueMicrotask(() => resolve(undefined))); // the drain has sent it and waits
  assert.is(sent.length, 1);
  q.send(tensorMsg(2));
  q.send(tensorMsg(3));
  q.flush();
  assert.is(sent.length, 2, 'the flush went out while the drain waited');
  q.send(tensorMsg(4));
  await q.drained();
  assert.equal(sent.map((f) => `${MsgType[decodeHeader(f[0]).type]}/${decodeHeader(f[0]).tag}`), ['PeerPing/0', 'PeerBundle/2', 'PeerTensor/4']);
});

test.run();
