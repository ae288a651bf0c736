/**
 * `AddModOdd` (SecureNN's odd ring Z_N, N = 2^64 − 1): native against reference bit for bit
 * on random tensors with edge values, all pairs of edge values against BigInt arithmetic
 * (N itself reads as 0), the one-element broadcast, empty tensors, and shape validation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, inferOutput, ring, runKernel } from '../../src/kernels/index.js';
import { ADD_MOD_ODD } from '../../src/kernels/kernel_names.js';
import { assertValueError, backendsUnderTest, crossCheck, randomTensor } from '../helpers/ring_testing.js';

const N = (1n << 64n) - 1n;
const EDGES = [0n, 1n, 2n, (1n << 63n) - 1n, 1n << 63n, N - 2n, N - 1n, N];

test('AddModOdd: native equals reference (random, edges mixed in, broadcast, empty)', () => {
  for (const shape of [[0], [1], [17], [33, 65], [70000]]) {
    crossCheck(ADD_MOD_ODD, [randomTensor(shape, U64), randomTensor(shape, U64)], {}, `[${shape}]`);
    crossCheck(ADD_MOD_ODD, [randomTensor(shape, U64), randomTensor([], U64)], {}, `[${shape}] + scalar`);
  }
});

test('AddModOdd: every pair of edge values equals (a + b) mod (2^64 − 1)', () => {
  const a = EDGES.flatMap((x) => EDGES.map(() => x));
  const b = EDGES.flatMap(() => EDGES);
  for (const backend of backendsUnderTest()) {
    const out = runKernel(ADD_MOD_ODD, [ring.fromBigInts(a, [a.length]), ring.fromBigInts(b, [b.length])], {}, backend).values() as BigUint64Array;
    a.forEach((x, i) => assert.is(out[i], (x + b[i]) % N, `[${backend}] ${x} + ${b[i]}`));
    assert.ok(out.every((v) => v < N), 'results are canonical');
  }
});

test('AddModOdd validates its inputs', () => {
  const meta = (shape: number[], r = U64) => ({ shape, ring: r });
  assertValueError(() => inferOutput(ADD_MOD_ODD, [meta([3]), meta([2])]), '`b`', '[3]');
  assertValueError(() => inferOutput(ADD_MOD_ODD, [meta([3]), meta([3], { dtype: 'u8', modulus: 67 })]), 'u64', 'u8 mod 67');
  assert.equal(inferOutput(ADD_MOD_ODD, [meta([2, 3]), meta([1])]), { shape: [2, 3], ring: U64 });
});

test.run();
