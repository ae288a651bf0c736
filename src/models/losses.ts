/**
 * Losses with their gradients on private tensors. Gradients of sigmoid + binary cross-entropy
 * and softmax + categorical cross-entropy are fused: dL/dz = (p − y)/N on the logits z, so no
 * log or division is evaluated in training. Training takes the summed form (`summedGradient`:
 * p − y, and N for the optimizer to divide by with its learning rate), so the backward pass
 * carries no division: one truncation round fewer per step, and no bits lost to 1/N. Loss
 * VALUES (only computed when revealed to `fit({revealTo})`, a callback or `evaluate`) use the
 * generic approximations: softplus for BCE (logits in [−8, 8]: error ≤ 0.002), log-sum-exp
 * for CCE (error ≤ 0.001 with an exact max, ≤ 0.05 under Pond), exact arithmetic for MSE.
 */
import { NotImplementedError, ValueError } from '../errors.js';
import { log, softmaxParts, softplusApprox } from '../protocols/generic/index.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';

/** What a loss sees of the model's output: the prediction and, when fused, the logits. */
export interface LossInputs { pred: TfeTensor; logits?: TfeTensor }

/** A loss: its value and its gradient (w.r.t. the prediction, or the logits when fused). */
export interface Loss {
  readonly name: string;
  /** The activation this loss fuses with (the model's last activation must be it). */
  readonly fuses?: 'sigmoid' | 'softmax';
  /** Mean loss over the batch, a private scalar. */
  value(p: Protocol, out: LossInputs, y: TfeTensor): TfeTensor;
  /** dL/dpred, or dL/dlogits when fused. */
  gradient(p: Protocol, out: LossInputs, y: TfeTensor): TfeTensor;
  /**
   * The gradient of the loss summed over the batch (per example: no division), and the whole
   * `divisor` that makes it the mean loss's (`gradient / divisor`). Training propagates the
   * summed `gradient` (no division, so no rounding and no lost bits: at f = 16 a batch of 128
   * took 7 bits off every p − y) and the optimizer divides by `divisor` together with its
   * learning rate, in the truncation it makes anyway: one round fewer per training step.
   * Optional: training uses `gradient` for a loss without it.
   */
  summedGradient?(p: Protocol, out: LossInputs, y: TfeTensor): SummedGradient;
}

/**
 * The gradient of a loss summed over the batch and the public whole divisor that makes it the
 * mean loss's gradient, `gradient / divisor`.
 * @example
 * ```ts
 * const { gradient, divisor } = loss.summedGradient!(p, { pred }, y); // divisor = N
 * ```
 */
export interface SummedGradient { gradient: TfeTensor; divisor: number }

/** The mean loss's gradient from the summed one: gradient / divisor (one division). */
const unscaled = ({ gradient, divisor }: SummedGradient, p: Protocol): TfeTensor => p.div(gradient, divisor);

const meanAll = (p: Protocol, t: TfeTensor): TfeTensor => p.mean(p.reshape(t, [t.size]), 0);

const meanSquaredError: Loss = {
  name: 'meanSquaredError',
  value: (p, out, y) => meanAll(p, p.square(p.sub(out.pred, y))),
  gradient: (p, out, y) => unscaled(meanSquaredError.summedGradient!(p, out, y), p),
  summedGradient: (p, out, y) => ({ gradient: p.mul(p.sub(out.pred, y), 2), divisor: out.pred.size }),
};

const binaryCrossentropy: Loss = {
  name: 'binaryCrossentropy',
  fuses: 'sigmoid',
  // BCE(sigmoid(z), y) = softplus(z) − y·z
  value: (p, out, y) => meanAll(p, p.sub(softplusApprox(p, out.logits!), p.mul(y, out.logits!))),
  gradient: (p, out, y) => unscaled(binaryCrossentropy.summedGradient!(p, out, y), p),
  summedGradient: (p, out, y) => ({ gradient: p.sub(out.pred, y), divisor: out.pred.size }),
};

