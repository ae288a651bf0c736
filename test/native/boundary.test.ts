/** The addon rejects bad arguments with a TypeError naming the argument, never a crash. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBinding } from '../../src/kernels/native/binding.js';

const nb = loadBinding() as any;
const u = (n: number) => new BigUint64Array(n);

function rejects(f: () => unknown, pattern: RegExp) {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  assert.instance(err, TypeError);
  assert.match((err as Error).message, pattern);
}

test('wrong element types', () => {
  rejects(() => nb.binary(0, new Float64Array(2), u(2), [2], [1], [1], 0, false), /`a` must be a BigUint64Array or Uint8Array/);
  rejects(() => nb.binary(0, u(2), new Uint8Array(2), [2], [1], [1], 0, false), /same element type/);
  rejects(() => nb.shift(0, new Uint8Array(2), 1), /`x` must be a BigUint64Array/);
  rejects(() => nb.matmul([1n], u(1), [], [], [], 1, 1, 1, false, false, 0, false), /`a` must be/);
});

test('wrong scalars', () => {
  rejects(() => nb.binary(9, u(2), u(2), [2], [1], [1], 0, false), /`op` must be an integer in \[0, 5\]/);
  rejects(() => nb.shift(0, u(2), 64), /`bits` must be an integer in \[0, 63\]/);
  rejects(() => nb.binary(0, u(2), u(2), [2], [1], [1], 0, 'yes'), /`async` must be a boolean/);
  rejects(() => nb.binary(0, new Uint8Array(2), new Uint8Array(2), [2], [1], [1], 1, false), /`modulus`/);
  rejects(() => nb.binary(0, u(2), u(2), 'x', [1], [1], 0, false), /`outShape` must be an array of integers/);
});

test('lengths and strides that reach outside the inputs', () => {
  rejects(() => nb.binary(0, u(2), u(3), [3], [1], [1], 0, false), /outside/);
  rejects(() => nb.stridedCopy(u(4), 0, [1], u(8), 4, [1], [5]), /outside/);
  rejects(() => nb.matmul(u(5), u(6), [], [], [], 2, 3, 2, false, false, 0, false), /shorter than its shape/);
  rejects(() => nb.conv2d(u(10), u(9), 1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 3, 3, false), /`x` must have 9 elements/);
  rejects(() => nb.gather(u(6), 2, 3, 1, [0, 3]), /`indices` out of range/);
  rejects(() => nb.reduceSum(u(6), [2, 3], [3, 1], 2, 0), /reach outside/);
});

test('PRG arguments', () => {
  rejects(() => nb.prgUniform(new Uint8Array(15), 0n, 0n, 4, 0, false), /`seed` must have 16 elements/);
  rejects(() => nb.prgUniform(new Uint8Array(16), 0, 0n, 4, 0, false), /bigints/);
  rejects(() => nb.prgUniform(new Uint8Array(16), 1n << 64n, 0n, 4, 0, false), /\[0, 2\^64\)/);
  rejects(() => nb.prgUniform(new Uint8Array(16), 0n, 0n, 4, 1, false), /`modulus`/);
});

test('the addon still works after rejecting', () => {
  const c = nb.binary(0, new BigUint64Array([1n, 2n]), new BigUint64Array([3n, 4n]), [2], [1], [1], 0, false);
  assert.equal([...c], [4n, 6n]);
});

test.run();
