/**
 * The reference backend against independent tiny computations written here with BigInt loops,
 * so the oracle is not only checked against itself.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BITS, ring, RingTensor, setBackend, U64 } from '../../src/kernels/index.js';
import { assertValues, randomTensor, U64_EDGES } from '../helpers/ring_testing.js';

setBackend('reference');
const M64 = 1n << 64n;
const vals = (t: RingTensor) => Array.from(t.values() as ArrayLike<bigint | number>, (v) => BigInt(v));
const s64 = (v: bigint) => (v >= 1n << 63n ? v - M64 : v);
const mod = (v: bigint, m: bigint) => ((v % m) + m) % m;

test('add/sub/mul wrap mod 2^64 and broadcast [2,3] with [3]', () => {
  const a = randomTensor([2, 3]);
  const b = randomTensor([3]);
  const [x, y] = [vals(a), vals(b)];
  const table: [string, (p: bigint, q: bigint) => bigint][] = [
    ['add', (p, q) => p + q], ['sub', (p, q) => p - q], ['mul', (p, q) => p * q],
    ['bitwiseAnd', (p, q) => p & q], ['bitwiseOr', (p, q) => p | q], ['bitwiseXor', (p, q) => p ^ q],
  ];
  for (const [name, f] of table) {
    const out = (ring as any)[name](a, b) as RingTensor;
    assertValues(out, [2, 3], x.map((p, i) => mod(f(p, y[i % 3]), M64)), name);
  }
});

test('u8 rings: add, sub, mul, neg mod m; bits: xor, not', () => {
  const Z67 = { dtype: 'u8' as const, modulus: 67 };
  const a = ring.fromValues([0, 1, 66, 33, 50], [5], Z67);
  const b = ring.fromValues([66, 66, 66, 2, 0], [5], Z67);
  assertValues(ring.add(a, b), [5], [66, 0, 65, 35, 50]);
  assertValues(ring.sub(a, b), [5], [1, 2, 0, 31, 50]);
  assertValues(ring.mul(a, b), [5], [0, 66, mod(66n * 66n, 67n), 66, 0]);
  assertValues(ring.neg(a), [5], [0, 66, 1, 34, 17]);
  const p = ring.fromValues([0, 1, 1, 0], [4], BITS);
  const q = ring.fromValues([0, 0, 1, 1], [4], BITS);
  assertValues(ring.bitwiseXor(p, q), [4], [0, 1, 0, 1]);
  assertValues(ring.bitwiseNot(p), [4], [1, 0, 0, 1]);
});

test('neg and not on u64 edges', () => {
  const x = ring.fromBigInts(U64_EDGES, [4]);
  assertValues(ring.neg(x), [4], U64_EDGES.map((v) => mod(-v, M64)));
  assertValues(ring.bitwiseNot(x), [4], U64_EDGES.map((v) => M64 - 1n - v));
});

test('shifts: left wraps, logical fills zeros, arithmetic sign-extends', () => {
  const x = randomTensor([40]);
  for (const k of [0, 1, 17, 63]) {
    const K = BigInt(k);
    assertValues(ring.shiftLeft(x, k), [40], vals(x).map((v) => (v << K) % M64), `<< ${k}`);
    assertValues(ring.shiftRightLogical(x, k), [40], vals(x).map((v) => v >> K), `>>> ${k}`);
    assertValues(ring.shiftRightArithmetic(x, k), [40], vals(x).map((v) => mod(s64(v) >> K, M64)), `>> ${k}`);
  }
});

test('bit extraction and decomposition', () => {
  const x = randomTensor([3, 2]);
  for (const bit of [0, 5, 63]) assertValues(ring.bitExtract(x, bit), [3, 2], vals(x).map((v) => (v >> BigInt(bit)) & 1n));
  const d = ring.bitDecompose(x, 67);
  assert.equal(d.ring, { dtype: 'u8', modulus: 67 });
  const expected = vals(x).flatMap((v) => Array.from({ length: 64 }, (_, k) => (v >> BigInt(k)) & 1n));
  assertValues(d, [3, 2, 64], expected);
});

test('comparisons, signed and unsigned, and select', () => {
  const a = ring.fromBigInts([0n, 1n, 1n << 63n, M64 - 1n, 5n], [5]);
  const b = ring.fromBigInts([1n], [1]);
  assertValues(ring.less(a, b), [5], [1, 0, 0, 0, 0]);
  assertValues(ring.less(a, b, { signed: true }), [5], [1, 0, 1, 1, 0]);
  assertValues(ring.greaterEqual(a, b, { signed: true }), [5], [0, 1, 0, 0, 1]);
  assertValues(ring.equal(a, b), [5], [0, 1, 0, 0, 0]);
  assertValues(ring.notEqual(a, b), [5], [1, 0, 1, 1, 1]);
  assertValues(ring.lessEqual(a, b), [5], [1, 1, 0, 0, 0]);
  assertValues(ring.greater(a, b), [5], [0, 0, 1, 1, 1]);
  const c = ring.less(a, b, { signed: true });
  assertValues(ring.select(c, a, b), [5], [0n, 1n, 1n << 63n, M64 - 1n, 1n]); // signed min(a, b)
});

test('cast between rings, fill, oneHot', () => {
  const x = ring.fromBigInts([0n, 66n, 67n, M64 - 1n], [4]);
  const z = ring.cast(x, { dtype: 'u8', modulus: 67 });
  assertValues(z, [4], [0, 66, 0, mod(M64 - 1n, 67n)]);
  assertValues(ring.cast(z, U64), [4], [0, 66, 0, mod(M64 - 1n, 67n)]);
  assertValues(ring.cast(z, { dtype: 'u8', modulus: 2 }), [4], [0, 0, 0, mod(M64 - 1n, 67n) % 2n]);
  assertValues(ring.fill([2], -1n), [2], [M64 - 1n, M64 - 1n]);
  assertValues(ring.fill([2], -1n, { dtype: 'u8', modulus: 67 }), [2], [66, 66]);
  assertValues(ring.oneHot(ring.fromValues([2, 0, 7], [3]), 3, BITS), [3, 3], [0, 0, 1, 1, 0, 0, 0, 0, 0]);
});

test('transpose, slice, pad, gather, tile, concat by coordinates', () => {
  const x = ring.fromValues(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
  const at = (i: number, j: number, k: number) => i * 12 + j * 4 + k;
  const tr: number[] = [];
  for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) tr.push(at(i, j, k));
  assertValues(ring.transpose(x, [2, 0, 1]), [4, 2, 3], tr);
  assertValues(ring.slice(x, [1, 0, 1], [1, 2, 2], [1, 2, 2]), [1, 2, 2], [at(1, 0, 1), at(1, 0, 3), at(1, 2, 1), at(1, 2, 3)]);
  const m = ring.fromValues([1, 2, 3, 4], [2, 2]);
  assertValues(ring.pad(m, [[1, 0], [0, 2]]), [3, 4], [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
  assertValues(ring.gather(m, [1, 1, 0], 1), [2, 3], [2, 2, 1, 4, 4, 3]);
  assertValues(ring.tile(m, [1, 2]), [2, 4], [1, 2, 1, 2, 3, 4, 3, 4]);
  assertValues(ring.concat([m, ring.fromValues([9, 8], [2, 1])], 1), [2, 3], [1, 2, 9, 3, 4, 8]);
  assertValues(ring.reshape(x, [-1, 12]), [2, 12], Array.from({ length: 24 }, (_, i) => i));
});

test('reduceSum and cumSum wrap mod 2^64', () => {
  const x = randomTensor([3, 4]);
  const v = vals(x);
  const rows = [0, 1, 2].map((i) => mod(v.slice(4 * i, 4 * i + 4).reduce((a, b) => a + b, 0n), M64));
  assertValues(ring.reduceSum(x, 1), [3], rows);
  assertValues(ring.reduceSum(x, [1], true), [3, 1], rows);
  assertValues(ring.reduceSum(x), [], [mod(v.reduce((a, b) => a + b, 0n), M64)]);
  const inc: bigint[] = [], exc: bigint[] = [], rev: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    let s = 0n;
    for (let j = 0; j < 4; j++) { exc.push(mod(s, M64)); s += v[4 * i + j]; inc.push(mod(s, M64)); }
    let r = 0n;
    const row: bigint[] = [];
    for (let j = 3; j >= 0; j--) { r += v[4 * i + j]; row.unshift(mod(r, M64)); }
    rev.push(...row);
  }
  assertValues(ring.cumSum(x, 1), [3, 4], inc);
  assertValues(ring.cumSum(x, -1, true), [3, 4], exc);
  assertValues(ring.cumSum(x, 1, false, true), [3, 4], rev);
});

test('batched matmul with broadcast batch dims equals BigInt dot products', () => {
  const a = randomTensor([2, 1, 3, 5]);
  const b = randomTensor([4, 5, 2]);
  const c = ring.matmul(a, b);
  assert.equal([...c.shape], [2, 4, 3, 2]);
  const [x, y] = [vals(a), vals(b)];
  const want: bigint[] = [];
  for (let p = 0; p < 2; p++) for (let q = 0; q < 4; q++) for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
    let s = 0n;
    for (let k = 0; k < 5; k++) s += x[p * 15 + i * 5 + k] * y[q * 10 + k * 2 + j];
    want.push(mod(s, M64));
  }
  assertValues(c, [2, 4, 3, 2], want);
  const aT = ring.transpose(a, [0, 1, 3, 2]);
  const bT = ring.transpose(b, [0, 2, 1]);
  assertValues(ring.matmul(aT, bT, { transposeA: true, transposeB: true }), [2, 4, 3, 2], want, 'transposed flags');
  assertValues(ring.matmul(bT, aT), [2, 4, 2, 3], vals(ring.transpose(c, [0, 1, 3, 2])), '(ab)ᵀ = bᵀaᵀ');
});

test('u8 matmul reduces mod m', () => {
  const Z67 = { dtype: 'u8' as const, modulus: 67 };
  const a = ring.fromValues([66, 66, 1, 2], [2, 2], Z67);
  const b = ring.fromValues([66, 3, 66, 5], [2, 2], Z67);
  // [[66·66 + 66·66, 66·3 + 66·5], [66 + 2·66, 3 + 10]] mod 67
  assertValues(ring.matmul(a, b), [2, 2], [2, mod(-8n, 67n), mod(-3n, 67n), 13]);
});

test.run();
