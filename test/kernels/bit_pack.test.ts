/**
 * The packed boolean-circuit kernels. `BitUnzipPack` (one level of a bit-packed prefix tree):
 * native against reference bit for bit, its definition checked bit by bit on chosen words, odd
 * lengths (the missing word reads as 0), empty input, and shape validation. ABY3's carry-tree
 * kernels (`SignLeafTerms`, `PrefixTerms`, `PrefixNextG`, `PrefixNextP`, `BitUnpackTree`): native against
 * reference on every level and edge lengths, `BitUnpackTree` as the inverse of the tree's five
 * merges, and their argument checks; the lane forms (`LanePack`, `SignBitsTree` and
 * `BitUnpackTree` with `lanes`). Pond's tree levels (`PondLeaves`, `PondPrefixMask`,
 * `PondPrefixCombine`, `PondPrefixDeal`): native against reference, each equal to the word ops
 * it replaces (BitUnzipPack, AND, XOR), and their argument checks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, inferOutput, ring, runKernel } from '../../src/kernels/index.js';
import {
  BIT_UNPACK_TREE, BIT_UNZIP_PACK, LANE_PACK, POND_LEAVES, POND_PREFIX_COMBINE, POND_PREFIX_DEAL, POND_PREFIX_MASK, PREFIX_NEXT_G, PREFIX_NEXT_P, PREFIX_TERMS,
  SIGN_BITS_TREE, SIGN_LEAF_TERMS,
} from '../../src/kernels/kernel_names.js';
import type { RingTensor } from '../../src/kernels/ring_tensor.js';
import { assertValueError, backendsUnderTest, crossCheck, randomTensor } from '../helpers/ring_testing.js';

const bit = (w: bigint, i: number) => Number((w >> BigInt(i)) & 1n);

test('BitUnzipPack: native equals reference (random with edge words, odd and even lengths, empty)', () => {
  for (const m of [0, 1, 2, 3, 17, 64, 70001]) {
    for (const odd of [false, true]) crossCheck(BIT_UNZIP_PACK, [randomTensor([m], U64)], { odd }, `[${m}] odd=${odd}`);
  }
});

test('BitUnzipPack: out bit i is bit 2i (+1) of word 2j, out bit 32+i that of word 2j+1', () => {
  const words = [0x0123456789abcdefn, 0xfedcba9876543210n, (1n << 64n) - 1n, 1n << 63n, 0n, 0xaaaaaaaaaaaaaaaan, 0x5555555555555555n];
  for (const backend of backendsUnderTest()) {
    for (const odd of [false, true]) {
      const out = runKernel(BIT_UNZIP_PACK, [ring.fromBigInts(words, [words.length])], { odd }, backend).values() as BigUint64Array;
      assert.is(out.length, 4, 'ceil(7 / 2) words');
      for (let j = 0; j < out.length; j++) {
        for (let i = 0; i < 64; i++) {
          const source = 2 * j + (i >= 32 ? 1 : 0);
          const want = source < words.length ? bit(words[source], 2 * (i % 32) + (odd ? 1 : 0)) : 0;
          assert.is(bit(out[j], i), want, `[${backend}] odd=${odd} word ${j} bit ${i}`);
        }
      }
    }
  }
});

test('BitUnzipPack validates its input', () => {
  const meta = (shape: number[], r = U64) => ({ shape, ring: r });
  assertValueError(() => inferOutput(BIT_UNZIP_PACK, [meta([2, 3])], { odd: false }), '`x`', 'rank-1 u64', '[2,3]');
  assertValueError(() => inferOutput(BIT_UNZIP_PACK, [meta([4], { dtype: 'u8', modulus: 2 })], {}), 'u8 mod 2');
  assert.equal(inferOutput(BIT_UNZIP_PACK, [meta([5])], { odd: true }), { shape: [3], ring: U64 });
});

test('carry-tree kernels: native equals reference on every level (random with edge words, edge lengths)', () => {
  for (const m of [0, 1, 7, 70001]) {
    const xs = [0, 1, 2, 3].map(() => randomTensor([m], U64));
    for (let level = 2; level <= 6; level++) crossCheck(PREFIX_TERMS, xs, { level }, `[${m}] level ${level}`);
  }
  for (const m of [0, 2, 64, 70002]) {
    const [g, z] = [randomTensor([m], U64), randomTensor([m], U64)];
    for (let level = 2; level <= 5; level++) {
      crossCheck(PREFIX_NEXT_G, [g, z], { level }, `[${m}] level ${level}`);
      crossCheck(PREFIX_NEXT_P, [z], { level }, `[${m}] level ${level}`);
    }
  }
  for (const n of [0, 2, 64, 70002]) {
    const [u, c, v] = [randomTensor([n], U64), randomTensor([n / 2], U64), randomTensor([n], U64)];
    for (const generate of [false, true]) for (const withV of [false, true]) crossCheck(SIGN_LEAF_TERMS, [u, c, v], { generate, withV }, `[${n}] generate=${generate} withV=${withV}`);
  }
  for (const w of [1, 3, 2187]) {
    const h = randomTensor([w], U64);
    for (const count of [0, 1, 32 * w - 5, 32 * w]) crossCheck(BIT_UNPACK_TREE, [h], { count }, `[${w}] count ${count}`);
  }
});

test('BitUnpackTree undoes the five merges of the carry tree (A | B << s for s = 1, 2, 4, 8, 16)', () => {
  const w = 5;
  const n = 32 * w;
  const bits = Array.from({ length: n }, (_, e) => BigInt((e * 7 + (e >> 3)) % 3 === 0 ? 1 : 0));
  let words = bits;
  for (let s = 1n; s <= 16n; s *= 2n) {
    const h = words.length / 2;
    words = words.slice(0, h).map((lo, j) => lo | (words[j + h] << s));
  }
  for (const backend of backendsUnderTest()) {
    const out = runKernel(BIT_UNPACK_TREE, [ring.fromBigInts(words, [w])], { count: n - 3 }, backend).values() as BigUint64Array;
    assert.equal([...out], bits.slice(0, n - 3), `[${backend}]`);
  }
});

test('SignBitsTree: native equals reference, and equals bit 63 moved through the five merges', () => {
  for (const n of [0, 32, 64, 96, 32 * 1031]) crossCheck(SIGN_BITS_TREE, [randomTensor([n], U64)], {}, `[${n}]`);
  const n = 32 * 3;
  const words = Array.from({ length: n }, (_, e) => ((e * 11 + (e >> 2)) % 3 === 0 ? 1n << 63n : 0n) | BigInt(e * 0x9e3779b9));
  let merged = words.map((x) => x >> 63n);
  for (let s = 1n; s <= 16n; s *= 2n) {
    const h = merged.length / 2;
    merged = merged.slice(0, h).map((lo, j) => lo | (merged[j + h] << s));
  }
  for (const backend of backendsUnderTest()) {
    const out = runKernel(SIGN_BITS_TREE, [ring.fromBigInts(words, [n])], {}, backend).values() as BigUint64Array;
    assert.equal([...out], merged, `[${backend}]`);
    const back = runKernel(BIT_UNPACK_TREE, [runKernel(SIGN_BITS_TREE, [ring.fromBigInts(words, [n])], {}, backend)], { count: n }, backend).values() as BigUint64Array;
    assert.equal([...back], words.map((x) => x >> 63n), `[${backend}] BitUnpackTree undoes it`);
  }
  const meta = (shape: number[], r = U64) => ({ shape, ring: r });
  assertValueError(() => inferOutput(SIGN_BITS_TREE, [meta([48])], {}), '`h`', 'multiple of 32', '48');
  assertValueError(() => inferOutput(SIGN_BITS_TREE, [meta([2, 32])], {}), '`h`', 'rank-1 u64');
  assert.equal(inferOutput(SIGN_BITS_TREE, [meta([64])], {}), { shape: [2], ring: U64 });
});

test('lanes (ABY3\'s bounded sign circuit): LanePack, and SignBitsTree and BitUnpackTree with `lanes`, native equal reference and invert each other', () => {
  for (const [n, half] of [[0, 0], [1, 64], [128, 64], [129, 128], [200, 100], [4096, 2048], [3000, 1564]]) {
    crossCheck(LANE_PACK, [randomTensor([n], U64)], { half }, `LanePack [${n}] half ${half}`);
  }
  for (const n of [0, 32, 96, 32 * 1031]) crossCheck(SIGN_BITS_TREE, [randomTensor([n], U64)], { lanes: true }, `lanes [${n}]`);
  for (const [w, count] of [[1, 64], [3, 100], [4, 128], [33, 2000]]) crossCheck(BIT_UNPACK_TREE, [randomTensor([w], U64)], { count, lanes: true }, `lanes [${w}] ${count}`);
  // LanePack's definition on chosen words, and a lane round trip: the top bits of the packed
  // words (one per 32-bit lane), unpacked with `lanes`, are the inputs' bit 31 in input order
  const n = 64 * 3 + 5, half = 128;
  const xs = Array.from({ length: n }, (_, e) => (BigInt(e) * 0x9e3779b97f4a7c15n) & ALL);
  for (const backend of backendsUnderTest()) {
    const packed = runKernel(LANE_PACK, [ring.fromBigInts(xs, [n])], { half }, backend);
    const words = [...(packed.values() as BigUint64Array)];
    words.forEach((w, e) => {
      assert.is(w & 0xffffffffn, (xs[e] ?? 0n) & 0xffffffffn, `[${backend}] low lane ${e}`);
      assert.is(w >> 32n, (xs[half + e] ?? 0n) & 0xffffffffn, `[${backend}] high lane ${e}`);
    });
    const back = runKernel(BIT_UNPACK_TREE, [runKernel(SIGN_BITS_TREE, [packed], { lanes: true }, backend)], { count: n, lanes: true }, backend).values() as BigUint64Array;
    assert.equal([...back], xs.map((x) => (x >> 31n) & 1n), `[${backend}] lane tops back in element order`);
  }
  const meta = (shape: number[], r = U64) => ({ shape, ring: r });
  assertValueError(() => inferOutput(LANE_PACK, [meta([9])], { half: 4 }), '`half`', '9');
  // a driver cannot make a player allocate more than one block of padding past the input
  assertValueError(() => inferOutput(LANE_PACK, [meta([9])], { half: 70 }), '`half`', '[5, 69]', '70');
  assertValueError(() => inferOutput(LANE_PACK, [meta([9])], { half: 2 ** 40 }), '`half`');
  assertValueError(() => inferOutput(LANE_PACK, [meta([9])], {}), '`half`');
  assert.equal(inferOutput(LANE_PACK, [meta([9])], { half: 5 }), { shape: [5], ring: U64 });
  assertValueError(() => inferOutput(BIT_UNPACK_TREE, [meta([2])], { count: 129, lanes: true }), '`count`', '[0, 128]', '129');
  assertValueError(() => inferOutput(SIGN_BITS_TREE, [meta([32])], { lanes: 1 }), 'lanes', 'boolean');
  assert.equal(inferOutput(BIT_UNPACK_TREE, [meta([2])], { count: 128, lanes: true }), { shape: [128], ring: U64 });
});

test('carry-tree kernels validate their inputs and attributes', () => {
  const meta = (shape: number[], r = U64) => ({ shape, ring: r });
  const four = [meta([4]), meta([4]), meta([4]), meta([4])];
  assertValueError(() => inferOutput(PREFIX_TERMS, four, { level: 1 }), '`level`', '[2, 6]', '1');
  assertValueError(() => inferOutput(PREFIX_TERMS, four, { level: 2.5 }), '`level`');
  assertValueError(() => inferOutput(PREFIX_TERMS, [meta([4]), meta([4]), meta([5]), meta([4])], { level: 3 }), '`p0`', '4 words', '5');
  assertValueError(() => inferOutput(PREFIX_TERMS, [meta([4]), meta([4]), meta([4]), meta([4], { dtype: 'u8', modulus: 2 })], { level: 3 }), '`p1`', 'rank-1 u64');
  assert.equal(inferOutput(PREFIX_TERMS, four, { level: 6 }), { shape: [4], ring: U64 });
  assertValueError(() => inferOutput(PREFIX_NEXT_G, [meta([4]), meta([4])], { level: 6 }), '`level`', '[2, 5]');
  assertValueError(() => inferOutput(PREFIX_NEXT_G, [meta([3]), meta([3])], { level: 2 }), 'even number of words', '3');
  assertValueError(() => inferOutput(PREFIX_NEXT_P, [meta([2, 2])], { level: 2 }), '`z`', 'rank-1 u64');
  assert.equal(inferOutput(PREFIX_NEXT_P, [meta([6])], { level: 4 }), { shape: [3], ring: U64 });
  assertValueError(() => inferOutput(SIGN_LEAF_TERMS, [meta([4]), meta([3]), meta([4])], { generate: true, withV: false }), '`c`', '2 words', '3');
  assertValueError(() => inferOutput(SIGN_LEAF_TERMS, [meta([3]), meta([1]), meta([3])], { generate: true, withV: false }), 'even number of words');
  assertValueError(() => inferOutput(SIGN_LEAF_TERMS, [meta([4]), meta([2]), meta([4])], { generate: 1, withV: false }), '`generate`', 'boolean');
  assert.equal(inferOutput(SIGN_LEAF_TERMS, [meta([4]), meta([2]), meta([4])], { generate: false, withV: true }), { shape: [2], ring: U64 });
  assertValueError(() => inferOutput(BIT_UNPACK_TREE, [meta([2])], { count: 65 }), '`count`', '[0, 64]', '65');
  assertValueError(() => inferOutput(BIT_UNPACK_TREE, [meta([2])], {}), '`count`');
  assert.equal(inferOutput(BIT_UNPACK_TREE, [meta([2])], { count: 64 }), { shape: [64], ring: U64 });
});

/** Word ops on the reference backend, to state the fused kernels' definitions. */
const ref = {
  words: (t: RingTensor) => [...(t.values() as BigUint64Array)],
  unzip: (w: bigint[], odd: boolean) => [...(runKernel(BIT_UNZIP_PACK, [ring.fromBigInts(w, [w.length])], { odd }, 'reference').values() as BigUint64Array)],
};
const ALL = (1n << 64n) - 1n;

