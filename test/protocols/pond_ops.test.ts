import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { conv2d, matmul, maxAbsDiff, productTolerance, randomArray, transpose2 } from '../helpers/plain.js';

const f = 16;
const ulp = 2 ** -f;
type Kind = 'public' | 'private' | 'masked';
const KINDS: Kind[] = ['public', 'private', 'masked'];

async function make(kind: Kind, values: Float64Array, shape: number[]): Promise<tfe.TfeTensor> {
  if (kind === 'public') return tfe.defineConstant(values, { shape });
  const x = await tfe.definePrivateInput('input-provider', () => values, { shape });
  return kind === 'masked' ? tfe.cache(x) : x;
}

function close(actual: Float64Array, expected: Float64Array, tol: number, what: string): void {
  const d = maxAbsDiff(actual, expected);
  assert.ok(d <= tol, `${what}: max error ${d} > tolerance ${tol}`);
}

for (const kx of KINDS) for (const ky of KINDS) {
  test(`add/sub/mul ${kx} ⊕ ${ky}, with broadcasting`, async () => {
    const a = randomArray(1, 6, -50, 50), b = randomArray(2, 3, -50, 50);
    const x = await make(kx, a, [2, 3]);
    const y = await make(ky, b, [3]);
    const want = (op: (p: number, q: number) => number) => Float64Array.from(a, (v, i) => op(v, b[i % 3]));
    close(await tfe.add(x, y).reveal(), want((p, q) => p + q), ulp, 'add');
    close(await tfe.sub(x, y).reveal(), want((p, q) => p - q), ulp, 'sub');
    close(await tfe.sub(y, x).reveal(), want((p, q) => q - p), ulp, 'sub reversed');
    close(await tfe.mul(x, y).reveal(), want((p, q) => p * q), productTolerance(f, 1, 50), 'mul');
  });

  test(`matmul ${kx} · ${ky}, with transposes`, async () => {
    const a = randomArray(3, 4 * 5, -3, 3), b = randomArray(4, 5 * 3, -3, 3);
    const x = await make(kx, a, [4, 5]);
    const y = await make(ky, b, [5, 3]);
    const tol = productTolerance(f, 5, 3);
    close(await tfe.matmul(x, y).reveal(), matmul(a, b, 4, 5, 3), tol, 'matmul');
    const yt = await make(ky, transpose2(b, 5, 3), [3, 5]);
    close(await tfe.matmul(x, yt, { transposeB: true }).reveal(), matmul(a, b, 4, 5, 3), tol, 'matmul transposeB');
    const xt = await make(kx, transpose2(a, 4, 5), [5, 4]);
    close(await tfe.matmul(xt, y, { transposeA: true }).reveal(), matmul(a, b, 4, 5, 3), tol, 'matmul transposeA');
  });

  test(`conv2d ${kx} * ${ky}, same and valid, strides 1 and 2`, async () => {
    const xs = [2, 6, 5, 3], ws = [3, 2, 3, 4];
    const a = randomArray(5, 2 * 6 * 5 * 3, -2, 2), b = randomArray(6, 3 * 2 * 3 * 4, -2, 2);
    const x = await make(kx, a, xs);
    const w = await make(ky, b, ws);
    for (const padding of ['same', 'valid'] as const) for (const s of [1, 2]) {
      const want = conv2d(a, xs, b, ws, [s, s], padding);
      const got = tfe.conv2d(x, w, { strides: s, padding });
      assert.equal(got.shape, want.shape, `conv2d shape ${padding} ${s}`);
      close(await got.reveal(), want.values, productTolerance(f, 18, 2), `conv2d ${padding} stride ${s}`);
    }
  });
}

test('square, pow and integer factors', async () => {
  const a = randomArray(7, 10, -4, 4);
  for (const kind of KINDS) {
    const x = await make(kind, a, [10]);
    close(await tfe.square(x).reveal(), a.map((v) => v * v), productTolerance(f, 1, 4), `square ${kind}`);
    close(await tfe.pow(x, 3).reveal(), a.map((v) => v ** 3), 64 * productTolerance(f, 2, 16), `pow 3 ${kind}`);
    close(await tfe.pow(x, 0).reveal(), a.map(() => 1), 0, `pow 0 ${kind}`);
    close(await tfe.mul(x, 3).reveal(), a.map((v) => 3 * v), 3 * ulp, `integer factor ${kind}`);
    close(await tfe.mul(x, -2).reveal(), a.map((v) => -2 * v), 2 * ulp, `negative integer factor ${kind}`);
  }
});

test('a public integer factor does not truncate: the result is exact', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => [1.5, -2.25, 0], { shape: [3] });
  assert.equal(Array.from(await tfe.mul(x, 4).reveal()), [6, -9, 0]);
});

