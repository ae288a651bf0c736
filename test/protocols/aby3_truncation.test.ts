/**
 * ABY3 truncation: exact to one unit in the last place (floor(x / 2^k) or that plus one) for
 * every |x| < 2^62, with no probabilistic large error, on 10^7 random values plus edge values.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { U64 } from '../../src/kernels/dtype.js';
import { ring, newSeed } from '../../src/kernels/index.js';
import { ABY3PrivateTensor } from '../../src/protocols/aby3/aby3_tensors.js';
import { truncateShares } from '../../src/protocols/aby3/truncate.js';
import { openShares, shareRaw } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);

/** Uniform signed values in [−2^62 + 1, 2^62 − 1] (as u64). */
function randomBelow62(n: number): BigUint64Array {
  const raw = ring.uniform(newSeed(), [n], U64, { nonce: 0n }).values() as BigUint64Array;
  const out = new BigUint64Array(n);
  const signed = new BigInt64Array(raw.buffer, raw.byteOffset, n);
  for (let i = 0; i < n; i++) {
    let v = signed[i] >> 1n; // [−2^62, 2^62)
    if (v === -(1n << 62n)) v += 1n;
    out[i] = BigInt.asUintN(64, v);
  }
  return out;
}

/** Count of results other than floor(x/2^k) and floor(x/2^k) + 1. */
function countBad(x: BigUint64Array, y: BigUint64Array, k: number): number {
  const xs = new BigInt64Array(x.buffer, x.byteOffset, x.length);
  const ys = new BigInt64Array(y.buffer, y.byteOffset, y.length);
  const kb = BigInt(k);
  let bad = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = ys[i] - (xs[i] >> kb);
    if (d !== 0n && d !== 1n) bad++;
  }
  return bad;
}

test('10^7 truncations by 16 bits: every result within 1 ulp (no large errors)', async () => {
  const batch = 1_000_000;
  let bad = 0, total = 0;
  for (let b = 0; b < 10; b++) {
    const x = randomBelow62(batch);
    const xt = shareRaw(aby3, x, 32);
    const t = truncateShares(aby3, xt.shares, 16, 16);
    const y = await openShares(t.shares);
    aby3.dispose(t);
    bad += countBad(x, y, 16);
    total += batch;
    xt.dispose();
  }
  assert.is(total, 10_000_000);
  assert.is(bad, 0, `${bad} of ${total} truncations off by more than 1 ulp`);
});

test('edge values and every shift 1..62', async () => {
  const edges = [0n, 1n, -1n, 2n, -2n, (1n << 62n) - 1n, -(1n << 62n) + 1n, (1n << 61n), -(1n << 61n), 65535n, 65536n, -65536n, -65537n, 12345678901234n, -12345678901234n];
  const x = BigUint64Array.from(edges, (v) => BigInt.asUintN(64, v));
  for (const k of [1, 2, 15, 16, 17, 31, 32, 61, 62]) {
    const xt = shareRaw(aby3, x, 0);
    const y = await openShares(truncateShares(aby3, xt.shares, k, 0).shares);
    assert.is(countBad(x, y, k), 0, `shift ${k}`);
  }
  assert.throws(() => truncateShares(aby3, shareRaw(aby3, x).shares, 63, 0), /expected 1\.\.62/);
});

test('a private product truncates once, within 1 ulp of the exact product', async () => {
  const vals = Float64Array.from({ length: 1000 }, (_, i) => (i - 500) * 0.37);
  const x = await tfe.definePrivateInput('input-provider', () => vals);
  const y = await tfe.definePrivateInput('input-provider', () => vals.map((v) => v / 7 + 0.1));
  const z = tfe.mul(x, y) as ABY3PrivateTensor;
  const got = await z.reveal();
  const xv = await x.reveal(), yv = await y.reveal();
  let worst = 0;
  for (let i = 0; i < vals.length; i++) worst = Math.max(worst, Math.abs(got[i] - xv[i] * yv[i]));
  assert.ok(worst <= 2 ** -16, `worst error ${worst}`);
});

test('server2 deals its corrections to server1 and server0 in turn; a seeded run repeats bit for bit', async () => {
  const n = 1000;
  const x = randomBelow62(n);
  const rt = tfe.getRuntime();
  const twice = async () => {
    const ys: BigUint64Array[] = [];
    for (let j = 0; j < 2; j++) {
      const xt = shareRaw(aby3, x, 32);
      const t = truncateShares(aby3, xt.shares, 16, 16);
      ys.push(await openShares(t.shares));
      aby3.dispose(t);
      xt.dispose();
    }
    return ys;
  };
  tfe.setRandomSeed(7);
  await rt.resetCounters();
  const first = await twice();
  const c = await rt.counters();
  for (const y of first) assert.is(countBad(x, y, 16), 0);
  // each truncation: c's two parts and the resharing both ways (16 B per element to each of
  // server0 and server1), and 16 B per element dealt to one of them; here once to each
  assert.ok(c.server1.bytesReceived > 48 * n && c.server0.bytesReceived > 48 * n, JSON.stringify(c));
  assert.is(c.server0.bytesReceived, c.server1.bytesReceived, 'the dealer\'s bytes are split evenly');
  tfe.setRandomSeed(7);
  const again = await twice();
  assert.equal(again.map((y) => [...y]), first.map((y) => [...y]), 'the same masks, so the same last bits');
});

test.run();
