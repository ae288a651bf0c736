import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { getRuntime } from '../../src/runtime/index.js';
import { floats } from '../helpers/plain.js';

const snn = new SecureNN();
tfe.setProtocol(snn);

/** Small integers (many ties) mixed with a few fractions, deterministic. */
function tiedData(seed: number, n: number): number[] {
  const r = floats(seed);
  return Array.from({ length: n }, (_, i) => (i % 7 === 3 ? Math.round(r(-4, 4) * 256) / 256 : Math.round(r(-3, 3))));
}

/** Plain reduce over `axis` of a row-major tensor: returns the reduced values and first argmax. */
function plainReduce(x: number[], shape: number[], axis: number) {
  const len = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const max: number[] = [], arg: number[] = [];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    let best = -Infinity, at = 0;
    for (let k = 0; k < len; k++) { const v = x[(o * len + k) * inner + i]; if (v > best) { best = v; at = k; } }
    max.push(best); arg.push(at);
  }
  return { max, arg };
}

for (const [shape, axis] of [[[5, 7], 1], [[5, 7], 0], [[3, 4, 6], 1], [[2, 3, 5], -1], [[9], 0], [[4, 1], 1], [[3, 20], 1], [[2, 16], 1], [[2, 17], 1]] as [number[], number][]) {
  test(`reduceMax and argmax (index and one-hot) over axis ${axis} of [${shape}], with ties: exact, first index`, async () => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = tiedData(shape.length * 10 + n, n);
    const x = await tfe.definePrivateInput('input-provider', () => data, { shape });
    const a = axis < 0 ? axis + shape.length : axis;
    const { max, arg } = plainReduce(data, shape, a);
    assert.equal(Array.from(await snn.reduceMax(x, axis).reveal()), max, 'reduceMax');
    const km = snn.reduceMax(x, axis, true);
    assert.equal(km.shape, shape.map((d, i) => (i === a ? 1 : d)), 'keepDims shape');
    const idx = snn.argmax(x, axis);
    assert.is(idx.fracBits, 0);
    assert.equal(Array.from(await idx.reveal()), arg, 'argmax index');
    const hot = snn.argmaxOneHot(x, axis);
    assert.equal(hot.shape, shape);
    const hv = Array.from(await hot.reveal());
    const inner = shape.slice(a + 1).reduce((p, q) => p * q, 1);
    const want = Array.from({ length: n }, (_, f) => {
      const k = Math.floor(f / inner) % shape[a];
      const o = Math.floor(f / (inner * shape[a]));
      return arg[o * inner + (f % inner)] === k ? 1 : 0;
    });
    assert.equal(hv, want, 'argmax one-hot');
  });
}

/** Plain max pool (TF semantics) and first-max mask [n, oh, ow, kh·kw, c]. */
function plainMaxPool(x: number[], [n, h, w, c]: number[], [kh, kw]: number[], [sh, sw]: number[], padding: 'same' | 'valid') {
  const oh = padding === 'same' ? Math.ceil(h / sh) : Math.ceil((h - kh + 1) / sh);
  const ow = padding === 'same' ? Math.ceil(w / sw) : Math.ceil((w - kw + 1) / sw);
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2) : 0;
  const y: number[] = [], mask: number[] = new Array(n * oh * ow * kh * kw * c).fill(0);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let ch = 0; ch < c; ch++) {
    let best = -Infinity, at = -1;
    for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
      const yy = i * sh - pt + dy, xx = j * sw - pl + dx;
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
      const v = x[((b * h + yy) * w + xx) * c + ch];
      if (v > best) { best = v; at = dy * kw + dx; }
    }
    y[((b * oh + i) * ow + j) * c + ch] = best;
    mask[(((b * oh + i) * ow + j) * kh * kw + at) * c + ch] = 1;
  }
  return { y, mask, oh, ow };
}

const POOLS: [number[], number[], number[], 'same' | 'valid'][] = [
  [[2, 4, 4, 3], [2, 2], [2, 2], 'valid'],
  [[1, 5, 5, 2], [3, 3], [2, 2], 'same'],
  [[2, 5, 4, 1], [2, 3], [1, 2], 'valid'],
  [[1, 3, 3, 2], [2, 2], [1, 1], 'same'],
  [[1, 6, 6, 1], [3, 2], [3, 2], 'same'],
];

for (const [shape, pool, strides, padding] of POOLS) {
  test(`maxPool2d ${pool} stride ${strides} '${padding}' on [${shape}] with ties: values and argmax mask exact`, async () => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = tiedData(n + pool[0], n).map((v) => (padding === 'same' ? v - 5 : v)); // negatives test the padding
    const x = await tfe.definePrivateInput('input-provider', () => data, { shape });
    const want = plainMaxPool(data, shape, pool, strides, padding);
    const { y, mask } = snn.maxPool2dWithArgmax(x, { poolSize: pool as [number, number], strides: strides as [number, number], padding });
    assert.equal(y.shape, [shape[0], want.oh, want.ow, shape[3]]);
    assert.equal(mask.shape, [shape[0], want.oh, want.ow, pool[0] * pool[1], shape[3]]);
    assert.equal(Array.from(await y.reveal()), want.y, 'values');
    assert.equal(Array.from(await mask.reveal()), want.mask, 'mask');
    const only = snn.maxPool2d(x, { poolSize: pool as [number, number], strides: strides as [number, number], padding });
    assert.equal(Array.from(await only.reveal()), want.y, 'maxPool2d without mask');
  });
}

test('the max of short rows takes 7 rounds (two MSBs of 3, the helper\'s hop included, and one product), whatever the row length', async () => {
  const rt = getRuntime();
  for (const len of [2, 10, 16]) {
    const data = tiedData(len, 64 * len);
    const x = await tfe.definePrivateInput('input-provider', () => data, { shape: [64, len] });
    await rt.resetCounters();
    const got = Array.from(await snn.reduceMax(x, 1).reveal());
    const rounds = Math.max(...Object.values(await rt.counters()).map((c) => c.rounds));
    assert.equal(got, plainReduce(data, [64, len], 1).max, `L = ${len}`);
    assert.is(rounds, 7, `L = ${len}`); // the reveal goes to the driver, not a peer
  }
});

test('maxPool2d rejects bad arguments with ValueError', () => {
  const x = tfe.defineConstant(new Float64Array(16), { shape: [1, 4, 4, 1] });
  assert.throws(() => snn.maxPool2d(x, { poolSize: 0 }), (e: Error) => e instanceof tfe.ValueError);
  assert.throws(() => snn.maxPool2d(tfe.defineConstant([1, 2]), { poolSize: 2 }), (e: Error) => e instanceof tfe.ValueError);
  assert.throws(() => snn.maxPool2d(x, { poolSize: 5 }), (e: Error) => e instanceof tfe.ValueError);
});

test.run();
