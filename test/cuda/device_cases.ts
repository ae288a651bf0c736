/**
 * One case list that covers every kernel of the contract on random and edge inputs (u64 edges
 * 0, 1, 2^63, 2^64 − 1 mixed in; small rings; empty tensors; broadcasting; transposes). The
 * device tests run it on the emulated device everywhere and on a real GPU where present.
 */
import { randomSmall, randomTensor, testSeed } from '../helpers/ring_testing.js';
import type { RingSpec, RingTensor } from '../../src/kernels/index.js';

/** A kernel call: name, inputs, attributes and a label. */
export interface DeviceCase { kernel: string; inputs: RingTensor[]; attrs: object; what: string }

const Z67: RingSpec = { dtype: 'u8', modulus: 67 };
const BITS: RingSpec = { dtype: 'u8', modulus: 2 };
const Z256: RingSpec = { dtype: 'u8', modulus: 256 };
const r = randomTensor;

/** The cases (fresh tensors per call). @example `deviceCases().length > 60 // true` */
export function deviceCases(): DeviceCase[] {
  const cases: DeviceCase[] = [];
  const add = (kernel: string, inputs: RingTensor[], attrs: object = {}, what = '') => cases.push({ kernel, inputs, attrs, what });
  for (const ring of [undefined, Z67, BITS, Z256]) {
    for (const k of ['Add', 'Sub', 'Mul']) {
      add(k, [r([7, 33], ring), r([7, 33], ring)], {}, 'same shape');
      add(k, [r([3, 1, 5], ring), r([4, 1], ring)], {}, 'broadcast');
      add(k, [r([0, 3], ring), r([1, 3], ring)], {}, 'empty');
    }
    add('Neg', [r([129], ring)]);
    add('Less', [r([9, 17], ring), r([17], ring)], { signed: false });
    add('Cast', [r([40], ring)], { dtype: 'u8', modulus: 67 }, 'to Z67');
    add('Cast', [r([40], ring)], { dtype: 'u64' }, 'to u64');
    add('ReduceSum', [r([5, 300, 3], ring)], { axes: [1], keepDims: false });
    add('CumSum', [r([4, 9, 3], ring)], { axis: 1, exclusive: true, reverse: true });
    add('MatMul', [r([17, 130], ring), r([130, 33], ring)], { transposeA: false, transposeB: false });
    add('Col2Im', [r([2 * 9 * 9, 3 * 3 * 2], ring)], { kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputShape: [2, 9, 9, 2] });
  }
  for (const k of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor']) {
    add(k, [r([65, 3]), r([65, 3])]);
    add(k, [r([8], BITS), r([1], BITS)], {}, 'bits');
  }
  for (const k of ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual']) {
    for (const signed of [false, true]) add(k, [r([5, 40]), r([1, 40])], { signed }, `signed=${signed}`);
  }
  add('Select', [r([6, 1], BITS), r([6, 10]), r([10])]);
  add('Select', [r([50], BITS), r([50], Z67), r([1], Z67)], {}, 'Z67');
  add('BitwiseNot', [r([77])]);
  add('BitwiseNot', [r([77], BITS)], {}, 'bits');
  for (const k of ['ShiftLeft', 'ShiftRightLogical', 'ShiftRightArithmetic']) {
    for (const bits of [0, 1, 16, 63]) add(k, [r([70])], { bits }, `by ${bits}`);
  }
  for (const bit of [0, 31, 63]) add('BitExtract', [r([33])], { bit });
  add('BitDecompose', [r([3, 5])], { modulus: 67 });
  add('OneHot', [randomSmall([4, 6], 12)], { depth: 10, dtype: 'u64' }, 'indices past depth give zeros');
  add('OneHot', [randomSmall([7], 5)], { depth: 5, dtype: 'u8', modulus: 2 });
  add('Transpose', [r([3, 4, 5])], { perm: [2, 0, 1] });
  add('Reshape', [r([3, 4, 5])], { shape: [12, 5] });
  add('Slice', [r([9, 10])], { begin: [1, 2], size: [4, 3], strides: [2, 3] });
  add('Concat', [r([2, 3], Z67), r([2, 5], Z67), r([2, 0], Z67)], { axis: 1 });
  add('Pad', [r([3, 4])], { paddings: [[1, 2], [0, 3]] });
  add('Gather', [r([5, 6, 2])], { axis: 1, indices: [5, 0, 0, 3] });
  add('Tile', [r([2, 3])], { reps: [2, 3] });
  add('ReduceSum', [r([4, 5, 6])], { axes: [0, 2], keepDims: true }, 'two axes');
  add('ReduceSum', [r([3000])], { axes: [0], keepDims: false }, 'all, long row');
  add('CumSum', [r([2, 70])], { axis: 1, exclusive: false, reverse: false });
  add('Fill', [], { shape: [3, 4], value: -5n, dtype: 'u64' });
  add('Fill', [], { shape: [6], value: -5n, dtype: 'u8', modulus: 67 });
  add('Fill', [], { shape: [0], value: 0n, dtype: 'u64' }, 'empty');
  add('MatMul', [r([130, 70]), r([70, 140])], { transposeA: false, transposeB: false }, 'limb-path size');
  add('MatMul', [r([70, 130]), r([140, 70])], { transposeA: true, transposeB: true }, 'limb-path size, transposed');
  add('MatMul', [r([2, 1, 17, 9]), r([4, 9, 33])], { transposeA: false, transposeB: false }, 'broadcast batch');
  add('MatMul', [r([5, 0]), r([0, 6])], { transposeA: false, transposeB: false }, 'K = 0');
  add('Conv2D', [r([2, 11, 9, 3]), r([3, 3, 3, 5])], { strides: [2, 1], padding: 'same' });
  add('Conv2D', [r([1, 17, 13, 4]), r([5, 2, 4, 6])], { strides: [1, 2], padding: 'valid' });
  add('Im2Col', [r([2, 7, 7, 3], Z67)], { kernelSize: [3, 2], strides: [2, 1], padding: 'same' });
  add('Col2Im', [r([1 * 3 * 3, 2 * 2 * 3])], { kernelSize: [2, 2], strides: [3, 3], padding: 'valid', inputShape: [1, 9, 9, 3] }, 'gaps');
  const seed = testSeed(77);
  const last = (1n << 64n) - 1n;
  for (const [ring, n] of [[{ dtype: 'u64' }, 33], [{ dtype: 'u8', modulus: 2 }, 61], [{ dtype: 'u8', modulus: 67 }, 5000], [{ dtype: 'u8', modulus: 64 }, 100]] as const) {
    add('PrgUniform', [], { seed, nonce: 3n, offset: 7n, shape: [n], ...ring }, JSON.stringify(ring));
  }
  add('PrgUniform', [], { seed, nonce: last, offset: last - 1n, shape: [9], dtype: 'u64' }, 'counter carry wraps');
  add('PermuteLastAxis', [r([3, 8]), r([3, 8])]);
  // the protocols' fused kernels (through the host on a device backend)
  add('AddN', [r([4, 5]), r([]), r([4, 5])]);
  add('TruncDealLow', [r([33]), r([33]), r([33])], { bits: 16 });
  add('TruncDealMsb', [r([33]), r([33]), r([33])]);
  add('TruncFinish', [r([33]), r([33]), r([33]), r([33])], { bits: 16, first: true });
  const pc = () => [r([5, 64], Z67), r([5]), r([5], { dtype: 'u8', modulus: 2 }), r([5, 64], { dtype: 'u8', modulus: 66 }), r([5, 64], Z67), r([5], { dtype: 'u8', modulus: 64 })];
  add('PrivateCompareMask', pc(), { first: true, edgeCase: true });
  add('PrivateCompareMask', pc(), { first: false, edgeCase: false }, 'server1');
  add('PrivateCompareZeroTest', [r([7, 64], Z67), r([7, 64], Z67)]);
  add('BitDecomposeSub', [r([6]), r([6, 64], Z67)]);
  add('AddModOdd', [r([9]), r([9])]);
  add('BitUnzipPack', [r([9])], { odd: false });
  add('BitUnzipPack', [r([64])], { odd: true });
  add('PrefixTerms', [r([10]), r([10]), r([10]), r([10])], { level: 3 });
  add('PrefixNextG', [r([10]), r([10])], { level: 2 });
  add('PrefixNextP', [r([10])], { level: 5 });
  add('BitUnpackTree', [r([3])], { count: 90 });
  add('SignBitsTree', [r([96])], {});
  add('SignBitsTree', [r([64])], { lanes: true });
  add('BitUnpackTree', [r([2])], { count: 100, lanes: true });
  add('LanePack', [r([150])], { half: 80 });
  add('SignLeafTerms', [r([8]), r([4]), r([8])], { generate: true, withV: true });
  add('TruncMask', [r([3, 3]), r([27])], { first: true });
  add('TruncDealStacked', [r([27]), r([9])], { bits: 16 });
  add('TruncFinishStacked', [r([3, 3]), r([3, 3]), r([18])], { bits: 16, first: false });
  add('PondLeaves', [r([9]), r([9])], { first: true });
  add('PondPrefixMask', [r([18]), r([15])], { last: false });
  add('PondPrefixCombine', [r([18]), r([10]), r([10]), r([5])], { first: false, last: true });
  add('PondPrefixDeal', [r([15])], { last: false });
  add('DcfGen', [r([5]), r([5, 2]), r([5, 4])], { bits: 63, width: 2 });
  add('DcfEval', [r([256, 5]), r([10])], { bits: 63, width: 2, party: 1 });
  return cases;
}
