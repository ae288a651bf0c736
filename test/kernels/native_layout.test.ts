/**
 * Native against reference, bit for bit: data movement, reductions and im2col/col2im on random
 * shapes with edge values, in u64 and a small ring.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBinding } from '../../src/kernels/native/binding.js';
import { BITS, U64, type RingSpec } from '../../src/kernels/index.js';
import { crossCheck, randomTensor } from '../helpers/ring_testing.js';

const RINGS: RingSpec[] = [U64, { dtype: 'u8', modulus: 67 }, BITS];

test('transpose and reshape', () => {
  for (const ring of RINGS) {
    for (const [shape, perm] of [[[17, 33], [1, 0]], [[2, 3, 5, 7], [3, 1, 0, 2]], [[0, 4], [1, 0]], [[1, 1], [0, 1]], [[65], [0]], [[], []],
      [[4, 1, 130], [2, 0, 1]]] as [number[], number[]][]) {
      crossCheck('Transpose', [randomTensor(shape, ring)], { perm }, `${shape} ${perm}`);
    }
    crossCheck('Reshape', [randomTensor([6, 35], ring)], { shape: [5, 7, 6] });
    crossCheck('Reshape', [randomTensor([0, 4], ring)], { shape: [4, 0, 3] });
    crossCheck('Reshape', [randomTensor([1], ring)], { shape: [] });
  }
});

test('slice with strides, pad, tile', () => {
  for (const ring of RINGS) {
    const x = randomTensor([17, 33, 3], ring);
    crossCheck('Slice', [x], { begin: [0, 0, 0], size: [17, 33, 3], strides: [1, 1, 1] }, 'all');
    crossCheck('Slice', [x], { begin: [3, 5, 1], size: [7, 9, 2], strides: [2, 3, 1] }, 'strided');
    crossCheck('Slice', [x], { begin: [16, 32, 2], size: [1, 1, 1], strides: [5, 5, 5] }, 'last element');
    crossCheck('Slice', [x], { begin: [17, 0, 0], size: [0, 33, 3], strides: [1, 1, 1] }, 'empty');
    crossCheck('Pad', [x], { paddings: [[1, 2], [0, 5], [3, 0]] });
    crossCheck('Pad', [randomTensor([0, 3], ring)], { paddings: [[1, 1], [2, 0]] }, 'empty input');
    crossCheck('Pad', [randomTensor([], ring)], { paddings: [] }, 'scalar');
    crossCheck('Tile', [randomTensor([3, 1, 5], ring)], { reps: [2, 17, 1] });
    crossCheck('Tile', [randomTensor([3, 5], ring)], { reps: [0, 2] }, 'zero reps');
  }
});

test('concat and gather', () => {
  for (const ring of RINGS) {
    const parts = [randomTensor([3, 17, 2], ring), randomTensor([3, 0, 2], ring), randomTensor([3, 33, 2], ring)];
    crossCheck('Concat', parts, { axis: 1 }, 'axis 1');
    crossCheck('Concat', [randomTensor([2, 5], ring), randomTensor([7, 5], ring)], { axis: 0 }, 'axis 0');
    crossCheck('Concat', [randomTensor([4, 65], ring), randomTensor([4, 1], ring)], { axis: 1 }, 'last axis');
    crossCheck('Concat', [randomTensor([130], ring)], { axis: 0 }, 'single');
    const x = randomTensor([17, 33, 2], ring);
    crossCheck('Gather', [x], { axis: 0, indices: [16, 0, 3, 3, 9] }, 'axis 0');
    crossCheck('Gather', [x], { axis: 1, indices: Int32Array.from([32, 1, 0]) }, 'axis 1 Int32Array');
    crossCheck('Gather', [x], { axis: 2, indices: [] }, 'no indices');
  }
});

test('reduceSum and cumSum', () => {
  for (const ring of [...RINGS, { dtype: 'u8' as const, modulus: 256 }]) {
    const x = randomTensor([17, 33, 5], ring);
    for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2], []]) {
      for (const keepDims of [false, true]) crossCheck('ReduceSum', [x], { axes, keepDims }, `axes ${axes} keep ${keepDims}`);
    }
    crossCheck('ReduceSum', [randomTensor([0, 4], ring)], { axes: [0], keepDims: false }, 'empty');
    crossCheck('ReduceSum', [randomTensor([4, 0], ring)], { axes: [0], keepDims: true }, 'empty kept');
    for (const axis of [0, 1, 2]) for (const exclusive of [false, true]) for (const reverse of [false, true]) {
      crossCheck('CumSum', [x], { axis, exclusive, reverse }, `axis ${axis} ex ${exclusive} rev ${reverse}`);
    }
    crossCheck('CumSum', [randomTensor([130], ring)], { axis: 0, exclusive: false, reverse: false }, '1-D');
  }
});

test('reduceSum into a stale output buffer (the output cache\'s) zeroes it first; a wrong-sized one is not used', () => {
  const nb = loadBinding();
  const x = BigUint64Array.from({ length: 6 * 50 }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n & ((1n << 64n) - 1n));
  const fresh = nb.reduceSum(x, [6, 50], [0, 1], 50, 0) as BigUint64Array;
  const stale = new BigUint64Array(50).fill(0xdeadbeefn);
  const reused = nb.reduceSum(x, [6, 50], [0, 1], 50, 0, stale) as BigUint64Array;
  assert.is(reused, stale, 'the given buffer is the result');
  assert.equal(Array.from(reused), Array.from(fresh));
  const wrong = new BigUint64Array(49).fill(7n);
  assert.equal(Array.from(nb.reduceSum(x, [6, 50], [0, 1], 50, 0, wrong) as BigUint64Array), Array.from(fresh));
  const b = Uint8Array.from({ length: 40 }, (_, i) => (i * 5) % 7);
  const freshU8 = nb.reduceSum(b, [4, 10], [0, 1], 10, 7) as Uint8Array;
  const reusedU8 = nb.reduceSum(b, [4, 10], [0, 1], 10, 7, new Uint8Array(10).fill(6)) as Uint8Array;
  assert.equal(Array.from(reusedU8), Array.from(freshU8));
  assert.ok(Array.from(freshU8).every((v, j) => v === [0, 1, 2, 3].reduce((a, r) => a + b[r * 10 + j], 0) % 7));
});

test('im2col and col2im', () => {
  const cases: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
    [[2, 7, 6, 3], [3, 2], [2, 2], 'same'], [[2, 7, 6, 3], [3, 2], [2, 1], 'valid'], [[1, 17, 17, 1], [5, 5], [1, 1], 'same'],
    [[1, 1, 1, 1], [1, 1], [1, 1], 'valid'], [[0, 5, 5, 2], [3, 3], [1, 1], 'same'], [[3, 4, 9, 2], [4, 1], [3, 2], 'same'],
  ];
  for (const ring of [U64, { dtype: 'u8' as const, modulus: 67 }]) {
    for (const [shape, kernelSize, strides, padding] of cases) {
      const attrs = { kernelSize, strides, padding };
      const cols = crossCheck('Im2Col', [randomTensor(shape, ring)], attrs, `${shape} ${kernelSize} ${strides} ${padding}`);
      crossCheck('Col2Im', [randomTensor([...cols.shape], ring)], { ...attrs, inputShape: shape }, `${shape} ${kernelSize}`);
    }
  }
});

test.run();
