/**
 * Native against reference, bit for bit: elementwise, comparison, bit-level and creation
 * kernels on random shapes (0-sized, 1×1, sizes that are not multiples of any block: 17, 33,
 * 65, 130), broadcasting, every ring, with edge values mixed in. Fails when the native
 * backend is missing, unless TFE_ALLOW_NO_NATIVE=1.
 */
import { test } from 'uvu';
import { BITS, U64, type RingSpec } from '../../src/kernels/index.js';
import { BINARY_KERNELS, COMPARE_KERNELS, SHIFT_KERNELS } from '../../src/kernels/kernel_names.js';
import { crossCheck, nativeAvailable, randomSmall, randomTensor } from '../helpers/ring_testing.js';

const RINGS: RingSpec[] = [U64, BITS, { dtype: 'u8', modulus: 67 }, { dtype: 'u8', modulus: 256 }, { dtype: 'u8', modulus: 3 }];
const SHAPES: number[][] = [[], [0], [1], [1, 1], [17], [33, 65], [2, 130], [3, 0, 4], [4, 1, 17]];
/** Pairs of shapes that broadcast. */
const BROADCAST: [number[], number[]][] = [
  [[33, 65], [65]], [[2, 1, 17], [3, 17]], [[1], [130]], [[5, 1], [1, 33]], [[0, 3], [1, 3]], [[], [17, 2]],
];
const name = (r: RingSpec) => (r.dtype === 'u64' ? 'u64' : `u8 mod ${r.modulus}`);

test('the native backend is available (or explicitly allowed to be missing)', () => {
  nativeAvailable();
});

test('binary kernels, same shapes and broadcasting, every ring', () => {
  for (const ring of RINGS) {
    const bitwiseOk = ring.dtype === 'u64' || ring.modulus === 2;
    for (const k of BINARY_KERNELS) {
      if (k.startsWith('Bitwise') && !bitwiseOk) continue;
      for (const s of SHAPES) crossCheck(k, [randomTensor(s, ring), randomTensor(s, ring)], {}, `${name(ring)} ${s}`);
      for (const [sa, sb] of BROADCAST) {
        crossCheck(k, [randomTensor(sa, ring), randomTensor(sb, ring)], {}, `${name(ring)} ${sa}|${sb}`);
        crossCheck(k, [randomTensor(sb, ring), randomTensor(sa, ring)], {}, `${name(ring)} ${sb}|${sa}`);
      }
    }
  }
});

test('comparisons, signed and unsigned, every ring', () => {
  for (const ring of RINGS) for (const k of COMPARE_KERNELS) for (const signed of [false, true]) {
    const a = randomTensor([33, 65], ring);
    crossCheck(k, [a, randomTensor([33, 65], ring)], { signed }, `${name(ring)} signed=${signed}`);
    crossCheck(k, [a, a], { signed }, `${name(ring)} a vs a`);
    for (const [sa, sb] of BROADCAST) crossCheck(k, [randomTensor(sa, ring), randomTensor(sb, ring)], { signed }, `${name(ring)} ${sa}|${sb}`);
  }
});

test('unary kernels and select', () => {
  for (const ring of RINGS) for (const s of SHAPES) {
    crossCheck('Neg', [randomTensor(s, ring)], {}, `${name(ring)} ${s}`);
    if (ring.dtype === 'u64' || ring.modulus === 2) crossCheck('BitwiseNot', [randomTensor(s, ring)], {}, `${name(ring)} ${s}`);
    crossCheck('Select', [randomTensor(s, BITS), randomTensor(s, ring), randomTensor(s, ring)], {}, `${name(ring)} ${s}`);
  }
  for (const [sa, sb] of BROADCAST) {
    crossCheck('Select', [randomTensor(sa, BITS), randomTensor(sb, U64), randomTensor([1], U64)], {}, `${sa}|${sb}`);
    crossCheck('Select', [randomTensor([1], BITS), randomTensor(sa, BITS), randomTensor(sb, BITS)], {}, `${sa}|${sb}`);
  }
});

test('shifts, bit extraction and decomposition', () => {
  for (const s of SHAPES) {
    const x = randomTensor(s);
    for (const k of SHIFT_KERNELS) for (const bits of [0, 1, 7, 31, 32, 33, 62, 63]) crossCheck(k, [x], { bits }, `${s} by ${bits}`);
    for (const bit of [0, 1, 31, 32, 63]) crossCheck('BitExtract', [x], { bit }, `${s} bit ${bit}`);
    for (const modulus of [2, 67, 256]) crossCheck('BitDecompose', [x], { modulus }, `${s} mod ${modulus}`);
  }
});

test('cast between every pair of rings; oneHot; fill', () => {
  for (const from of RINGS) for (const to of RINGS) {
    crossCheck('Cast', [randomTensor([33, 65], from)], { dtype: to.dtype, modulus: to.modulus }, `${name(from)} → ${name(to)}`);
  }
  for (const ring of RINGS) for (const depth of [0, 1, 10, 130]) {
    const attrs = { depth, dtype: ring.dtype, modulus: ring.modulus };
    crossCheck('OneHot', [randomSmall([17, 3], depth + 3)], attrs, `${name(ring)} depth ${depth}`);
    crossCheck('OneHot', [randomTensor([33])], attrs, `${name(ring)} depth ${depth} huge indices`);
  }
  for (const ring of RINGS) for (const value of [0n, 1n, -1n, 66n, 1n << 63n, (1n << 64n) - 1n, 12345678901234567890n]) {
    for (const shape of [[], [0], [17, 3]]) crossCheck('Fill', [], { shape, value, dtype: ring.dtype, modulus: ring.modulus }, `${name(ring)} ${value}`);
  }
});

test.run();
