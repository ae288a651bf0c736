import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { measure } from '../helpers/counters.js';
import { ring } from '../../src/kernels/index.js';
import { msb } from '../../src/protocols/pond/compare.js';
import { polynomial } from '../../src/protocols/pond/nonlinear.js';
import { tensorMessageBytes } from '../../src/runtime/wire/codec.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';
import { randomArray } from '../helpers/plain.js';

tfe.setProtocol(new tfe.Pond({ fss: false })); // the polynomial sigmoid's rounds (the spline's: pond_fss.test.ts)

/** Pairwise seeds are exchanged once per session, on first use: do that before measuring. */
async function warmSeeds(): Promise<void> {
  const a = await tfe.definePrivateInput('input-provider', () => [1, 2], { shape: [2] });
  await tfe.mul(a, a).reveal();
  await tfe.mul(a, tfe.definePrivateVariable([3, 4])).reveal();
}

/** Bytes on the wire of one message from `sender` carrying a u64 tensor of `shape`. */
const msg = (sender: string, shape: number[]) => tensorMessageBytes(sender, ring.zeros(shape));


test('a private × private matmul sends exactly what the protocol says', async () => {
  await warmSeeds();
  const [m, k, n] = [7, 5, 3];
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(1, m * k), { shape: [m, k] });
  const y = await tfe.definePrivateInput('input-provider', () => randomArray(2, k * n), { shape: [k, n] });
  const c = await measure(() => tfe.matmul(x, y));
  // Masking x and y: each server sends its alpha share of both (m×k, k×n).
  // Triple: the producer sends c1 (m×n) to server1.
  // Truncation: the producer sends t1 and m1 (m×n each) to server1 in one message; each server
  // sends its share of c (m×n).
  const s0 = msg('server0', [m, k]) + msg('server0', [k, n]) + msg('server0', [m, n]);
  const s1 = msg('server1', [m, k]) + msg('server1', [k, n]) + msg('server1', [m, n]);
  const s2 = msg('server2', [m, n]) + msg('server2', [2 * m * n]);
  assert.is(c.server0.bytesSent, s0, 'server0 bytes');
  assert.is(c.server1.bytesSent, s1, 'server1 bytes');
  assert.is(c.server2.bytesSent, s2, 'server2 bytes');
  assert.is(c.server0.messagesSent + c.server1.messagesSent + c.server2.messagesSent, 8);
  // Rounds: one to open both masks together, one for the truncation; the producer never waits.
  assert.is(c.server0.rounds, 2, 'server0 rounds');
  assert.is(c.server1.rounds, 2, 'server1 rounds');
  assert.is(c.server2.rounds, 1, 'producer rounds');
  // Payload alone: 8·(2mk + 2kn + 5mn) bytes.
  const payload = 8 * (2 * m * k + 2 * k * n + 5 * m * n);
  const headers = 6 * msg('server0', [0, 0]) + msg('server2', [0, 0]) + msg('server2', [0]);
  assert.is(c.server0.bytesSent + c.server1.bytesSent + c.server2.bytesSent, payload + headers, 'payload plus one header per message');
});

test('a masked operand is not opened again: products with cached weights send only the new mask', async () => {
  const [m, k, n] = [4, 6, 2];
  const w = tfe.cache(tfe.definePrivateVariable(randomArray(3, k * n), { shape: [k, n] }));
  await currentRuntime().flush();
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(4, m * k), { shape: [m, k] });
  const c = await measure(() => tfe.matmul(x, w));
  const s0 = msg('server0', [m, k]) + msg('server0', [m, n]);
  assert.is(c.server0.bytesSent, s0, 'server0 sends alpha of x and its truncation share only');
});

test('public operands cost no triple: a private × public matmul sends truncation traffic only', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(5, 12), { shape: [3, 4] });
  const c = await measure(() => tfe.matmul(x, tfe.defineConstant(randomArray(6, 8), { shape: [4, 2] })));
  assert.is(c.server0.bytesSent, msg('server0', [3, 2]));
  assert.is(c.server2.bytesSent, msg('server2', [2 * 3 * 2]));
});

