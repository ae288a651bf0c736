/**
 * The PRG: known answers from node:crypto AES-128-CTR computed here, identical streams on every
 * backend, offsets as stream tails, and the distributions of u8 mod p and bits.
 */
import { createCipheriv } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { newSeed, RingTensor, runKernel } from '../../src/kernels/index.js';
import { assertSameBits, crossCheck, testSeed } from '../helpers/ring_testing.js';

/** The keystream, straight from node:crypto: IV = nonce (8 B, BE) ‖ offset (8 B, BE). */
function aesCtr(seed: Uint8Array, nonce: bigint, offset: bigint, nbytes: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(nonce, 0);
  iv.writeBigUInt64BE(offset, 8);
  return createCipheriv('aes-128-ctr', seed, iv).update(Buffer.alloc(nbytes));
}

const sample = (seed: Uint8Array, shape: number[], ring: { dtype: 'u64' | 'u8'; modulus?: number }, nonce = 0n, offset = 0n, backend = 'reference'): RingTensor =>
  runKernel('PrgUniform', [], { seed, nonce, offset, shape, ...ring }, backend);

test('known answer: FIPS-197 key, zero IV; u64 words are little-endian keystream', () => {
  const key = Uint8Array.from(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
  // AES-128(key, 0^128) — the first keystream block for nonce 0, offset 0.
  const ks = aesCtr(key, 0n, 0n, 16);
  assert.is(ks.toString('hex'), 'c6a13b37878f5b826f4f8162a1c8d879');
  const t = sample(key, [2], { dtype: 'u64' });
  assert.equal([...(t.values() as BigUint64Array)], [ks.readBigUInt64LE(0), ks.readBigUInt64LE(8)]);
});

test('u64, bits and u8 mod p follow the contract rules on the node:crypto stream', () => {
  const seed = testSeed(7);
  const ks = aesCtr(seed, 5n, 9n, 4096);
  const words = sample(seed, [100], { dtype: 'u64' }, 5n, 9n).values() as BigUint64Array;
  words.forEach((w, k) => assert.is(w, ks.readBigUInt64LE(8 * k)));
  const bits = sample(seed, [77], { dtype: 'u8', modulus: 2 }, 5n, 9n).values() as Uint8Array;
  bits.forEach((b, k) => assert.is(b, (ks[k >> 3] >> (k & 7)) & 1));
  const zp = sample(seed, [300], { dtype: 'u8', modulus: 67 }, 5n, 9n).values() as Uint8Array;
  const accepted = [...ks].filter((b) => b < 256 - (256 % 67)).map((b) => b % 67);
  assert.equal([...zp], accepted.slice(0, 300));
  const bytes = sample(seed, [50], { dtype: 'u8', modulus: 256 }, 5n, 9n).values() as Uint8Array;
  assert.equal([...bytes], [...ks.subarray(0, 50)]);
});

test('the stream at offset k is the stream at offset 0 without its first 16·k bytes', () => {
  const seed = testSeed(3);
  const whole = sample(seed, [64], { dtype: 'u64' }, 1n, 0n).values() as BigUint64Array;
  for (const k of [1, 5, 31]) {
    const tail = sample(seed, [64 - 2 * k], { dtype: 'u64' }, 1n, BigInt(k)).values() as BigUint64Array;
    assert.equal([...tail], [...whole.subarray(2 * k)], `offset ${k}`);
  }
});

test('same seed, nonce and offset give the same stream on every backend', () => {
  const seed = testSeed(11);
  for (const ring of [{ dtype: 'u64' }, { dtype: 'u8', modulus: 2 }, { dtype: 'u8', modulus: 67 }, { dtype: 'u8', modulus: 256 }, { dtype: 'u8', modulus: 3 }]) {
    for (const [shape, nonce, offset] of [[[0], 0n, 0n], [[1], 1n, 2n], [[33, 17], 3n, 1000n], [[1 << 16], (1n << 64n) - 1n, 7n]] as const) {
      crossCheck('PrgUniform', [], { seed, nonce, offset, shape: [...shape], ...ring }, `${JSON.stringify(ring)} ${shape}`);
    }
  }
  // a stream running past offset 2^64 − 1 carries into the nonce, on every backend
  const last = (1n << 64n) - 1n;
  const wrapped = crossCheck('PrgUniform', [], { seed, nonce: 5n, offset: last, shape: [6], dtype: 'u64' }, 'carry');
  const next = sample(seed, [4], { dtype: 'u64' }, 6n, 0n);
  assert.equal([...(wrapped.values() as BigUint64Array).subarray(2)], [...(next.values() as BigUint64Array)]);
  crossCheck('PrgUniform', [], { seed, nonce: last, offset: last, shape: [100], dtype: 'u8', modulus: 67 }, 'carry wraps nonce');
  assertSameBits(sample(seed, [10], { dtype: 'u64' }), sample(seed, [10], { dtype: 'u64' }));
});

test('u8 mod p is in range and roughly uniform (chi-square), bits are balanced', () => {
  const n = 67 * 3000;
  const zp = sample(testSeed(5), [n], { dtype: 'u8', modulus: 67 }).values() as Uint8Array;
  const counts = new Array(67).fill(0);
  for (const v of zp) { assert.ok(v < 67); counts[v]++; }
  const expected = n / 67;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  // 66 degrees of freedom: mean 66, sd ≈ 11.5; 200 is > 11 sd out and cannot flake (fixed seed).
  assert.ok(chi2 < 200, `chi-square ${chi2}`);
  const bits = sample(testSeed(6), [1 << 16], { dtype: 'u8', modulus: 2 }).values() as Uint8Array;
  const ones = bits.reduce((s, b) => s + b, 0);
  assert.ok(Math.abs(ones - (1 << 15)) < 1000, `ones ${ones} of ${1 << 16}`); // sd = 128
});

test('newSeed gives 16 fresh bytes', () => {
  const [a, b] = [newSeed(), newSeed()];
  assert.is(a.length, 16);
  assert.not.equal([...a], [...b]);
});

test.run();
