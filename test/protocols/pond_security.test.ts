/**
 * Security sanity for Pond: every message server1 receives during a private matmul must look
 * uniform whatever the secret is. We capture the handles sent to server1 (by wrapping the
 * runtime's `send` in this test), open them, and run chi-square tests on their bytes: against
 * the uniform distribution, and between two very different secrets (all zeros, and one
 * large repeated value). A share or an opened mask that carried plaintext would fail both.
 * Thresholds are at p ≈ 1e-7, so a correct protocol does not flake.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import type { RingTensor } from '../../src/kernels/ring_tensor.js';
import type { Handle, Runtime } from '../../src/runtime/api.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';
import { randomArray } from '../helpers/plain.js';

tfe.setProtocol(new tfe.Pond());
const N = 64;

/** The bytes of every tensor server1 receives while computing secret · y. */
async function server1View(secret: number): Promise<Uint8Array> {
  const rt = currentRuntime() as Runtime & { send: Runtime['send'] };
  const x = await tfe.definePrivateInput('input-provider', () => new Float64Array(N * N).fill(secret), { shape: [N, N] });
  const y = await tfe.definePrivateInput('input-provider', () => randomArray(11, N * N), { shape: [N, N] });
  await rt.flush();
  const captured: Promise<RingTensor>[] = [];
  const original = rt.send.bind(rt);
  rt.send = (h: Handle, to: string) => {
    const out = original(h, to);
    // Queued right behind the receive, before the protocol frees the handle.
    if (to === 'server1') captured.push(rt.reveal(out));
    return out;
  };
  try {
    await tfe.matmul(x, y).reveal();
  } finally {
    rt.send = original;
  }
  const tensors = await Promise.all(captured);
  assert.ok(tensors.length >= 5, `server1 received ${tensors.length} tensors`);
  const bytes = tensors.map((t) => new Uint8Array(t.values().buffer.slice(0)));
  const out = new Uint8Array(bytes.reduce((s, b) => s + b.length, 0));
  let o = 0;
  for (const b of bytes) { out.set(b, o); o += b.length; }
  return out;
}

function histogram(bytes: Uint8Array): number[] {
  const h = new Array(256).fill(0);
  for (const b of bytes) h[b]++;
  return h;
}

/** Chi-square against uniform; 255 degrees of freedom: p = 1e-7 at about 385. */
function chi2Uniform(h: number[]): number {
  const n = h.reduce((s, v) => s + v, 0);
  const e = n / h.length;
  return h.reduce((s, v) => s + (v - e) ** 2 / e, 0);
}

/** Two-sample chi-square with 255 degrees of freedom. */
function chi2TwoSample(a: number[], b: number[]): number {
  const na = a.reduce((s, v) => s + v, 0), nb = b.reduce((s, v) => s + v, 0);
  let stat = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] + b[i] === 0) continue;
    const ea = ((a[i] + b[i]) * na) / (na + nb), eb = ((a[i] + b[i]) * nb) / (na + nb);
    stat += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
  }
  return stat;
}

const LIMIT = 385;

test('what server1 receives in a private matmul is uniform and does not depend on the secret', async () => {
  const zeros = await server1View(0);
  const large = await server1View(1234.5);
  assert.is(zeros.length, large.length, 'the same message sizes for both secrets');
  const hz = histogram(zeros), hl = histogram(large);
  assert.ok(chi2Uniform(hz) < LIMIT, `secret 0: bytes are not uniform (chi2 ${chi2Uniform(hz).toFixed(0)})`);
  assert.ok(chi2Uniform(hl) < LIMIT, `secret 1234.5: bytes are not uniform (chi2 ${chi2Uniform(hl).toFixed(0)})`);
  assert.ok(chi2TwoSample(hz, hl) < LIMIT, `the two views differ (chi2 ${chi2TwoSample(hz, hl).toFixed(0)})`);
});

test('the check has teeth: the plaintext itself fails it', async () => {
  const plain = new Uint8Array(new BigUint64Array(N * N).fill(BigInt(1234.5 * 65536)).buffer);
  assert.ok(chi2Uniform(histogram(plain)) > LIMIT);
});

test.run();
