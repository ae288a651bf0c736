/**
 * Comparisons from the crypto producer's function secret sharing, for Pond's relu, sigmoid and
 * tanh and SecureNN's relu on small tensors, where rounds cost more than bytes (a logistic
 * regression's batch, issue 15's fraud step; a single private prediction): the producer deals
 * the DCF keys of dealt_keys.ts to server0 and server1, and a comparison takes the one round
 * that opens the masked input instead of the 8 rounds of the bit-sliced carry tree
 * (compare.ts). {@link fssMaxElements} says where the trade turns.
 */
import type { Pond } from './pond.js';
import { PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';
import type { TfeTensor } from '../tensor.js';
import { dealtThresholdSteps, fssMaxElements } from '../dealt_keys.js';
import { pondParties } from './dealer.js';

/**
 * Shares of the steps g_k = [v ≥ t_k] for every threshold t_k, and of the products g_k·v, as
 * private tensors of shape [K, ...v.shape] (the steps as 0/1 integers, fracBits 0; the products
 * at v's scale), exactly for |v| < 2^62: {@link dealtThresholdSteps} with the producer dealing.
 * 1 round; 16 bytes per element between the servers, 2 KB of key per element and server.
 * @example
 * ```ts
 * const { steps, products } = thresholdSteps(pond, x, [-1, 0, 1]); // each [3, ...x.shape]
 * ```
 */
export function thresholdSteps(p: Pond, v: PondPrivateTensor, thresholds: readonly number[]): { steps: PondPrivateTensor; products: PondPrivateTensor } {
  const { steps, products } = dealtThresholdSteps(pondParties(p), v.shares, v.fracBits, thresholds);
  return { steps: new PondPrivateTensor(p, 0, steps), products: new PondPrivateTensor(p, v.fracBits, products) };
}

/**
 * Whether `x` is a private tensor whose relu, sigmoid and tanh take the dealer's DCF keys
 * (PondArgs.fss, {@link fssMaxElements}).
 * @example `if (usesFss(pond, x)) return fssRelu(pond, x).y;`
 */
export function usesFss(p: Pond, x: TfeTensor): boolean {
  return p.fss && !(x instanceof PondPublicTensor) && x.size > 0 && x.size <= fssMaxElements;
}

/**
 * relu(x) = [x ≥ 0]·x and its derivative [x ≥ 0], exactly, for small tensors: the step and
 * product of {@link thresholdSteps} with the one threshold 0, whose integer step needs no
 * truncation. 1 round (Pond's tree takes 8, SecureNN's DReLU and product 4). Communication
 * per element: 2 KB from the producer to each server, 8 bytes each way between the servers.
 * @example
 * ```ts
 * const { y, derivative } = fssRelu(pond, x); // x.size ≤ fssMaxElements
 * ```
 */
export function fssRelu(p: Pond, x: PondPrivateTensor): { y: PondPrivateTensor; derivative: PondPrivateTensor } {
  const { steps, products } = thresholdSteps(p, x, [0]);
  const y = p.reshape(products, [...x.shape]) as PondPrivateTensor;
  const derivative = p.reshape(steps, [...x.shape]) as PondPrivateTensor;
  p.dispose(products);
  p.dispose(steps);
  return { y, derivative };
}
