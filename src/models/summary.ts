/**
 * The text of `model.summary()`, laid out like tfjs-layers' `printSummary`.
 */
import type { Shape } from '../layers/index.js';

interface SummaryModel {
  layers: { name: string; getClassName(): string; countParams(): number; trainableWeights: unknown[]; weights: { shape: number[] }[] }[];
  outputShapes(batch?: number | null): Shape[];
}

/**
 * Lines of the summary table.
 * @example
 * ```ts
 * formatSummary(model).forEach((l) => console.log(l));
 * ```
 */
export function formatSummary(model: SummaryModel, lineLength = 65, positions: number[] = [0.45, 0.85, 1]): string[] {
  const cols = positions.map((p) => (p <= 1 ? Math.floor(lineLength * p) : p));
  const row = (fields: string[]): string => {
    let line = '';
    fields.forEach((f, i) => { line = (line + f).slice(0, cols[i]).padEnd(cols[i]); });
    return line;
  };
  const out: string[] = ['_'.repeat(lineLength), row(['Layer (type)', 'Output shape', 'Param #']), '='.repeat(lineLength)];
  const shapes = model.outputShapes(null);
  let total = 0, trainable = 0;
  model.layers.forEach((l, i) => {
    const n = l.countParams();
    total += n;
    if (l.trainableWeights.length) trainable += n;
    out.push(row([`${l.name} (${l.getClassName()})`, `[${shapes[i].map((d) => d ?? 'null').join(',')}]`, String(n)]));
    out.push(i === model.layers.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
  });
  out.push(`Total params: ${total}`, `Trainable params: ${trainable}`, `Non-trainable params: ${total - trainable}`, '_'.repeat(lineLength));
  return out;
}
