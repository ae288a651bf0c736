/**
 * Shared by the ONNX import tests: the fixtures, onnxruntime as the oracle, argmax and the
 * error bounds. Bounds are derived, not tuned:
 *  - fixed point (f = 16, ulp = 2^-16): a node with fan-in K sums K products whose encoding and
 *    truncation errors are each ≤ ulp·(|x| + |w|) ≤ 8·ulp for |x|, |w| ≤ 4; summed over the
 *    fan-ins of every linear node (downstream weights here have |w| ≤ 1 and averaging pools
 *    do not amplify): FIXED(K1..Kn) = 8·ulp·ΣK.
 *  - relu is exact on both protocols (Pond's default is x·[x ≥ 0] from the dealer-assisted
 *    exact MSB, src/protocols/pond/pond.ts), so it adds only fixed-point error;
 *  - documented approximation errors (src/protocols/approximations/defaults.ts and
 *    generic/exp_softmax.ts, log.ts): sigmoid ≤ 0.0055,
 *    tanh ≤ 0.011, softmax probabilities ≤ 0.02 (Pond, mean shift) or exp ≤ 0.003 absolute plus
 *    1e-4 reciprocal (exact max), log ≤ 0.001 on [1, 10]; carried through the next linear map
 *    by its largest absolute row sum, and through softmax by its ∞-norm Lipschitz constant ½.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import { parseOnnx } from '../../src/models/onnx/index.js';

const require = createRequire(import.meta.url);
const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx };

/** A float32 graph input or output; a negative dim is the batch (`N`). */
export const valueInfo = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (d < 0 ? { dimParam: 'N' } : { dimValue: d })) } } } });

/** Float32 raw bytes of an initializer. */
export const f32 = (v: ArrayLike<number>): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);

/** A model with one graph, encoded by the ONNX schema's own encoder (IR 8, default domain at `opset`). */
export function encodeModel(graph: import('onnx-proto').onnx.IGraphProto, opset = 13): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph })).finish();
}
/** The fixture directory. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'onnx');
/** Input shape of each fixture for a batch of `n`. */
export const INPUT: Record<string, (n: number) => number[]> = {
  mlp: (n) => [n, 8], cnn_bn: (n) => [n, 1, 8, 8], cnn_folded: (n) => [n, 1, 8, 8], ops: (n) => [n, 2, 8, 8], ops_pond: (n) => [n, 2, 8, 8],
};
const ULP = 2 ** -16;

/** Fixture bytes. */
export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, `${name}.onnx`)));

/** onnxruntime's output for `x` (float32). */
export async function ortRun(name: string, x: Float64Array, shape: number[]): Promise<Float32Array> {
  const ort = require('onnxruntime-node');
  const sess = await ort.InferenceSession.create(fixture(name));
  const out = await sess.run({ x: new ort.Tensor('float32', Float32Array.from(x), shape) });
  return out.y.data as Float32Array;
}

/** The largest absolute row sum of the initializer `name` (a [out, in] matrix), read in plaintext by the test. */
export function rowAbsSum(model: string, name: string, transposed = false): number {
  const w = parseOnnx(fixture(model)).weights.get(name)!;
  const [r, c] = w.shape;
  let best = 0;
  for (let i = 0; i < (transposed ? c : r); i++) {
    let s = 0;
    for (let j = 0; j < (transposed ? r : c); j++) s += Math.abs(w.values[transposed ? j * c + i : i * c + j]);
    best = Math.max(best, s);
  }
  return best;
}

/** The derived bound on |private − onnxruntime| for each fixture and protocol (see the module comment). */
export function tolerance(model: string, protocol: 'pond' | 'securenn'): number {
  const fixed = (...fanIns: number[]): number => 8 * ULP * fanIns.reduce((a, b) => a + b, 0);
  const softmax = protocol === 'pond' ? 0.02 : 0.003 + 1e-4;
  switch (model) {
    case 'mlp': return fixed(8, 16) + softmax;
    case 'cnn_bn': case 'cnn_folded': return fixed(9, 64) + 1e-3;
    case 'ops': case 'ops_pond': {
      // h = f·g + g/2 − f + g with g ∈ [0, 6] (mean of ReLU6): |∂h/∂f| ≤ 7; then MatMul by w [8, 6] and tanh
      const du = 7 * 0.0055 * rowAbsSum(model, 'w', true) + 0.011 + fixed(18, 128, 8);
      return model === 'ops_pond' ? 0.5 * du + softmax : Math.max(0.5 * du + softmax, 2 * du + 0.001 + 0.003);
    }
    default: throw new Error(`no bound for ${model}`);
  }
}


/** Gap between the largest and second largest entry of each row. */
export function margins(v: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: v.length / k }, (_, i) => {
    const row = Array.from({ length: k }, (_, j) => v[i * k + j]).sort((a, b) => b - a);
    return row[0] - row[1];
  });
}
