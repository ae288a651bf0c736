import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { productTo } from '../../src/protocols/generic/product_to.js';
import { exp, expNonPositive, invSqrt, scaleBy, scaledProduct, scaledSum, invSqrtPlan, log, polynomialOnInterval, reciprocal, reciprocalPlan, scaledReciprocal, softmax, softplusApprox } from '../../src/protocols/generic/index.js';
import { chebyshevFit, maxErrorOnInterval } from '../../src/protocols/approximations/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { ABY3 } from '../../src/protocols/aby3/index.js';
import { randomArray } from '../helpers/plain.js';

const ULP = 2 ** -16;

async function priv(values: Float64Array, shape = [values.length]) {
  return tfe.definePrivateInput('input-provider', () => values, { shape });
}

/** Reveals `f()` after a counter reset: its values and its rounds (the most of any player). */
async function revealWithRounds(f: () => tfe.TfeTensor): Promise<{ got: Float64Array; rounds: number }> {
  const rt = tfe.getRuntime();
  await rt.resetCounters();
  const got = await f().reveal();
  return { got, rounds: Math.max(...Object.values(await rt.counters()).map((c) => c.rounds)) };
}

test('reciprocal: documented relative error; scaled form for wide intervals', async () => {
  tfe.setProtocol(new tfe.Pond());
  for (const iv of [[1, 10], [0.5, 2], [10, 10 * Math.exp(8)]] as [number, number][]) {
    const plan = reciprocalPlan({ interval: iv });
    assert.ok(plan.maxRelativeError <= 1e-4, 'float bound');
    const xs = Float64Array.from(randomArray(1, 200, 0, 1), (u) => iv[0] * (iv[1] / iv[0]) ** u);
    xs[0] = iv[0]; xs[1] = iv[1];
    const { y, shift } = scaledReciprocal(tfe.getProtocol(), await priv(xs), { interval: iv });
    const got = (await y.reveal()).map((v) => v * 2 ** -shift);
    // relative error: the float bound, the rounding of x·2^−shift (ulp/(2x')) and ~1 ulp of y per step
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const xsc = xs[i] * 2 ** -shift;
      const allowed = 1e-4 + ULP / xsc + (reciprocalPlan({ interval: [iv[0] * 2 ** -shift, iv[1] * 2 ** -shift] }).iterations + 2) * ULP * xsc;
      worst = Math.max(worst, Math.abs(got[i] * xs[i] - 1) / allowed);
    }
    assert.ok(worst <= 1, `[${iv}] error exceeds the bound (ratio ${worst})`);
    if (shift === 0) {
      const direct = await reciprocal(tfe.getProtocol(), await priv(xs), plan).reveal();
      assert.ok(direct.every((v, i) => Math.abs(v * xs[i] - 1) <= 1e-3));
    }
  }
});

test('polynomialOnInterval: the powers of x itself where the ring has room, the same values in fewer rounds (ABY3; no more on Pond and SecureNN, whose truncated t feeds its products in its own round)', async () => {
  const fn = (v: number) => 1 / Math.sqrt(v);
  const fit = chebyshevFit(fn, { interval: [1, 4], degree: 5 });
  const floatError = maxErrorOnInterval(fn, fit);
  const xs = Float64Array.from(randomArray(21, 200, 1, 4));
  xs.set([1, 4, 2.5]);
  for (const p of [new tfe.Pond(), new SecureNN(), new ABY3()]) {
    tfe.setProtocol(p);
    const x = await priv(xs);
    const direct = await revealWithRounds(() => polynomialOnInterval(p, x, fit));
    const scaled = await revealWithRounds(() => p.polynomial(scaleBy(p, p.sub(x, 2.5), 1 / 1.5), fit.coefficients));
    xs.forEach((v, i) => {
      assert.ok(Math.abs(direct.got[i] - fn(v)) <= floatError + 8 * ULP, `${p.name}: p(${v}) = ${direct.got[i]}`);
      assert.ok(Math.abs(direct.got[i] - scaled.got[i]) <= 8 * ULP, `${p.name}: direct ${direct.got[i]} vs scaled ${scaled.got[i]}`);
    });
    // Pond and SecureNN multiply a fresh truncation's result without opening it again
    // (truncated_product.ts), so t's truncation costs the scaled path no round there
    if (p instanceof ABY3) assert.ok(direct.rounds < scaled.rounds, `${p.name}: ${direct.rounds} rounds, scaled ${scaled.rounds}`);
    else assert.ok(direct.rounds <= scaled.rounds, `${p.name}: ${direct.rounds} rounds, scaled ${scaled.rounds}`);
  }
});

