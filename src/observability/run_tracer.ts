/**
 * Tracing of a whole run from the driver: `setTrace(dir)` (or `TFE_TRACE=1`) attaches a
 * {@link RunTracer} to every runtime created from then on. It records the driver's batches, the
 * in-process players' spans (LocalConfig), and `tag` windows; when the runtime closes it merges
 * any networked players' track files of the session from the same directory (clocks aligned,
 * see trace.ts) and writes one Chrome trace / Perfetto JSON file, printing its path once.
 *
 * @example
 * ```ts
 * tfe.setTrace('traces');
 * await tfe.tag('average', async () => console.log(await tfe.add(x, y).reveal()));
 * await tfe.getRuntime().close(); // traces/tfe-trace-<session>.json
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getConfig, getRuntime, LocalConfig, onRuntimeCreated, type Config, type DriverRuntime } from '../runtime/index.js';
import { alignOffset, nowUs, PlayerRecorder, readTracks, type PlayerTrack, type TraceEvent } from './trace.js';

let traceDir: string | undefined;
let hooked = false;
let printed = false;
const tagWindows: { name: string; start: number; end: number }[] = [];
const MAX_TAGS = 100_000;
/** How long the driver waits for networked players' track files after closing. */
const TRACK_WAIT_MS = 3000;
/** How long it waits for the first one (none comes from players without --trace). */
const FIRST_TRACK_WAIT_MS = 500;

/**
 * Turns tracing on (into `dir`; `./tfe-traces` when called with no argument) for the current
 * runtime and every runtime created from now on; `setTrace(undefined)` or `setTrace(false)`
 * turns it off for later runtimes.
 * @example
 * ```ts
 * tfe.setTrace('traces');
 * ```
 */
export function setTrace(...args: [dir?: string | false]): void {
  const dir = args.length === 0 ? 'tfe-traces' : args[0];
  traceDir = dir === undefined || dir === false ? undefined : resolve(dir);
  if (!hooked) {
    hooked = true;
    onRuntimeCreated((rt, config) => { if (traceDir) new RunTracer(traceDir, rt, config).attach(); });
  }
  const rt = getRuntime();
  if (traceDir && !rt.observer) new RunTracer(traceDir, rt, getConfig()).attach();
}

/**
 * The directory traces go to, or undefined when tracing is off.
 * @example
 * ```ts
 * if (tfe.traceDirectory()) console.log('tracing');
 * ```
 */
export function traceDirectory(): string | undefined { return traceDir; }

/**
 * Runs `fn` as a named part of the run: a span on the driver's track, and the tag of every
 * player span in its window (traces) and of the counters written for it (TensorBoard events).
 * @example
 * ```ts
 * const avg = await tfe.tag('average', async () => tfe.div(tfe.add(x, y), 2).reveal());
 * ```
 */
export async function tag<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const start = nowUs();
  try {
    return await fn();
  } finally {
    tagWindows.push({ name, start, end: nowUs() });
    if (tagWindows.length > MAX_TAGS) tagWindows.shift();
    // A listener's failure (e.g. counters of a failed runtime) never replaces fn's outcome.
    for (const l of tagListeners) await Promise.resolve().then(() => l(name, start, nowUs())).catch(() => undefined);
  }
}

const tagListeners: ((name: string, start: number, end: number) => void | Promise<void>)[] = [];

/** Registers a listener for finished tags (the events writer). @internal */
export function onTagEnd(l: (name: string, start: number, end: number) => void | Promise<void>): void { tagListeners.push(l); }


/**
 * The tracer of one runtime: driver batches, local players' spans, and the merge at close.
 * @example
 * ```ts
 * new RunTracer('traces', rt, config).attach();
 * ```
 */
export class RunTracer {
  private readonly started = nowUs();
  private readonly driverEvents: TraceEvent[] = [];
  private readonly recorders = new Map<string, PlayerRecorder>();
  private readonly sends = new Map<string, { ts: number; index: number }[]>();
  private readonly counts = new Map<string, number>();

