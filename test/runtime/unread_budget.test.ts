/**
 * The unread-peer-tensor budget (`--max-unread-mb`) counts each message's real bytes: u8
 * tensors (SecureNN's Z_67 and bit tensors) one byte per element, u64 eight.
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

test.run();