test('public inputs: log, reciprocal and 1/√x on their intervals match float64 (their polynomials keep fine coefficients), and a bad coefficientBits is a ValueError', async () => {
  for (const p of [new tfe.Pond(), new ABY3()]) {
    tfe.setProtocol(p);
    const xs = [1, 2.5, 7, 10];
    const lg = await log(p, p.defineConstant(xs), [1, 10]).reveal();
    xs.forEach((v, i) => assert.ok(Math.abs(lg[i] - Math.log(v)) <= 2e-3, `${p.name}: log(${v}) = ${lg[i]}`));
    const wide = [1, 13, 50, 100];
    const r = await reciprocal(p, p.defineConstant(wide), { interval: [1, 100] }).reveal();
    wide.forEach((v, i) => assert.ok(Math.abs(r[i] * v - 1) <= 2e-3, `${p.name}: 1/${v} = ${r[i]}`));
    const s = await invSqrt(p, p.defineConstant(wide.slice(0, 3)), { interval: [1, 50] }).reveal();
    wide.slice(0, 3).forEach((v, i) => assert.ok(Math.abs(s[i] * Math.sqrt(v) - 1) <= 2e-3, `${p.name}: 1/√${v} = ${s[i]}`));
    for (const g of [15, 45, 20.5]) {
      assert.throws(() => p.polynomial(p.defineConstant([1]), [1, 2], g), (e: Error) => e instanceof tfe.ValueError && /coefficientBits/.test(e.message), `${p.name}: g = ${g}`);
    }
  }
});

test('reciprocal near the fused step\'s limit (lo = 2^-9) and past it (lo = 2^-12, two truncations): debug range checks pass, error ≤ 1e-3', async () => {
  const { setDebug } = await import('../../src/protocols/index.js');
  tfe.setProtocol(new tfe.Pond());
  setDebug(true); // every value before a truncation is revealed and checked against 2^62
  try {
    for (const iv of [[2 ** -9, 2 ** -6], [2 ** -12, 2 ** -10]] as [number, number][]) {
      // exact fixed-point inputs, so the expected value is 1/x itself
      const xs = Float64Array.from(randomArray(13, 60, 0, 1), (u) => Math.round((iv[0] + u * (iv[1] - iv[0])) * 2 ** 16) / 2 ** 16);
      xs.set([iv[0], iv[1]]);
      const got = await reciprocal(tfe.getProtocol(), await priv(xs), { interval: iv }).reveal();
      got.forEach((v, i) => assert.ok(Math.abs(v * xs[i] - 1) <= 1e-3, `[${iv}] 1/${xs[i]} = ${v}`));
    }
    await tfe.getRuntime().flush();
  } finally {
    setDebug(false);
  }
});

test('a reciprocal Newton step takes 2 rounds on every protocol (a product of the fresh y needs no opening of y, nor on ABY3 its resharing)', async () => {
  const xs = Float64Array.from(randomArray(6, 100, 1, 10));
  xs.set([1, 10]);
  for (const p of [new tfe.Pond(), new SecureNN(), new ABY3()]) {
    tfe.setProtocol(p);
    const x = await priv(xs);
    const plan = reciprocalPlan({ interval: [1, 10] });
    const run = (iterations: number) => revealWithRounds(() => reciprocal(p, x, { ...plan, iterations }));
    const base = await run(plan.iterations);
    const more = await run(plan.iterations + 1);
    assert.is(more.rounds - base.rounds, 2, `${p.name}: rounds per step`);
    // one more step only shrinks the float error; the rounding stays about an ulp of y per step
    more.got.forEach((v, i) => assert.ok(Math.abs(v * xs[i] - 1) <= 1e-4 + (plan.iterations + 3) * ULP * xs[i], `${p.name} 1/${xs[i]} = ${v}`));
  }
});