  constructor(readonly dir: string, private readonly rt: DriverRuntime, private readonly config: Config) {}

  /** Installs the driver observer (and, lazily, the players'). */
  attach(): void {
    this.rt.observer = {
      batch: (player, instructions, _session, start, end) => this.batch(player, instructions.length, start, end),
      closed: (session) => this.write(session).then(() => undefined),
    };
  }

  private batch(player: string, n: number, startMs: number, endMs: number): void {
    const ts = nowUs(startMs);
    const index = this.counts.get(player) ?? 0;
    this.counts.set(player, index + n);
    let list = this.sends.get(player);
    if (!list) this.sends.set(player, (list = []));
    list.push({ ts, index });
    this.driverEvents.push({ name: `batch → ${player}`, cat: 'batch', ph: 'X', ts, dur: Math.max((endMs - startMs) * 1000, 0.01), pid: 0, tid: 0, args: { player, instructions: n } });
    if (this.config instanceof LocalConfig && !this.recorders.has(player)) {
      const rec = new PlayerRecorder(player);
      this.recorders.set(player, rec);
      this.config.player(player).observer = rec.observer;
    }
  }

  /**
   * Merges every track of `session` and writes the trace file; returns its path. Networked
   * players write their tracks when the session ends, so their files are awaited briefly.
   */
  async write(session: string): Promise<string> {
    const local = [...this.recorders.values()].map((r) => r.takeSession(session));
    const expected = [...this.sends.keys()].filter((p) => !this.recorders.has(p));
    let remote = readTracks(this.dir, session);
    // Players write their tracks when the Bye arrives: wait briefly for the first one, and
    // longer for the rest once some appeared (players started without --trace write nothing).
    for (let waited = 0; remote.length < expected.length && waited < (remote.length ? TRACK_WAIT_MS : FIRST_TRACK_WAIT_MS); waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      remote = readTracks(this.dir, session);
    }
    remote = remote.filter((t) => !this.recorders.has(t.player));
    const tracks: PlayerTrack[] = [...local, ...remote];
    const events: TraceEvent[] = [meta(0, 'driver', 0)];
    events.push(...this.driverEvents);
    const windows = tagWindows.filter((w) => w.end >= this.started);
    for (const w of windows) events.push({ name: w.name, cat: 'tag', ph: 'X', ts: w.start, dur: Math.max(w.end - w.start, 1), pid: 0, tid: 1, args: { tag: w.name } });
    tracks.forEach((t, k) => {
      const pid = k + 1;
      const offset = this.recorders.has(t.player) ? 0 : alignOffset(t.spans, this.sends.get(t.player) ?? []);
      events.push(meta(pid, t.player, pid));
      for (const s of t.spans) {
        const ts = s.ts + offset;
        const tagged = tagAt(windows, ts);
        events.push({ ...s, ts, pid, tid: 0, args: { ...s.args, ...(tagged ? { tag: tagged } : {}) } });
      }
    });
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `tfe-trace-${session}.json`);
    writeFileSync(path, JSON.stringify({ traceEvents: events, displayTimeUnit: 'ms', otherData: { session, players: tracks.map((t) => t.player) } }));
    if (!printed) { printed = true; console.log(`tfe: trace written to ${path} (open it in https://ui.perfetto.dev or chrome://tracing)`); }
    return path;
  }
}

function meta(pid: number, name: string, sort: number): TraceEvent {
  return { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name, sort_index: sort } };
}

/** The innermost (latest-started) tag window containing `ts`; windows are few per run. */
function tagAt(windows: readonly { name: string; start: number; end: number }[], ts: number): string | undefined {
  let best: { name: string; start: number } | undefined;
  for (const w of windows) if (w.start <= ts && ts <= w.end && (!best || w.start >= best.start)) best = w;
  return best?.name;
}

