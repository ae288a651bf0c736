/**
 * Native against reference, bit for bit: matmul (2-D, batched with broadcast batch dims,
 * transposes, small rings, sizes that are not block multiples, 0-sized, 1×1, and one
 * 1024×1024 · 1024×1024) and conv2d.
 */
import { test } from 'uvu';
import { ring, setBackend, U64, type RingSpec } from '../../src/kernels/index.js';
import { assertSameBits, backendsUnderTest, crossCheck, randomTensor } from '../helpers/ring_testing.js';

const mm = (a: number[], b: number[], transposeA = false, transposeB = false, ring: RingSpec = U64) =>
  crossCheck('MatMul', [randomTensor(a, ring), randomTensor(b, ring)], { transposeA, transposeB }, `${a} · ${b} tA=${transposeA} tB=${transposeB}`);

test('2-D matmul over odd sizes, 0-sized and 1×1', () => {
  for (const [M, K, N] of [[1, 1, 1], [0, 3, 2], [3, 0, 2], [2, 3, 0], [17, 33, 65], [65, 17, 33], [130, 65, 17], [1, 130, 1], [33, 1, 33], [64, 64, 64]]) {
    mm([M, K], [K, N]);
  }
});

test('transposed operands', () => {
  for (const [M, K, N] of [[17, 33, 65], [1, 1, 1], [130, 3, 2]]) {
    mm([K, M], [K, N], true, false);
    mm([M, K], [N, K], false, true);
    mm([K, M], [N, K], true, true);
  }
});

test('batched matmul with broadcast batch dims', () => {
  mm([3, 17, 33], [3, 33, 5]);
  mm([2, 1, 17, 9], [4, 9, 33]);
  mm([1, 7, 5], [6, 7, 3], true, false);
  mm([5, 7], [2, 3, 3, 7], false, true);
  mm([2, 3, 4, 5], [1, 1, 6, 4], true, true);
  mm([0, 4, 5], [5, 6]);
});

test('small rings', () => {
  for (const ring of [{ dtype: 'u8' as const, modulus: 67 }, { dtype: 'u8' as const, modulus: 2 }, { dtype: 'u8' as const, modulus: 256 }]) {
    mm([17, 130], [130, 33], false, false, ring);
    mm([2, 33, 17], [2, 65, 33], true, true, ring);
  }
});

test('1024×1024 · 1024×1024', () => {
  mm([1024, 1024], [1024, 1024]);
});

test('conv2d: strides, paddings, rectangular kernels, odd channel counts', () => {
  const cases: [number[], number[], [number, number], 'same' | 'valid'][] = [
    [[2, 17, 13, 3], [3, 3, 3, 5], [1, 1], 'same'], [[2, 17, 13, 3], [3, 5, 3, 5], [2, 2], 'same'],
    [[1, 17, 13, 17], [5, 2, 17, 33], [2, 1], 'valid'], [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1], 'valid'],
    [[0, 5, 5, 2], [3, 3, 2, 2], [1, 1], 'same'], [[3, 9, 9, 4], [9, 9, 4, 2], [1, 1], 'valid'],
    [[1, 28, 28, 16], [5, 5, 16, 32], [1, 1], 'same'],
  ];
  for (const [xs, ws, strides, padding] of cases) {
    crossCheck('Conv2D', [randomTensor(xs), randomTensor(ws)], { strides, padding }, `${xs} * ${ws} ${strides} ${padding}`);
  }
});

test('asynchronous forms (ring.opAsync) give the same bits as the synchronous ones', async () => {
  const [a, b] = [randomTensor([2, 65, 33]), randomTensor([33, 17])];
  const [x, w] = [randomTensor([2, 9, 9, 3]), randomTensor([3, 3, 3, 4])];
  for (const backend of backendsUnderTest()) {
    setBackend(backend);
    const attrs = { transposeA: false, transposeB: false };
    assertSameBits(await ring.opAsync('MatMul', [a, b], attrs), ring.matmul(a, b), `${backend} MatMul`);
    const conv = { strides: [2, 2], padding: 'same' };
    assertSameBits(await ring.opAsync('Conv2D', [x, w], conv), ring.conv2d(x, w, { strides: 2, padding: 'same' }), `${backend} Conv2D`);
    assertSameBits(await ring.opAsync('Add', [a, a]), ring.add(a, a), `${backend} Add`);
  }
});

test.run();
