import { createRequire } from 'node:module';
import onnxProto from 'onnx-proto';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { fromOnnx } from '../../src/models/index.js';
import { parseOnnx } from '../../src/models/onnx/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { randomArray } from '../helpers/plain.js';
import { encodeModel, f32, fixture, valueInfo } from './onnx_helpers.js';

const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx };
const N = 8, LR = 0.5;

/** One plaintext SGD step of mlp.onnx (Gemm, Relu, Gemm, Softmax) with categorical cross-entropy, in float64. */
function plainStep(w: Map<string, { values: Float64Array }>, x: Float64Array, y: Float64Array): Record<string, Float64Array> {
  const W1 = w.get('fc1.weight')!.values, b1 = w.get('fc1.bias')!.values, W2 = w.get('fc2.weight')!.values, b2 = w.get('fc2.bias')!.values;
  const H = 16, I = 8, K = 4;
  const gW1 = new Float64Array(H * I), gb1 = new Float64Array(H), gW2 = new Float64Array(K * H), gb2 = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    const h = Array.from({ length: H }, (_, j) => b1[j] + Array.from({ length: I }, (_, i) => W1[j * I + i] * x[n * I + i]).reduce((a, b) => a + b));
    const a = h.map((v) => Math.max(0, v));
    const z = Array.from({ length: K }, (_, k) => b2[k] + a.reduce((s, v, j) => s + W2[k * H + j] * v, 0));
    const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), se = e.reduce((s, v) => s + v);
    const dz = e.map((v, k) => (v / se - y[n * K + k]) / N);
    dz.forEach((d, k) => { gb2[k] += d; a.forEach((v, j) => { gW2[k * H + j] += d * v; }); });
    for (let j = 0; j < H; j++) {
      const da = h[j] > 0 ? dz.reduce((s, d, k) => s + d * W2[k * H + j], 0) : 0;
      gb1[j] += da;
      for (let i = 0; i < I; i++) gW1[j * I + i] += da * x[n * I + i];
    }
  }
  const step = (v: Float64Array, g: Float64Array): Float64Array => v.map((u, i) => u - LR * g[i]);
  return { W1: step(W1, gW1), b1: step(b1, gb1), W2: step(W2, gW2), b2: step(b2, gb2) };
}

/** [out, in] (ONNX Gemm with transB) as tfe's Dense kernel [in, out]. */
function transposed(v: Float64Array, out: number, inn: number): Float64Array {
  return Float64Array.from({ length: v.length }, (_, k) => v[(k % out) * inn + Math.floor(k / out)]);
}

