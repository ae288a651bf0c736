/**
 * Front-door validation and shape inference: bad arguments throw ValueError naming the argument
 * in backticks with what was expected and found; inferOutput covers every contract kernel.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NotImplementedError } from '../../src/errors.js';
import { BITS, inferOutput, knownKernels, ring, U64 } from '../../src/kernels/index.js';
import {
  BINARY_KERNELS, BIT_DECOMPOSE, BIT_EXTRACT, CAST, COL2IM, COMPARE_KERNELS, CONCAT, CONV2D, CUMSUM, FILL, GATHER,
  IM2COL, MATMUL, ONE_HOT, PAD, PRG_UNIFORM, PERMUTE_LAST_AXIS, REDUCE_SUM, RESHAPE, SELECT, SHIFT_KERNELS, SLICE, TILE, TRANSPOSE,
  UNARY_KERNELS, PRIVATE_COMPARE_MASK, PRIVATE_COMPARE_ZERO_TEST, ADD_MOD_ODD, BIT_DECOMPOSE_SUB, BIT_UNZIP_PACK,
  PREFIX_TERMS, PREFIX_NEXT_G, PREFIX_NEXT_P, BIT_UNPACK_TREE, LANE_PACK, SIGN_BITS_TREE, SIGN_LEAF_TERMS, POND_LEAVES, POND_PREFIX_MASK, POND_PREFIX_COMBINE, POND_PREFIX_DEAL,
  ADD_N, TRUNC_DEAL_LOW, TRUNC_DEAL_MSB, TRUNC_FINISH, TRUNC_MASK, TRUNC_DEAL_STACKED, TRUNC_FINISH_STACKED, DCF_GEN, DCF_EVAL,
} from '../../src/kernels/kernel_names.js';
import { assertValueError } from '../helpers/ring_testing.js';

const FUSED_POND = [ADD_N, TRUNC_DEAL_LOW, TRUNC_DEAL_MSB, TRUNC_FINISH, TRUNC_MASK, TRUNC_DEAL_STACKED, TRUNC_FINISH_STACKED];

const Z67 = { dtype: 'u8' as const, modulus: 67 };
const x23 = ring.zeros([2, 3]);

test('every kernel of the contract has a shape rule', () => {
  const contract = [
    ...BINARY_KERNELS, ...COMPARE_KERNELS, ...UNARY_KERNELS, ...SHIFT_KERNELS, SELECT, BIT_EXTRACT, BIT_DECOMPOSE,
    CAST, MATMUL, CONV2D, IM2COL, COL2IM, TRANSPOSE, RESHAPE, SLICE, CONCAT, PAD, GATHER, TILE, REDUCE_SUM, CUMSUM,
    ONE_HOT, FILL, PRG_UNIFORM, PERMUTE_LAST_AXIS, PRIVATE_COMPARE_MASK, PRIVATE_COMPARE_ZERO_TEST, ADD_MOD_ODD, BIT_DECOMPOSE_SUB,
    BIT_UNZIP_PACK, PREFIX_TERMS, PREFIX_NEXT_G, PREFIX_NEXT_P, BIT_UNPACK_TREE, SIGN_BITS_TREE, SIGN_LEAF_TERMS, LANE_PACK, ...FUSED_POND,
    POND_LEAVES, POND_PREFIX_MASK, POND_PREFIX_COMBINE, POND_PREFIX_DEAL, DCF_GEN, DCF_EVAL,
  ];
  assert.equal([...knownKernels()].sort(), [...contract].sort());
  try { inferOutput('Frobnicate', [], {}); assert.unreachable(); } catch (e) { assert.instance(e, NotImplementedError); }
});

test('inferOutput computes shapes and rings without values', () => {
  const t = (shape: number[], r = U64) => ({ shape, ring: r });
  assert.equal(inferOutput('MatMul', [t([5, 1, 2, 3]), t([4, 3, 7])], { transposeA: false, transposeB: false }), t([5, 4, 2, 7]));
  assert.equal(inferOutput('MatMul', [t([3, 2]), t([7, 3])], { transposeA: true, transposeB: true }), t([2, 7]));
  assert.equal(inferOutput('Conv2D', [t([2, 28, 28, 3]), t([5, 5, 3, 8])], { strides: [2, 2], padding: 'same' }), t([2, 14, 14, 8]));
  assert.equal(inferOutput('Conv2D', [t([2, 28, 28, 3]), t([5, 3, 3, 8])], { strides: [1, 2], padding: 'valid' }), t([2, 24, 13, 8]));
  assert.equal(inferOutput('Im2Col', [t([2, 5, 5, 3])], { kernelSize: [3, 3], strides: [1, 1], padding: 'same' }), t([50, 27]));
  assert.equal(inferOutput('Less', [t([2, 1]), t([3])], { signed: true }), t([2, 3], BITS));
  assert.equal(inferOutput('BitDecompose', [t([4])], { modulus: 67 }), t([4, 64], Z67));
  assert.equal(inferOutput('ReduceSum', [t([2, 3, 4])], { axes: [0, 2], keepDims: false }), t([3]));
  assert.equal(inferOutput('Concat', [t([2, 3]), t([2, 5])], { axis: 1 }), t([2, 8]));
  assert.equal(inferOutput('PrgUniform', [], { seed: new Uint8Array(16), nonce: 0n, offset: 0n, shape: [3], dtype: 'u8', modulus: 2 }), t([3], BITS));
  assert.equal(inferOutput('Select', [t([3], BITS), t([2, 1]), t([1])], {}), t([2, 3]));
});

test('binary ops: mismatched shapes and mixed rings name the arguments', () => {
  assertValueError(() => ring.add(x23, ring.zeros([4])), '`a`', '`b`', '[2,3]', '[4]');
  assertValueError(() => ring.mul(x23, ring.zeros([2, 3], Z67)), '`b`', 'u64', 'u8 mod 67');
  assertValueError(() => ring.bitwiseAnd(ring.zeros([2], Z67), ring.zeros([2], Z67)), '`a`', 'u8 mod 67');
  assertValueError(() => ring.add(x23, 3 as never), '`b`', 'RingTensor', 'number');
  assertValueError(() => ring.select(ring.zeros([3]), x23, x23), '`cond`', 'bits');
});

test('matmul: inner dimensions, rank, batch dims', () => {
  const msg = assertValueError(() => ring.matmul(ring.zeros([2, 3]), ring.zeros([4, 2])), '`b`', '3 rows', '`a`', '[4,2]');
  assert.ok(msg.startsWith('`b` must have 3 rows to match `a`\'s 3 columns'), msg);
  assertValueError(() => ring.matmul(ring.zeros([3]), ring.zeros([3, 2])), '`a`', 'rank ≥ 2');
  assertValueError(() => ring.matmul(ring.zeros([2, 2, 3]), ring.zeros([3, 3, 2])), 'batch');
  assertValueError(() => ring.matmul(x23, x23, { transposeA: 'yes' as never }), '`transposeA`', 'boolean');
});

test('conv2d / im2col / col2im argument checks', () => {
  const x = ring.zeros([1, 5, 5, 3]);
  assertValueError(() => ring.conv2d(x, ring.zeros([3, 3, 2, 4])), '`w`', '3 input channels', '[3,3,2,4]');
  assertValueError(() => ring.conv2d(ring.zeros([5, 5, 3]), ring.zeros([3, 3, 3, 4])), '`x`', 'rank 4');
  assertValueError(() => ring.conv2d(x, ring.zeros([3, 3, 3, 4]), { strides: 0 }), '`strides`');
  assertValueError(() => ring.conv2d(x, ring.zeros([3, 3, 3, 4]), { padding: 'full' as never }), '`padding`', "'same'");
  assertValueError(() => ring.conv2d(x, ring.zeros([7, 3, 3, 4]), { padding: 'valid' }), 'larger');
  assertValueError(() => ring.conv2d(ring.zeros([1, 5, 5, 3], Z67), ring.zeros([3, 3, 3, 4], Z67)), '`x`', 'u64');
  assertValueError(() => ring.col2im(ring.zeros([3, 3]), { kernelSize: 3, inputShape: [1, 5, 5, 1] }), '`cols`', '[9,9]');
});

test('layout ops: axes, perms, sizes, indices, paddings', () => {
  assertValueError(() => ring.transpose(x23, [0, 0]), '`perm`', 'permutation');
  assertValueError(() => ring.transpose(x23, [1, 0, 2]), '`perm`', '2 entries');
  assertValueError(() => ring.reshape(x23, [4, 2]), '`shape`', '6');
  assertValueError(() => ring.reshape(x23, [-1, -1]), '`shape`', '-1');
  assertValueError(() => ring.reshape(x23, [-1, 4]), '`shape`', '6 elements');
  assertValueError(() => ring.slice(x23, [0, 2], [1, 2]), 'axis 1', '`begin`');
  assertValueError(() => ring.slice(x23, [0]), '`begin`', '2 entries');
  assertValueError(() => ring.slice(x23, [0, 0], [1, 1], [1, 0]), '`strides`');
  assertValueError(() => ring.concat([x23, ring.zeros([3, 3])], 1), '`xs[1]`', '[3,3]');
  assertValueError(() => ring.concat([x23, ring.zeros([2, 3], BITS)]), '`xs[1]`', 'u8 mod 2');
  assertValueError(() => ring.concat([x23], 2), '`axis`', '[-2, 2)');
  assertValueError(() => ring.concat([]), '`xs`');
  assertValueError(() => ring.pad(x23, [[0, 1]]), '`paddings`');
  assertValueError(() => ring.pad(x23, [[0, 1], [-1, 0]]), '`paddings[1]`');
  assertValueError(() => ring.gather(x23, [0, 3], 1), '`indices`[1]', '[0, 3)');
  assertValueError(() => ring.gather(x23, [0], -3), '`axis`');
  assertValueError(() => ring.tile(x23, [2]), '`reps`');
  assertValueError(() => ring.reduceSum(x23, 2), '`axis`');
  assertValueError(() => ring.reduceSum(x23, [1, -1]), '`axes`', 'repeat');
  assertValueError(() => ring.cumSum(x23, 5), '`axis`');
});

test('bit ops, casts, creation', () => {
  assertValueError(() => ring.shiftLeft(x23, 64), '`bits`', '[0, 63]', '64');
  assertValueError(() => ring.shiftRightArithmetic(ring.zeros([2], Z67), 1), '`x`', 'u64');
  assertValueError(() => ring.bitExtract(x23, -1), '`bit`');
  assertValueError(() => ring.bitDecompose(x23, 300), '`modulus`');
  assertValueError(() => ring.cast(x23, { dtype: 'u8', modulus: 1 }), '`modulus`');
  assertValueError(() => ring.cast(x23, { dtype: 'f32' } as never), '`dtype`');
  assertValueError(() => ring.oneHot(ring.zeros([2], Z67), 3), '`x`', 'u64');
  assertValueError(() => ring.oneHot(ring.zeros([2]), -1), '`depth`');
  assertValueError(() => ring.fromValues([1, 2, 3], [2, 2]), '`values`', '[2,2]');
  assertValueError(() => ring.fromValues([1.5], [1]), '`values`[0]');
  assertValueError(() => ring.fromValues([0, 67], [2], Z67), '`values`[1]', '[0, 67)');
  assertValueError(() => ring.fromBigInts([1n, 2 as never], [2]), '`bigints`[1]');
  assertValueError(() => ring.fill([2, -1], 0n), '`shape`');
  assertValueError(() => ring.uniform(new Uint8Array(8), [2]), '`seed`', '16 bytes');
  assertValueError(() => ring.uniform(new Uint8Array(16), [2], U64, { nonce: -1n }), '`nonce`');
  assertValueError(() => inferOutput('Add', [{ shape: [2], ring: U64 }], {}), 'Add', '2 input');
});

test.run();
