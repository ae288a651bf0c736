/**
 * `BitUnzipPack` (one level of a bit-packed prefix tree): native against reference bit for bit,
 * its definition checked bit by bit on chosen words, odd lengths (the missing word reads as 0),
 * empty input, and shape validation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, inferOutput, ring, runKernel } from '../../src/kernels/index.js';
import { BIT_UNZIP_PACK } from '../../src/kernels/kernel_names.js';
import { assertValueError, backendsUnderTest, crossCheck, randomTensor } from '../helpers/ring_testing.js';

const bit = (w: bigint, i: number) => Number((w >> BigInt(i)) & 1n);

test('BitUnzipPack: native equals reference (random with edge words, odd and even lengths, empty)', () => {
  for (const m of [0, 1, 2, 3, 17, 64, 70001]) {
    for (const odd of [false, true]) crossCheck(BIT_UNZIP_PACK, [randomTensor([m], U64)], { odd }, `[${m}] odd=${odd}`);
  }
});

test('BitUnzipPack: out bit i is bit 2i (+1) of word 2j, out bit 32+i that of word 2j+1', () => {
  const words = [0x0123456789abcdefn, 0xfedcba9876543210n, (1n << 64n) - 1n, 1n << 63n, 0n, 0xaaaaaaaaaaaaaaaan, 0x5555555555555555n];
  for (const backend of backendsUnderTest()) {
    for (const odd of [false, true]) {
      const out = runKernel(BIT_UNZIP_PACK, [ring.fromBigInts(words, [words.length])], { odd }, backend).values() as BigUint64Array;
      assert.is(out.length, 4, 'ceil(7 / 2) words');
      for (let j = 0; j < out.length; j++) {
        for (let i = 0; i < 64; i++) {
          const source = 2 * j + (i >= 32 ? 1 : 0);
          const want = source < words.length ? bit(words[source], 2 * (i % 32) + (odd ? 1 : 0)) : 0;
          assert.is(bit(out[j], i), want, `[${backend}] odd=${odd} word ${j} bit ${i}`);
        }
      }
    }
  }
});

test('BitUnzipPack validates its input', () => {
  const meta = (shape: number[], r = U64) => ({ shape, ring: r });
  assertValueError(() => inferOutput(BIT_UNZIP_PACK, [meta([2, 3])], { odd: false }), '`x`', 'rank-1 u64', '[2,3]');
  assertValueError(() => inferOutput(BIT_UNZIP_PACK, [meta([4], { dtype: 'u8', modulus: 2 })], {}), 'u8 mod 2');
  assert.equal(inferOutput(BIT_UNZIP_PACK, [meta([5])], { odd: true }), { shape: [3], ring: U64 });
});

test.run();
