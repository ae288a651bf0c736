import { createRequire } from 'node:module';
import onnxProto from 'onnx-proto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NotImplementedError, ValueError } from '../../src/errors.js';
import { checkOnnxGraph, parseOnnx } from '../../src/models/onnx/index.js';
import { encodeModel, valueInfo } from './onnx_helpers.js';

const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx };
const require = createRequire(import.meta.url);

/** A Gemm + Relu model, 4 -> 3, built with the ONNX schema's own encoder. */
function gemmModel(opts: { op?: string; attr?: Record<string, number>; opset?: number } = {}): Uint8Array {
  const T = onnx.AttributeProto.AttributeType;
  const w = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 8);
  const b = Float32Array.from([0.5, -0.25, 0]);
  return encodeModel({
    name: 'g',
    node: [
      { name: 'fc', opType: 'Gemm', input: ['x', 'W', 'B'], output: ['h'], attribute: [{ name: 'transB', type: T.INT, i: 1 }, ...Object.entries(opts.attr ?? {}).map(([name, i]) => ({ name, type: T.INT, i }))] },
      { name: 'act', opType: opts.op ?? 'Relu', input: ['h'], output: ['y'] },
    ],
    initializer: [
      { name: 'W', dims: [3, 4], dataType: 1, rawData: new Uint8Array(w.buffer) },
      { name: 'B', dims: [3], dataType: 1, floatData: Array.from(b) },
    ],
    input: [valueInfo('x', [-1, 4])], output: [valueInfo('y', [-1, 3])],
  }, opts.opset);
}

test('parseOnnx reads graph, shapes and weights; onnxruntime accepts the same bytes', async () => {
  const bytes = gemmModel();
  const { graph, weights } = parseOnnx(bytes);
  assert.is(graph.opset, 13);
  assert.equal(graph.nodes.map((n) => n.opType), ['Gemm', 'Relu']);
  assert.equal(graph.inputs, [{ name: 'x', shape: [-1, 4] }]);
  assert.equal(graph.initializers.map((i) => i.shape), [[3, 4], [3]]);
  assert.is(graph.nodes[0].attrs.transB, 1);
  assert.equal(Array.from(weights.get('W')!.values.slice(0, 2)), [-0.75, -0.625]);
  assert.equal(Array.from(weights.get('B')!.values), [0.5, -0.25, 0]);
  checkOnnxGraph(graph);
  // The oracle: onnxruntime runs the same bytes; plaintext Gemm+Relu from the parsed weights agrees.
  const ort = require('onnxruntime-node');
  const sess = await ort.InferenceSession.create(bytes);
  const x = Float32Array.from([1, -2, 0.5, 3]);
  const out = (await sess.run({ x: new ort.Tensor('float32', x, [1, 4]) })).y.data as Float32Array;
  const W = weights.get('W')!.values, B = weights.get('B')!.values;
  for (let j = 0; j < 3; j++) {
    let s = B[j];
    for (let k = 0; k < 4; k++) s += x[k] * W[j * 4 + k];
    assert.ok(Math.abs(Math.max(0, s) - out[j]) < 1e-6, `output ${j}: ${Math.max(0, s)} vs ${out[j]}`);
  }
});

test('malformed and truncated bytes give ValueError', () => {
  assert.throws(() => parseOnnx(new Uint8Array(0)), (e: unknown) => e instanceof ValueError);
  assert.throws(() => parseOnnx(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2])), (e: unknown) => e instanceof ValueError && /malformed|truncated/.test((e as Error).message));
  const bytes = gemmModel();
  assert.throws(() => parseOnnx(bytes.subarray(0, Math.floor(bytes.length / 2))), (e: unknown) => e instanceof ValueError);
});

test('unsupported operator, attribute and opset give NotImplementedError naming node, op and attribute', () => {
  const op = (() => { try { checkOnnxGraph(parseOnnx(gemmModel({ op: 'Erf' })).graph); } catch (e) { return e; } })();
  assert.ok(op instanceof NotImplementedError);
  assert.match((op as Error).message, /`act`.*Erf/);
  const attr = (() => { try { checkOnnxGraph(parseOnnx(gemmModel({ attr: { foo: 2 } })).graph); } catch (e) { return e; } })();
  assert.ok(attr instanceof NotImplementedError);
  assert.match((attr as Error).message, /`fc` \(Gemm\): attribute `foo`/);
  assert.throws(() => checkOnnxGraph(parseOnnx(gemmModel({ opset: 9 })).graph), (e: unknown) => e instanceof NotImplementedError && /opset/.test((e as Error).message));
  assert.not.throws(() => checkOnnxGraph(parseOnnx(gemmModel({ opset: 18 })).graph));
});

test.run();
