/**
 * What one ABY3 server sees: its two shares of a secret are uniform whatever the secret (here
 * all zeros, the easiest to leak), fresh on every sharing, and the dealer of the truncation
 * (server2) receives nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import type { ABY3PrivateTensor, ReplicatedShares } from '../../src/protocols/aby3/aby3_tensors.js';
import { truncateShares } from '../../src/protocols/aby3/truncate.js';
import { measure, rt } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const n = 10_000;

/** Fraction of one bits over every share a server holds. */
async function oneBits(shares: ReplicatedShares, server: number): Promise<number> {
  let ones = 0, total = 0;
  for (const h of shares[server]) {
    const v = (await rt().reveal(h)).values() as BigUint64Array;
    for (const w of v) {
      let x = w;
      while (x) { ones += Number(x & 1n); x >>= 1n; }
      total += 64;
    }
  }
  return ones / total;
}

test('a server\'s shares of an all-zero secret are uniform bits (input, product, truncation, comparison)', async () => {
  const zero = await tfe.definePrivateInput('input-provider', () => new Float64Array(n));
  const y = await tfe.definePrivateInput('input-provider', () => new Float64Array(n).fill(3));
  const cases: [string, ReplicatedShares][] = [
    ['input', (zero as ABY3PrivateTensor).shares],
    ['product', (tfe.mul(zero, y) as ABY3PrivateTensor).shares],
    ['product of a fresh truncation (its record, no resharing waited for)', (tfe.mul(tfe.mul(zero, 0.5), y) as ABY3PrivateTensor).shares],
    ['square of a fresh truncation', (tfe.square(tfe.mul(zero, 0.5)) as ABY3PrivateTensor).shares],
    ['truncation', truncateShares(aby3, (zero as ABY3PrivateTensor).shares, 16, 16).shares],
    ['comparison', (aby3.isNegative(y) as ABY3PrivateTensor).shares],
  ];
  for (const [what, shares] of cases) {
    for (let s = 0; s < 3; s++) {
      const f = await oneBits(shares, s);
      // 1.28e6 bits: a uniform share is within 0.005 of 1/2 except with probability < 1e-40
      assert.ok(Math.abs(f - 0.5) < 0.005, `${what}: server${s}'s shares have ${f} ones`);
    }
  }
});

test('sharing the same value twice gives unrelated shares', async () => {
  const a = await tfe.definePrivateInput('input-provider', () => new Float64Array(64).fill(1));
  const b = await tfe.definePrivateInput('input-provider', () => new Float64Array(64).fill(1));
  for (let s = 0; s < 3; s++) {
    const [va, vb] = await Promise.all([rt().reveal((a as ABY3PrivateTensor).shares[s][0]), rt().reveal((b as ABY3PrivateTensor).shares[s][0])]);
    const x = va.values(), z = vb.values();
    let same = 0;
    for (let i = 0; i < x.length; i++) if (x[i] === z[i]) same++;
    assert.is(same, 0, `server${s}`);
  }
});

test('the truncation dealer (server2) receives nothing; the input owner sends one share only', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => new Float64Array(100).fill(2));
  const c = await measure(() => tfe.mul(x, x));
  const received = (await rt().counters()).server2.messagesReceived;
  assert.is(received, 0);
  assert.is(c.server2.rounds, 1);
  await rt().resetCounters();
  await tfe.definePrivateInput('input-provider', () => new Float64Array(100).fill(2));
  await rt().flush();
  const counters = await rt().counters();
  assert.is(counters['input-provider'].messagesSent, 1, 'one share leaves the owner (the other comes from a seed)');
});

test.run();
