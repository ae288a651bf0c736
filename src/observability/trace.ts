/**
 * Chrome trace / Perfetto JSON of a run (`TFE_TRACE=1` or `tfe.setTrace(dir)`): one track
 * (process) per player and one for the driver; one span per instruction with its op (the kernel
 * name for kernel instructions), output shape, bytes sent to and received from peers, and the
 * time it waited for peers; driver spans for each batch sent and for each `tfe.tag(name, fn)`.
 * Player spans carry the tag whose time window they fall in. Nothing secret is recorded: names,
 * shapes, counts and timings only.
 *
 * Networked runs: each `tfe player` started with `--trace <dir>` (or `TFE_TRACE=1`) writes its
 * own track file per session, `tfe-trace-<session>-<player>.json`, when the session ends; the
 * driver, tracing into the same directory, merges the files of its session when it closes.
 * Clocks are aligned by causality: a player cannot start a batch before the driver sent it, so
 * each player's track is shifted by the smallest offset that makes every batch start after its
 * send (exact up to the one-way latency). A `tfe player` also records its process's garbage
 * collections, as `gc` spans on a third row of its track.
 *
 * @example
 * ```ts
 * tfe.setTrace('traces');            // or TFE_TRACE=1
 * await tfe.tag('average', async () => { await tfe.add(x, y).reveal(); });
 * await tfe.getRuntime().close();    // writes traces/tfe-trace-<session>.json
 * ```
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import type { InstructionDetail, PlayerObserver } from '../runtime/index.js';

/** A Chrome trace event (the subset we write). */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'M' | 'i';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/** Microseconds since the epoch, from the high-resolution clock. */
export const nowUs = (ms = performance.now()): number => (performance.timeOrigin + ms) * 1000;

/** A player's spans for one session, as written to its track file. */
export interface PlayerTrack { player: string; session: string; spans: TraceEvent[] }

/**
 * Records one player's instruction spans per session; `takeSession` hands them over (and
 * forgets them) when the session ends.
 * @example
 * ```ts
 * const rec = new PlayerRecorder('server0'); player.observer = rec.observer;
 * ```
 */
export class PlayerRecorder {
  private readonly spans = new Map<string, TraceEvent[]>();
  private readonly pendingBytes = new Map<string, { sent: number; received: number }>();
  /** Called when a session ends (the daemon writes the track file). */
  onSessionEnd?: (track: PlayerTrack) => void;

  private gc?: PerformanceObserver;

  constructor(readonly player: string) {}

