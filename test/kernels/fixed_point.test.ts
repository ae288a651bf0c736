/**
 * Fixed-point encoding: round trip within 2^-(f+1), exact two's complement encoding, the error
 * cases (NaN, ±Infinity, out of range) and tfjs tensor input.
 */
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValueError } from '../../src/errors.js';
import { decodeFixed, encodeFixed, fixedRange, prgValues } from '../../src/kernels/index.js';
import { assertValueError, testSeed } from '../helpers/ring_testing.js';

/** Deterministic reals in [−range, range) from our PRG. */
function randomReals(n: number, range: number, label: number): Float64Array {
  const words = prgValues(testSeed(label), 0n, 0n, n, 'u64') as BigUint64Array;
  return Float64Array.from(words, (w) => (Number(w >> 11n) / 2 ** 53 * 2 - 1) * range);
}

for (const f of [16, 24, 8]) {
  test(`round trip error ≤ 2^-(f+1) for f = ${f}`, () => {
    const { max } = fixedRange(f);
    for (const range of [1, 1000, max / 4]) {
      const x = randomReals(5000, range, f + range);
      const y = decodeFixed(encodeFixed(x, [5000], { fracBits: f }), { fracBits: f });
      for (let i = 0; i < x.length; i++) {
        // decode rounds once more when |x·2^f| > 2^53: allow that ulp on top
        const tol = 2 ** -(f + 1) + Math.abs(x[i]) * 2 ** -52;
        if (Math.abs(y[i] - x[i]) > tol) assert.unreachable(`f=${f} index ${i}: ${x[i]} → ${y[i]}`);
      }
    }
  });
}

test('encoding is round(x·2^f) mod 2^64, ties to even', () => {
  const t = encodeFixed([1.5, -2, 0, -0, 2 ** -17, 3 * 2 ** -17, -(2 ** -16)], [7]);
  const M = 1n << 64n;
  assert.equal([...(t.values() as BigUint64Array)], [98304n, M - 131072n, 0n, 0n, 0n, 2n, M - 1n]);
  assert.equal([...t.shape], [7]);
});

test('largest magnitudes just inside the range encode; the bounds themselves throw', () => {
  const { max, min } = fixedRange(16);
  const inside = max - 2 ** 10 / 2 ** 16; // next double below 2^47 at that scale
  assert.equal([...decodeFixed(encodeFixed([inside, -inside]))], [inside, -inside]);
  assert.throws(() => encodeFixed([max]), (e: unknown) => e instanceof ValueError && /\[0\]/.test(e.message));
  assert.throws(() => encodeFixed([0, min]), (e: unknown) => e instanceof ValueError && /\[1\]/.test(e.message));
});

test('NaN, ±Infinity and out-of-range values throw ValueError naming the index and range', () => {
  const cases: [number[], number, RegExp][] = [
    [[1, 2, NaN], 2, /NaN/],
    [[Infinity], 0, /Infinity/],
    [[0, 0, 0, -Infinity], 3, /-Infinity/],
    [[0, 1e300], 1, /out of range/],
  ];
  for (const [values, index, what] of cases) {
    try {
      encodeFixed(values);
      assert.unreachable('should throw');
    } catch (e) {
      assert.instance(e, ValueError);
      const msg = (e as Error).message;
      assert.ok(msg.includes(`[${index}]`), msg);
      assert.ok(what.test(msg), msg);
      assert.ok(msg.includes('140737488355328'), `range in real terms: ${msg}`);
    }
  }
  assertValueError(() => encodeFixed([1], [1], { fracBits: 70 }), '`fracBits`');
  assertValueError(() => encodeFixed([1, 2, 3], [2, 2]), '`shape`');
});

test('tfjs tensors are accepted, shape included', () => {
  const x = tf.tensor2d([[0.5, -1.25], [3, 4.75]]);
  const t = encodeFixed(x, undefined, { fracBits: 12 });
  assert.equal([...t.shape], [2, 2]);
  assert.equal([...decodeFixed(t, { fracBits: 12 })], [0.5, -1.25, 3, 4.75]);
  assert.throws(() => encodeFixed(tf.tensor1d([1, NaN])), (e: unknown) => e instanceof ValueError && /\[1\]/.test(e.message));
});

test('fixedRange describes the representable reals', () => {
  assert.equal(fixedRange(16), { min: -(2 ** 47), max: 2 ** 47, resolution: 2 ** -16 });
  assertValueError(() => fixedRange(-1), '`fracBits`');
});

test.run();
