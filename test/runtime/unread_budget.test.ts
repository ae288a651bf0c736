/**
 * The unread-peer-tensor budget (`--max-unread-mb`) counts each message's real bytes: u8
 * tensors (SecureNN's Z_67 and bit tensors) one byte per element, u64 eight; only accepted
 * messages are adopted (copied into the player's memory).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProtocolError } from '../../src/errors.js';
import { U64, ring } from '../../src/kernels/index.js';
import { Mailbox } from '../../src/runtime/player/mailbox.js';
import { unreadBytes } from '../../src/runtime/player/session.js';

test('u8 tensors count one byte per element, u64 eight', () => {
  assert.is(unreadBytes(ring.zeros([100], U64)), 800);
  assert.is(unreadBytes(ring.zeros([100], { dtype: 'u8', modulus: 67 })), 100);
});

test('a budget of 1000 bytes takes ten 100-element u8 tensors, then refuses the next', () => {
  const budget = { used: 0, limit: 1000 };
  const box = new Mailbox(100, budget, unreadBytes);
  for (let k = 0; k < 10; k++) box.put('server1', k, ring.zeros([100], { dtype: 'u8', modulus: 67 }));
  assert.is(budget.used, 1000);
  assert.throws(() => box.put('server1', 10, ring.zeros([1], { dtype: 'u8', modulus: 67 })), (e: unknown) => e instanceof ProtocolError && /would pass/.test((e as Error).message));
  void box.take('server1', 0);
  assert.is(budget.used, 900, 'a read message gives its bytes back');
});

test('only accepted messages are adopted (a wire tensor is copied into player memory after the budget check)', async () => {
  const budget = { used: 0, limit: 800 };
  const box = new Mailbox(100, budget, unreadBytes);
  const adopted: number[] = [];
  const adopt = (t: ReturnType<typeof ring.zeros>) => { adopted.push(t.size); return ring.zeros([...t.shape], U64); };
  const original = ring.zeros([100], U64);
  box.put('server1', 0, original, adopt);
  assert.throws(() => box.put('server1', 1, ring.zeros([1], U64), adopt), (e: unknown) => e instanceof ProtocolError);
  assert.equal(adopted, [100], 'the refused message was not copied');
  const kept = await box.take('server1', 0);
  assert.ok(kept !== original && kept.size === 100, 'the stored message is the adopted copy');
  const waiting = box.take('server1', 2);
  box.put('server1', 2, ring.zeros([3], U64), adopt);
  assert.is((await waiting).size, 3);
  assert.equal(adopted, [100, 3], 'a message a receive waits for is adopted too');
  const pending = box.take('server1', 4);
  assert.throws(() => box.put('server1', 4, ring.zeros([1], U64), () => { throw new ProtocolError('no memory'); }));
  box.fail(new ProtocolError('session failed'));
  await pending.then(() => assert.unreachable('a receive whose message could not be adopted must not resolve'), (e: Error) => assert.match(e.message, /session failed/));
});

test.run();
