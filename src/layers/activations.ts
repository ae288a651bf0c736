/**
 * Activation functions with their backward passes, on the Protocol interface.
 *
 * | name    | forward                                      | backward                            |
 * |---------|----------------------------------------------|-------------------------------------|
 * | linear  | x                                            | dy                                  |
 * | relu    | exact (all; Pond's Chebyshev as an option)   | dy ⊙ 1[x ≥ 0]: exact comparison only |
 * | sigmoid | protocol approximation                       | dy ⊙ y ⊙ (1 − y)                    |
 * | tanh    | protocol approximation                       | dy ⊙ (1 − y²)                       |
 * | softmax | generic softmax (max subtraction if exact)   | y ⊙ (dy − Σ dy ⊙ y)                 |
 */
import { ValueError } from '../errors.js';
import { requireExact } from '../protocols/capabilities.js';
import { softmax } from '../protocols/generic/index.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';

/**
 * Names of the supported activations.
 * @example
 * ```ts
 * const act: ActivationName = 'sigmoid';
 * ```
 */
export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

/** What a forward pass keeps for backward. */
export interface ActivationCache { x: TfeTensor; y: TfeTensor; derivative?: TfeTensor }

const NAMES: readonly ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

/**
 * Validates an activation name (tfjs spelling; `undefined` and `null` mean linear).
 * @example
 * ```ts
 * activationName('relu'); // 'relu'
 * ```
 */
export function activationName(a: unknown, where: string): ActivationName {
  if (a === undefined || a === null) return 'linear';
  if (typeof a === 'string' && (NAMES as readonly string[]).includes(a)) return a as ActivationName;
  throw new ValueError(`${where}: \`activation\` must be one of ${NAMES.join(', ')}, got ${typeof a === 'string' ? `'${a}'` : typeof a}`);
}

/**
 * Applies an activation.
 * @example
 * ```ts
 * const y = applyActivation(prot, 'sigmoid', z);
 * ```
 */
export function applyActivation(p: Protocol, name: ActivationName, x: TfeTensor): TfeTensor {
  return forwardActivation(p, name, x, false).y;
}

/**
 * Applies an activation and returns what backward needs; in training, relu takes its
 * derivative from the same comparison as its value.
 * @example
 * ```ts
 * const cache = forwardActivation(prot, 'relu', z, true); // { x, y, derivative }
 * ```
 */
export function forwardActivation(p: Protocol, name: ActivationName, x: TfeTensor, training: boolean): ActivationCache {
  if (name === 'relu' && training) {
    const ex = p.capabilities.exactComparison;
    if (ex) { const r = ex.reluWithDerivative(x); return { x, y: r.y, derivative: r.derivative }; }
  }
  return { x, y: valueOf(p, name, x) };
}

function valueOf(p: Protocol, name: ActivationName, x: TfeTensor): TfeTensor {
  switch (name) {
    case 'linear': return x;
    case 'relu': return p.capabilities.exactComparison?.relu(x) ?? p.relu(x);
    case 'sigmoid': return p.sigmoid(x);
    case 'tanh': return p.tanh(x);
    case 'softmax': return softmax(p, x);
  }
}

/**
 * The gradient through an activation.
 * @example
 * ```ts
 * const dz = activationBackward(prot, 'relu', { x: z, y }, dy, 'dense_1');
 * ```
 */
export function activationBackward(p: Protocol, name: ActivationName, cache: ActivationCache, dy: TfeTensor, layer: string): TfeTensor {
  const { x, y } = cache;
  switch (name) {
    case 'linear': return dy;
    case 'relu': return p.mul(dy, cache.derivative ?? requireExact(p, `relu backward in layer \`${layer}\``).reluDerivative(x));
    case 'sigmoid': return p.mul(dy, p.mul(y, p.sub(1, y)));
    case 'tanh': return p.mul(dy, p.sub(1, p.square(y)));
    case 'softmax': {
      const s = p.reduceSum(p.mul(dy, y), y.rank - 1, true);
      return p.mul(y, p.sub(dy, s));
    }
  }
}

/**
 * Whether training through `name` needs exact comparison.
 * @example
 * ```ts
 * needsExactForTraining('relu'); // true
 * ```
 */
export function needsExactForTraining(name: ActivationName): boolean {
  return name === 'relu';
}