test('division by public numbers, powers of two, arrays and floats', async () => {
  const a = randomArray(8, 12, -1000, 1000);
  for (const kind of KINDS) {
    const x = await make(kind, a, [3, 4]);
    for (const c of [2, 4, 1024, 3, 7, -5, 0.1, 1e-3, 12345.678]) {
      const got = await tfe.div(x, c).reveal();
      const tol = Math.max(...a.map((v) => Math.abs(v / c))) * 2 ** -17 + 2 * ulp;
      close(got, a.map((v) => v / c), tol, `div ${kind} by ${c}`);
    }
    const cs = [1, 2, 3, -4];
    close(await tfe.div(x, cs).reveal(), a.map((v, i) => v / cs[i % 4]), 1000 * 2 ** -17 + 2 * ulp, `div ${kind} by array`);
  }
  const x = await make('private', a, [12]);
  assert.throws(() => tfe.div(x, 0), (e: Error) => e instanceof tfe.ValueError && /non-zero/.test(e.message));
  assert.throws(() => tfe.div(x, NaN), (e: Error) => e instanceof tfe.ValueError);
});

test('reductions and shape ops', async () => {
  const a = randomArray(9, 24, -10, 10);
  for (const kind of KINDS) {
    const x = await make(kind, a, [2, 3, 4]);
    const sum1 = new Float64Array(8);
    a.forEach((v, i) => { sum1[Math.floor(i / 12) * 4 + (i % 4)] += v; });
    close(await tfe.reduceSum(x, 1).reveal(), sum1, 3 * ulp, `reduceSum ${kind}`);
    close(await tfe.mean(x, 1).reveal(), sum1.map((v) => v / 3), 2 * ulp + 30 * 2 ** -17, `mean ${kind}`);
    close(await tfe.reduceSum(x).reveal(), Float64Array.of(a.reduce((s, v) => s + v, 0)), 24 * ulp, `reduceSum all ${kind}`);
    const t = tfe.transpose(x, [2, 0, 1]);
    assert.equal(t.shape, [4, 2, 3]);
    const tv = await t.reveal();
    assert.ok(Math.abs(tv[1 * 6 + 1 * 3 + 2] - a[1 * 12 + 2 * 4 + 1]) <= ulp, `transpose ${kind}`);
    assert.equal(tfe.reshape(x, [6, -1]).shape, [6, 4]);
    assert.equal(tfe.expandDims(x, 1).shape, [2, 1, 3, 4]);
    assert.equal(tfe.squeeze(tfe.expandDims(x, 0)).shape, [2, 3, 4]);
    const sl = await tfe.slice(x, [1, 1, 0], [1, 2, 2]).reveal();
    close(sl, Float64Array.of(a[16], a[17], a[20], a[21]), ulp, `slice ${kind}`);
    const ss = await tfe.stridedSlice(x, [0, 0, 0], [2, 3, 4], [1, 2, 3]).reveal();
    close(ss, Float64Array.of(a[0], a[3], a[8], a[11], a[12], a[15], a[20], a[23]), ulp, `stridedSlice ${kind}`);
    const g = await tfe.gather(x, [2, 0], 1).reveal();
    assert.ok(Math.abs(g[0] - a[8]) <= ulp && Math.abs(g[4] - a[0]) <= ulp, `gather ${kind}`);
    const parts = tfe.split(x, [1, 3], 2);
    assert.equal(parts.map((p) => p.shape), [[2, 3, 1], [2, 3, 3]]);
    const c = tfe.concat([parts[1], parts[0]], 2);
    assert.ok(Math.abs((await c.reveal())[3] - a[0]) <= ulp, `concat ${kind}`);
    assert.equal(tfe.stack([x, x], 0).shape, [2, 2, 3, 4]);
    const pd = tfe.pad(x, [[0, 0], [1, 0], [0, 1]]);
    assert.equal(pd.shape, [2, 4, 5]);
    assert.equal((await pd.reveal())[0], 0);
  }
});

test('avgPool2d matches the plain mean of each window, same and valid', async () => {
  const xs = [1, 5, 5, 2];
  const a = randomArray(10, 50, -5, 5);
  const x = await make('private', a, xs);
  const v = await tfe.avgPool2d(x, { poolSize: 2, strides: 2, padding: 'valid' }).reveal();
  // window (0,0), channel 1: rows 0-1, cols 0-1
  const want = (a[1] + a[3] + a[11] + a[13]) / 4;
  assert.ok(Math.abs(v[1] - want) <= 3 * ulp, `valid avgPool ${v[1]} vs ${want}`);
  const same = tfe.avgPool2d(x, { poolSize: 2, strides: 2, padding: 'same' });
  assert.equal(same.shape, [1, 3, 3, 2]);
  const sv = await same.reveal();
  // last window (2,2) covers only element (4,4): TensorFlow divides by 1
  assert.ok(Math.abs(sv[8 * 2] - a[(4 * 5 + 4) * 2]) <= 3 * ulp, 'same avgPool edge window counts only in-bounds elements');
});