test('fine-tuning mlp.onnx under SecureNN: one fit step equals the plaintext SGD step, and the loss decreases', async () => {
  tfe.setProtocol(new SecureNN());
  const bytes = fixture('mlp');
  const model = await fromOnnx(bytes, { owner: 'model-owner' });
  model.compile({ optimizer: tfe.train.sgd(LR), loss: 'categoricalCrossentropy' });
  const x = randomArray(31, N * 8, -2, 2);
  const labels = Array.from({ length: N }, (_, n) => (x[n * 8] + x[n * 8 + 1] > 0 ? 0 : 3));
  const y = Float64Array.from({ length: N * 4 }, (_, k) => (labels[Math.floor(k / 4)] === k % 4 ? 1 : 0));
  const xt = tf.tensor(Float32Array.from(x), [N, 8]), yt = tf.tensor(Float32Array.from(y), [N, 4]);
  await model.fit(xt, yt, { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
  const want = plainStep(parseOnnx(bytes).weights, Float64Array.from(xt.dataSync()), y);
  const got = await model.getWeights({ revealTo: 'driver' });
  const expected = [transposed(want.W1, 16, 8), want.b1, transposed(want.W2, 4, 16), want.b2];
  // fixed point: each gradient entry sums N products (≤ 8 ulp each, see onnx_helpers), times LR, plus the weight's own ulp
  const tol = LR * 8 * N * 2 ** -16 * 4 + 2 ** -16;
  got.forEach((t, i) => {
    const v = t.dataSync();
    for (let k = 0; k < v.length; k++) assert.ok(Math.abs(v[k] - expected[i][k]) <= tol + 1e-6, `weight ${i}[${k}]: ${v[k]} vs plaintext ${expected[i][k]} (tol ${tol})`);
  });
  const before = await model.evaluate(xt, yt) as number;
  await model.fit(xt, yt, { epochs: 6, batchSize: N, shuffle: false, verbose: 0 });
  const after = await model.evaluate(xt, yt) as number;
  assert.ok(after < before - 0.05, `loss ${before} → ${after}`);
});

test('fine-tuning cnn_bn.onnx (Conv with pads, BatchNormalization, AveragePool in NCHW) lowers a mean squared error', async () => {
  tfe.setProtocol(new SecureNN());
  const model = await fromOnnx(fixture('cnn_bn'), { owner: 'model-owner' });
  model.compile({ optimizer: tfe.train.sgd(0.2), loss: 'meanSquaredError' });
  const xt = tf.tensor(Float32Array.from(randomArray(32, N * 64, -2, 2)), [N, 1, 8, 8]);
  const yt = tf.tensor(Float32Array.from(randomArray(33, N * 5, -1, 1)), [N, 5]);
  const before = await model.evaluate(xt, yt) as number;
  await model.fit(xt, yt, { epochs: 4, batchSize: N, shuffle: false, verbose: 0 });
  const after = await model.evaluate(xt, yt) as number;
  assert.ok(after < before * 0.9, `loss ${before} → ${after}`);
});

/** x [N, 4] → Add(bias) → Mul(scale) → Sigmoid, the bias and scale as float initializers (private weights). */
function affineModel(): Uint8Array {
  return encodeModel({
    name: 'affine',
    node: [
      { name: 'add', opType: 'Add', input: ['x', 'bias'], output: ['h'] },
      { name: 'mul', opType: 'Mul', input: ['h', 'scale'], output: ['z'] },
      { name: 'act', opType: 'Sigmoid', input: ['z'], output: ['y'] },
    ],
    initializer: [{ name: 'bias', dims: [4], dataType: 1, rawData: f32([0.5, -0.5, 1, 0]) }, { name: 'scale', dims: [4], dataType: 1, rawData: f32([2, 1, -1, 0.5]) }],
    input: [valueInfo('x', [-1, 4])], output: [valueInfo('y', [-1, 4])],
  });
}

test('initializer operands of Add and Mul are private weights: predictions match onnxruntime and fit trains them', async () => {
  tfe.setProtocol(new SecureNN());
  const bytes = affineModel();
  const model = await fromOnnx(bytes, { owner: 'model-owner' });
  assert.equal(model.getWeights().map((w) => w.shape), [[4], [4]]);
  const x = randomArray(34, N * 4, -1, 1);
  const ort = createRequire(import.meta.url)('onnxruntime-node');
  const sess = await ort.InferenceSession.create(bytes);
  const want = (await sess.run({ x: new ort.Tensor('float32', Float32Array.from(x), [N, 4]) })).y.data as Float32Array;
  const xt = tf.tensor(Float32Array.from(x), [N, 4]);
  const got = (await model.predict(xt, { reveal: true })).dataSync();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 0.0055 + 2 * 8 * 2 ** -16, `output ${i}: ${got[i]} vs ${want[i]} (sigmoid's documented 0.0055)`);
  model.compile({ optimizer: tfe.train.sgd(4), loss: 'meanSquaredError' });
  const yt = tf.tensor(Float32Array.from(randomArray(35, N * 4, 0.2, 0.8)), [N, 4]);
  const before = await model.evaluate(xt, yt) as number;
  await model.fit(xt, yt, { epochs: 5, batchSize: N, shuffle: false, verbose: 0 });
  const after = await model.evaluate(xt, yt) as number;
  assert.ok(after < before * 0.8, `loss ${before} → ${after}`);
});

/** x [N, 4] → Gemm(W [3, 4], b) → h; y = Concat(Relu(h), h): h's gradient is the sum of two branches. */
function branchModel(W: number[], b: number[]): Uint8Array {
  return encodeModel({
    name: 'branch',
    node: [
      { name: 'fc', opType: 'Gemm', input: ['x', 'W', 'b'], output: ['h'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      { name: 'relu', opType: 'Relu', input: ['h'], output: ['r'] },
      { name: 'cat', opType: 'Concat', input: ['r', 'h'], output: ['y'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    ],
    initializer: [{ name: 'W', dims: [3, 4], dataType: 1, rawData: f32(W) }, { name: 'b', dims: [3], dataType: 1, rawData: f32(b) }],
    input: [valueInfo('x', [-1, 4])], output: [valueInfo('y', [-1, 6])],
  });
}

test('a branching graph (Relu and Concat both read h): one SGD step equals the plaintext step with summed gradients', async () => {
  tfe.setProtocol(new SecureNN());
  const W = Array.from(Float32Array.from(randomArray(36, 12, -1, 1))), b = Array.from(Float32Array.from([0.1, -0.2, 0.3]));
  const model = await fromOnnx(branchModel(W, b), { owner: 'model-owner' });
  model.compile({ optimizer: tfe.train.sgd(LR), loss: 'meanSquaredError' });
  const x = Float64Array.from(Float32Array.from(randomArray(37, N * 4, -1, 1))), y = Float64Array.from(Float32Array.from(randomArray(38, N * 6, -1, 1)));
  await model.fit(tf.tensor(Float32Array.from(x), [N, 4]), tf.tensor(Float32Array.from(y), [N, 6]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
  // plaintext: dL/dy = 2(y' − y)/(6N); dh = dy[:, :3]·[h > 0] + dy[:, 3:]
  const gW = new Float64Array(12), gb = new Float64Array(3);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < 3; j++) {
      const h = b[j] + [0, 1, 2, 3].reduce((s, i) => s + W[j * 4 + i] * x[n * 4 + i], 0);
      const d = (k: number, v: number): number => (2 * (v - y[n * 6 + k])) / (6 * N);
      const dh = (h > 0 ? d(j, h) : 0) + d(3 + j, h);
      gb[j] += dh;
      for (let i = 0; i < 4; i++) gW[j * 4 + i] += dh * x[n * 4 + i];
    }
  }
  const [kernel, bias] = (await model.getWeights({ revealTo: 'driver' })).map((t) => t.dataSync());
  const tol = LR * 8 * N * 2 ** -16 * 4 + 2 ** -16;
  for (let j = 0; j < 3; j++) {
    assert.ok(Math.abs(bias[j] - (b[j] - LR * gb[j])) <= tol, `b[${j}]: ${bias[j]} vs ${b[j] - LR * gb[j]}`);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(kernel[i * 3 + j] - (W[j * 4 + i] - LR * gW[j * 4 + i])) <= tol, `W[${j},${i}]: ${kernel[i * 3 + j]} vs ${W[j * 4 + i] - LR * gW[j * 4 + i]}`);
  }
});

test('compile refuses a model whose node has no backward, naming it; Pond refuses ReLU training', async () => {
  tfe.setProtocol(new tfe.Pond());
  const model = await fromOnnx(fixture('mlp'), { owner: 'model-owner' });
  assert.throws(() => model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' }), (e: Error) => e instanceof tfe.NotImplementedError && /Relu/.test(e.message) && /SecureNN/.test(e.message));
});

test.run();
