/**
 * The fused PrivateCompare kernels (`PrivateCompareMask`, `PrivateCompareZeroTest`,
 * `BitDecomposeSub`): native against reference bit for bit on random and edge inputs (r ∈ {0, 1, 2^63, 2^64 − 1} mixed
 * in, both β, both servers, p = 67 and 251, n = 0, 1, 257), and against plaintext: server2's
 * zero test gives β ⊕ (x > r) for secrets and r at the ends of the ring, and the zero sits at
 * the deciding bit's position rotated by `rot`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BITS, U64, inferOutput, ring, runKernel, type RingSpec, type RingTensor } from '../../src/kernels/index.js';
import { BIT_DECOMPOSE_SUB, PRIVATE_COMPARE_MASK, PRIVATE_COMPARE_ZERO_TEST } from '../../src/kernels/kernel_names.js';
import { assertValueError, backendsUnderTest, crossCheck, randomTensor } from '../helpers/ring_testing.js';

const field = (p: number): RingSpec => ({ dtype: 'u8', modulus: p });
const MAX = (1n << 64n) - 1n;

/** Random common randomness of the two servers for n elements. */
function common(n: number, p: number): { s: RingTensor; z: RingTensor; rot: RingTensor } {
  return { s: randomTensor([n, 64], field(p - 1)), z: randomTensor([n, 64], field(p)), rot: randomTensor([n], field(64)) };
}

test('PrivateCompareMask: native equals reference on random and edge inputs', () => {
  for (const p of [67, 127, 251, 255]) for (const n of [0, 1, 257]) {
    const x = randomTensor([n, 64], field(p));
    const r = randomTensor([n], U64);
    const beta = randomTensor([n], BITS);
    const { s, z, rot } = common(n, p);
    for (const first of [true, false]) for (const edgeCase of [true, false]) {
      crossCheck(PRIVATE_COMPARE_MASK, [x, r, beta, s, z, rot], { first, edgeCase }, `p=${p} n=${n} first=${first} edge=${edgeCase}`);
    }
  }
});

test('PrivateCompareZeroTest: native equals reference, rows with and without zeros', () => {
  for (const p of [67, 251]) for (const n of [0, 1, 300]) {
    const d0 = randomTensor([n, 64], field(p));
    const neg = ring.fromValues(Uint8Array.from(d0.values() as Uint8Array, (v, i) => (i % 129 === 0 ? (p - v) % p : v)), [n, 64], field(p));
    crossCheck(PRIVATE_COMPARE_ZERO_TEST, [d0, neg], {}, `p=${p} n=${n}`);
    crossCheck(PRIVATE_COMPARE_ZERO_TEST, [d0, randomTensor([n, 64], field(p))], {}, `p=${p} n=${n} random`);
  }
});

test('BitDecomposeSub: native equals reference; with s it shares the bits of x exactly', () => {
  for (const m of [2, 67, 127, 251, 256]) for (const n of [0, 1, 300]) {
    const x = randomTensor([n], U64), s = randomTensor([n, 64], field(m));
    const d = crossCheck(BIT_DECOMPOSE_SUB, [x, s], {}, `m=${m} n=${n}`).values() as Uint8Array;
    const bits = runKernel('BitDecompose', [x], { modulus: m }, 'reference').values() as Uint8Array;
    const sv = s.values() as Uint8Array;
    assert.ok(bits.every((b, i) => (d[i] + sv[i]) % m === b), `m=${m} n=${n}: d + s = bits`);
  }
  assertValueError(() => inferOutput(BIT_DECOMPOSE_SUB, [{ shape: [3], ring: U64 }, { shape: [3, 63], ring: field(67) }]), '`s`', '[3,64]');
  assertValueError(() => inferOutput(BIT_DECOMPOSE_SUB, [{ shape: [3], ring: field(67) }, { shape: [3, 64], ring: field(67) }]), '`x`', 'u64');
});

