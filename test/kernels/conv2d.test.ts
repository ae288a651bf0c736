/**
 * conv2d against a direct nested-loop oracle (strides 1 and 2, 'same' and 'valid', rectangular
 * kernels), against tfjs `tf.conv2d` on small integers (exact in float32), and col2im as the
 * adjoint of im2col. Each body runs on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ring, RingTensor, runKernel, setBackend, type Padding } from '../../src/kernels/index.js';
import { forEachBackend, randomTensor, randomSmall } from '../helpers/ring_testing.js';

const M64 = 1n << 64n;
const vals = (t: RingTensor) => Array.from(t.values() as ArrayLike<bigint>, (v) => BigInt(v));

/** The definition of a TensorFlow conv2d, written out: N, H, W, C input; kh, kw, C, F kernel. */
function directConv(x: bigint[], xs: number[], w: bigint[], ws: number[], s: [number, number], padding: Padding): [number[], bigint[]] {
  const [N, H, W, C] = xs;
  const [kh, kw, , F] = ws;
  const oh = padding === 'same' ? Math.ceil(H / s[0]) : Math.ceil((H - kh + 1) / s[0]);
  const ow = padding === 'same' ? Math.ceil(W / s[1]) : Math.ceil((W - kw + 1) / s[1]);
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * s[0] + kh - H, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * s[1] + kw - W, 0) / 2) : 0;
  const out: bigint[] = [];
  for (let n = 0; n < N; n++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let f = 0; f < F; f++) {
    let acc = 0n;
    for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) for (let c = 0; c < C; c++) {
      const [y, z] = [i * s[0] + dy - pt, j * s[1] + dx - pl];
      if (y < 0 || y >= H || z < 0 || z >= W) continue;
      acc += x[((n * H + y) * W + z) * C + c] * w[((dy * kw + dx) * C + c) * F + f];
    }
    out.push(acc % M64);
  }
  return [[N, oh, ow, F], out];
}

const CASES: [number[], number[], [number, number], Padding][] = [
  [[1, 5, 5, 1], [3, 3, 1, 1], [1, 1], 'same'],
  [[2, 7, 6, 3], [3, 2, 3, 4], [2, 2], 'same'],
  [[2, 7, 6, 3], [3, 2, 3, 4], [2, 1], 'valid'],
  [[1, 8, 9, 2], [2, 5, 2, 3], [1, 2], 'valid'],
  [[3, 4, 4, 2], [1, 1, 2, 5], [2, 2], 'same'],
  [[0, 4, 4, 2], [3, 3, 2, 2], [1, 1], 'same'],
];

test('conv2d equals the direct nested-loop definition', () => {
  forEachBackend((backend) => {
    setBackend(backend);
    for (const [xs, ws, strides, padding] of CASES) {
      const [x, w] = [randomTensor(xs), randomTensor(ws)];
      const [shape, want] = directConv(vals(x), xs, vals(w), ws, strides, padding);
      const got = ring.conv2d(x, w, { strides, padding });
      assert.equal([...got.shape], shape, `shape ${xs} * ${ws} ${padding}`);
      assert.equal(vals(got), want, `values ${xs} * ${ws} ${strides} ${padding}`);
    }
  });
});

test('conv2d matches tfjs conv2d on small integers (float32 exact), negatives included', async () => {
  await tf.setBackend('cpu');
  forEachBackend((backend) => {
    setBackend(backend);
    for (const [xs, ws, strides, padding] of CASES) {
      const xi = Array.from(randomSmall(xs, 15).values() as BigUint64Array, (v) => Number(v) - 7);
      const wi = Array.from(randomSmall(ws, 9).values() as BigUint64Array, (v) => Number(v) - 4);
      const expected = tf.conv2d(tf.tensor4d(xi, xs as [number, number, number, number]),
        tf.tensor4d(wi, ws as [number, number, number, number]), strides, padding);
      const got = ring.conv2d(ring.fromValues(xi, xs), ring.fromValues(wi, ws), { strides, padding });
      assert.equal([...got.shape], expected.shape);
      const signed = Array.from(got.values() as BigUint64Array, (v) => Number(BigInt.asIntN(64, v)));
      assert.equal(signed, Array.from(expected.dataSync()), `${xs} * ${ws} ${strides} ${padding}`);
    }
  });
});

test('col2im is the adjoint of im2col: <im2col(x), y> = <x, col2im(y)>', () => {
  forEachBackend((backend) => {
    for (const [xs, ws, strides, padding] of CASES) {
      const attrs = { kernelSize: [ws[0], ws[1]] as [number, number], strides, padding };
      const x = randomTensor(xs);
      const cols = runKernel('Im2Col', [x], attrs, backend);
      const y = randomTensor([...cols.shape]);
      const back = runKernel('Col2Im', [y], { ...attrs, inputShape: xs }, backend);
      const dot = (p: bigint[], q: bigint[]) => p.reduce((s, v, i) => s + v * q[i], 0n) % M64;
      assert.is(dot(vals(cols), vals(y)), dot(vals(x), vals(back)), `${xs} ${ws} ${strides} ${padding}`);
    }
  });
});

test('conv2d equals im2col followed by matmul', () => {
  forEachBackend((backend) => {
    setBackend(backend);
    const [x, w] = [randomTensor([2, 9, 7, 3]), randomTensor([3, 3, 3, 4])];
    const cols = ring.im2col(x, { kernelSize: [3, 3], strides: 2, padding: 'same' });
    const y = ring.matmul(cols, ring.reshape(w, [27, 4]));
    assert.equal(vals(ring.reshape(y, [2, 5, 4, 4])), vals(ring.conv2d(x, w, { strides: 2, padding: 'same' })));
  });
});

test.run();
