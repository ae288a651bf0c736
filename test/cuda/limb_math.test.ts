/**
 * Host-side exactness of the CUDA kernels, no GPU needed: native/cuda/host_check.cc is built
 * with the host C++ compiler from the same __host__ __device__ headers the kernels use and
 * compared bit for bit with the reference backend:
 * - the tensor-core limb matmul's data flow (8-bit limb planes, 16×16×16 fragments, s32 limb
 *   sums per K-chunk, u64 recombination), including K exactly at the chunk bound with every
 *   limb 0xFF (the largest possible s32 sum) and K one past it (two chunks);
 * - the tiled u64 kernel's thread maps and shared-memory tiles, with transposes and ragged edges;
 * - the device AES-128-CTR keystream against node:crypto (FIPS-197 and counter carry);
 * - the im2col window map against the reference Im2Col.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keystream } from '../../src/kernels/prg.js';
import { runKernel, RingTensor, HostStorage } from '../../src/kernels/index.js';
import { geom } from '../../src/kernels/native/conv_geom.js';
import { randomTensor, testSeed } from '../helpers/ring_testing.js';
import { cachedBuild } from './build_cache.js';

const compiler = process.env.CXX ?? 'g++';
const { path: tool } = cachedBuild('host_check', [compiler, '-std=c++17', '-O2', '-Inative/cuda', 'native/cuda/host_check.cc', '-o', '{out}']);

function run(args: (string | number | bigint)[], input: Uint8Array): { out: Uint8Array; err: string } {
  const r = spawnSync(tool, args.map(String), { input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`host_check ${args.join(' ')} failed: ${r.stderr}`);
  return { out: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength), err: r.stderr.toString() };
}

const bytes = (...ts: RingTensor[]) => Buffer.concat(ts.map((t) => { const v = t.values(); return Buffer.from(v.buffer, v.byteOffset, v.byteLength); }));
const u64 = (b: Uint8Array) => new BigUint64Array(b.slice().buffer);
const full = (shape: number[]) => new RingTensor(shape, 'u64', new HostStorage(new BigUint64Array(shape[0] * shape[1]).fill((1n << 64n) - 1n)));
const plain = { transposeA: false, transposeB: false };

function assertSame(got: BigUint64Array, want: RingTensor, what: string): void {
  const w = want.values() as BigUint64Array;
  assert.is(got.length, w.length, `${what}: length`);
  for (let i = 0; i < w.length; i++) if (got[i] !== w[i]) assert.unreachable(`${what}: element ${i} differs`);
}

function limbCase(a: RingTensor, b: RingTensor, what: string): number {
  const [M, K] = a.shape, N = b.shape[1];
  const { out, err } = run(['limb', M, K, N], bytes(a, b));
  assertSame(u64(out), runKernel('MatMul', [a, b], plain, 'reference'), `limb ${what}`);
  return Number(/maxsum (\d+)/.exec(err)![1]);
}

test('limb matmul data flow equals the reference on random and edge inputs', () => {
  for (const [M, K, N] of [[1, 1, 1], [70, 33, 130], [3, 300, 2], [65, 16, 64]]) {
    limbCase(randomTensor([M, K]), randomTensor([K, N]), `${M}x${K}x${N}`);
  }
});

test('limb sums reach but never pass the s32 bound: K at the chunk size with all limbs 0xFF, and one past', () => {
  const bound = 8 * 4096 * 255 * 255;
  assert.ok(bound < 2 ** 31 - 1, 'the stated bound fits s32');
  assert.is(limbCase(full([2, 4096]), full([4096, 3]), 'K = 4096, all ones'), bound, 'largest limb sum is the bound itself');
  assert.is(limbCase(full([2, 4097]), full([4097, 2]), 'K = 4097, all ones (two chunks)'), bound);
});

test('tiled u64 kernel thread maps equal the reference (transposes, ragged tiles)', () => {
  for (const [M, K, N] of [[1, 1, 1], [17, 33, 65], [130, 17, 70], [64, 16, 64]]) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = randomTensor(tA ? [K, M] : [M, K]), b = randomTensor(tB ? [N, K] : [K, N]);
      const { out } = run(['tiled', M, K, N, +tA, +tB], bytes(a, b));
      assertSame(u64(out), runKernel('MatMul', [a, b], { transposeA: tA, transposeB: tB }, 'reference'), `tiled ${M}x${K}x${N} ${tA} ${tB}`);
    }
  }
});

test('device AES-128-CTR: the FIPS-197 block and the node:crypto stream, counter carry included', () => {
  const fipsKey = Uint8Array.from({ length: 16 }, (_, i) => i);
  // CTR block 0 at nonce ‖ offset = 0x0011..ff: the FIPS-197 C.1 plaintext.
  const { out } = run(['aes', 0x0011223344556677n, 0x8899aabbccddeeffn, 16], fipsKey);
  assert.is(Buffer.from(out).toString('hex'), '69c4e0d86a7b0430d8cdb78070b4c55a');
  const last = (1n << 64n) - 1n;
  for (const [nonce, offset, n] of [[0n, 0n, 1000], [7n, 123n, 37], [5n, last - 2n, 100], [last, last, 64]] as const) {
    const seed = testSeed(Number(n));
    const got = run(['aes', nonce, offset, n], seed).out;
    assert.equal(Buffer.from(got).toString('hex'), Buffer.from(keystream(seed, nonce, offset)(n)).toString('hex'), `stream ${nonce} ${offset}`);
  }
});

test('im2col window map equals the reference Im2Col', () => {
  const cases: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
    [[2, 7, 6, 3], [3, 3], [1, 1], 'same'], [[1, 9, 9, 2], [4, 2], [2, 3], 'same'], [[1, 8, 5, 1], [3, 5], [1, 1], 'valid'],
  ];
  for (const [xs, kernelSize, strides, padding] of cases) {
    const x = randomTensor(xs);
    const want = runKernel('Im2Col', [x], { kernelSize, strides, padding }, 'reference');
    const g = geom(xs, kernelSize, strides, padding);
    const { out } = run(['im2col', ...g], bytes(x));
    assertSame(u64(out), want, `im2col ${xs}`);
  }
});

test.run();
