/**
 * What server2 sees in PrivateCompare must not depend on the secret's bit positions. Two
 * secrets decided at opposite ends (bit 63 vs bit 0) go through PrivateCompare with β = 0, so
 * every element's reconstructed vector has exactly one zero; without the permutation step the
 * zero would sit at position 63 for one secret and 0 for the other. We capture the two
 * tensors server2 receives (the test hook on the in-memory transport), and compare
 * distributions with chi-square tests (thresholds at p ≈ 1e−7).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ring } from '../../src/kernels/index.js';
import { BITS } from '../../src/kernels/dtype.js';
import type { Handle } from '../../src/runtime/api.js';
import { Scratch } from '../../src/protocols/scratch.js';
import { SecureNN, observeHelperView, privateCompare } from '../../src/protocols/securenn/index.js';
import { rt } from './securenn_helpers.js';

const snn = new SecureNN();
tfe.setProtocol(snn);
const P = snn.prime;
const N = 6400;

/** The d0, d1 server2 receives when comparing N copies of x with r (β = 0). */
async function helperView(x: bigint, r: bigint): Promise<{ d0: Uint8Array; d1: Uint8Array }> {
  const t = new Scratch(rt());
  const { s0, s1, cp } = snn;
  const field = { dtype: 'u8' as const, modulus: P };
  const xs = t.track(rt().upload(cp, ring.fromValues(new BigUint64Array(N).fill(x), [N])));
  const bits = t.op(cp, 'BitDecompose', [xs], { modulus: P });
  const [b0cp, b0] = rt().sampleShared([cp, s0], [N, 64], field).map((h) => t.track(h));
  const b1 = t.send(t.op(cp, 'Sub', [bits, b0cp]), s1);
  const rT = ring.fromValues(new BigUint64Array(N).fill(r), [N]);
  const zeros = ring.fromValues(new Uint8Array(N), [N], BITS);
  const rs = [s0, s1].map((pl) => t.track(rt().upload(pl, rT)));
  const beta = [s0, s1].map((pl) => t.track(rt().upload(pl, zeros)));
  let seen: Handle[] = [];
  observeHelperView((d0, d1) => { seen = [d0, d1]; });
  try {
    const out = privateCompare(snn, t, { xBits: [b0, b1], r: [rs[0], rs[1]], beta: [beta[0], beta[1]] }, P);
    const flags = (await rt().reveal(out)).values() as Uint8Array;
    assert.ok(flags.every((f) => f === 1), 'x > r everywhere');
    const [d0, d1] = await Promise.all(seen.map((h) => rt().reveal(h)));
    rt().free(...seen);
    return { d0: d0.values() as Uint8Array, d1: d1.values() as Uint8Array };
  } finally {
    observeHelperView(undefined);
    t.release();
  }
}

/** Two-sample chi-square statistic over k bins (bins empty in both are skipped); returns [stat, dof]. */
function chi2TwoSample(a: number[], b: number[]): [number, number] {
  const na = a.reduce((s, v) => s + v, 0), nb = b.reduce((s, v) => s + v, 0);
  let stat = 0, bins = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] + b[i] === 0) continue;
    bins++;
    const ea = ((a[i] + b[i]) * na) / (na + nb), eb = ((a[i] + b[i]) * nb) / (na + nb);
    stat += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
  }
  return [stat, bins - 1];
}

/** Chi-square uniformity statistic. */
function chi2Uniform(counts: number[]): number {
  const n = counts.reduce((s, v) => s + v, 0), e = n / counts.length;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}

/** A loose upper quantile of chi-square with `dof` degrees of freedom (p ≈ 1e−7). */
const limit = (dof: number) => dof + 10 * Math.sqrt(2 * dof);

function zeroPositions(d0: Uint8Array, d1: Uint8Array): number[] {
  const counts = new Array(64).fill(0);
  for (let e = 0; e < N; e++) for (let i = 0; i < 64; i++) if ((d0[e * 64 + i] + d1[e * 64 + i]) % P === 0) counts[i]++;
  return counts;
}

function valueHistogram(d: Uint8Array, position: number): number[] {
  const counts = new Array(P).fill(0);
  for (let e = 0; e < N; e++) counts[d[e * 64 + position]]++;
  return counts;
}

test('server2\'s view in PrivateCompare is independent of the deciding bit position (top vs bottom bit)', async () => {
  const base = 0x2468_ace0_1357_9bdfn & ~(1n << 63n) & ~1n;
  const viewTop = await helperView(base | (1n << 63n), base); // decided at bit 63
  const viewBottom = await helperView(base | 1n, base); // decided at bit 0
  // One zero per element, at a uniformly random position, for both secrets.
  const zTop = zeroPositions(viewTop.d0, viewTop.d1), zBottom = zeroPositions(viewBottom.d0, viewBottom.d1);
  assert.is(zTop.reduce((s, v) => s + v, 0), N);
  assert.is(zBottom.reduce((s, v) => s + v, 0), N);
  assert.ok(chi2Uniform(zTop) < limit(63), `zero positions (top) not uniform: ${chi2Uniform(zTop)}`);
  assert.ok(chi2Uniform(zBottom) < limit(63), `zero positions (bottom) not uniform: ${chi2Uniform(zBottom)}`);
  const [zs, zdof] = chi2TwoSample(zTop, zBottom);
  assert.ok(zs < limit(zdof), `zero positions differ between secrets: ${zs}`);
  // Each share alone, at the two extreme positions, has the same (uniform) distribution.
  for (const pos of [0, 31, 63]) {
    for (const key of ['d0', 'd1'] as const) {
      const ha = valueHistogram(viewTop[key], pos), hb = valueHistogram(viewBottom[key], pos);
      const [s, dof] = chi2TwoSample(ha, hb);
      assert.ok(s < limit(dof), `${key} at position ${pos} differs between secrets: ${s}`);
      assert.ok(chi2Uniform(ha) < limit(P - 1), `${key} at position ${pos} not uniform: ${chi2Uniform(ha)}`);
    }
  }
});

test('the statistic has power: an unpermuted view (zero always at the deciding bit) is flagged', () => {
  const top = new Array(64).fill(0), bottom = new Array(64).fill(0);
  top[63] = N;
  bottom[0] = N;
  const [s, dof] = chi2TwoSample(top, bottom);
  assert.ok(s > limit(dof), 'detects the leak');
  assert.ok(chi2Uniform(top) > limit(63));
});

test.run();
