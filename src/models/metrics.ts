/**
 * Metrics computed on private predictions and labels; only the batch mean is revealed (to
 * `fit({revealTo})` or `evaluate`). Accuracy needs exact comparison (SecureNN, ABY3): a
 * threshold at 0.5 for binary outputs, an argmax for categorical ones.
 */
import { NotImplementedError } from '../errors.js';
import { protocolsWith, requireExact } from '../protocols/capabilities.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';

/** A metric: name in the logs, and its private batch mean. */
export interface Metric {
  readonly name: string;
  readonly needsExact: boolean;
  compute(p: Protocol, pred: TfeTensor, y: TfeTensor): TfeTensor;
}

const binaryAccuracy: Metric = {
  name: 'acc',
  needsExact: true,
  compute: (p, pred, y) => {
    const d = requireExact(p, 'metric `binaryAccuracy`').reluDerivative(p.sub(pred, 0.5));
    const agree = p.add(p.mul(y, d), p.mul(p.sub(1, y), p.sub(1, d)));
    return p.mean(p.reshape(agree, [agree.size]), 0);
  },
};

const categoricalAccuracy: Metric = {
  name: 'acc',
  needsExact: true,
  compute: (p, pred, y) => {
    const hot = requireExact(p, 'metric `categoricalAccuracy`').argmaxOneHot(pred, pred.rank - 1);
    return p.mean(p.reduceSum(p.mul(hot, y), pred.rank - 1), 0);
  },
};

const mse: Metric = {
  name: 'mse',
  needsExact: false,
  compute: (p, pred, y) => { const d = p.square(p.sub(pred, y)); return p.mean(p.reshape(d, [d.size]), 0); },
};

/**
 * Resolves a metric name as tfjs does ('accuracy' picks binary or categorical from the output).
 * @example
 * ```ts
 * getMetric('accuracy', 10); // categorical accuracy
 * ```
 */
export function getMetric(name: string, outputUnits: number): Metric {
  switch (name) {
    case 'accuracy': case 'acc': return outputUnits === 1 ? binaryAccuracy : categoricalAccuracy;
    case 'binaryAccuracy': return { ...binaryAccuracy, name: 'binaryAccuracy' };
    case 'categoricalAccuracy': return { ...categoricalAccuracy, name: 'categoricalAccuracy' };
    case 'mse': case 'meanSquaredError': return mse;
    default: throw new NotImplementedError(`metric \`${name}\` is not supported; use accuracy, binaryAccuracy, categoricalAccuracy or mse`);
  }
}

/**
 * Fails when a metric needs exact comparison that `p` lacks.
 * @example
 * ```ts
 * checkMetricProtocol(getMetric('accuracy', 1), prot);
 * ```
 */
export function checkMetricProtocol(m: Metric, p: Protocol): void {
  if (m.needsExact && !p.capabilities.exactComparison) {
    throw new NotImplementedError(`metric \`${m.name}\` needs a protocol with exact comparison (${p.name} has none): use ${protocolsWith('exactComparison')}, or reveal predictions explicitly with predict({reveal: true})`);
  }
}
