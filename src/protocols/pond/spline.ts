/**
 * Pond's sigmoid and tanh of small tensors as linear splines on the one-round comparisons of
 * fss.ts: each piece's line is chosen by the steps [v ≥ t_k], and their products with v come
 * in the same round, so the spline costs that round and one truncation.
 */
import { ValueError } from '../../errors.js';
import type { Spline } from '../approximations/linear_spline.js';
import { dealtSplineSums } from '../dealt_keys.js';
import { pondParties } from './dealer.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor } from './pond_tensors.js';
import { truncatePrivate } from './truncate.js';

export type { Spline };

/**
 * A linear spline of x on exact comparisons, for small tensors. 2 rounds (the polynomial with
 * its clamp takes 9); on a product's result (sign_source.ts) the first of them is the round of
 * the product's own truncation, so after the product it costs 2 rounds in all.
 *  1. g_k = [v ≥ t_k] and g_k·v for the spline's thresholds, with v = x's untruncated product
 *     when there is one, else x (1 round)
 *  2. Σ_k g_k·(Δa_k·v + Δb_k), with Δa_k, Δb_k the changes of slope and intercept at t_k (the
 *     slopes encoded with `slopeBits` fractional bits, default f), local: steps 1 and 2 are
 *     {@link dealtSplineSums}
 *  3. the sum, at scale 2^-(slopeBits + f_v), is truncated to f (1 round)
 * Error: SPLINE_MAX_ERROR (approximations/activation_splines.ts) for |x| < 2^(62−2f). The
 * value must stay below 2^(62 − slopeBits − f_v) (each term may wrap; only the sum must fit).
 * Communication per element: 2 KB from the producer to each server (the key), and 16 bytes
 * each way between the servers plus the truncation's.
 * @example
 * ```ts
 * const y = splineOf(pond, x, SPLINES.sigmoid); // x.size ≤ fssMaxElements (SPLINES: approximations)
 * ```
 */
export function splineOf(p: Pond, x: PondPrivateTensor, spline: Spline, view: PondPrivateTensor = x, slopeBits = p.fracBits): PondPrivateTensor {
  const lowest = Math.max(0, p.fracBits - view.fracBits);
  if (!(Number.isInteger(slopeBits) && slopeBits >= lowest)) {
    throw new ValueError(`a spline's slopes need at least ${lowest} fractional bits at an input scale of ${view.fracBits}, got ${slopeBits}`);
  }
  // Steps 1 and 2.
  const scale = slopeBits + view.fracBits;
  const sums = dealtSplineSums(pondParties(p), view.shares, view.fracBits, spline, slopeBits);
  const wide = new PondPrivateTensor(p, scale, sums);
  // Step 3.
  const y = truncatePrivate(p, wide, scale - p.fracBits, p.fracBits);
  if (y !== wide) p.dispose(wide);
  return y;
}
