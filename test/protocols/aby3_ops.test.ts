import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { ABY3PrivateTensor } from '../../src/protocols/aby3/aby3_tensors.js';
import { conv2d, matmul, maxAbsDiff, productTolerance, randomArray, transpose2 } from '../helpers/plain.js';
import { consistent } from './aby3_helpers.js';

const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);
const f = 16;
const ulp = 2 ** -f;
type Kind = 'public' | 'private';
const KINDS: Kind[] = ['public', 'private'];

async function make(kind: Kind, values: Float64Array, shape: number[]): Promise<tfe.TfeTensor> {
  if (kind === 'public') return tfe.defineConstant(values, { shape });
  return tfe.definePrivateInput('input-provider', () => values, { shape });
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

test('products leave consistent replicated shares (server i second = server i+1 first)', async () => {
  const x = await make('private', randomArray(7, 12, -4, 4), [3, 4]);
  const y = await make('private', randomArray(8, 12, -4, 4), [4, 3]);
  for (const z of [tfe.mul(x, x), tfe.matmul(x, y), tfe.mul(x, 3), tfe.add(x, 1), tfe.sub(2, x)]) {
    assert.ok(await consistent((z as ABY3PrivateTensor).shares), 'shares consistent');
  }
});

test('edge values: 0, ±1 ulp, ±large, square, pow, div, integer factors', async () => {
  const vals = Float64Array.from([0, ulp, -ulp, 1, -1, 30000, -30000, 0.5]);
  const x = await make('private', vals, [8]);
  close(await x.reveal(), vals, 0, 'round trip is exact');
  close(await tfe.mul(x, 1).reveal(), vals, ulp, 'times one');
  const small = Float64Array.from([0, ulp, -ulp, 1, -1, 100, -100, 0.5]);
  const s = await make('private', small, [8]);
  close(await tfe.square(s).reveal(), small.map((v) => v * v), 2 * ulp, 'square');
  close(await tfe.pow(s, 3).reveal(), small.map((v) => v ** 3), 1e-3 * 1e6 * ulp + 1e-2, 'pow 3');
  close(await tfe.div(s, 4).reveal(), small.map((v) => v / 4), ulp, 'div by power of two');
  close(await tfe.div(s, 3).reveal(), small.map((v) => v / 3), 100 * 2 ** -17 + 2 * ulp, 'div by 3');
  const k = tfe.defineConstant([2, -3, 4, 5, 6, 7, 8, 9], { integer: true });
  close(await tfe.mul(s, k).reveal(), small.map((v, i) => v * [2, -3, 4, 5, 6, 7, 8, 9][i]), 0, 'integer factor exact');
  close(await tfe.neg(s).reveal(), small.map((v) => -v), 0, 'neg');
});

test('shape ops: reshape, transpose, slice, concat, stack, pad, gather, split, reduceSum, mean, avgPool2d', async () => {
  const a = randomArray(9, 24, -5, 5);
  const x = await make('private', a, [2, 3, 4]);
  assert.equal(tfe.reshape(x, [6, -1]).shape, [6, 4]);
  const t = await tfe.transpose(x, [2, 0, 1]).reveal();
  assert.ok(Math.abs(t[1] - a[4]) <= ulp, 'transpose: out[0,0,1] = x[0,1,0]');
  close(await tfe.slice(x, [1, 0, 2], [1, 2, 2]).reveal(), Float64Array.from([a[14], a[15], a[18], a[19]]), ulp, 'slice');
  assert.equal(tfe.concat([x, x], 1).shape, [2, 6, 4]);
  assert.equal(tfe.stack([x, x], 0).shape, [2, 2, 3, 4]);
  assert.equal(tfe.pad(x, [[0, 0], [1, 1], [0, 0]]).shape, [2, 5, 4]);
  close(await tfe.gather(x, [2], 2).reveal(), Float64Array.from([0, 1, 2, 3, 4, 5].map((r) => a[r * 4 + 2])), ulp, 'gather');
  assert.is(tfe.split(x, 2, 2).length, 2);
  const sum = await tfe.reduceSum(x, [1, 2]).reveal();
  close(sum, Float64Array.from([0, 1], (b) => a.slice(b * 12, b * 12 + 12).reduce((s, v) => s + v, 0)), 12 * ulp, 'reduceSum');
  const mean = await tfe.mean(x).reveal();
  close(mean, Float64Array.of(a.reduce((s, v) => s + v, 0) / 24), 1e-3, 'mean');
  const img = await make('private', randomArray(10, 1 * 5 * 5 * 2, -2, 2), [1, 5, 5, 2]);
  const pool = tfe.avgPool2d(img, { poolSize: 2, strides: 2, padding: 'same' });
  assert.equal(pool.shape, [1, 3, 3, 2]);
  const pv = await pool.reveal();
  const iv = await img.reveal();
  // corner window (bottom-right) holds one element: the average is that element
  close(pv.slice(16, 18), iv.slice(48, 50), 2 * ulp, 'same padding counts in-bounds elements only');
});

test('variables: assign, public variables, dispose', async () => {
  const v = tfe.definePrivateVariable([1, 2, 3]);
  tfe.assign(v, tfe.mul(v, 2));
  close(await v.reveal(), Float64Array.of(2, 4, 6), ulp, 'assign');
  const pv = tfe.definePublicVariable([1, 2, 3]);
  tfe.assign(pv, tfe.defineConstant([4, 5, 6]));
  close(await pv.reveal(), Float64Array.of(4, 5, 6), 0, 'public assign');
  assert.throws(() => tfe.assign(pv, v), /cannot assign a private value/);
  assert.throws(() => tfe.assign(v, [1, 2]), /does not match variable of shape \[3\]/);
  v.dispose();
});

test('defineOutput to a server and to an outside player; reveal of public; no value in errors', async () => {
  const vals = Float64Array.of(1.25, -3.5);
  const x = await make('private', vals, [2]);
  for (const who of ['server1', 'result-receiver']) {
    let got: Float64Array | undefined;
    await tfe.defineOutput(who, x, (v) => { got = v; });
    close(got!, vals, 0, `output to ${who}`);
  }
  assert.throws(() => String(x.valueOf()), /secret/);
  assert.throws(() => tfe.add(x, [1, 2, 3]), (e: Error) => e instanceof tfe.ValueError && !/1\.25/.test(e.message));
});

test('constructor and argument validation', () => {
  assert.throws(() => new tfe.ABY3({ servers: ['a', 'a', 'b'] }), /three distinct servers/);
  assert.throws(() => new tfe.ABY3({ fracBits: 40 }), /fracBits/);
  assert.throws(() => new tfe.ABY3({ sigmoid: 'cubic' as never }), /sigmoid/);
  const pond = new tfe.Pond();
  assert.throws(() => aby3.add(pond.defineConstant([1]), 1), /belongs to protocol Pond/);
});

test.run();
