import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ring } from '../../src/kernels/index.js';
import { newSeed } from '../../src/kernels/prg.js';
import { shareFrom } from '../../src/protocols/pond/sharing.js';
import { truncatePrivate } from '../../src/protocols/pond/truncate.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';

const pond = new tfe.Pond();
tfe.setProtocol(pond);
const rt = () => currentRuntime();

/** Secret-shares raw ring values from `input-provider`, truncates by k, and opens the raw result. */
async function truncateRaw(values: BigUint64Array, k: number): Promise<BigUint64Array> {
  const x = shareFrom(pond, rt().upload('input-provider', ring.fromValues(values, [values.length])), 0);
  const y = truncatePrivate(pond, x, k);
  const [a, b] = await Promise.all(y.shares.map((h) => rt().reveal(h)));
  x.dispose();
  y.dispose();
  return ring.add(a, b).values() as BigUint64Array;
}

/** Counts results that are neither floor(x / 2^k) nor floor(x / 2^k) + 1. */
function countBad(xs: BigUint64Array, ys: BigUint64Array, k: number): number {
  let bad = 0;
  for (let i = 0; i < xs.length; i++) {
    const floor = BigInt.asIntN(64, xs[i]) >> BigInt(k);
    const d = BigInt.asIntN(64, ys[i]) - floor;
    if (d !== 0n && d !== 1n) bad++;
  }
  return bad;
}

/** Uniform values in [−2^62, 2^62): uniform u64 shifted right arithmetically by one. */
function uniformInRange(n: number, nonce: bigint): BigUint64Array {
  const u = ring.uniform(newSeed(), [n], { dtype: 'u64' }, { nonce });
  return ring.shiftRightArithmetic(u, 1).values() as BigUint64Array;
}

test('10^7 random truncations over the whole range |x| < 2^62: none off by more than 1 ulp', async () => {
  const n = 1_000_000;
  let bad = 0, total = 0;
  for (let round = 0; round < 10; round++) {
    const xs = uniformInRange(n, BigInt(round));
    const ys = await truncateRaw(xs, 16);
    bad += countBad(xs, ys, 16);
    total += n;
  }
  assert.is(total, 10_000_000);
  assert.is(bad, 0, `${bad} of ${total} truncations were off by more than one unit`);
});

test('edge values: 0, ±1, the range limits, powers of two; other shift amounts', async () => {
  const edges = [0n, 1n, -1n, (1n << 62n) - 1n, -(1n << 62n), 1n << 40n, -(1n << 40n), 65535n, 65536n, -65536n, -65537n];
  const xs = BigUint64Array.from(edges, (v) => BigInt.asUintN(64, v));
  for (const k of [1, 13, 16, 32, 61]) {
    const ys = await truncateRaw(xs, k);
    assert.is(countBad(xs, ys, k), 0, `edge truncation by ${k}`);
  }
});

test('empty tensors truncate to empty tensors', async () => {
  const ys = await truncateRaw(new BigUint64Array(0), 16);
  assert.is(ys.length, 0);
});

test('debug mode names the op when a value exceeds the truncation range', async () => {
  tfe.setDebug(true);
  try {
    // 2^30 · 1.5 at f = 16 is 1.5 · 2^62 in ring units before truncation: out of range.
    const big = BigUint64Array.of(1n << 46n, 5n);
    const x = shareFrom(pond, rt().upload('input-provider', ring.fromValues(big, [2])), 16);
    const y = pond.mul(x, 1.5);
    let error: Error | undefined;
    try { await y.reveal(); } catch (e) { error = e as Error; }
    assert.ok(error instanceof tfe.ProtocolError, `expected a ProtocolError, got ${error}`);
    assert.match(error!.message, /truncate/);
    assert.match(error!.message, /2\^62/);
  } finally {
    tfe.setDebug(false);
  }
});

test.run();
