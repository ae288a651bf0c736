import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ABY3 } from '../../src/protocols/aby3/aby3.js';
import type { ABY3PrivateTensor } from '../../src/protocols/aby3/aby3_tensors.js';
import { truncateShares } from '../../src/protocols/aby3/truncate.js';
import { randomU64 } from './securenn_helpers.js';
import { consistent, measure, openShares, rt, shareRaw } from './aby3_helpers.js';

// ABY3 products of a fresh truncation's result (aby3/truncated_product.ts): the values are the
// ordinary product's (the ring product, then one truncation within 1 ulp, or the exact ring
// product untruncated), and the truncation's resharing round is not waited for.

tfe.setConfig(new tfe.LocalConfig());
const aby3 = new ABY3();
tfe.setProtocol(aby3);

const n = 300;
const signed = (v: bigint) => BigInt.asIntN(64, v);
/** n signed ring values below 2^bits in magnitude, with the edges 0, ±1 and ±(2^bits − 1) first. */
function values(bits: number): BigUint64Array {
  const r = randomU64(n);
  const out = r.map((v) => BigInt.asUintN(64, BigInt.asIntN(64, v) >> BigInt(64 - bits)));
  const top = (1n << BigInt(bits - 1)) - 1n;
  [0n, 1n, -1n, top, -top].forEach((v, i) => { out[i] = BigInt.asUintN(64, v); });
  return out;
}

/** A fresh truncation of raw values x by k bits, labelled `fracBits`, and its exact ring values. */
async function fresh(x: BigUint64Array, k: number, fracBits: number, shape = [n]): Promise<{ y: ABY3PrivateTensor; ring: BigUint64Array }> {
  const y = truncateShares(aby3, (aby3.reshape(shareRaw(aby3, x), shape) as ABY3PrivateTensor).shares, k, fracBits);
  assert.ok(y.truncation, 'a truncation leaves its record');
  return { y, ring: await openShares(y.shares) };
}

/** out = floor(a·b / 2^shift) or one more, elementwise (signed). */
function assertTruncated(out: BigUint64Array, a: ArrayLike<bigint>, b: (i: number) => bigint, shift: number, what: string): void {
  for (let i = 0; i < out.length; i++) {
    const exact = (signed(a[i]) * signed(b(i))) >> BigInt(shift);
    const d = signed(out[i]) - exact;
    assert.ok(d === 0n || d === 1n, `${what} [${i}]: ${signed(out[i])} against ${exact}`);
  }
}

const roundsOf = (c: Record<string, { rounds: number }>) => Math.max(...Object.values(c).map((v) => v.rounds));

test('y·z and z·y for a fresh y: the truncated ring product within 1 ulp, its truncation\'s first round right after y\'s', async () => {
  const { y, ring: Y } = await fresh(values(46), 16, 16);
  const zr = values(30);
  const z = shareRaw(aby3, zr, 16);
  for (const [name, out] of [['y·z', aby3.mul(y, z)], ['z·y', aby3.mul(z, y)]] as const) {
    const got = await openShares((out as ABY3PrivateTensor).shares);
    assertTruncated(got, Y, (i) => zr[i], 16, name);
    assert.ok(await consistent((out as ABY3PrivateTensor).shares), `${name}: replicated shares agree`);
  }
  const xr = values(46);
  const chain = await measure(() => aby3.mul(truncateShares(aby3, shareRaw(aby3, xr).shares, 16, 16), z));
  assert.is(roundsOf(chain), 4, 'input sharing (1), truncation round 1, the product\'s truncation round 1, resharing (5 without the record)');
});

test('untruncated products (an integer factor) are the exact ring product', async () => {
  const { y, ring: Y } = await fresh(values(46), 16, 16);
  const zr = Array.from(values(8)).map((v) => BigInt.asUintN(64, signed(v) >> 4n));
  const z = shareRaw(aby3, BigUint64Array.from(zr), 0);
  const got = await openShares((aby3.mul(y, z) as ABY3PrivateTensor).shares);
  got.forEach((v, i) => assert.is(v, BigInt.asUintN(64, signed(Y[i]) * signed(zr[i])), `[${i}]`));
});

test('y² at k = 16 and at k = 40 (where the 2^(126−2k)·m term survives), within 1 ulp', async () => {
  for (const [k, bits] of [[16, 46], [40, 62]] as const) {
    const { y, ring: Y } = await fresh(values(bits), k, 16);
    const got = await openShares((aby3.square(y) as ABY3PrivateTensor).shares);
    assertTruncated(got, Y, (i) => Y[i], 16, `k = ${k}`);
  }
});

test('z broadcasting to y\'s shape, and two fresh operands (the later record is used)', async () => {
  const { y, ring: Y } = await fresh(values(46), 16, 16, [n / 3, 3]);
  const zr = values(30).slice(0, n / 3);
  const z = aby3.reshape(shareRaw(aby3, zr, 16), [n / 3, 1]) as ABY3PrivateTensor;
  const rounds = roundsOf(await measure(() => aby3.mul(y, z)));
  const got = await openShares((aby3.mul(y, z) as ABY3PrivateTensor).shares);
  assertTruncated(got, Y, (i) => zr[Math.floor(i / 3)], 16, 'broadcast');
  assert.is(rounds, 3, 'the dealt products, the truncation round, the resharing');
  const a = await fresh(values(40), 10, 16), b = await fresh(values(40), 10, 16);
  const ab = await openShares((aby3.mul(a.y, b.y) as ABY3PrivateTensor).shares);
  assertTruncated(ab, a.ring, (i) => b.ring[i], 16, 'two fresh');
});

test('a stale record (handles freed, or a setRandomSeed after it) falls back to the ordinary product, with the same values', async () => {
  const x = values(46);
  const zr = values(30);
  const z = shareRaw(aby3, zr, 16);
  const { y, ring: Y } = await fresh(x, 16, 16);
  rt().free(y.truncation!.dealt[0]);
  const got = await openShares((aby3.mul(y, z) as ABY3PrivateTensor).shares);
  assert.is(y.truncation, undefined, 'the stale record is dropped');
  assertTruncated(got, Y, (i) => zr[i], 16, 'freed');
  const f = await fresh(x, 16, 16);
  tfe.setRandomSeed(7);
  const again = await openShares((aby3.mul(f.y, z) as ABY3PrivateTensor).shares);
  assert.is(f.y.truncation, undefined, 'a reseeded record is dropped');
  assertTruncated(again, f.ring, (i) => zr[i], 16, 'reseeded');
});

test('a chain of truncated squares takes one round per square; a matrix product does not use the record', async () => {
  const x = tfe.definePrivateVariable(Float64Array.from({ length: n }, (_, i) => 0.5 + i / (2 * n)), { shape: [n] });
  const rounds = async (squares: number) => roundsOf(await measure(() => {
    let u = aby3.mul(x, 0.5); // a fresh truncation
    for (let s = 0; s < squares; s++) u = aby3.square(u);
    return u;
  }));
  const [one, four] = [await rounds(1), await rounds(4)];
  assert.is(four - one, 3, `4 squares: ${four} rounds, 1 square: ${one}`);
  const w = tfe.definePrivateVariable(new Float64Array(n * 2).fill(0.25), { shape: [n, 2] });
  const mm = roundsOf(await measure(() => aby3.matmul(aby3.reshape(aby3.mul(x, 0.5), [1, n]), w)));
  assert.is(mm, 4, 'truncation (2) and the matrix product\'s own (2): the record is not used');
});

test.run();
