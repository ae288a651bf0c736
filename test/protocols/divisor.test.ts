/** The shared plan for division by public values (Pond and ABY3 both carry it out). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { divisorPlan, RECIPROCAL_BITS } from '../../src/protocols/generic/divisor.js';

test('powers of two are an exact shift, negated for negative divisors', () => {
  assert.equal(divisorPlan({ values: Float64Array.of(-4), shape: [] }), { kind: 'shift', bits: 2, negate: true });
  assert.equal(divisorPlan({ values: Float64Array.of(1, 1), shape: [2] }), { kind: 'shift', bits: 0, negate: false });
});

test('other divisors get integer reciprocals keeping RECIPROCAL_BITS + 1 significant bits', () => {
  const plan = divisorPlan({ values: Float64Array.of(3, -7), shape: [2] });
  assert.is(plan.kind, 'reciprocal');
  if (plan.kind !== 'reciprocal') return;
  assert.is(plan.bits, Math.ceil(RECIPROCAL_BITS + Math.log2(7)));
  assert.equal(Array.from(plan.reciprocals), [Math.round(2 ** plan.bits / 3), Math.round(2 ** plan.bits / -7)]);
  assert.throws(() => divisorPlan({ values: Float64Array.of(1, 0), shape: [2] }), /finite and non-zero, got 0/);
  assert.throws(() => divisorPlan({ values: Float64Array.of(NaN), shape: [] }), /finite and non-zero/);
});

test('a divisor array of 300,000 values plans without a stack overflow, and divides correctly', async () => {
  const n = 300_000;
  const c = Float64Array.from({ length: n }, (_, i) => 1 + (i % 97));
  const plan = divisorPlan({ values: c, shape: [n] });
  assert.is(plan.kind, 'reciprocal');
  tfe.setProtocol(new tfe.Pond());
  const x = await tfe.definePrivateInput('data-owner', () => Float64Array.from({ length: n }, (_, i) => (i % 13) - 6), { shape: [n] });
  const got = await tfe.div(x, c).reveal();
  for (let i = 0; i < n; i += 997) assert.ok(Math.abs(got[i] - ((i % 13) - 6) / c[i]) <= 2 ** -15, `element ${i}`);
});

test.run();