/** Z_p shares (x0, x1) of the bits of each secret. */
function bitShares(xs: bigint[], p: number): [RingTensor, RingTensor] {
  const x0 = randomTensor([xs.length, 64], field(p)).values() as Uint8Array;
  const x1 = new Uint8Array(x0.length);
  xs.forEach((x, e) => { for (let i = 0; i < 64; i++) x1[e * 64 + i] = (Number((x >> BigInt(i)) & 1n) - x0[e * 64 + i] + p) % p; });
  return [ring.fromValues(x0, [xs.length, 64], field(p)), ring.fromValues(x1, [xs.length, 64], field(p))];
}

test('PrivateCompare kernels against plaintext: β ⊕ (x > r), the zero at the rotated deciding bit', () => {
  const p = 67;
  const values = [0n, 1n, 2n, 1n << 63n, (1n << 63n) - 1n, MAX - 1n, MAX, 0x1234_5678_9abc_def0n];
  const xs: bigint[] = [], rs: bigint[] = [], betas: number[] = [];
  for (const x of values) for (const r of values) for (const b of [0, 1]) { xs.push(x); rs.push(r); betas.push(b); }
  const n = xs.length;
  const [x0, x1] = bitShares(xs, p);
  const r = ring.fromBigInts(rs, [n]);
  const beta = ring.fromValues(betas, [n], BITS);
  const { s, z, rot } = common(n, p);
  const rotations = rot.values() as Uint8Array;
  for (const backend of backendsUnderTest()) {
    const d = [x0, x1].map((x, j) => runKernel(PRIVATE_COMPARE_MASK, [x, r, beta, s, z, rot], { first: j === 0, edgeCase: true }, backend));
    const flags = runKernel(PRIVATE_COMPARE_ZERO_TEST, d, {}, backend).values() as Uint8Array;
    const [a, b] = d.map((t) => t.values() as Uint8Array);
    for (let e = 0; e < n; e++) {
      const label = `[${backend}] x=${xs[e]} r=${rs[e]} β=${betas[e]}`;
      assert.is(flags[e], betas[e] ^ (xs[e] > rs[e] ? 1 : 0), label);
      const zeros = [...Array(64).keys()].filter((i) => (a[e * 64 + i] + b[e * 64 + i]) % p === 0);
      if (betas[e] === 0 && xs[e] > rs[e]) {
        let top = 63;
        while (((xs[e] ^ rs[e]) >> BigInt(top)) === 0n) top--; // the highest differing bit
        assert.equal(zeros, [(top + rotations[e]) % 64], `${label}: zero position`);
      } else if (flags[e] === 0) assert.equal(zeros, [], `${label}: no zero`);
      else assert.is(zeros.length, 1, `${label}: one zero`);
    }
  }
});

const meta = (ts: RingTensor[]) => ts.map((t) => ({ shape: t.shape, ring: t.ring }));

test('PrivateCompareMask and ZeroTest validate shapes and rings', () => {
  const p = 67, n = 4;
  const x = randomTensor([n, 64], field(p)), r = randomTensor([n], U64), beta = randomTensor([n], BITS);
  const { s, z, rot } = common(n, p);
  const check = (inputs: RingTensor[], ...msg: string[]) =>
    assertValueError(() => inferOutput(PRIVATE_COMPARE_MASK, meta(inputs), { first: true, edgeCase: false }), ...msg);
  check([randomTensor([n, 63], field(p)), r, beta, s, z, rot], '`x`', '[n, 64]');
  check([x, randomTensor([n + 1], U64), beta, s, z, rot], '`r`', `[${n}]`);
  check([x, r, randomTensor([n], field(3)), s, z, rot], '`beta`', 'u8 mod 2');
  check([x, r, beta, randomTensor([n, 64], field(p)), z, rot], '`s`', `u8 mod ${p - 1}`);
  check([x, r, beta, s, randomTensor([n, 64], field(p - 1)), rot], '`z`', `u8 mod ${p}`);
  check([x, r, beta, s, z, randomTensor([n], field(63))], '`rot`', 'u8 mod 64');
  check([x, r, beta, s, z], '6 input(s)');
  assertValueError(() => inferOutput(PRIVATE_COMPARE_ZERO_TEST, meta([x, randomTensor([n, 64], field(251))])), '`d1`', 'u8 mod 67');
});

test.run();