test('edge values: zeros, scalars, 1×1, negative values near the range limit', async () => {
  const z = await tfe.definePrivateInput('input-provider', () => [0, 0, 0], { shape: [3] });
  assert.equal(Array.from(await tfe.mul(z, z).reveal()), [0, 0, 0]);
  const s = await tfe.definePrivateInput('input-provider', () => 2.5);
  assert.equal(s.shape, []);
  assert.ok(Math.abs((await tfe.mul(s, s).reveal())[0] - 6.25) <= 2 * ulp);
  const one = await tfe.definePrivateInput('input-provider', () => [[-3]], { shape: [1, 1] });
  assert.ok(Math.abs((await tfe.matmul(one, one).reveal())[0] - 9) <= 2 * ulp);
  // |x·y| just below 2^30 in real terms is the documented limit of products at f = 16.
  const big = await tfe.definePrivateInput('input-provider', () => [-32000, 32000], { shape: [2] });
  const got = await tfe.mul(big, big).reveal();
  assert.ok(maxAbsDiff(got, [1.024e9, 1.024e9]) <= 32000 * ulp + 2 * ulp, `large products ${got}`);
});

test('a private tensor never reveals by accident', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => [1, 2, 3], { shape: [3] });
  assert.is(String(x), 'PondPrivateTensor(shape=[3], fracBits=16)');
  assert.is(`${x}`, 'PondPrivateTensor(shape=[3], fracBits=16)');
  assert.throws(() => +x, (e: Error) => e instanceof tfe.ValueError && /reveal/.test(e.message));
  assert.throws(() => JSON.stringify(x), (e: Error) => e instanceof tfe.ValueError);
  assert.throws(() => x.valueOf(), (e: Error) => e instanceof tfe.ValueError);
});

test('variables: assign replaces the value; shapes are checked', async () => {
  const v = tfe.definePrivateVariable([1, 2, 3]);
  tfe.assign(v, tfe.mul(v, 2));
  assert.equal(Array.from(await v.reveal()), [2, 4, 6]);
  assert.throws(() => tfe.assign(v, [1, 2]), (e: Error) => e instanceof tfe.ValueError && /\[3\]/.test(e.message));
  const pv = tfe.definePublicVariable(5);
  tfe.assign(pv, 7);
  assert.equal(Array.from(await pv.reveal()), [7]);
});

test('bad operands give clear errors', async () => {
  const x = await tfe.definePrivateInput('input-provider', () => [1, 2, 3], { shape: [3] });
  assert.throws(() => tfe.add(x, [1, 2]), (e: Error) => e instanceof tfe.ValueError && /broadcast/.test(e.message));
  assert.throws(() => tfe.matmul(x, x), (e: Error) => e instanceof tfe.ValueError);
  assert.throws(() => tfe.reshape(x, [2, 2]), (e: Error) => e instanceof tfe.ValueError && /\[2,2\]/.test(e.message));
  assert.throws(() => tfe.pow(x, -1), (e: Error) => e instanceof tfe.ValueError);
});

test('the crypto producer may be called crypto-producer, as in TF Encrypted', async () => {
  const previous = tfe.getConfig();
  tfe.setConfig(new tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'input-provider'], { autoAddUnknownPlayers: false }));
  try {
    const p = new tfe.Pond();
    tfe.setProtocol(p);
    const x = await tfe.definePrivateInput('input-provider', () => [1.5, -2], { shape: [2] });
    assert.equal(Array.from(await tfe.mul(x, x).reveal()), [2.25, 4]);
    assert.is(p.cp, 'crypto-producer');
  } finally {
    await tfe.getConfig().close();
    tfe.setConfig(previous);
    tfe.setProtocol(new tfe.Pond());
  }
});

test('a kept tensor masked inside tidy is masked afresh in the next scope', async () => {
  const w = tfe.keep(await tfe.definePrivateInput('input-provider', () => [1, 2, 3], { shape: [3] }));
  for (let step = 0; step < 3; step++) {
    const v = await tfe.tidy(async () => tfe.mul(w, w).reveal());
    assert.equal(Array.from(v), [1, 4, 9], `step ${step}`);
  }
});

test('Pond rejects a repeated player name', () => {
  assert.throws(() => new tfe.Pond('server0', 'server0'), (e: Error) => e instanceof tfe.ValueError && /distinct/.test(e.message));
});

test('Pond takes its options alone or after the player names, and refuses a first argument of another type', () => {
  const alone = new tfe.Pond({ fracBits: 20, relu: 'chebyshev' });
  assert.equal([alone.s0, alone.s1, alone.fracBits, alone.reluMode], ['server0', 'server1', 20, 'chebyshev']);
  const named = new tfe.Pond('alice', 'bob', 'carol', { fracBits: 12 });
  assert.equal([named.s0, named.s1, named.cp, named.fracBits, named.reluMode], ['alice', 'bob', 'carol', 12, 'exact']);
  assert.throws(() => new tfe.Pond(42 as never), (e: Error) => e instanceof tfe.ValueError && /player name or an options object, got number/.test(e.message));
  assert.throws(() => new tfe.Pond(null as never), (e: Error) => e instanceof tfe.ValueError && /got null/.test(e.message));
  assert.throws(() => new tfe.Pond('server0', 7 as never), (e: Error) => e instanceof tfe.ValueError && /`s1` must be a player name, got number/.test(e.message));
  assert.throws(() => new tfe.Pond({ fracBits: 40 }), (e: Error) => e instanceof tfe.ValueError && /fracBits/.test(e.message));
});

test.run();
