import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { inferOutput, newSeed, ring, runKernel } from '../../src/kernels/index.js';
import { U64 } from '../../src/kernels/dtype.js';
import { PERMUTE_LAST_AXIS } from '../../src/kernels/kernel_names.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';

const snn = new SecureNN(); // registers the kernels
const field = { dtype: 'u8' as const, modulus: 67 };

test('PermuteLastAxis: a permutation of each row, the same for the same keys, identical on both backends', () => {
  const rows = 500, k = 64;
  const x = ring.fromValues(Uint8Array.from({ length: rows * k }, (_, i) => i % k), [rows, k], field);
  const keys = ring.uniform(newSeed(), [rows, k], U64, { nonce: 0n });
  const a = runKernel(PERMUTE_LAST_AXIS, [x, keys], {}, 'reference').values() as Uint8Array;
  const b = runKernel(PERMUTE_LAST_AXIS, [x, keys], {}, 'native').values() as Uint8Array;
  assert.equal(Array.from(a), Array.from(b), 'reference and native agree byte for byte');
  for (let r = 0; r < rows; r++) assert.equal([...a.slice(r * k, r * k + k)].sort((p, q) => p - q), [...Array(k).keys()], `row ${r} is a permutation`);
  const u64 = ring.fromValues(BigUint64Array.from({ length: rows * k }, (_, i) => BigInt(i % k)), [rows, k]);
  const c = runKernel(PERMUTE_LAST_AXIS, [u64, keys], {}, 'native').values() as BigUint64Array;
  assert.equal(Array.from(c, Number), Array.from(a), 'u64 data moves like u8 data under the same keys');
});

test('PermuteLastAxis: every position is equally likely to receive element 0 (chi-square)', () => {
  const rows = 12800, k = 64;
  const x = ring.fromValues(Uint8Array.from({ length: rows * k }, (_, i) => i % k), [rows, k], field);
  const out = runKernel(PERMUTE_LAST_AXIS, [x, ring.uniform(newSeed(), [rows, k], U64, { nonce: 0n })], {}).values() as Uint8Array;
  const counts = new Array(k).fill(0);
  for (let r = 0; r < rows; r++) counts[out.subarray(r * k, r * k + k).indexOf(0)]++;
  const e = rows / k;
  const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
  assert.ok(chi2 < 63 + 10 * Math.sqrt(126), `chi-square ${chi2}`);
});

test('PermuteLastAxis shape inference validates keys', () => {
  assert.equal(inferOutput(PERMUTE_LAST_AXIS, [{ shape: [3, 64], ring: field }, { shape: [3, 64], ring: U64 }]), { shape: [3, 64], ring: field });
  assert.throws(() => inferOutput(PERMUTE_LAST_AXIS, [{ shape: [3, 64], ring: field }, { shape: [3, 63], ring: U64 }]), (e: Error) => e instanceof tfe.ValueError);
  assert.throws(() => inferOutput(PERMUTE_LAST_AXIS, [{ shape: [3, 64], ring: field }, { shape: [3, 64], ring: field }]), (e: Error) => e instanceof tfe.ValueError);
  assert.throws(() => inferOutput(PERMUTE_LAST_AXIS, [{ shape: [3, 64], ring: field }]), (e: Error) => e instanceof tfe.ValueError);
});

test('layers find SecureNN\'s exact ops through its typed capability', async () => {
  tfe.setProtocol(snn);
  const ex = snn.capabilities.exactComparison;
  assert.ok(ex, 'exact ops available');
  const x = await tfe.definePrivateInput('input-provider', () => [1, -2, 3, 3, 0, -1, 5, 2], { shape: [1, 2, 2, 2] });
  const { y, mask } = ex!.maxPool2dWithArgmax(x, { poolSize: 2 });
  assert.equal(Array.from(await y.reveal()), [5, 3]);
  assert.equal(mask!.shape, [1, 1, 1, 4, 2]);
  assert.equal(Array.from(await mask!.reveal()), [0, 0, 0, 1, 0, 0, 1, 0]);
  assert.equal(Array.from(await ex!.argmaxOneHot(tfe.reshape(x, [2, 4]), 1).reveal()), [0, 0, 1, 0, 0, 0, 1, 0]);
  assert.equal(Array.from(await ex!.reluDerivative(x).reveal()), [1, 0, 1, 1, 1, 0, 1, 1]);
  assert.equal(Array.from(await ex!.reduceMax(x, 3).reveal()), [1, 3, 0, 5]);
});

test.run();