const categoricalCrossentropy: Loss = {
  name: 'categoricalCrossentropy',
  fuses: 'softmax',
  // CCE(softmax(z), y) = logsumexp(z) − Σ y·z, logsumexp = shift + log(Σ exp(z − shift))
  value: (p, out, y) => {
    const z = out.logits!;
    const axis = z.rank - 1;
    const parts = softmaxParts(p, z);
    const lse = p.add(parts.shift, log(p, parts.sum, parts.sumInterval));
    const per = p.sub(p.reshape(lse, [z.size / z.shape[axis]]), p.reduceSum(p.mul(y, z), axis));
    return p.mean(per, 0);
  },
  gradient: (p, out, y) => unscaled(categoricalCrossentropy.summedGradient!(p, out, y), p),
  summedGradient: (p, out, y) => ({ gradient: p.sub(out.pred, y), divisor: out.pred.size / out.pred.shape[out.pred.rank - 1] }),
};

const ALIASES: Record<string, Loss> = {
  meanSquaredError, mse: meanSquaredError, mean_squared_error: meanSquaredError, MSE: meanSquaredError,
  binaryCrossentropy, binary_crossentropy: binaryCrossentropy,
  categoricalCrossentropy, categorical_crossentropy: categoricalCrossentropy,
  sparseCategoricalCrossentropy: { ...categoricalCrossentropy, name: 'sparseCategoricalCrossentropy' },
  sparse_categorical_crossentropy: { ...categoricalCrossentropy, name: 'sparseCategoricalCrossentropy' },
};

/**
 * The loss named `name` (tfjs spellings), or a custom {@link Loss} object.
 * @example
 * ```ts
 * getLoss('categoricalCrossentropy').fuses; // 'softmax'
 * ```
 */
export function getLoss(name: string | Loss): Loss {
  if (name && typeof name === 'object' && typeof name.gradient === 'function') return name;
  const l = typeof name === 'string' ? ALIASES[name] : undefined;
  if (!l) throw new ValueError(`unknown loss \`${String(name)}\`; use one of meanSquaredError, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy`);
  return l;
}

/**
 * Checks at compile time that a fused loss follows its activation.
 * @example
 * ```ts
 * checkLossActivation(getLoss('binaryCrossentropy'), 'sigmoid', 'dense_3');
 * ```
 */
export function checkLossActivation(loss: Loss, lastActivation: string | undefined, layer: string): void {
  if (loss.fuses && lastActivation !== loss.fuses) {
    throw new NotImplementedError(`loss \`${loss.name}\` needs the last layer (\`${layer}\`) to have activation '${loss.fuses}' (its gradient is fused, p − y), got '${lastActivation ?? 'none'}'`);
  }
}

/**
 * One-hot encoding of private integer class labels with K classes by Lagrange interpolation:
 * onehot_k(y) = Π_{j≠k} (y − j)/(k − j), exact on integers (products of integers, one public
 * division). ⌈log2 K⌉ + 1 rounds; values must be integers in [0, K).
 * @example
 * ```ts
 * const oneHot = sparseToOneHot(prot, labels, 10); // [batch] → [batch, 10]
 * ```
 */
export function sparseToOneHot(p: Protocol, y: TfeTensor, k: number): TfeTensor {
  const flat = p.add(p.reshape(y, [y.size]), 0); // adding a fixed-point 0 brings integer labels to scale f
  const diffs = Array.from({ length: k }, (_, j) => p.sub(flat, j));
  const cols: TfeTensor[] = [];
  for (let c = 0; c < k; c++) {
    let terms = diffs.filter((_, j) => j !== c);
    let denom = 1;
    for (let j = 0; j < k; j++) if (j !== c) denom *= c - j;
    if (terms.length === 0) { cols.push(p.add(p.mul(flat, 0), 1)); continue; }
    while (terms.length > 1) {
      const next: TfeTensor[] = [];
      for (let i = 0; i + 1 < terms.length; i += 2) next.push(p.mul(terms[i], terms[i + 1]));
      if (terms.length % 2) next.push(terms[terms.length - 1]);
      terms = next;
    }
    cols.push(p.div(terms[0], denom));
  }
  return p.stack(cols, 1);
}
