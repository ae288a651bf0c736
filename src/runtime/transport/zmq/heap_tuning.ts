import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets a message-heavy process's old generation grow past what the last full
 * collection kept, in percent (V8's `--heap-growing-percent`; V8 otherwise picks 10–300 %
 * from its GC speed).
 *
 * Why a player needs it (issue 17, measured with `--trace-gc` and `perf` on server1 of a
 * networked network-A step): every ZeroMQ frame a player receives is an external Buffer that
 * V8 counts twice (zeromq's `AdjustExternalMemory` and the ArrayBuffer's own accounting), and
 * every tensor it sent kept its pooled block until the frame had left (now only
 * tensors over one frame do: wire/codec.ts `copiesPeerTensor`). V8 subtracts external
 * memory allocated since the last mark-compact from the old generation's headroom, so at about
 * 30 MB of such memory per step a player with a 58 MB heap started a full mark-compact every
 * 90 ms: 2 per step, each marking the whole heap on four background threads. That was 45 % of
 * the player's CPU (ConcurrentMarking, Sweeper), and with three players on two cores the
 * networked step took 160–200 ms.
 *
 * The headroom has to be absolute, tens of MB, so the factor depends on the live heap: a
 * player run from `dist/` (what `npx tfe player` runs) keeps 27 MB live, one run through tsx
 * 58 MB. Measured on the 2-core bench machine, 40 steps, mark-compacts / step ms / players'
 * CPU ms per step, `dist/` players: V8's default 50 / 177 / 282; 100 % 50 / 152 / 233;
 * 300 % 16 / 115–125 / 163–183; 600 % 16 / 107–109 / 152–154. Peak RSS stays 210–240 MB per
 * player in every case: the external buffers were never the live set, only the trigger. V8
 * still bounds the limit by half the distance to `--max-old-space-size`, so a player whose JS
 * heap really grows is collected before it runs out.
 */
const PLAYER_HEAP_GROWING_PERCENT = 600;

/**
 * Lets this process's old generation grow by `PLAYER_HEAP_GROWING_PERCENT` (600 %) between full
 * collections.
 * Called by `tfe player` (whose traffic is large ZeroMQ messages) before its first message;
 * `TFE_NO_HEAP_TUNING=1` leaves V8's default (for comparisons). The flag is a collection
 * heuristic that V8 reads at every collection, so setting it after start-up takes effect from
 * the next one; it changes no limit on how much memory the process may use
 * (`--max-old-space-size` still applies).
 *
 * @example
 * ```ts
 * tuneHeapForMessages(); // first thing in `tfe player`
 * ```
 */
export function tuneHeapForMessages(): void {
  if (process.env.TFE_NO_HEAP_TUNING) return;
  setFlagsFromString(`--heap-growing-percent=${PLAYER_HEAP_GROWING_PERCENT}`);
}
