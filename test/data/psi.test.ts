/**
 * ECDH-PSI over X25519 (src/data/psi.ts): the intersection on overlapping, disjoint and
 * identical sets, in the same order on both sides; the messages carry neither side's raw IDs
 * nor their unsalted hashes; bad input and malformed or low-order peer elements are typed
 * errors; two parties over a real TCP socket on 127.0.0.1 (socketChannel).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createServer, connect, type Socket } from 'node:net';
import { CommunicationError, ProtocolError, ValueError } from '../../src/errors.js';
import { psiIntersect } from '../../src/data/psi.js';
import { memoryChannels, socketChannel, type PsiChannel } from '../../src/data/psi_channel.js';

async function run(a: string[], b: string[], salt = 'session-1') {
  const [ca, cb, log] = memoryChannels();
  const [ra, rb] = await Promise.all([psiIntersect(a, ca, salt), psiIntersect(b, cb, salt)]);
  return { ra, rb, log };
}

test('overlapping sets: both sides get the intersection, in the same order, with their own rows', async () => {
  const a = ['u1', 'u2', 'u3', 'u4', 'u5', ''];
  const b = ['u9', 'u4', 'u2', 'u8', '', 'u7'];
  const { ra, rb } = await run(a, b);
  assert.equal([...ra.ids].sort(), ['', 'u2', 'u4']);
  assert.equal(ra.ids, rb.ids, 'the agreed order is the same on both sides');
  ra.ids.forEach((id, i) => { assert.is(a[ra.rows[i]!], id); assert.is(b[rb.rows[i]!], id); });
});

test('disjoint, identical and empty sets', async () => {
  const disjoint = await run(['1', '2', '3'], ['4', '5']);
  assert.equal(disjoint.ra.ids, []);
  assert.equal(disjoint.rb.ids, []);
  const ids = Array.from({ length: 50 }, (_, i) => `id-${i}`);
  const same = await run(ids, [...ids].reverse());
  assert.equal([...same.ra.ids].sort(), [...ids].sort());
  assert.equal(same.ra.ids, same.rb.ids);
  const empty = await run([], ['x']);
  assert.equal(empty.ra.ids, []);
  assert.equal(empty.rb.ids, []);
});

test('messages carry neither raw IDs nor their unsalted hashes; a fresh key blinds each session', async () => {
  const a = ['alice-001', 'alice-002', 'shared-42'];
  const b = ['shared-42', 'bob-007'];
  const { log } = await run(a, b);
  assert.is(log.length, 4, 'two rounds per side');
  const all = Buffer.concat(log.map((m) => m.elements));
  for (const id of [...a, ...b]) {
    assert.is(all.indexOf(Buffer.from(id)), -1, `raw ID ${id} in a message`);
    for (const alg of ['sha256', 'sha512', 'sha1', 'md5']) {
      const h = createHash(alg).update(id).digest();
      assert.is(all.indexOf(h.subarray(0, 16)), -1, `${alg}(${id}) in a message`);
    }
  }
  assert.equal(log.map((m) => m.elements.length), [96, 64, 64, 96], 'one 32-byte element per ID and round');
  const hexes = (e: Uint8Array) => Array.from({ length: e.length / 32 }, (_, i) => Buffer.from(e.subarray(32 * i, 32 * i + 32)).toString('hex'));
  const again = await run(a, b);
  const first = new Set(hexes(log[0]!.elements));
  assert.ok(hexes(again.log[0]!.elements).every((h) => !first.has(h)), 'same IDs give different elements in a new session');
});

test('different salts find nothing; bad input and bad peer messages are typed errors', async () => {
  const [ca, cb] = memoryChannels();
  const [ra] = await Promise.all([psiIntersect(['x', 'y'], ca, 's1'), psiIntersect(['x', 'y'], cb, 's2')]);
  assert.equal(ra.ids, []);
  const [c1] = memoryChannels();
  await psiIntersect(['a', 'a'], c1, 's').then(() => assert.unreachable(), (e) => { assert.instance(e, ValueError); assert.match(e.message, /duplicate ID on row 2/); });
  await psiIntersect(['a'], c1, '').then(() => assert.unreachable(), (e) => assert.instance(e, ValueError));
  const evil = (m: Uint8Array): PsiChannel => ({ send: async () => undefined, receive: async () => m });
  const peerSends = async (m: Uint8Array, pattern: RegExp) => psiIntersect(['a'], evil(m), 's').then(() => assert.unreachable(), (e) => { assert.instance(e, ProtocolError); assert.match(e.message, pattern); });
  await peerSends(new Uint8Array(32).fill(0xff), /non-canonical X25519 element in round 1/);
  await peerSends(new Uint8Array(32), /low-order X25519 element in round 1/); // u = 0
  await peerSends(Uint8Array.of(1, ...new Uint8Array(31)), /low-order X25519 element in round 1/); // u = 1, order 4
  await peerSends(new Uint8Array(33), /not a list of 32-byte elements/);
});

test('two parties over a TCP socket on 127.0.0.1, with messages split across many packets', async () => {
  const a = Array.from({ length: 3000 }, (_, i) => `cust-${i}`);
  const b = Array.from({ length: 2500 }, (_, i) => `cust-${2 * i}`);
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((res) => server.once('connection', res));
  const client = connect(port, '127.0.0.1');
  const sock = await accepted;
  try {
    const [ra, rb] = await Promise.all([psiIntersect(a, socketChannel(sock), 'tcp'), psiIntersect(b, socketChannel(client), 'tcp')]);
    const expected = b.filter((id) => Number(id.slice(5)) < 3000);
    assert.equal([...ra.ids].sort(), [...expected].sort());
    assert.equal(ra.ids, rb.ids);
  } finally {
    client.destroy();
    sock.destroy();
    server.close();
  }
  const refused = socketChannel(connect(port, '127.0.0.1')); // the server is gone
  await refused.receive().then(() => assert.unreachable(), (e) => { assert.instance(e, CommunicationError); assert.match((e as Error).message, /connection to the peer closed/); });
});

test.run();
