/**
 * The fused Pond kernels (`AddN`, `TruncDealLow`, `TruncDealMsb`, `TruncFinish`, and the stacked
 * truncation's `TruncMask`, `TruncDealStacked`, `TruncFinishStacked`): native equals reference bit for bit on random and edge inputs (0, 1, 2^63, 2^64 − 1 mixed in; empty, rank-0
 * and odd sizes), each equals the chain of contract kernels it replaces (the stacked ones: the
 * unstacked kernels on their parts), and bad calls get a ValueError naming the argument.
 */
import { test } from 'uvu';
import { inferOutput, runKernel, U64, type RingTensor } from '../../src/kernels/index.js';
import { assertSameBits, assertValueError, crossCheck, randomTensor } from '../helpers/ring_testing.js';

const SHAPES: number[][] = [[], [0], [1], [17], [33, 65], [3, 0, 4], [70001]];
const BITS = [1, 2, 15, 16, 31, 32, 61, 62];

const ref = (k: string, xs: RingTensor[], attrs: object = {}) => runKernel(k, xs, attrs, 'reference');
const scalar = (v: bigint) => ref('Fill', [], { shape: [], value: v, dtype: 'u64' });

test('AddN: native equals reference, and equals a chain of Adds (rank-0 inputs broadcast)', () => {
  for (const s of SHAPES) for (const n of [1, 2, 3, 5]) {
    const xs = Array.from({ length: n }, () => randomTensor(s));
    const got = crossCheck('AddN', xs, {}, `${n} × [${s}]`);
    assertSameBits(got, xs.slice(1).reduce((acc, x) => ref('Add', [acc, x]), xs[0]), `AddN chain [${s}]`);
  }
  for (const s of [[17], [33, 65], [0]]) {
    const x = randomTensor(s);
    const c = scalar((1n << 64n) - 1n);
    const got = crossCheck('AddN', [c, x, scalar(1n << 62n)], {}, `scalars around [${s}]`);
    assertSameBits(got, ref('Add', [ref('Add', [c, x]), scalar(1n << 62n)]), `AddN scalars [${s}]`);
  }
  assertSameBits(crossCheck('AddN', [scalar(5n), scalar(7n)]), scalar(12n), 'all rank 0');
});

test('TruncDealLow and TruncDealMsb: native equals reference and the Add/shift/Sub chain', () => {
  for (const s of SHAPES) {
    const [r0, r1, sh] = [randomTensor(s), randomTensor(s), randomTensor(s)];
    const r = ref('Add', [r0, r1]);
    for (const bits of BITS) {
      const got = crossCheck('TruncDealLow', [r0, r1, sh], { bits }, `[${s}] by ${bits}`);
      const low = ref('ShiftRightLogical', [ref('ShiftLeft', [r], { bits: 1 })], { bits: bits + 1 });
      assertSameBits(got, ref('Sub', [low, sh]), `TruncDealLow chain [${s}] by ${bits}`);
    }
    const msb = crossCheck('TruncDealMsb', [r0, r1, sh], {}, `[${s}]`);
    assertSameBits(msb, ref('Sub', [ref('ShiftRightLogical', [r], { bits: 63 }), sh]), `TruncDealMsb chain [${s}]`);
  }
});

/** The chain `truncate.ts` ran before the fused kernel, step 4 of the MSB-trick truncation. */
function finishChain(own: RingTensor, other: RingTensor, t: RingTensor, m: RingTensor, k: number, first: boolean): RingTensor {
  const c = ref('Add', [own, other]);
  const c63 = ref('ShiftRightLogical', [c], { bits: 63 });
  let w = ref('Sub', [m, ref('ShiftLeft', [ref('Mul', [c63, m])], { bits: 1 })]);
  if (first) w = ref('Add', [w, c63]);
  let y = ref('Sub', [ref('ShiftLeft', [w], { bits: 63 - k }), t]);
  if (first) {
    const cLow = ref('ShiftRightLogical', [ref('ShiftLeft', [c], { bits: 1 })], { bits: k + 1 });
    y = ref('Sub', [ref('Add', [y, cLow]), scalar(1n << BigInt(62 - k))]);
  }
  return y;
}

test('TruncFinish: native equals reference and the chain it replaces, on both servers', () => {
  for (const s of SHAPES) {
    const [own, other, t] = [randomTensor(s), randomTensor(s), randomTensor(s)];
    const m = ref('ShiftRightLogical', [randomTensor(s)], { bits: 63 }); // a share of a bit is any u64; use both kinds
    for (const mm of [m, randomTensor(s)]) for (const bits of BITS) for (const first of [true, false]) {
      const got = crossCheck('TruncFinish', [own, other, t, mm], { bits, first }, `[${s}] by ${bits} first=${first}`);
      assertSameBits(got, finishChain(own, other, t, mm, bits, first), `TruncFinish chain [${s}] by ${bits} first=${first}`);
    }
  }
});

