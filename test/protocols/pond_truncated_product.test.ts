import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import type { Pond } from '../../src/protocols/pond/pond.js';
import type { PondPrivateTensor } from '../../src/protocols/pond/pond_tensors.js';
import { currentRuntime } from '../../src/protocols/runtime_link.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { randomArray } from '../helpers/plain.js';

// Products of a fresh truncation's result (truncated_product.ts): the values are the ones an
// ordinary Beaver product gives (the ring product, then one truncation within 1 ulp), in one
// round fewer.

const n = 500;
const xs = Float64Array.from(randomArray(31, n, -3, 3));
xs.set([0, 2 ** -16, -(2 ** -16), 3, -3]);
const zs = Float64Array.from(randomArray(32, n, -3, 3));
zs.set([1, -1, 0, -3, 3]);

/** The ring values of a private tensor (its fixed-point integers), revealed. */
async function ringValues(p: Pond, t: tfe.TfeTensor): Promise<Float64Array> {
  return Float64Array.from(await p.withScale(t, 0).reveal());
}

/** Runs `f` once to warm the seeds, then again counting rounds. */
async function withRounds(f: () => tfe.TfeTensor): Promise<{ rounds: number }> {
  const rt = currentRuntime();
  await f().reveal();
  await rt.resetCounters();
  const t = f();
  await t.reveal();
  const rounds = Math.max(...Object.values(await rt.counters()).map((c) => c.rounds));
  return { rounds };
}

/** Asserts out = floor(a·b / 2^shift) or one more, elementwise on ring values. */
function assertTruncatedProduct(out: Float64Array, a: Float64Array, b: Float64Array, shift: number, what: string): void {
  for (let i = 0; i < out.length; i++) {
    const exact = Math.floor((a[i] * b[i]) / 2 ** shift);
    const d = out[i] - exact;
    assert.ok(d === 0 || d === 1, `${what}: element ${i}: ${out[i]}, floor is ${exact}`);
  }
}

for (const make of [() => new tfe.Pond(), () => new SecureNN()]) {
  const name = make().name;

  test(`${name}: y·z with y fresh from a truncation: 3 rounds for (x·x)·z (4 before), the ring product truncated within 1 ulp`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const x = await tfe.definePrivateInput('input-provider', () => xs, { shape: [n] });
    const z = await tfe.definePrivateInput('input-provider', () => zs, { shape: [n] });
    const y = p.mul(x, x);
    assert.ok((y as PondPrivateTensor).truncation, 'a truncation leaves its record');
    const { rounds } = await withRounds(() => p.mul(p.mul(x, x), z));
    assert.is(rounds, 3);
    assertTruncatedProduct(await ringValues(p, p.mul(y, z)), await ringValues(p, y), await ringValues(p, z), 16, 'y·z');
    // the other order takes the same path
    assertTruncatedProduct(await ringValues(p, p.mul(z, y)), await ringValues(p, z), await ringValues(p, y), 16, 'z·y');
  });

  test(`${name}: y² with y fresh from a truncation needs no round of its own, for k ≤ 31 and k > 31`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const x = await tfe.definePrivateInput('input-provider', () => xs, { shape: [n] });
    const z = await tfe.definePrivateInput('input-provider', () => zs, { shape: [n] });
    const { rounds } = await withRounds(() => p.square(p.mul(x, z)));
    assert.is(rounds, 3, 'product, its truncation, the square\'s truncation');
    const y = p.mul(x, z);
    assertTruncatedProduct(await ringValues(p, p.square(y)), await ringValues(p, y), await ringValues(p, y), 16, 'y² (k = 16)');
    // k = 40: x·z·x at scale 48, truncated to scale 8, then squared (the 2^(126−2k)·m term counts)
    const fp = p.capabilities.fixedPoint!;
    const raw = fp.withScale(p.mul(fp.withScale(p.mul(fp.withScale(x, 0), fp.withScale(z, 0)), 0), fp.withScale(x, 0)), 48);
    const y8 = fp.rescaleTo(raw, 8);
    assert.is((y8 as PondPrivateTensor).truncation?.k, 40);
    const sq = p.square(y8); // scale 16: the product's 16 bits truncated by 8
    const yv = await ringValues(p, y8);
    assertTruncatedProduct(await ringValues(p, sq), yv, yv, 8, 'y² (k = 40)');
  });

  test(`${name}: a public addend or subtraction keeps the record (Newton's 2 − x·y): (2 − x·x)·z in 3 rounds, and nested shifts and squares stay exact`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const x = await tfe.definePrivateInput('input-provider', () => xs, { shape: [n] });
    const z = await tfe.definePrivateInput('input-provider', () => zs, { shape: [n] });
    const { rounds } = await withRounds(() => p.mul(p.sub(2, p.mul(x, x)), z));
    assert.is(rounds, 3);
    const y = p.mul(x, x);
    const shifted = [p.sub(2, y), p.sub(y, 1.5), p.add(p.sub(y, 0.5), 1), p.sub(2, p.sub(1, y))];
    for (const [k, v] of shifted.entries()) {
      assert.ok((v as PondPrivateTensor).truncation, `shift ${k} keeps the record`);
      const vv = await ringValues(p, v);
      assertTruncatedProduct(await ringValues(p, p.mul(v, z)), vv, await ringValues(p, z), 16, `shift ${k}: v·z`);
      assertTruncatedProduct(await ringValues(p, p.square(v)), vv, vv, 16, `shift ${k}: v²`);
    }
  });

  test(`${name}: a stale record (its handles freed) falls back to the ordinary product, with the same values`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const x = await tfe.definePrivateInput('input-provider', () => xs, { shape: [n] });
    const z = await tfe.definePrivateInput('input-provider', () => zs, { shape: [n] });
    const rt = currentRuntime();
    await p.mul(p.mul(x, x), z).reveal(); // warm the seeds
    await rt.resetCounters();
    const y = p.mul(x, x) as PondPrivateTensor;
    rt.free(...y.truncation!.dealt);
    const out = p.mul(y, z);
    assert.is(y.truncation, undefined, 'the stale record is dropped');
    const got = await ringValues(p, out);
    const rounds = Math.max(...Object.values(await rt.counters()).map((c) => c.rounds));
    assert.is(rounds, 4);
    assertTruncatedProduct(got, await ringValues(p, y), await ringValues(p, z), 16, 'fallback y·z');
  });
}

test.run();