test('an inverse square root Newton step takes two truncations: 4 rounds on ABY3 (was 5), 3 on Pond and SecureNN', async () => {
  const xs = Float64Array.from(randomArray(8, 100, 0.25, 4));
  xs.set([0.25, 4]);
  for (const p of [new tfe.Pond(), new SecureNN(), new ABY3()]) {
    tfe.setProtocol(p);
    const x = await priv(xs);
    const plan = invSqrtPlan({ interval: [0.25, 4] });
    const run = (iterations: number) => revealWithRounds(() => invSqrt(p, x, { ...plan, iterations }));
    const base = await run(plan.iterations);
    const more = await run(plan.iterations + 1);
    assert.is(more.rounds - base.rounds, p instanceof ABY3 ? 4 : 3, `${p.name}: rounds per step`);
    for (const r of [base, more]) r.got.forEach((v, i) => assert.ok(Math.abs(v * Math.sqrt(xs[i]) - 1) <= plan.maxRelativeError + (plan.iterations + 3) * ULP, `${p.name} 1/√${xs[i]} = ${v}`));
  }
});

test('inverse square root: documented relative error, Adam interval included', async () => {
  tfe.setProtocol(new tfe.Pond());
  for (const iv of [[0.25, 4], [2 ** -14, 2 ** 12], [1e-3, 1e3]] as [number, number][]) {
    const plan = invSqrtPlan({ interval: iv });
    const xs = Float64Array.from(randomArray(2, 200, 0, 1), (u) => iv[0] * (iv[1] / iv[0]) ** u);
    xs[0] = iv[0]; xs[1] = iv[1];
    const got = await invSqrt(tfe.getProtocol(), await priv(xs), plan).reveal();
    // fixed point: x itself is rounded to half an ulp, so the relative error floor is ULP/(2x)
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = 1 / Math.sqrt(xs[i]);
      const allowed = plan.maxRelativeError + (ULP / xs[i]) + 8 * ULP * (plan.iterations + 1) / Math.min(want, 1) * Math.max(want, 1) ** 0 + 1e-3;
      worst = Math.max(worst, Math.abs(got[i] - want) / want / allowed);
    }
    assert.ok(worst <= 1, `[${iv}] error exceeds the documented bound (ratio ${worst})`);
  }
});

test('scaleBy: relative error ≤ 2^-17 plus an ulp for any constant, in one truncation', async () => {
  const xs = Float64Array.of(0, ULP, -ULP, 1, -1, 100, -100, ...randomArray(7, 40, -200, 200));
  for (const p of [new tfe.Pond(), new ABY3()]) {
    tfe.setProtocol(p);
    const x = await priv(xs);
    const rt = tfe.getRuntime();
    await rt.resetCounters();
    await p.mul(x, 0.5).reveal();
    const oneTruncation = Math.max(...Object.values(await rt.counters()).map((c) => c.rounds));
    for (const whole of [2, 3, -1]) {
      await rt.resetCounters();
      const got = await scaleBy(p, x, whole).reveal();
      assert.is(Math.max(...Object.values(await rt.counters()).map((k) => k.rounds)), 0, `${p.name} c=${whole}: a local integer product`);
      got.forEach((v, i) => assert.ok(Math.abs(v - xs[i] * whole) <= Math.abs(whole) * ULP, `${p.name} ${xs[i]}·${whole}`)); // x itself is rounded to half an ulp
    }
    for (const c of [0.3, 0.02, 1e-3, -6.7e-5, 2 ** -10, 1.5, 37.25]) {
      await rt.resetCounters();
      const got = await scaleBy(p, x, c).reveal();
      const rounds = Math.max(...Object.values(await rt.counters()).map((k) => k.rounds));
      assert.is(rounds, oneTruncation, `${p.name} c=${c}: rounds of one truncation and the reveal`);
      for (let i = 0; i < xs.length; i++) {
        const want = xs[i] * c;
        assert.ok(Math.abs(got[i] - want) <= Math.abs(want) * 2 ** -17 + ULP, `${p.name} ${xs[i]}·${c}: ${got[i]} vs ${want}`);
      }
    }
  }
});

