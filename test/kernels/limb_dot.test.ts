/**
 * The reference matmul's limb method (reference/limb_dot.ts) against plain BigInt dot products,
 * including all-ones worst cases at and beyond one exact chunk of k.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LIMB_CHUNK, limbMatMul, limbRows } from '../../src/kernels/reference/limb_dot.js';
import { randomTensor } from '../helpers/ring_testing.js';

const M64 = 1n << 64n;

/** The plain definition: C[m][n] = Σ_k A[m][k]·B[k][n] mod 2^64. */
function bigIntMatMul(a: BigUint64Array, b: BigUint64Array, M: number, N: number, K: number): bigint[] {
  const out: bigint[] = [];
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let s = 0n;
    for (let k = 0; k < K; k++) s += a[m * K + k] * b[k * N + n];
    out.push(s % M64);
  }
  return out;
}

function limb(a: BigUint64Array, b: BigUint64Array, M: number, N: number, K: number): bigint[] {
  const out = new BigUint64Array(M * N);
  limbMatMul(limbRows(a, 0, M, K, false), limbRows(b, 0, N, K, true), M, N, K, out, 0);
  return [...out];
}

test('limb method equals BigInt dot products on random matrices with edge values', () => {
  for (const [M, N, K] of [[1, 1, 1], [3, 5, 7], [17, 9, 33], [4, 4, 130], [2, 3, 0]]) {
    const a = randomTensor([M, K]).values() as BigUint64Array;
    const b = randomTensor([K, N]).values() as BigUint64Array;
    assert.equal(limb(a, b, M, N, K), bigIntMatMul(a, b, M, N, K), `${M}x${K} · ${K}x${N}`);
  }
});

test('worst case: all elements 2^64 − 1 over one full chunk and past it', () => {
  for (const K of [LIMB_CHUNK, LIMB_CHUNK + 3]) {
    const a = new BigUint64Array(K).fill(M64 - 1n);
    const b = new BigUint64Array(K).fill(M64 - 1n);
    // (−1)·(−1)·K = K mod 2^64
    assert.equal(limb(a, b, 1, 1, K), [BigInt(K)]);
    assert.equal(bigIntMatMul(a, b, 1, 1, K), [BigInt(K)]);
  }
});

test('limbRows splits little-endian 16-bit limbs and honours transposition', () => {
  const v = new BigUint64Array([0x0001_0002_0003_0004n, 0xffff_0000_ffff_0000n]);
  const rows = limbRows(v, 0, 1, 2, false);
  assert.equal(rows.map((r) => [...r]), [[4, 0], [3, 0xffff], [2, 0], [1, 0xffff]]);
  const cols = limbRows(v, 0, 2, 1, true); // element (r, 0) at v[r]
  assert.equal(cols.map((r) => [...r]), [[4, 0], [3, 0xffff], [2, 0], [1, 0xffff]]);
});

test.run();
