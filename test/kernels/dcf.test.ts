/**
 * The distributed comparison function's kernels (`DcfGen`, `DcfEval`): the two parties' shares
 * add up to β·[x < α] for every point of a small domain (exhaustive, every α), at the edges of
 * 63- and 64-bit domains (0, α − 1, α, α + 1, the top), with many points per key; native
 * against reference bit for bit; a key alone tells nothing obvious (the two roots differ, the
 * correction words are shared); and the argument checks, with the bound on their outputs' size.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, inferOutput, ring, runKernel } from '../../src/kernels/index.js';
import { DCF_EVAL, DCF_GEN, dcfKeyWords } from '../../src/kernels/kernel_names.js';
import type { RingTensor } from '../../src/kernels/ring_tensor.js';
import { assertValueError, backendsUnderTest, crossCheck, randomTensor } from '../helpers/ring_testing.js';
import { loadBinding } from '../../src/kernels/native/binding.js';

const ALL = (1n << 64n) - 1n;
const t = (v: bigint[], shape = [v.length]) => ring.fromBigInts(v, shape);
const words = (x: RingTensor) => [...(x.values() as BigUint64Array)];

/** Keys for (α_i, β_i) on `bits` bits (β_i of `width` words), then both parties' summed shares at `points` (k per key, point-major), [width][points]. */
function shares(backend: string, bits: number, alpha: bigint[], beta: bigint[][], points: bigint[]): bigint[][] {
  const n = alpha.length, width = beta[0].length;
  const keys = runKernel(DCF_GEN, [t(alpha), t(beta.flat(), [n, width]), randomTensor([n, 4], U64)], { bits, width }, backend);
  const w = dcfKeyWords(bits, width);
  assert.equal(keys.shape, [2, w, n]);
  const all = words(keys);
  const key = (b: number) => t(all.slice(b * n * w, (b + 1) * n * w), [w, n]);
  const [y0, y1] = [0, 1].map((party) => runKernel(DCF_EVAL, [key(party), t(points)], { bits, width, party }, backend));
  assert.equal(y0.shape, [width, points.length]);
  const [a, b] = [words(y0), words(y1)];
  return Array.from({ length: width }, (_, c) => points.map((_, i) => (a[c * points.length + i] + b[c * points.length + i]) & ALL));
}

test('DCF: shares add to β·[x < α] on every point of a 5-bit domain, for every α (payloads of 1 and 2 words)', () => {
  for (const backend of backendsUnderTest()) {
    for (const width of [1, 2]) {
      const bits = 5, size = 1 << bits;
      const alpha = Array.from({ length: size }, (_, a) => BigInt(a));
      const beta = alpha.map((a) => Array.from({ length: width }, (_, c) => (a * 0x9e3779b97f4a7c15n + 1n + BigInt(c) * 77n) & ALL));
      const points: bigint[] = [];
      for (let x = 0; x < size; x++) for (let a = 0; a < size; a++) points.push(BigInt(x));
      const sums = shares(backend, bits, alpha, beta, points);
      for (let c = 0; c < width; c++) {
        for (let x = 0; x < size; x++) {
          for (let a = 0; a < size; a++) assert.is(sums[c][x * size + a], x < a ? beta[a][c] : 0n, `[${backend}] width ${width} word ${c} x=${x} α=${a}`);
        }
      }
    }
  }
});

test('DCF: edges of 63- and 64-bit domains (0, α ± 1, the top), β = 1 and β = −1', () => {
  for (const backend of backendsUnderTest()) {
    for (const bits of [63, 64]) {
      const top = bits === 64 ? ALL : (1n << 63n) - 1n;
      const alpha = [0n, 1n, 1n << 40n, top, top - 1n, 0x5a5a5a5a5a5a5a5an & top];
      const beta = alpha.map((_, i) => [i % 2 ? ALL : 1n, BigInt(i) << 50n]);
      const offsets = [0n, 1n, ALL, 2n, ALL - 1n];
      const points = offsets.flatMap((d) => alpha.map((a) => (a + d) & top));
      const want = [0, 1].map((c) => points.map((x, j) => (x < alpha[j % alpha.length] ? beta[j % alpha.length][c] : 0n)));
      assert.equal(shares(backend, bits, alpha, beta, points), want, `[${backend}] bits=${bits}`);
      // the top of the domain read modulo 2^bits: alpha with bit 63 set acts as alpha mod 2^63
      if (bits === 63) assert.equal(shares(backend, 63, [(1n << 63n) | 5n], [[1n]], [4n, 5n, 6n]), [[1n, 0n, 0n]]);
    }
  }
});

test('DCF: points of one key that share their top bits (a spline\'s c − t_k) and points that do not', () => {
  for (const backend of backendsUnderTest()) {
    const n = 9, knots = [-6n, -1n, 0n, 1n, 6n].map((k) => k << 32n);
    const alpha = Array.from({ length: n }, (_, i) => (BigInt(i) * 0x123456789abcdefn + (1n << 40n)) & ((1n << 63n) - 1n));
    const c = alpha.map((a, i) => (a + BigInt(i - 4) * (1n << 31n)) & ALL); // near α, so the comparisons vary
    const points = knots.flatMap((k) => c.map((v) => (v - k) & ALL));
    const want = points.map((x, j) => ((x & ((1n << 63n) - 1n)) < alpha[j % n] ? 1n : 0n));
    assert.equal(shares(backend, 63, alpha, alpha.map(() => [1n]), points)[0], want, `[${backend}]`);
  }
});