test('scaledSum: Σ c_i·x_i within each weight\'s 2^-17 plus an ulp, in ONE truncation (a term at 2f lifted with the rest), every protocol; weights too far apart give undefined, bad ones an error', async () => {
  const q = (v: number) => Math.round(v * 2 ** 16) / 2 ** 16; // the encoded value
  const xs = Float64Array.of(0, ULP, -ULP, 1, -1, 100, -100, ...randomArray(41, 25, -300, 300));
  const ys = Float64Array.of(5, -ULP, 0, 2, -3, -100, 0.25, ...randomArray(42, 25, -300, 300));
  const small = randomArray(43, 32, -3, 3), sq = randomArray(44, 32, -2, 2);
  for (const p of [new tfe.Pond(), new SecureNN(), new ABY3()]) {
    tfe.setProtocol(p);
    const [x, y] = [await priv(xs), await priv(ys)];
    const oneTruncation = (await revealWithRounds(() => scaleBy(p, x, 0.3))).rounds;
    for (const [a, b] of [[0.9, 0.1], [0.999 * 0.5, 0.001 / 0.002], [-1.5, 37.25], [1e-3, 2 ** -10]]) {
      const r = await revealWithRounds(() => scaledSum(p, [[x, a], [y, b]])!);
      assert.is(r.rounds, oneTruncation, `${p.name} ${a}, ${b}: the rounds of one truncation`);
      xs.forEach((v, i) => {
        const want = a * q(v) + b * q(ys[i]);
        const bound = (Math.abs(a * v) + Math.abs(b * ys[i])) * 2 ** -17 + ULP;
        assert.ok(Math.abs(r.got[i] - want) <= bound, `${p.name} ${a}·${v} + ${b}·${ys[i]} → ${r.got[i]} vs ${want}`);
      });
    }
    // a term at scale 2f (an untruncated square) with one at f, which is lifted to 2f first
    // (range: Σ|c·x| < 2^(62 − 32 − 26) = 16 with the weights 0.999 and 1e-3)
    const fp = p.capabilities.fixedPoint!;
    const [u, w] = [await priv(small), await priv(sq)];
    const got = await scaledSum(p, [[u, 0.999], [productTo(p, fp, w, w, 0, 32), 1e-3]], 16)!.reveal();
    small.forEach((v, i) => {
      const want = 0.999 * q(v) + 1e-3 * q(sq[i]) ** 2;
      assert.ok(Math.abs(got[i] - want) <= (Math.abs(0.999 * v) + 1e-3 * sq[i] ** 2) * 2 ** -17 + ULP, `${p.name} 0.999·${v} + 1e-3·${sq[i]}² → ${got[i]} vs ${want}`);
    });
    assert.is(scaledSum(p, [[x, 1], [y, 2 ** -15]]), undefined, `${p.name}: weights 2^15 apart`);
    for (const c of [0, NaN, Infinity]) {
      try { scaledSum(p, [[x, 1], [y, c]]); assert.unreachable(`c=${c}`); } catch (e) { assert.match((e as Error).message, 'finite and non-zero'); }
    }
  }
});

test('scaleBy refuses a constant without a finite reciprocal', () => {
  tfe.setProtocol(new tfe.Pond());
  for (const c of [Infinity, NaN, 5e-324]) {
    try { scaleBy(tfe.getProtocol(), tfe.defineConstant([1]), c); assert.unreachable(`c=${c}`); } catch (e) { assert.match((e as Error).message, 'finite'); }
  }
});

