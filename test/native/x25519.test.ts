/**
 * The addon's X25519 (native/x25519.cc), which blinds PSI's elements, against OpenSSL's through
 * node:crypto: RFC 7748's test vector, random scalars and points, the edge points (low order,
 * non-canonical, top bit set), low-order points inside a batch, the asynchronous path, and bad
 * arguments.
 */
import { createCipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBinding } from '../../src/kernels/native/binding.js';
import { opensslX25519 } from '../../src/data/psi.js';

const nb = loadBinding();
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI = Buffer.from('302a300506032b656e032100', 'hex');

/** OpenSSL's X25519(k, u), or all zeros where it refuses a low-order result. */
function openssl(k: Uint8Array, u: Uint8Array): Buffer {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8, k]), format: 'der', type: 'pkcs8' });
  try {
    return diffieHellman({ privateKey, publicKey: createPublicKey({ key: Buffer.concat([SPKI, u]), format: 'der', type: 'spki' }) });
  } catch {
    return Buffer.alloc(32);
  }
}

/** Reproducible bytes: AES-128-CTR keyed by a hash of `label`. */
function testBytes(label: string): { bytes(n: number): Uint8Array } {
  const key = createHash('sha256').update(label).digest().subarray(0, 16);
  const ctr = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return { bytes: (n) => Uint8Array.from(ctr.update(Buffer.alloc(n))) };
}

const native = (k: Uint8Array, u: Uint8Array) => Buffer.from(nb.x25519(k, u, false) as Uint8Array);

test('RFC 7748 §5.2 test vector', () => {
  const k = hex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4');
  const u = hex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c');
  assert.is(native(k, u).toString('hex'), 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
});

test('random scalars and points agree with OpenSSL, one batch per scalar', () => {
  const rng = testBytes('x25519');
  for (let s = 0; s < 8; s++) {
    const k = rng.bytes(32);
    const points = rng.bytes(32 * 250);
    const got = native(k, points);
    for (let i = 0; i < 250; i++) {
      const u = points.subarray(32 * i, 32 * i + 32);
      assert.ok(got.subarray(32 * i, 32 * i + 32).equals(openssl(k, u)), `scalar ${s}, point ${i}`);
    }
  }
});

test('edge points: low order gives zeros, non-canonical u is taken mod p, the top bit is ignored', () => {
  const k = testBytes('x25519-edges').bytes(32);
  const le = (v: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn); return b; };
  const p = 2n ** 255n - 19n;
  for (const v of [0n, 1n, p - 1n, p, p + 1n, 2n ** 255n - 1n, 9n]) {
    assert.ok(native(k, le(v)).equals(openssl(k, le(v))), `u = ${v}`);
  }
  assert.ok(native(k, le(0n)).equals(Buffer.alloc(32)), 'u = 0 is of low order');
  const u = le(9n);
  const top = Uint8Array.from(u);
  top[31] |= 0x80;
  assert.ok(native(k, top).equals(native(k, u)), 'the top bit is masked (RFC 7748 decodeUCoordinate)');
  assert.ok(native(k, le(p + 9n)).equals(native(k, u)), 'p + 9 is 9');
});

test('low-order points among others: each point keeps its own result (batches share an inversion)', () => {
  const rng = testBytes('x25519-batch');
  const k = rng.bytes(32);
  const n = 23; // several lockstep batches and a tail
  const points = rng.bytes(32 * n);
  for (const [at, v] of [[1, 0], [6, 1], [7, 0], [21, 0]] as const) { points.fill(0, 32 * at, 32 * at + 32); points[32 * at] = v; }
  const got = native(k, points);
  for (let i = 0; i < n; i++) {
    const u = points.subarray(32 * i, 32 * i + 32);
    assert.ok(got.subarray(32 * i, 32 * i + 32).equals(openssl(k, u)), `point ${i}`);
  }
  assert.ok(got.subarray(32, 64).equals(Buffer.alloc(32)), 'u = 0 gives zeros');
  assert.not.ok(got.subarray(0, 32).equals(Buffer.alloc(32)), 'its batch neighbour does not');
});

test('the asynchronous path gives the same bytes; an empty batch is empty', async () => {
  const rng = testBytes('x25519-async');
  const k = rng.bytes(32), points = rng.bytes(32 * 1000);
  const sync = native(k, points);
  const asyncOut = Buffer.from(await nb.x25519(k, points, true));
  assert.ok(asyncOut.equals(sync));
  assert.is((nb.x25519(k, new Uint8Array(0), false) as Uint8Array).length, 0);
});

test("PSI's fallback without the addon (node:crypto) gives the same bytes, zeros for low order", async () => {
  const rng = testBytes('x25519-fallback');
  const k = rng.bytes(32), points = rng.bytes(32 * 200);
  points.fill(0, 32 * 7, 32 * 8); // u = 0: low order
  const fallback = Buffer.from(await opensslX25519(k, points));
  assert.ok(fallback.equals(native(k, points)));
  assert.ok(fallback.subarray(32 * 7, 32 * 8).equals(Buffer.alloc(32)));
});

test('bad arguments are TypeErrors naming them', () => {
  assert.throws(() => nb.x25519(new Uint8Array(31), new Uint8Array(32), false), /`scalar` must have 32 elements/);
  assert.throws(() => nb.x25519(new Uint8Array(32), new Uint8Array(33), false), /`points` must hold 32-byte/);
  assert.throws(() => nb.x25519(new BigUint64Array(4) as unknown as Uint8Array, new Uint8Array(32), false), /`scalar` must be a Uint8Array/);
});

test.run();
