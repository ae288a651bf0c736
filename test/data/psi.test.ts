/**
 * ECDH-PSI over ristretto255 (src/data/psi.ts): the intersection on overlapping, disjoint and
 * identical sets, in the same order on both sides; the messages carry neither side's raw IDs
 * nor their unsalted SHA-256 hashes; bad input and a malformed peer message are typed errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { ProtocolError, ValueError } from '../../src/errors.js';
import { memoryChannels, psiIntersect, type PsiChannel } from '../../src/data/psi.js';

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
  const all = Buffer.concat(log.flatMap((m) => m.points.map((p) => Buffer.from(p))));
  for (const id of [...a, ...b]) {
    assert.is(all.indexOf(Buffer.from(id)), -1, `raw ID ${id} in a message`);
    for (const alg of ['sha256', 'sha512', 'sha1', 'md5']) {
      const h = createHash(alg).update(id).digest();
      assert.is(all.indexOf(h.subarray(0, 16)), -1, `${alg}(${id}) in a message`);
    }
  }
  for (const m of log) for (const p of m.points) assert.is(p.length, 32);
  const again = await run(a, b);
  const first = new Set(log[0]!.points.map((p) => Buffer.from(p).toString('hex')));
  assert.ok(again.log[0]!.points.every((p) => !first.has(Buffer.from(p).toString('hex'))), 'same IDs give different points in a new session');
});

test('different salts find nothing; bad input and bad peer messages are typed errors', async () => {
  const [ca, cb] = memoryChannels();
  const [ra] = await Promise.all([psiIntersect(['x', 'y'], ca, 's1'), psiIntersect(['x', 'y'], cb, 's2')]);
  assert.equal(ra.ids, []);
  const [c1] = memoryChannels();
  await psiIntersect(['a', 'a'], c1, 's').then(() => assert.unreachable(), (e) => { assert.instance(e, ValueError); assert.match(e.message, /duplicate ID on row 2/); });
  await psiIntersect(['a'], c1, '').then(() => assert.unreachable(), (e) => assert.instance(e, ValueError));
  const evil: PsiChannel = { send: async () => undefined, receive: async () => [new Uint8Array(32).fill(0xff)] };
  await psiIntersect(['a'], evil, 's').then(() => assert.unreachable(), (e) => { assert.instance(e, ProtocolError); assert.match(e.message, /invalid ristretto255 element in round 1/); });
});

test.run();