test('scaledProduct: c·(a ⊗ b) within c\'s 2^-12 plus an ulp, in the product\'s own truncation (elementwise and matmul; every protocol), or undefined where it cannot', async () => {
  const q = (v: number) => Math.round(v * 2 ** 16) / 2 ** 16; // the encoded value
  const as = Float64Array.of(0, ULP, -ULP, 1, -1, 3.5, -250, ...randomArray(31, 25, -40, 40));
  const bs = Float64Array.of(7, -3, 0, -ULP, 0.5, -1, 1, ...randomArray(32, 25, -40, 40));
  const [m, k, n] = [4, 8, 3];
  const ma = randomArray(33, m * k, -20, 20), mb = randomArray(34, k * n, -20, 20);
  for (const p of [new tfe.Pond(), new SecureNN(), new ABY3()]) {
    tfe.setProtocol(p);
    const [a, b, xa, xb] = [await priv(as), await priv(bs), await priv(ma, [k, m]), await priv(mb, [k, n])];
    const roundsOf = async (f: () => tfe.TfeTensor) => (await revealWithRounds(f)).rounds;
    const plain = await roundsOf(() => p.mul(a, b));
    for (const c of [0.01 / 128, 1 / 128, 0.37, 3.3, 1000]) {
      const elementwise = await revealWithRounds(() => scaledProduct(p, a, b, c, (u, v) => p.mul(u, v))!);
      assert.is(elementwise.rounds, plain, `${p.name} c=${c}: the rounds of one truncated product`);
      as.forEach((v, i) => {
        const want = c * q(v) * q(bs[i]);
        assert.ok(Math.abs(elementwise.got[i] - want) <= Math.abs(want) * 2 ** -12 + ULP, `${p.name} c=${c}: ${v}·${bs[i]} → ${elementwise.got[i]} vs ${want}`);
      });
      const mm = await scaledProduct(p, xa, xb, c, (u, v) => p.matmul(u, v, { transposeA: true }))!.reveal();
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let want = 0;
          for (let t = 0; t < k; t++) want += q(ma[t * m + i]) * q(mb[t * n + j]);
          want *= c;
          assert.ok(Math.abs(mm[i * n + j] - want) <= Math.abs(want) * 2 ** -12 + ULP, `${p.name} c=${c}: matmul [${i},${j}] ${mm[i * n + j]} vs ${want}`);
        }
      }
    }
    // against a product and then a scaling: one truncation, and (ABY3) its two rounds, fewer
    const twice = await roundsOf(() => scaleBy(p, p.mul(a, b), 0.01 / 128));
    if (p instanceof ABY3) assert.ok(plain < twice, `${p.name}: ${plain} rounds against ${twice}`);
    else assert.ok(plain <= twice, `${p.name}: ${plain} rounds against ${twice}`);
    for (const c of [0, -0.5, NaN, Infinity]) assert.is(scaledProduct(p, a, b, c, (u, v) => p.mul(u, v)), undefined, `${p.name} c=${c}`);
    const fine = p.capabilities.fixedPoint!.withScale(a, 20); // 62 − 12 − 20 − 16 < 16: no room for the bound
    assert.is(scaledProduct(p, fine, b, 0.01, (u, v) => p.mul(u, v)), undefined, `${p.name}: fa + fb = 36`);
  }
});

test('exp on [−16, 0]: relative error ≤ 0.7%, absolute ≤ 0.003', async () => {
  tfe.setProtocol(new tfe.Pond());
  const xs = randomArray(3, 300, -16, 0);
  const got = await exp(tfe.getProtocol(), await priv(xs)).reveal();
  for (let i = 0; i < xs.length; i++) {
    const want = Math.exp(xs[i]);
    assert.ok(Math.abs(got[i] - want) <= Math.max(0.007 * want, 0) + 0.003, `exp(${xs[i]}) = ${got[i]} vs ${want}`);
  }
});

test('withScale relabels without an instruction: a square of a factor labelled 0 is not truncated', async () => {
  const xs = Float64Array.of(0, ULP, -ULP, 1.5, -3, 100);
  for (const p of [new tfe.Pond(), new SecureNN(), new ABY3()]) {
    tfe.setProtocol(p);
    const fp = p.capabilities.fixedPoint!;
    const x = await priv(xs);
    const rt = tfe.getRuntime();
    const instructions = async () => Object.values(await rt.counters()).reduce((a, c) => a + c.instructions, 0);
    await rt.resetCounters();
    const idle = await instructions(); // the counters request itself
    await rt.resetCounters();
    const asInteger = fp.withScale(x, 0);
    assert.is(await instructions(), idle, `${p.name}: no instruction`);
    const ring = await asInteger.reveal(); // the ring values themselves
    ring.forEach((v, i) => assert.is(v, Math.round(xs[i] * 2 ** 16), `${p.name} ring value of ${xs[i]}`));
    const raw = await fp.withScale(p.square(asInteger), 32).reveal(); // scale 2^-32, exact
    raw.forEach((v, i) => assert.is(v, xs[i] * xs[i], `${p.name} ${xs[i]}² untruncated`));
    for (const bad of [-1, 63, 1.5]) assert.throws(() => fp.withScale(x, bad), /fracBits/);
  }
});