/** Part i of n elements of a stacked rank-1 tensor, in `shape`. */
const partOf = (t: RingTensor, n: number, i: number, shape: number[]) =>
  ref('Reshape', [ref('Slice', [t], { begin: [i * n], size: [n], strides: [1] })], { shape });

test('stacked truncation kernels: native equals reference and the unstacked kernels on the parts', () => {
  for (const s of SHAPES) {
    const n = s.reduce((a, b) => a * b, 1);
    const [x, own, other, r1] = [randomTensor(s), randomTensor(s), randomTensor(s), randomTensor([n])];
    const rtm = randomTensor([3 * n]);
    for (const first of [true, false]) {
      for (const p of [1, 3]) {
        const r = p === 1 ? partOf(rtm, n, 0, [n]) : rtm;
        const got = crossCheck('TruncMask', [x, r], { first }, `[${s}] ${p} parts first=${first}`);
        const want = ref('AddN', [x, partOf(rtm, n, 0, s), ...(first ? [scalar(1n << 62n)] : [])]);
        assertSameBits(got, want, `TruncMask chain [${s}] first=${first}`);
      }
    }
    for (const bits of [1, 16, 62]) {
      const dealt = crossCheck('TruncDealStacked', [rtm, r1], { bits }, `[${n}] by ${bits}`);
      const [r0, t0, m0] = [0, 1, 2].map((i) => partOf(rtm, n, i, [n]));
      assertSameBits(partOf(dealt, n, 0, [n]), ref('TruncDealLow', [r0, r1, t0], { bits }), `TruncDealStacked t1 [${n}]`);
      assertSameBits(partOf(dealt, n, 1, [n]), ref('TruncDealMsb', [r0, r1, m0]), `TruncDealStacked m1 [${n}]`);
      for (const first of [true, false]) {
        for (const p of [2, 3]) {
          const tm = p === 3 ? rtm : ref('Slice', [rtm], { begin: [n], size: [2 * n], strides: [1] });
          const got = crossCheck('TruncFinishStacked', [own, other, tm], { bits, first }, `[${s}] ${p} parts by ${bits} first=${first}`);
          assertSameBits(got, ref('TruncFinish', [own, other, partOf(rtm, n, 1, s), partOf(rtm, n, 2, s)], { bits, first }), `TruncFinishStacked [${s}]`);
        }
      }
    }
  }
});

test('bad calls: typed errors naming the argument, expected vs found', () => {
  const a = { shape: [2, 3], ring: U64 };
  const b = { shape: [3, 2], ring: U64 };
  const bits = { shape: [2, 3], ring: { dtype: 'u8' as const, modulus: 2 } };
  assertValueError(() => inferOutput('AddN', [a, b]), '`xs[1]`', '[2,3]', '[3,2]');
  assertValueError(() => inferOutput('AddN', [a, bits]), '`xs[1]`', 'u64');
  assertValueError(() => inferOutput('AddN', []), 'at least 1 input');
  assertValueError(() => inferOutput('TruncDealLow', [a, a, a], { bits: 63 }), '`bits`', '[1, 62]');
  assertValueError(() => inferOutput('TruncDealLow', [a, a, { shape: [], ring: U64 }], { bits: 3 }), '`s`', '[2,3]');
  assertValueError(() => inferOutput('TruncDealMsb', [a, a]), '3 input(s)');
  assertValueError(() => inferOutput('TruncFinish', [a, a, a, b], { bits: 16, first: true }), '`m`', '[3,2]');
  assertValueError(() => inferOutput('TruncFinish', [a, a, a, a], { bits: 0, first: true }), '`bits`');
  assertValueError(() => inferOutput('TruncFinish', [a, a, a, a], { bits: 16, first: 1 }), '`first`', 'boolean');
  const flat = (k: number) => ({ shape: [k], ring: U64 });
  assertValueError(() => inferOutput('TruncMask', [a, flat(7)], { first: true }), '`r`', '6 or 12 or 18', '[7]');
  assertValueError(() => inferOutput('TruncMask', [a, flat(6)], { first: 'yes' }), '`first`', 'boolean');
  assertValueError(() => inferOutput('TruncDealStacked', [flat(8), flat(3)], { bits: 16 }), '`rtm`', '9 elements', '[8]');
  assertValueError(() => inferOutput('TruncDealStacked', [flat(9), a], { bits: 16 }), '`r1`', 'rank 1');
  assertValueError(() => inferOutput('TruncFinishStacked', [a, a, flat(6)], { bits: 16, first: true }), '`tm`', '12 or 18', '[6]');
  assertValueError(() => inferOutput('TruncFinishStacked', [a, b, flat(12)], { bits: 16, first: true }), '`cOther`', '[2,3]');
});

test.run();