test('Pond tree kernels: native equals reference (edge lengths, both servers, last level or not)', () => {
  for (const n of [0, 1, 2, 3, 17, 70001]) {
    const m = Math.ceil(n / 2);
    for (const first of [false, true]) crossCheck(POND_LEAVES, [randomTensor([n], U64), randomTensor([n], U64)], { first }, `[${n}] first=${first}`);
    for (const last of [false, true]) {
      const k = last ? 2 : 3;
      const ge = randomTensor([2 * n], U64);
      crossCheck(POND_PREFIX_MASK, [ge, randomTensor([k * m], U64)], { last }, `[${n}] last=${last}`);
      crossCheck(POND_PREFIX_DEAL, [randomTensor([k * m], U64)], { last }, `[${k * m}] last=${last}`);
      for (const first of [false, true]) {
        crossCheck(POND_PREFIX_COMBINE, [ge, randomTensor([k * m], U64), randomTensor([k * m], U64), randomTensor([(k - 1) * m], U64)], { first, last }, `[${n}] first=${first} last=${last}`);
      }
    }
  }
});

test('Pond tree kernels equal the word ops they replace', () => {
  const T = 1n << 63n;
  for (const backend of backendsUnderTest()) {
    for (const n of [1, 5, 64]) {
      const m = Math.ceil(n / 2);
      const [r, c] = [randomTensor([n], U64), randomTensor([n], U64)];
      for (const first of [false, true]) {
        const leaves = ref.words(runKernel(POND_LEAVES, [r, c], { first }, backend));
        ref.words(r).forEach((rv, i) => {
          const cv = ref.words(c)[i], notCTop = (~cv & ALL) | T;
          assert.is(leaves[i], (rv & notCTop) ^ (first ? cv & T : 0n), `[${backend}] g ${i}`);
          assert.is(leaves[n + i], (rv & ~T & ALL) ^ (first ? notCTop : 0n), `[${backend}] e ${i}`);
        });
      }
      const geT = randomTensor([2 * n], U64);
      const ge = ref.words(geT);
      const [g, e] = [ge.slice(0, n), ge.slice(n)];
      for (const last of [false, true]) {
        const k = last ? 2 : 3;
        const masksT = randomTensor([k * m], U64);
        const masks = ref.words(masksT);
        const part = (w: bigint[], i: number) => w.slice(i * m, (i + 1) * m);
        const operands = [ref.unzip(e, true), ref.unzip(g, false), ref.unzip(e, false)].slice(0, k);
        const masked = ref.words(runKernel(POND_PREFIX_MASK, [geT, masksT], { last }, backend));
        assert.equal(masked, operands.flatMap((op, i) => op.map((v, j) => v ^ part(masks, i)[j])), `[${backend}] mask n=${n} last=${last}`);
        const deal = ref.words(runKernel(POND_PREFIX_DEAL, [masksT], { last }, backend));
        assert.equal(deal, operands.slice(1).flatMap((_, i) => part(masks, 0).map((a, j) => a & part(masks, i + 1)[j])), `[${backend}] deal`);
        // Both servers' shares of the combined level XOR to gOdd ⊕ (eOdd ∧ gEven) and eOdd ∧ eEven
        // when the operands are shared as (operand ⊕ s, s) and masked with XOR-shared masks.
        const [openedT, andsT] = [ring.fromBigInts(masked, [k * m]), ring.fromBigInts(deal, [(k - 1) * m])];
        const zeros = ring.fromBigInts(new Array<bigint>(k * m).fill(0n), [k * m]);
        const zeroAnds = ring.fromBigInts(new Array<bigint>((k - 1) * m).fill(0n), [(k - 1) * m]);
        const zeroGe = ring.fromBigInts(new Array<bigint>(2 * n).fill(0n), [2 * n]);
        const s0 = ref.words(runKernel(POND_PREFIX_COMBINE, [geT, openedT, masksT, andsT], { first: true, last }, backend));
        const s1 = ref.words(runKernel(POND_PREFIX_COMBINE, [zeroGe, openedT, zeros, zeroAnds], { first: false, last }, backend));
        const joined = s0.map((v, i) => v ^ s1[i]);
        const gOdd = ref.unzip(g, true);
        const want = [...operands[0].map((u, j) => gOdd[j] ^ (u & operands[1][j])), ...(last ? [] : operands[0].map((u, j) => u & operands[2][j]))];
        assert.equal(joined, want, `[${backend}] combine n=${n} last=${last}`);
      }
    }
  }
});