test('expNonPositive on [−256, 0]: within 0.0063 of e^x (SecureNN, ABY3, Pond), in 9 rounds with five truncations to exp\'s nine (ABY3 took 13 before its squares of a fresh truncation skipped the resharing)', async () => {
  const xs = Float64Array.from(randomArray(5, 400, -256, 0));
  xs.set([0, -ULP, -2 * ULP, -1e-3, -1, -2, -16, -255.99, -256]);
  for (const p of [new SecureNN(), new ABY3(), new tfe.Pond()]) {
    tfe.setProtocol(p);
    const x = await priv(xs);
    const rt = tfe.getRuntime();
    const roundsOf = async (f: () => tfe.TfeTensor) => {
      await rt.resetCounters();
      const got = await f().reveal();
      return { got, rounds: Math.max(...Object.values(await rt.counters()).map((c) => c.rounds)) };
    };
    const fast = await roundsOf(() => expNonPositive(p, x));
    const plain = await roundsOf(() => exp(p, x));
    // every protocol squares a fresh truncation's result with no opening (pond/ and aby3/truncated_product.ts)
    assert.is(fast.rounds, 9, `${p.name}: rounds (exp: ${plain.rounds})`);
    assert.ok(plain.rounds >= 9, `${p.name}: exp takes ${plain.rounds}`);
    for (let i = 0; i < xs.length; i++) {
      assert.ok(Math.abs(fast.got[i] - Math.exp(xs[i])) <= 0.0063, `${p.name} exp(${xs[i]}) = ${fast.got[i]}`);
    }
    assert.is(fast.got[0], 1, `${p.name}: exp(0) is 1`);
  }
});

test('stack: values along axis 0 (a concatenation and one reshape per share) and along other axes, private and public', async () => {
  const a = randomArray(11, 6, -5, 5), b = randomArray(12, 6, -5, 5);
  for (const p of [new tfe.Pond(), new ABY3()]) {
    tfe.setProtocol(p);
    const x = await priv(a, [2, 3]);
    const y = p.defineConstant(b, { shape: [2, 3] });
    const rt = tfe.getRuntime();
    const instructions = async () => Object.values(await rt.counters()).reduce((n, c) => n + c.instructions, 0);
    await rt.resetCounters();
    const idle = await instructions();
    await rt.resetCounters();
    const s0 = p.stack([x, x, x], 0);
    const perShare = (await instructions()) - idle;
    assert.is(perShare, p.name === 'ABY3' ? 12 : 4, `${p.name}: one Concat and one Reshape per share`);
    assert.equal(s0.shape, [3, 2, 3]);
    const mixed = await p.stack([x, y], 0).reveal();
    const along1 = await p.stack([x, y], 1).reveal();
    assert.equal(p.stack([x, y], 2).shape, [2, 3, 2]);
    for (let i = 0; i < 6; i++) {
      assert.ok(Math.abs(mixed[i] - a[i]) <= ULP && Math.abs(mixed[6 + i] - b[i]) <= ULP, `${p.name} axis 0 [${i}]`);
      const [r, c] = [Math.floor(i / 3), i % 3];
      assert.ok(Math.abs(along1[r * 6 + c] - a[i]) <= ULP && Math.abs(along1[r * 6 + 3 + c] - b[i]) <= ULP, `${p.name} axis 1 [${i}]`);
    }
  }
});

test('softmax: max subtraction (SecureNN, ABY3, and Pond by its relu tree): error ≤ 0.02', async () => {
  for (const prot of [new SecureNN(), new ABY3(), new tfe.Pond()]) {
    tfe.setProtocol(prot);
    const k = 10, n = 40;
    const xs = randomArray(4, n * k, -4, 4);
    const got = await softmax(prot, await priv(xs, [n, k])).reveal();
    for (let r = 0; r < n; r++) {
      const row = Array.from(xs.slice(r * k, r * k + k));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => assert.ok(Math.abs(got[r * k + j] - v / s) <= 0.02, `${prot.name} row ${r}: ${got[r * k + j]} vs ${v / s}`));
    }
  }
});

test('log on [1, 10] (≤ 0.001) and on [10, 10·e^8] (≤ 0.05); softplus on [−8, 8] (≤ 0.002)', async () => {
  tfe.setProtocol(new tfe.Pond());
  const p = tfe.getProtocol();
  for (const [iv, tol] of [[[1, 10], 0.001], [[10, 10 * Math.exp(8)], 0.05]] as [[number, number], number][]) {
    const xs = Float64Array.from(randomArray(5, 100, 0, 1), (u) => iv[0] * (iv[1] / iv[0]) ** u);
    const got = await log(p, await priv(xs), iv).reveal();
    for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(got[i] - Math.log(xs[i])) <= tol + 1e-3, `log(${xs[i]}) = ${got[i]}`);
  }
  const zs = randomArray(6, 100, -8, 8);
  const sp = await softplusApprox(p, await priv(zs)).reveal();
  for (let i = 0; i < zs.length; i++) assert.ok(Math.abs(sp[i] - Math.log1p(Math.exp(zs[i]))) <= 0.002 + 1e-3, `softplus(${zs[i]})`);
});

test.run();
