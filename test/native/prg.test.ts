/** The native AES-128-CTR keystream equals node:crypto's, and the element rules of PrgUniform hold. */
import { createCipheriv } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runKernel } from '../../src/kernels/engine.js';
import { loadBinding } from '../../src/kernels/native/binding.js';
import { same } from './helpers.js';

/** Keystream bytes [16·offset, 16·offset + n) of node:crypto's aes-128-ctr with IV nonce ‖ offset. */
function keystream(seed: Uint8Array, nonce: bigint, offset: bigint, n: number): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(nonce, 0);
  iv.writeBigUInt64BE(offset, 8);
  return new Uint8Array(createCipheriv('aes-128-ctr', seed, iv).update(Buffer.alloc(n)));
}

const seeds = [new Uint8Array(16), new Uint8Array(16).map((_, i) => i * 17 + 3), new Uint8Array(16).fill(255)];
const cases: [bigint, bigint][] = [[0n, 0n], [1n, 5n], [0xdeadbeefn, 1n << 40n], [7n, (1n << 64n) - 3n], [(1n << 64n) - 1n, 123n]];
const prg = (seed: Uint8Array, nonce: bigint, offset: bigint, n: number, dtype: string, modulus?: number) =>
  runKernel('PrgUniform', [], { seed, nonce, offset, shape: [n], dtype, modulus }, 'native').values();

test('u8 mod 256 is the raw keystream, lengths not multiples of 16', () => {
  for (const seed of seeds) {
    for (const [nonce, offset] of cases) {
      for (const n of [1, 15, 17, 100, 513, 4099, 70001]) {
        assert.ok(same(prg(seed, nonce, offset, n, 'u8', 256), keystream(seed, nonce, offset, n)), `n=${n} nonce=${nonce} offset=${offset}`);
      }
    }
  }
});

test('u64 elements are little-endian keystream words (odd counts, large sizes)', () => {
  for (const [nonce, offset] of cases) {
    for (const n of [1, 3, 1025, 300001]) {
      const ks = keystream(seeds[1], nonce, offset, n * 8);
      const want = new BigUint64Array(ks.buffer, ks.byteOffset, n);
      assert.ok(same(prg(seeds[1], nonce, offset, n, 'u64'), want), `n=${n} offset=${offset}`);
    }
  }
});

test('u8 mod 2 is bit-packed: element k is bit k mod 8 of byte k / 8', () => {
  const n = 1001;
  const ks = keystream(seeds[1], 9n, 2n, Math.ceil(n / 8));
  const want = Uint8Array.from({ length: n }, (_, k) => (ks[k >> 3] >> (k & 7)) & 1);
  assert.ok(same(prg(seeds[1], 9n, 2n, n, 'u8', 2), want));
});

test('u8 mod m uses byte rejection sampling', () => {
  for (const m of [3, 67, 100, 251, 128]) {
    const n = 5000;
    const ks = keystream(seeds[2], 4n, 11n, 4 * n);
    const limit = 256 - (256 % m);
    const want: number[] = [];
    for (const b of ks) { if (want.length < n && b < limit) want.push(b % m); }
    assert.ok(same(prg(seeds[2], 4n, 11n, n, 'u8', m), want), `m=${m}`);
  }
});

test('u8 mod m: large draws over several keystream chunks, vector and scalar paths agree with the stream', () => {
  for (const [m, n] of [[127, 1_500_001], [67, 1 << 18], [251, 300_007], [126, 70_003], [64, 100_000], [64, 1 << 19], [127, 63], [127, 65]]) {
    const ks = keystream(seeds[0], 8n, 3n, 2 * n + 64);
    const limit = 256 - (256 % m);
    const want = new Uint8Array(n);
    let k = 0;
    for (let i = 0; i < ks.length && k < n; i++) if (ks[i] < limit) want[k++] = ks[i] % m;
    assert.is(k, n);
    assert.ok(same(prg(seeds[0], 8n, 3n, n, 'u8', m), want), `m=${m} n=${n}`);
  }
});

test('the binding keystream matches for a large draw split across threads', () => {
  const n = (1 << 20) + 7;
  const got = loadBinding().prgUniform(seeds[1], 5n, 99n, n, 256, false) as Uint8Array;
  assert.ok(same(got, keystream(seeds[1], 5n, 99n, n)));
});

test.run();