test('a public integer factor is local: no communication at all', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(7, 10), { shape: [10] });
  const c = await measure(() => tfe.mul(x, 3));
  assert.is(c.server0.bytesSent + c.server1.bytesSent + c.server2.bytesSent, 0);
});

test('the exact comparison takes 8 rounds', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(8, 16), { shape: [16] });
  const c = await measure(() => msb(currentRuntime() && (tfe.getProtocol() as tfe.Pond), x as tfe.PondPrivateTensor));
  assert.is(c.server0.rounds, 8);
  assert.is(c.server1.rounds, 8);
});

test('a degree-9 polynomial takes its 4 product levels in 9 rounds, and sigmoid runs it alongside its comparisons', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(10, 64).map((v) => v / 4), { shape: [64] });
  // x, x^3, x^5, x^7, x^9: levels {x²}, {x³, x⁴}, {x⁵, x⁷, x⁸}, {x⁹}; each a product and its
  // truncation (2 rounds), then the weighted sum's truncation. One by one it took 13 rounds.
  const c = await measure(() => polynomial(tfe.getProtocol() as tfe.Pond, x, [0.5, 0.25, 0, -0.02, 0, 0.001, 0, -3e-5, 0, 4e-7]));
  assert.is(c.server0.rounds, 9);
  assert.is(c.server1.rounds, 9);
  // sigmoid: the comparisons with the interval's ends (8 rounds) alongside the polynomial on x
  // itself (9: no scaling round, see evaluationPlan), then the selection of the ends, whose
  // product opens nothing of the polynomial (fresh from its truncation, truncated_product.ts)
  // and the comparison bit's mask in the polynomial's last round: 9 rounds, 20 one after the
  // other. (A fresh input: x's Beaver mask from the polynomial above would make its square
  // local and save a round.)
  const fresh = await tfe.definePrivateInput('input-provider', () => randomArray(11, 64).map((v) => v / 4), { shape: [64] });
  const sig = await measure(() => tfe.sigmoid(fresh));
  assert.is(sig.server0.rounds, 9);
  assert.is(sig.server1.rounds, 9);
});

test('the exact comparison sends what its bit-packed circuit says (about 100 bytes per element)', async () => {
  const n = 1000;
  const x = await tfe.definePrivateInput('input-provider', () => randomArray(9, n), { shape: [n] });
  const c = await measure(() => msb(tfe.getProtocol() as tfe.Pond, x as tfe.PondPrivateTensor));
  const words = [n];
  for (let level = 1; level <= 6; level++) words.push(Math.ceil(words[level - 1] / 2));
  const levels = words.slice(1);
  // Each server: c = x + r (n words), then per level one message with the masked odd e and the
  // masked operands (two, one at the last level), then v = b ⊕ s (one word per 64 elements).
  const server = (sender: string) => msg(sender, [n])
    + levels.reduce((sum, m, i) => sum + msg(sender, [(i === 5 ? 2 : 3) * m]), 0) + msg(sender, [words[6]]);
  // The producer: r's bits and the daBits' arithmetic shares (n words each), one message of the
  // AND triples' products per level, and the daBits' packed XOR shares, all to server1.
  const producer = 2 * msg('server2', [n]) + levels.reduce((sum, m, i) => sum + msg('server2', [(i === 5 ? 1 : 2) * m]), 0)
    + msg('server2', [words[6]]);
  assert.is(c.server0.bytesSent, server('server0'), 'server0 bytes');
  assert.is(c.server1.bytesSent, server('server1'), 'server1 bytes');
  assert.is(c.server2.bytesSent, producer, 'server2 bytes');
  const perElement = (c.server0.bytesSent + c.server1.bytesSent + c.server2.bytesSent) / n;
  assert.ok(perElement < 110, `${perElement.toFixed(1)} bytes per element`);
});

test.run();