test('Pond tree kernels validate their inputs and attributes', () => {
  const meta = (shape: number[]) => ({ shape, ring: U64 });
  assertValueError(() => inferOutput(POND_LEAVES, [meta([4]), meta([5])], { first: true }), '`c`', '4 words');
  assertValueError(() => inferOutput(POND_LEAVES, [meta([4]), meta([4])], { first: 1 }), '`first`', 'boolean');
  assertValueError(() => inferOutput(POND_PREFIX_MASK, [meta([5]), meta([3])], { last: false }), '`ge`', 'even');
  assertValueError(() => inferOutput(POND_PREFIX_MASK, [meta([6]), meta([5])], { last: false }), '`masks`', '6 words', 'got 5');
  assertValueError(() => inferOutput(POND_PREFIX_COMBINE, [meta([6]), meta([6]), meta([6]), meta([3])], { first: true, last: false }), '`ands`', '4 words', 'got 3');
  assertValueError(() => inferOutput(POND_PREFIX_COMBINE, [meta([6]), meta([4]), meta([4]), meta([2])], { first: true, last: 'no' }), '`last`', 'boolean');
  assertValueError(() => inferOutput(POND_PREFIX_DEAL, [meta([7])], { last: false }), '`masks`', 'multiple of 3');
  assert.equal(inferOutput(POND_PREFIX_COMBINE, [meta([10]), meta([9]), meta([9]), meta([6])], { first: false, last: false }), { shape: [6], ring: U64 });
  assert.equal(inferOutput(POND_PREFIX_DEAL, [meta([6])], { last: true }), { shape: [3], ring: U64 });
});

test.run();
