/**
 * Kernels that SecureNN adds to the ring-engine contract (`kernel_names.ts`). Their bodies live
 * in `src/protocols/securenn/kernels/` and register for the `reference` and `native` backends;
 * their shape inference registers with `registerOutputInference`.
 *
 * @example
 * ```ts
 * rt.op('server0', PERMUTE_LAST_AXIS, [d, keys]); // the same π on server1 with the same keys
 * ```
 */

/**
 * `PermuteLastAxis(x, keys)`: x [..., k] (any ring), keys u64 of the same shape. Each row
 * (last axis) of x is permuted by Fisher–Yates driven by that row's keys: for i = k−1 down to
 * 1, j = floor(keys[i]·(i+1) / 2^64), swap positions i and j (keys[0] is unused). With uniform
 * keys the permutation is uniform over all k! orders, up to a bias below 2^−57 per row; two
 * players holding the same keys apply the same permutation. No attrs.
 */
export const PERMUTE_LAST_AXIS = 'PermuteLastAxis';
