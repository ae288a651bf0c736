/**
 * Range analysis of a model before it runs, from public facts only: the declared bound of the
 * input (`definePrivateInput(..., {bounds})`), the layer sizes, and the magnitude of weights
 * shared from plaintext (initial values or imported weights). Each layer's worst-case product,
 * |x|·|W| summed over its fan-in, is compared with the largest product fixed point truncates
 * exactly (2^30 at f = 16; see src/protocols/overflow.ts). What it cannot see is said in the
 * report: weights changed by training (their bound is the one they were shared with), and
 * BatchNormalization, whose scale comes from private statistics.
 *
 * @example
 * ```ts
 * for (const row of model.analyzeRanges(1000)) if (row.overflow) console.log(row.layer, row.worstProduct);
 * ```
 */
import { productLimit } from '../protocols/overflow.js';
import type { Protocol } from '../protocols/protocol.js';
import type { LayerWeight } from '../layers/index.js';

/** One layer of a range report. */
export interface LayerRange {
  layer: string;
  className: string;
  /** Bound on |input| (undefined: unknown from here on). */
  inputBound?: number;
  /** Worst-case |product| summed over the fan-in, for layers with weights. */
  worstProduct?: number;
  /** The largest product that truncates exactly. */
  limit: number;
  /** Bound on |output|. */
  outputBound?: number;
  /** True when the worst case can reach the limit. */
  overflow: boolean;
  /** Why a bound is unknown, when it is. */
  note?: string;
}

/** What the analysis needs of a layer. */
interface AnalyzedLayer { name: string; weights: LayerWeight[]; getClassName(): string; getConfig(): Record<string, unknown> }

const KEEP = new Set(['InputLayer', 'Flatten', 'Reshape', 'Dropout', 'Identity', 'AveragePooling2D', 'MaxPooling2D', 'GlobalAveragePooling2D']);

function afterActivation(activation: unknown, bound: number): number {
  return activation === 'sigmoid' || activation === 'softmax' || activation === 'tanh' ? 1 : bound;
}

/**
 * The range report of `layers` for inputs with |x| ≤ `inputBound` under protocol `p`.
 * @example
 * ```ts
 * const rows = analyzeRanges(model.layers, 1000, model.build());
 * ```
 */
export function analyzeRanges(layers: readonly AnalyzedLayer[], inputBound: number, p: Protocol): LayerRange[] {
  const f = p.fracBits;
  const limit = productLimit(f, f);
  let bound: number | undefined = inputBound;
  let unknownSince: string | undefined;
  return layers.map((l) => {
    const className = l.getClassName();
    const config = l.getConfig();
    const row: LayerRange = { layer: l.name, className, inputBound: bound, limit, overflow: false };
    if (bound === undefined) { row.note = unknownSince; return row; }
    if (className === 'Dense' || className === 'Conv2D') {
      const [kernel, bias] = l.weights;
      const fanIn = className === 'Dense' ? kernel.shape[0] : kernel.shape[0] * kernel.shape[1] * kernel.shape[2];
      const w = kernel.value.bound;
      if (w === undefined) {
        bound = undefined;
        row.note = unknownSince = `the weights of \`${l.name}\` were not shared from plaintext, so their magnitude is unknown`;
        return row;
      }
      row.worstProduct = fanIn * w * bound;
      row.overflow = row.worstProduct >= limit;
      bound = afterActivation(config.activation, row.worstProduct + (bias?.value.bound ?? 0));
    } else if (className === 'ReLU' || className === 'Activation') {
      bound = afterActivation(config.activation ?? 'relu', bound);
    } else if (!KEEP.has(className)) {
      bound = undefined;
      row.note = unknownSince = className === 'BatchNormalization'
        ? `\`${l.name}\` scales by private statistics, so its output bound is unknown`
        : `no range rule for ${className} layer \`${l.name}\``;
      return row;
    }
    row.outputBound = bound;
    return row;
  });
}