  /**
   * Also records this process's garbage collections: a span (category `gc`, row 2) in every
   * session being traced. For a `tfe player`, whose collections are its own; stopped by
   * {@link PlayerRecorder.stopGarbageCollections}.
   * @example
   * ```ts
   * rec.recordGarbageCollections(); // tfe player --trace
   * ```
   */
  recordGarbageCollections(): void {
    if (this.gc) return;
    this.gc = new PerformanceObserver((entries) => {
      for (const e of entries.getEntries()) {
        const kind = GC_KINDS.get(((e as { detail?: { kind?: number } }).detail)?.kind ?? -1) ?? 'other';
        const span: TraceEvent = { name: `GC ${kind}`, cat: 'gc', ph: 'X', ts: nowUs(e.startTime), dur: Math.max(e.duration * 1000, 0.01), pid: 0, tid: 2 };
        for (const list of this.spans.values()) list.push({ ...span });
      }
    });
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /**
   * Stops recording garbage collections.
   * @example
   * ```ts
   * rec.stopGarbageCollections();
   * ```
   */
  stopGarbageCollections(): void {
    this.gc?.disconnect();
    this.gc = undefined;
  }

  /** The observer to install on the player. */
  readonly observer: PlayerObserver = {
    instruction: (session, op, start, end, detail) => this.instruction(session, op, start, end, detail),
    message: (session, direction, _peer, bytes) => {
      const b = this.bytesOf(session);
      if (direction === 'sent') b.sent += bytes; else b.received += bytes;
    },
    batchDecoded: (session, n, start, end) => {
      let list = this.spans.get(session);
      if (!list) this.spans.set(session, (list = []));
      list.push({ name: 'decode batch', cat: 'decode', ph: 'X', ts: nowUs(start), dur: Math.max((end - start) * 1000, 0.01), pid: 0, tid: 1, args: { instructions: n } });
    },
    sessionEnd: (session) => {
      if (!this.onSessionEnd) return; // in-process players: the run's tracer takes the spans
      const t = this.takeSession(session);
      if (t.spans.length) this.onSessionEnd(t);
    },
  };

  /** The spans of `session`, removed from the recorder. */
  takeSession(session: string): PlayerTrack {
    const spans = this.spans.get(session) ?? [];
    this.spans.delete(session);
    this.pendingBytes.delete(session);
    return { player: this.player, session, spans };
  }

  private bytesOf(session: string) {
    let b = this.pendingBytes.get(session);
    if (!b) this.pendingBytes.set(session, (b = { sent: 0, received: 0 }));
    return b;
  }

  private instruction(session: string, op: string, start: number, end: number, detail?: InstructionDetail): void {
    const i = detail?.instruction as { kernel?: string; shape?: number[]; out?: number; to?: string; from?: string; round?: number } | undefined;
    const bytes = this.bytesOf(session);
    const args: Record<string, unknown> = { index: detail?.index, waitMs: round(detail?.waitMs ?? 0), bytesSent: bytes.sent, bytesReceived: bytes.received };
    if (i?.shape) args.shape = i.shape;
    if (i?.to) args.to = i.to;
    if (i?.from) args.from = i.from;
    if (i?.round !== undefined) args.round = i.round;
    bytes.sent = 0;
    bytes.received = 0;
    let list = this.spans.get(session);
    if (!list) this.spans.set(session, (list = []));
    list.push({ name: i?.kernel ?? op, cat: op, ph: 'X', ts: nowUs(start), dur: Math.max((end - start) * 1000, 0.01), pid: 0, tid: 0, args });
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** Node's names of garbage-collection kinds (`PerformanceEntry.detail.kind`). */
const GC_KINDS = new Map<number, string>([
  [perfConstants.NODE_PERFORMANCE_GC_MINOR, 'scavenge'],
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR, 'mark-compact'],
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental marking'],
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
]);

/**
 * The file a player writes its track of `session` to, in `dir`.
 * @example
 * ```ts
 * trackFile('traces', 'a1b2c3d4e5f60718', 'server0'); // traces/tfe-trace-a1b2…-server0.json
 * ```
 */
export function trackFile(dir: string, session: string, player: string): string {
  return join(dir, `tfe-trace-${session}-${player}.json`);
}

/**
 * Writes a player's track file (the `tfe player` side of a networked trace).
 * @example
 * ```ts
 * recorder.onSessionEnd = (t) => writeTrack('traces', t);
 * ```
 */
export function writeTrack(dir: string, track: PlayerTrack): string {
  mkdirSync(dir, { recursive: true });
  const path = trackFile(dir, track.session, track.player);
  writeFileSync(path, JSON.stringify(track));
  return path;
}

/**
 * The track files of `session` found in `dir` (networked players tracing into the same
 * directory); the files stay where they are.
 * @example
 * ```ts
 * const tracks = readTracks('traces', rt.session);
 * ```
 */
export function readTracks(dir: string, session: string): PlayerTrack[] {
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return []; }
  return names.filter((n) => n.startsWith(`tfe-trace-${session}-`)).flatMap((n) => {
    try { return [JSON.parse(readFileSync(join(dir, n), 'utf8')) as PlayerTrack]; } catch { return []; }
  });
}

/**
 * The clock offset (µs) to add to a player's track: the smallest shift after which every batch
 * starts no earlier than the driver sent it. `sends` are the driver's send times of the
 * player's batches with the stream index of each batch's first instruction.
 * @example
 * ```ts
 * alignOffset(track.spans, [{ ts: 1000, index: 0 }]);
 * ```
 */
export function alignOffset(spans: readonly TraceEvent[], sends: readonly { ts: number; index: number }[]): number {
  const startOf = new Map<number, number>();
  for (const s of spans) {
    const idx = s.args?.index as number | undefined;
    if (idx !== undefined && !startOf.has(idx)) startOf.set(idx, s.ts);
  }
  let offset = -Infinity;
  for (const b of sends) {
    const start = startOf.get(b.index);
    if (start !== undefined) offset = Math.max(offset, b.ts - start);
  }
  return Number.isFinite(offset) ? offset : 0;
}