test('DCF: native equals reference bit for bit (keys and shares; random α, β, points)', () => {
  for (const [bits, width, n, k] of [[63, 1, 7, 3], [63, 2, 150, 13], [64, 2, 1, 1], [1, 1, 4, 2], [20, 2, 33, 2]] as const) {
    const gen = [randomTensor([n], U64), randomTensor([n, width], U64), randomTensor([n, 4], U64)];
    const keys = crossCheck(DCF_GEN, gen, { bits, width }, `bits=${bits} width=${width} n=${n}`);
    const w = dcfKeyWords(bits, width);
    for (const party of [0, 1]) {
      const own = ring.fromBigInts(words(keys).slice(party * n * w, (party + 1) * n * w), [w, n]);
      crossCheck(DCF_EVAL, [own, randomTensor([k * n], U64)], { bits, width, party }, `bits=${bits} width=${width} n=${n} k=${k} party=${party}`);
    }
  }
});

test('DCF: the parties\' keys share the correction words, not the root seed', () => {
  const n = 3, bits = 63, w = dcfKeyWords(bits, 1);
  const all = words(runKernel(DCF_GEN, [randomTensor([n], U64), randomTensor([n, 1], U64), randomTensor([n, 4], U64)], { bits, width: 1 }));
  for (let i = 0; i < n; i++) {
    const keyWords = (b: number) => Array.from({ length: w }, (_, j) => all[(b * w + j) * n + i]);
    const [k0, k1] = [keyWords(0), keyWords(1)];
    assert.ok(k0[0] !== k1[0] || k0[1] !== k1[1], 'root seeds differ');
    assert.equal(k0.slice(2), k1.slice(2), 'correction words are common');
  }
});

test('DCF: argument checks name the input and what was expected', () => {
  const meta = (shape: number[]) => ({ shape, ring: U64 });
  assertValueError(() => inferOutput(DCF_GEN, [meta([4]), meta([4, 1]), meta([4, 4])], { bits: 0, width: 1 }), '`bits`', '[1, 64]');
  assertValueError(() => inferOutput(DCF_GEN, [meta([4]), meta([4, 1]), meta([4, 4])], { bits: 63, width: 3 }), '`width`', '[1, 2]');
  assertValueError(() => inferOutput(DCF_GEN, [meta([4]), meta([3, 2]), meta([4, 4])], { bits: 63, width: 2 }), '`beta`', '[4,2]');
  assertValueError(() => inferOutput(DCF_GEN, [meta([4]), meta([4, 1]), meta([4, 2])], { bits: 63, width: 1 }), '`seeds`', '[4,4]');
  assertValueError(() => inferOutput(DCF_EVAL, [meta([192, 4]), meta([6])], { bits: 63, width: 1, party: 0 }), '`x`', 'multiple of 4');
  assertValueError(() => inferOutput(DCF_EVAL, [meta([191, 4]), meta([4])], { bits: 63, width: 1, party: 0 }), '`keys`', '[192,n]');
  assertValueError(() => inferOutput(DCF_EVAL, [meta([192, 4]), meta([4])], { bits: 63, width: 1, party: 2 }), '`party`', '[0, 1]');
  assert.equal(inferOutput(DCF_EVAL, [meta([256, 4]), meta([12])], { bits: 63, width: 2, party: 1 }).shape, [2, 12]);
  assertValueError(() => inferOutput(DCF_GEN, [meta([2 ** 19 + 1]), meta([2 ** 19 + 1, 2]), meta([2 ** 19 + 1, 4])], { bits: 63, width: 2 }), 'DcfGen', 'at most 268435456 words');
  assertValueError(() => inferOutput(DCF_EVAL, [meta([256, 1]), meta([257])], { bits: 63, width: 2, party: 0 }), 'DcfEval', 'at most 256 points per key, got 257');
  assertValueError(() => inferOutput(DCF_EVAL, [meta([256, 2 ** 20]), meta([2 ** 27 + 2 ** 20])], { bits: 63, width: 2, party: 0 }), 'DcfEval', 'at most 268435456 words');
  assertValueError(() => inferOutput(DCF_EVAL, [meta([256, 4]), meta([0])], { bits: 63, width: 2, party: 0 }), '`x`');
  assert.equal(inferOutput(DCF_GEN, [meta([4]), meta([4, 1]), meta([4, 4])], { bits: 63, width: 1 }).shape, [2, 192, 4]);
});

test('DCF: the addon refuses empty or over-long point lists itself (no division by zero)', () => {
  if (!backendsUnderTest().includes('native')) return;
  const keys = new BigUint64Array(dcfKeyWords(63, 1));
  assert.throws(() => loadBinding().dcfEval(keys, new BigUint64Array(0), 1, 63, 1, 0, false), /at least one/);
  assert.throws(() => loadBinding().dcfEval(keys, new BigUint64Array(257), 1, 63, 1, 0, false), /at most 256 points per key/);
});

test.run();
