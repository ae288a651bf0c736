/** Native matmul and elementwise results against BigInt computed in the test itself. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runKernel } from '../../src/kernels/engine.js';
import { bigMatmul, same, tensor } from './helpers.js';

const mm = (transposeA = false, transposeB = false) => ({ transposeA, transposeB });

test('2-D matmul matches BigInt (sizes off the 4×16 tile)', () => {
  for (const [M, K, N] of [[1, 1, 1], [5, 7, 3], [4, 16, 16], [13, 300, 37], [1, 129, 17]]) {
    const [a, b] = [tensor([M, K], M), tensor([K, N], N)];
    const c = runKernel('MatMul', [a, b], mm(), 'native');
    assert.equal(c.shape, [M, N]);
    assert.ok(same(c.values(), bigMatmul(a.values() as BigUint64Array, b.values() as BigUint64Array, M, K, N)), `${M}x${K}x${N}`);
  }
});

test('all-ones-bits operands wrap mod 2^64', () => {
  const K = 300;
  const a = runKernel('Fill', [], { shape: [2, K], value: -1n, dtype: 'u64' }, 'native');
  const b = runKernel('Fill', [], { shape: [K, 3], value: -1n, dtype: 'u64' }, 'native');
  const c = runKernel('MatMul', [a, b], mm(), 'native');
  assert.ok(same(c.values(), new BigUint64Array(6).fill(BigInt(K))));
});

test('transposed and batched matmul match BigInt', () => {
  const [M, K, N] = [6, 9, 5];
  const a = tensor([2, K, M], 3); // transposeA: [K, M] per batch
  const b = tensor([N, K], 4);    // transposeB, broadcast over the batch
  const c = runKernel('MatMul', [a, b], mm(true, true), 'native');
  assert.equal(c.shape, [2, M, N]);
  const av = a.values() as BigUint64Array, bv = b.values() as BigUint64Array;
  const bt = new BigUint64Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt[k * N + j] = bv[j * K + k];
  for (let t = 0; t < 2; t++) {
    const at = new BigUint64Array(M * K);
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) at[i * K + k] = av[t * K * M + k * M + i];
    const want = bigMatmul(at, bt, M, K, N);
    assert.ok(same((c.values() as BigUint64Array).subarray(t * M * N, (t + 1) * M * N), want), `batch ${t}`);
  }
});

test('elementwise mul, add, sub with broadcasting match BigInt', () => {
  const [a, b] = [tensor([3, 1, 5], 8), tensor([4, 5], 9)];
  const av = a.values() as BigUint64Array, bv = b.values() as BigUint64Array;
  const ops: Record<string, (x: bigint, y: bigint) => bigint> = { Mul: (x, y) => x * y, Add: (x, y) => x + y, Sub: (x, y) => x - y };
  for (const [name, f] of Object.entries(ops)) {
    const c = runKernel(name, [a, b], {}, 'native');
    assert.equal(c.shape, [3, 4, 5]);
    const want = new BigUint64Array(60);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) {
      want[(i * 4 + j) * 5 + k] = BigInt.asUintN(64, f(av[i * 5 + k], bv[j * 5 + k]));
    }
    assert.ok(same(c.values(), want), name);
  }
});

test('large elementwise mul (streaming path) matches BigInt', () => {
  const n = (1 << 20) + 13;
  const [a, b] = [tensor([n], 21), tensor([n], 22)];
  const c = runKernel('Mul', [a, b], {}, 'native').values() as BigUint64Array;
  const av = a.values() as BigUint64Array, bv = b.values() as BigUint64Array;
  for (let i = 0; i < n; i += 997) assert.is(c[i], BigInt.asUintN(64, av[i] * bv[i]));
  assert.is(c[n - 1], BigInt.asUintN(64, av[n - 1] * bv[n - 1]));
});

test.run();
