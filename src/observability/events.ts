/**
 * TensorBoard event files (`TFE_EVENTS=1`, `tfe.setEvents(dir)`, or the
 * `tfe.callbacks.tensorBoard(dir)` callback of `fit`): TFRecord framing (length, masked CRC32C
 * of the length, data, masked CRC32C of the data) around `Event` protobufs encoded by
 * protobufjs from `proto/tensorboard/event.proto` (TensorBoard's own field numbers).
 *
 * Scalars written: the revealed loss and metrics of `fit`, per step (`batch/<name>`) and per
 * epoch (`epoch/<name>`); and for each `tfe.tag(name, fn)` run, per player, the instructions,
 * bytes sent and rounds it cost (`<name>/<player>/instructions`, ...). Only what was already
 * revealed to the driver, counts and timings go in.
 *
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 3, callbacks: tfe.callbacks.tensorBoard('logs') });
 * // tensorboard --logdir logs
 * ```
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import protobuf from 'protobufjs';
import { getRuntime, type PlayerCounters } from '../runtime/index.js';
import { onTagEnd } from './run_tracer.js';

const PROTO = new URL('../../proto/tensorboard/event.proto', import.meta.url).pathname;
let eventType: protobuf.Type | undefined;
const Event = () => (eventType ??= protobuf.loadSync(PROTO).lookupType('tensorboard.Event'));

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC32C (Castagnoli) of `bytes`, masked as TFRecord does: ((c >>> 15) | (c << 17)) + 0xa282ead8.
 * @example
 * ```ts
 * maskedCrc32c(new Uint8Array(8));
 * ```
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  c = (c ^ 0xffffffff) >>> 0;
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/**
 * One TFRecord: 8-byte length, its masked CRC, the data, the data's masked CRC.
 * @example
 * ```ts
 * writeSync(fd, tfRecord(eventBytes));
 * ```
 */
export function tfRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/**
 * An append-only TensorBoard event file in `dir`.
 * @example
 * ```ts
 * const w = new EventWriter('logs'); w.scalar('loss', 0.7, 1); w.close();
 * ```
 */
export class EventWriter {
  readonly path: string;
  private fd: number | undefined;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.${process.pid}.${++files}`);
    this.fd = openSync(this.path, 'w');
    this.write({ wallTime: Date.now() / 1000, step: 0, fileVersion: 'brain.Event:2' });
  }

  /** Writes one scalar summary at `step`. */
  scalar(tag: string, value: number, step: number): void {
    if (!Number.isFinite(value)) return;
    this.write({ wallTime: Date.now() / 1000, step, summary: { value: [{ tag, simpleValue: value }] } });
  }

  /** Closes the file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(event: Record<string, unknown>): void {
    if (this.fd === undefined) return;
    const E = Event();
    writeSync(this.fd, tfRecord(E.encode(E.create(event)).finish()));
  }
}

let files = 0;
let eventsDir: string | undefined;
let printed = false;
let tagWriter: EventWriter | undefined;

/** Prints where events go, once per process. */
function announce(path: string): void {
  if (printed) return;
  printed = true;
  console.log(`tfe: TensorBoard events written to ${path} (tensorboard --logdir ${resolve(path, '..')})`);
}

/**
 * Turns TensorBoard events on (into `dir`; `./tfe-events` when called with no argument): every
 * `fit` writes its loss and metrics, and every `tfe.tag` run its per-player counts;
 * `setEvents(undefined)` or `setEvents(false)` turns it off.
 * @example
 * ```ts
 * tfe.setEvents('logs');
 * ```
 */
export function setEvents(...args: [dir?: string | false]): void {
  const dir = args.length === 0 ? 'tfe-events' : args[0];
  eventsDir = dir === undefined || dir === false ? undefined : resolve(dir);
  tagWriter?.close();
  tagWriter = undefined;
}

/**
 * The directory events go to, or undefined when off.
 * @example
 * ```ts
 * if (tfe.eventsDirectory()) console.log('writing events');
 * ```
 */
export function eventsDirectory(): string | undefined { return eventsDir; }

const tagSteps = new Map<string, number>();
let lastCounters: Record<string, PlayerCounters> = {};

onTagEnd(async (name) => {
  if (!eventsDir) return;
  const counters = await getRuntime().counters().catch(() => undefined);
  if (!counters) return;
  tagWriter ??= new EventWriter(join(eventsDir, 'tags'));
  announce(tagWriter.path);
  const step = (tagSteps.get(name) ?? 0) + 1;
  tagSteps.set(name, step);
  for (const [player, c] of Object.entries(counters)) {
    const before = lastCounters[player];
    const delta = (k: keyof PlayerCounters) => c[k] - (before && before[k] <= c[k] ? before[k] : 0);
    tagWriter.scalar(`${name}/${player}/instructions`, delta('instructions'), step);
    tagWriter.scalar(`${name}/${player}/bytes_sent`, delta('bytesSent'), step);
    tagWriter.scalar(`${name}/${player}/rounds`, delta('rounds'), step);
  }
  lastCounters = counters;
});

/** The fit callback hooks that write events (see {@link tensorBoard}). */
interface EventCallback {
  onTrainBegin(): void;
  onBatchEnd(batch: number, logs?: Record<string, number>): void;
  onEpochEnd(epoch: number, logs?: Record<string, number>): void;
  onTrainEnd(): void;
}

/**
 * A `fit` callback writing the revealed loss and metrics to TensorBoard event files in
 * `dir` (tfjs-node's `tf.node.tensorBoard`): `batch/<name>` per step and `epoch/<name>` per epoch.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 5, callbacks: tfe.callbacks.tensorBoard('logs/run1') });
 * ```
 */
export function tensorBoard(dir: string = eventsDir ?? 'tfe-events'): EventCallback {
  let writer: EventWriter | undefined;
  let step = 0;
  const skip = new Set(['batch', 'size']);
  return {
    onTrainBegin() { writer = new EventWriter(resolve(dir)); announce(writer.path); },
    onBatchEnd(_batch, logs = {}) {
      step++;
      for (const [k, v] of Object.entries(logs)) if (!skip.has(k)) writer?.scalar(`batch/${k}`, v, step);
    },
    onEpochEnd(epoch, logs = {}) { for (const [k, v] of Object.entries(logs)) writer?.scalar(`epoch/${k}`, v, epoch + 1); },
    onTrainEnd() { writer?.close(); },
  };
}
