import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets a message-heavy process's old generation grow past what the last full
 * collection kept, in percent (V8's `--heap-growing-percent`; its own default grows by 10–40 %).
 *
 * Why a player needs it (issue 17, measured with `--trace-gc` and `perf` on server1 of a
 * networked network-A step): every ZeroMQ frame a player receives is an external Buffer that
 * V8 counts twice (zeromq's `AdjustExternalMemory` and the ArrayBuffer's own accounting), and
 * every tensor it sends keeps its pooled block until the frame has left. V8 subtracts external
 * memory allocated since the last mark-compact from the old generation's headroom, so at about
 * 30 MB of such memory per step a player with a 58 MB heap started a full mark-compact every
 * 90 ms: 2 per step, each marking the whole heap on four background threads. That was 45 % of
 * the player's CPU (ConcurrentMarking, Sweeper), and with three players on two cores the
 * networked step took 160–200 ms.
 *
 * With headroom of one heap size the same run makes 4× fewer mark-compacts (78 → 19 in 40
 * steps), the players' CPU per step falls from ≈ 300 ms to ≈ 170 ms and the step from ≈ 180 ms
 * to ≈ 115 ms, and peak RSS is unchanged (≈ 290 MB per player): the external buffers were
 * never the live set, only the trigger.
 */
export const PLAYER_HEAP_GROWING_PERCENT = 100;

let tuned = false;

/**
 * Gives this process's old generation the headroom of {@link PLAYER_HEAP_GROWING_PERCENT}, once.
 * Called by `tfe player` (whose traffic is large ZeroMQ messages) before its first message;
 * `TFE_NO_HEAP_TUNING=1` leaves V8's default (for comparisons). The flag is a collection heuristic that V8 reads at
 * every collection, so setting it after start-up takes effect from the next one; it changes no
 * limit on how much memory the process may use (`--max-old-space-size` still applies).
 *
 * @example
 * ```ts
 * tuneHeapForMessages(); // first thing in `tfe player`
 * ```
 */
export function tuneHeapForMessages(): void {
  if (tuned || process.env.TFE_NO_HEAP_TUNING) return;
  tuned = true;
  setFlagsFromString(`--heap-growing-percent=${PLAYER_HEAP_GROWING_PERCENT}`);
}
