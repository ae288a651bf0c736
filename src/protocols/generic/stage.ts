import type { Protocol } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import { tidy } from '../runtime_link.js';

/**
 * Runs the next stage of a computation in its own handle scope and frees the previous stage's
 * result, so a chain of stages on many elements holds two results at a time, not all of them
 * (frees run in stream order, after every instruction that reads them).
 * @example
 * ```ts
 * y = nextStage(p, y, () => p.mul(y, p.sub(3, p.mul(x, p.square(y))))); // Newton: y freed
 * ```
 */
export function nextStage(p: Protocol, previous: TfeTensor, next: () => TfeTensor): TfeTensor {
  const out = tidy(next);
  p.dispose(previous);
  return out;
}
