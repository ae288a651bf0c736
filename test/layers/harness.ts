/**
 * Compares a tfe layer with the same tfjs-layers layer: same weights, same random input; the
 * forward output, the input gradient and the weight gradients of sum(y ⊙ dy) for a random dy
 * (tf.grad / tf.variableGrads in plaintext), with tolerances derived from f = 16.
 */
import * as tf from '@tensorflow/tfjs';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import type { Layer } from '../../src/layers/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { maxAbsDiff, randomArray } from '../helpers/plain.js';

export const F = 16;
export const ULP = 2 ** -F;

/** Protocols under test, by name. */
export const PROTOCOLS: Record<string, () => tfe.Protocol> = {
  Pond: () => new tfe.Pond(),
  SecureNN: () => new SecureNN(),
};

/** Options of {@link compareLayer}. */
export interface CompareOptions {
  make: () => Layer;
  tfLayer: () => tf.layers.Layer;
  /** Full input shape (batch first). */
  shape: number[];
  range?: [number, number];
  /** Weight values by index and shape (default uniform in [−0.5, 0.5]). */
  weight?: (i: number, shape: number[]) => Float64Array;
  tol: { y: number; dx?: number; dw?: number };
  backward?: boolean;
  seed?: number;
  /**
   * The layer is linear in x: take the reference input gradient by exact finite differences of
   * tfjs's forward (tfjs's own avgPool backward divides 'same' windows by the full window size,
   * which disagrees with its forward; tfe differentiates the forward).
   */
  linearReference?: boolean;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function close(got: Float64Array | Float32Array, want: Float64Array | Float32Array, tol: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  const d = maxAbsDiff(Float64Array.from(got), Float64Array.from(want));
  assert.ok(d <= tol, `${what}: max error ${d} > tolerance ${tol}`);
}

/**
 * Runs the comparison under the active protocol.
 * @example
 * ```ts
 * await compareLayer({ make: () => L.dense({ units: 3, inputShape: [4] }), tfLayer: () => tf.layers.dense({ units: 3 }), shape: [5, 4], tol: { y: 1e-3 } });
 * ```
 */
export async function compareLayer(o: CompareOptions): Promise<void> {
  const seed = o.seed ?? 1;
  const [lo, hi] = o.range ?? [-2, 2];
  const layer = o.make();
  const p = tfe.getProtocol();
  layer.build([null, ...o.shape.slice(1)]);
  const tl = o.tfLayer();
  const xv = randomArray(seed, size(o.shape), lo, hi);
  const xTf = tf.tensor(Float32Array.from(xv), o.shape);
  tl.apply(xTf);
  const weightVals = layer.weights.map((w, i) => o.weight?.(i, w.shape) ?? randomArray(seed + 10 + i, size(w.shape), -0.5, 0.5));
  layer.weights.forEach((w, i) => p.assign(w.value, p.defineConstant(weightVals[i], { shape: w.shape })));
  tl.setWeights(weightVals.map((v, i) => tf.tensor(Float32Array.from(v), layer.weights[i].shape)));

  const x = await p.definePrivateInput('input-provider', () => xv, { shape: o.shape });
  const y = layer.call(x, { training: o.backward !== false });
  const yTf = tl.apply(xTf) as tf.Tensor;
  assert.equal([...y.shape], yTf.shape, 'output shape');
  assert.equal(layer.computeOutputShape([o.shape[0], ...o.shape.slice(1)]), yTf.shape, 'computeOutputShape');
  close(await y.reveal(), yTf.dataSync() as Float32Array, o.tol.y, `${layer.getClassName()} forward`);
  if (o.backward === false) return;

  const dyv = randomArray(seed + 99, size(yTf.shape), -1, 1);
  const dyTf = tf.tensor(Float32Array.from(dyv), yTf.shape);
  const dy = await p.definePrivateInput('input-provider', () => dyv, { shape: [...yTf.shape] });
  const g = layer.backward(dy);
  const dxRef = o.linearReference ? finiteDifferences(tl, xv, o.shape, dyv) : tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tl.apply(xx) as tf.Tensor, dyTf)))(xTf).dataSync() as Float32Array;
  close(await g.dx!.reveal(), dxRef, o.tol.dx ?? o.tol.y, `${layer.getClassName()} input gradient`);
  const vars = tl.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  assert.is(g.grads.length, vars.length, 'number of weight gradients');
  if (vars.length) {
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tl.apply(xTf) as tf.Tensor, dyTf)) as tf.Scalar, vars);
    for (let i = 0; i < vars.length; i++) {
      close(await g.grads[i].reveal(), grads[vars[i].name].dataSync() as Float32Array, o.tol.dw ?? o.tol.y, `${layer.getClassName()} gradient of ${layer.trainableWeights[i].name}`);
    }
  }
}

function finiteDifferences(tl: tf.layers.Layer, xv: Float64Array, shape: number[], dyv: Float64Array): Float64Array {
  const out = new Float64Array(xv.length);
  const f = (v: Float64Array) => { const y = (tl.apply(tf.tensor(Float32Array.from(v), shape)) as tf.Tensor).dataSync(); let s = 0; for (let i = 0; i < y.length; i++) s += y[i] * dyv[i]; return s; };
  const base = f(new Float64Array(xv.length));
  for (let i = 0; i < xv.length; i++) { const e = new Float64Array(xv.length); e[i] = 1; out[i] = f(e) - base; }
  return out;
}

/**
 * Tolerance of a sum of `terms` products of magnitude ≤ maxAbs, through `depth` truncations,
 * plus the float32 rounding of tfjs.
 * @example
 * ```ts
 * linTol(16, 2); // 16-term dot products of values ≤ 2
 * ```
 */
export function linTol(terms: number, maxAbs: number, depth = 1): number {
  return depth * (terms * (maxAbs * ULP + ULP * ULP) + 4 * ULP) + terms * maxAbs * maxAbs * 2 ** -22;
}
