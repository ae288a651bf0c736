/**
 * Instruction batches sent as a replay of the previous one (issue 17: "the driver records a
 * training step's instruction stream once and the players replay it each step").
 *
 * A training step sends each player the same instructions as the step before, except that
 * every handle id made since is larger by the same amount Δ (the step made as many handles),
 * every sample nonce larger by δ, and a few instructions differ (the batch's slice of the data,
 * a request id). So instead of the batch (JSON, about 100 bytes per instruction, decoded and
 * checked field by field on the player), the driver sends Δ, δ, one bit per handle id of the
 * previous batch (0: the same id, 1: the id + Δ; one more bit per nonce) and the differing
 * instructions in full ("literals"). The player rebuilds the batch from the previous one it
 * ran in that session, which it keeps.
 *
 * The rebuilt batch is exactly the batch the driver made, so LocalConfig and networked runs stay
 * bit-identical. Nothing is cached in the driver's code paths: the protocol still builds every
 * step; only the wire form changes.
 *
 * A step the driver flushes in several batches (an optimizer's or a loss's await in between)
 * replays each batch from its counterpart a step ago: both ends keep the session's last
 * {@link KEPT_TEMPLATES} batches, and a replay names which one (`back`).
 *
 * Rules (both ends): a replay needs a kept batch in the session of the same length; the
 * literals are checked like any remote batch (`validateRemoteBatch`); every rebuilt id must be
 * a valid id, a kernel may not read its own output, and a nonce stays non-negative. The driver
 * sends the full batch when more than a quarter of it would be literals.
 *
 * @example
 * ```ts
 * const enc = new ReplayEncoder();
 * const frames = enc.encode(session, batch); // [header(Batch | BatchReplay), ...]
 * // on the player: const batch = templates.accept(session, replay, decodeJson(frames.slice(1)));
 * ```
 */
import { ProtocolError } from '../../errors.js';
import { MsgType, encodeHeader, encodeJson } from './codec.js';
import { isId, validateRemoteBatch, type Instruction } from './instructions.js';

/** The JSON-side value of a replay message (its bigints and the flags travel as binary frames). */
export interface ReplayValue {
  /** This batch's position in the session (0 for its first batch): a replay of a batch the player did not run is refused. */
  index: number;
  /** Which kept batch it replays: 0 the last one, up to {@link KEPT_TEMPLATES} − 1 (a step flushed in several batches replays each from its counterpart a step ago). */
  back: number;
  /** Instructions in the batch. */
  n: number;
  /** Δ: added to the ids whose flag is 1. */
  delta: number;
  /** δ: added to the nonces whose flag is 1. */
  nonceDelta: bigint;
  /** ρ: added to the rounds of the sends whose flag is 1 (a send's round counts from the session's start). */
  roundDelta: number;
  /** One bit per id field of the previous batch, then one per nonce, then one per send's round, in order, little-endian bits. */
  flags: Uint8Array;
  /** [index, instruction] of the instructions sent in full, by increasing index. */
  literals: [number, Instruction][];
}

/** An upload's place in a kept batch: the op and id without the payload, which a replay never rebuilds. */
const UPLOAD_HOLE = Object.freeze({ op: 'upload', out: -1 }) as unknown as Instruction;

/**
 * What a session keeps of a batch it sent or ran for the next replay: the batch, with each
 * upload's payload dropped (it would stay in memory until the next batch). An upload is never
 * rebuilt from a template: a replay sends it in full, as a literal, so a training step that
 * uploads a public tensor (a constant of the batch's shape) still replays. Driver and player
 * apply the same rule.
 * @example
 * ```ts
 * lastBatch.set(session, keptAsTemplate(batch));
 * ```
 */
export function keptAsTemplate(batch: Instruction[]): Instruction[] {
  return batch.some((i) => i.op === 'upload') ? batch.map((i) => (i.op === 'upload' ? UPLOAD_HOLE : i)) : batch;
}

/** Batches a session keeps as templates (driver and player alike). */
export const KEPT_TEMPLATES = 4;

/**
 * The last {@link KEPT_TEMPLATES} batches of a session, each as {@link keptAsTemplate} keeps
 * it, addressed by how far back they are (0: the newest). One rule for both ends.
 */
class KeptBatches {
  private readonly batches: Instruction[][] = [];
  get length(): number { return this.batches.length; }
  /** The batch `back` batches before the newest (0 ≤ back < length). */
  get(back: number): Instruction[] { return this.batches[this.batches.length - 1 - back]!; }
  /** Keeps `batch` (its template form), dropping the oldest beyond {@link KEPT_TEMPLATES}. */
  push(batch: Instruction[]): void {
    this.batches.push(keptAsTemplate(batch));
    if (this.batches.length > KEPT_TEMPLATES) this.batches.shift();
  }
}

/** Most literals before the full batch is cheaper. */
const MAX_LITERAL_SHARE = 0.25;

/** Deep equality of attribute values: primitives, bigints, arrays, typed arrays and plain objects. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor || a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let k = 0; k < a.length; k++) if (!sameValue(a[k], bb[k])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** The handle-id fields of `i` in their fixed order, or undefined when `i` always travels in full. */
function idsOf(i: Instruction): number[] | undefined {
  switch (i.op) {
    case 'kernel': return [i.out, ...i.inputs];
    case 'send': return [i.src, i.tag];
    case 'recv': return [i.out, i.tag];
    case 'sample': return [i.out];
    case 'fill': return [i.out];
    case 'free': return i.ids;
    default: return undefined;
  }
}

/** Whether `a` is `t` but for ids and nonce (same op, same other fields). */
function sameShape(a: Instruction, t: Instruction): boolean {
  switch (a.op) {
    case 'kernel': { const u = t as typeof a; return a.kernel === u.kernel && a.inputs.length === u.inputs.length && sameValue(a.attrs, u.attrs); }
    case 'send': return a.to === (t as typeof a).to;
    case 'recv': { const u = t as typeof a; return a.from === u.from; }
    case 'sample': { const u = t as typeof a; return a.peer === u.peer && sameValue(a.minus, u.minus) && sameValue(a.shape, u.shape) && sameValue(a.ring, u.ring); }
    case 'fill': { const u = t as typeof a; return a.value === u.value && sameValue(a.shape, u.shape) && sameValue(a.ring, u.ring); }
    case 'free': return a.ids.length === (t as typeof a).ids.length;
    default: return false;
  }
}

/** Little-endian bit writer. */
class Bits {
  bytes = new Uint8Array(64);
  n = 0;
  push(bit: number): void {
    if (this.n >> 3 >= this.bytes.length) { const b = new Uint8Array(this.bytes.length * 2); b.set(this.bytes); this.bytes = b; }
    if (bit) this.bytes[this.n >> 3] |= 1 << (this.n & 7);
    this.n++;
  }
}

/**
 * The driver's side: remembers the last {@link KEPT_TEMPLATES} batches sent to one player in
 * one session and sends the next as a replay of the newest one of its length that it is
 * close to, when that is smaller.
 * @example
 * ```ts
 * link.queue.send(encoder.encode(session, batch));
 * ```
 */
export class ReplayEncoder {
  private session = '';
  private kept = new KeptBatches();
  /** Batches sent in `session` so far. */
  private sent = 0;

  /** The frames of `batch`: a header and either the batch ({@link MsgType.Batch}) or a replay of a kept one. */
  encode(session: string, batch: Instruction[]): Buffer[] {
    if (session !== this.session) {
      this.session = session;
      this.kept = new KeptBatches();
      this.sent = 0;
    }
    let replay: ReplayValue | undefined;
    for (let back = 0; back < this.kept.length && !replay; back++) {
      const template = this.kept.get(back);
      if (template.length !== batch.length) continue;
      replay = replayOf(template, batch, this.sent);
      if (replay) replay.back = back;
    }
    this.kept.push(batch);
    this.sent++;
    if (replay) return [encodeHeader(MsgType.BatchReplay, session, 0), ...encodeJson(replay)];
    return [encodeHeader(MsgType.Batch, session, 0), ...encodeJson(batch)];
  }
}

/**
 * The player's side: per session, how many batches it has run and the last
 * {@link KEPT_TEMPLATES} kept for replays; turns each batch message into the checked batch.
 * @example
 * ```ts
 * const batch = templates.accept(session, type === MsgType.BatchReplay, decodeJson(frames.slice(1)));
 * ```
 */
export class ReplayTemplates {
  private readonly sessions = new Map<string, { count: number; kept: KeptBatches }>();

  /** The batch of a `Batch` (`replay` false) or `BatchReplay` message body; throws `ProtocolError` when malformed. */
  accept(session: string, replay: boolean, body: unknown): Instruction[] {
    const entry = this.sessions.get(session) ?? { count: 0, kept: new KeptBatches() }; // stored once its first batch is accepted
    let batch: Instruction[];
    if (replay) {
      const { index, back } = (body as Partial<ReplayValue> | null) ?? {};
      if (index !== entry.count) throw new ProtocolError(`batch replay of batch ${isId(index) ? index : '(malformed)'}, but this session has run ${entry.count} batches`);
      if (!Number.isSafeInteger(back) || back! < 0 || back! >= entry.kept.length) {
        throw new ProtocolError(`batch replay of the kept batch ${Number.isSafeInteger(back) ? back : '(malformed)'} back, but this session keeps ${entry.kept.length}`);
      }
      batch = expandReplay(entry.kept.get(back!), body);
    } else {
      batch = validateRemoteBatch(body);
    }
    entry.kept.push(batch);
    entry.count++;
    this.sessions.set(session, entry);
    return batch;
  }

  /** Drops what `session` kept. */
  forget(session: string): void {
    this.sessions.delete(session);
  }

  /** Drops the sessions not in `live`. */
  prune(live: ReadonlyMap<string, unknown>): void {
    for (const id of this.sessions.keys()) if (!live.has(id)) this.sessions.delete(id);
  }
}

/** `batch` as a replay of `previous`, or undefined when it is not worth it. */
export function replayOf(previous: readonly Instruction[], batch: readonly Instruction[], index: number): ReplayValue | undefined {
  if (previous.length !== batch.length || batch.length === 0) return undefined;
  const maxLiterals = Math.floor(batch.length * MAX_LITERAL_SHARE);
  let delta: number | undefined;
  let nonceDelta: bigint | undefined;
  let roundDelta: number | undefined;
  const literals: [number, Instruction][] = [];
  const idBits = new Bits(), nonceBits = new Bits(), roundBits = new Bits();
  for (let k = 0; k < batch.length; k++) {
    const a = batch[k], t = previous[k];
    const ta = a.op === t.op && sameShape(a, t) ? idsOf(t) : undefined;
    const ids = ta && idsOf(a);
    let ok = ids !== undefined && ta !== undefined;
    if (ok) {
      for (let j = 0; j < ids!.length; j++) {
        const d = ids![j] - ta![j];
        if (d !== 0) { delta ??= d; if (d !== delta) { ok = false; break; } }
      }
    }
    if (ok && a.op === 'sample') {
      const d = a.nonce - (t as typeof a).nonce;
      if (d !== 0n) { nonceDelta ??= d; if (d !== nonceDelta) ok = false; }
    }
    if (ok && a.op === 'send') {
      const d = a.round - (t as typeof a).round;
      if (d !== 0) { roundDelta ??= d; if (d !== roundDelta) ok = false; }
    }
    if (!ok) {
      literals.push([k, a]);
      if (literals.length > maxLiterals) return undefined;
      // the previous instruction's id fields still take their bits: both ends walk `previous`
      for (const _ of idsOf(t) ?? []) idBits.push(0);
      if (t.op === 'sample') nonceBits.push(0);
      if (t.op === 'send') roundBits.push(0);
      continue;
    }
    for (let j = 0; j < ids!.length; j++) idBits.push(ids![j] !== ta![j] ? 1 : 0);
    if (a.op === 'sample') nonceBits.push(a.nonce !== (t as typeof a).nonce ? 1 : 0);
    if (a.op === 'send') roundBits.push(a.round !== (t as typeof a).round ? 1 : 0);
  }
  for (const more of [nonceBits, roundBits]) for (let j = 0; j < more.n; j++) idBits.push((more.bytes[j >> 3] >> (j & 7)) & 1);
  return { index, back: 0, n: batch.length, delta: delta ?? 0, nonceDelta: nonceDelta ?? 0n, roundDelta: roundDelta ?? 0, flags: idBits.bytes.slice(0, (idBits.n + 7) >> 3), literals };
}

/**
 * The player's side: the batch a replay message describes, rebuilt from `previous` (the kept
 * batch the replay names). Throws `ProtocolError` on a malformed replay or one without a
 * previous batch of its length; the literals are checked as any remote batch.
 * @example
 * ```ts
 * const batch = expandReplay(templates.get(session), decodeJson(frames.slice(1)));
 * ```
 */
export function expandReplay(previous: readonly Instruction[] | undefined, raw: unknown): Instruction[] {
  const r = raw as Partial<ReplayValue> | null;
  if (r === null || typeof r !== 'object' || !Number.isSafeInteger(r.n) || !Number.isSafeInteger(r.delta) || typeof r.nonceDelta !== 'bigint' || !Number.isSafeInteger(r.roundDelta) ||
    !(r.flags instanceof Uint8Array) || !Array.isArray(r.literals)) {
    throw new ProtocolError('malformed batch replay');
  }
  if (!previous || previous.length !== r.n) {
    throw new ProtocolError(`batch replay of ${r.n} instructions, but the session's previous batch has ${previous?.length ?? 'no'} instructions`);
  }
  const literals = r.literals as unknown[];
  const at = new Map<number, Instruction>();
  let last = -1;
  for (const l of literals) {
    if (!Array.isArray(l) || l.length !== 2 || !Number.isSafeInteger(l[0]) || l[0] <= last || l[0] >= r.n) throw new ProtocolError('batch replay: literal indices must increase inside the batch');
    last = l[0] as number;
    at.set(last, validateRemoteBatch([l[1]])[0]);
  }
  const { delta, nonceDelta, roundDelta, flags } = r as ReplayValue;
  let bit = 0;
  const next = () => {
    if (bit >> 3 >= flags.length) throw new ProtocolError('batch replay: too few flag bits');
    return (flags[bit >> 3] >> (bit++ & 7)) & 1;
  };
  const id = (v: number) => {
    const w = next() ? v + delta : v;
    if (!isId(w)) throw new ProtocolError('batch replay: a rebuilt handle id is out of range');
    return w;
  };
  const out: Instruction[] = new Array(r.n);
  const samples: number[] = [], sends: number[] = [];
  for (let k = 0; k < previous.length; k++) {
    const t = previous[k];
    const lit = at.get(k);
    if (lit) {
      for (const _ of idsOf(t) ?? []) next();
      if (t.op === 'sample') samples.push(-1);
      if (t.op === 'send') sends.push(-1);
      out[k] = lit;
      continue;
    }
    switch (t.op) {
      case 'kernel': {
        const o = id(t.out);
        const inputs = t.inputs.map(id);
        if (inputs.includes(o)) throw new ProtocolError('batch replay: a kernel reads its own output');
        out[k] = { op: 'kernel', out: o, kernel: t.kernel, inputs, attrs: t.attrs };
        break;
      }
      case 'send': out[k] = { op: 'send', src: id(t.src), to: t.to, tag: id(t.tag), round: t.round }; sends.push(k); break;
      case 'recv': out[k] = { op: 'recv', out: id(t.out), from: t.from, tag: id(t.tag) }; break;
      case 'sample': out[k] = { ...t, out: id(t.out) }; samples.push(k); break;
      case 'fill': out[k] = { ...t, out: id(t.out) }; break;
      case 'free': out[k] = { op: 'free', ids: t.ids.map(id) }; break;
      default: throw new ProtocolError(`batch replay: instruction ${k} (\`${t.op}\`) must be sent in full`);
    }
  }
  for (const k of samples) {
    const shifted = next();
    if (k < 0) continue;
    const s = out[k] as Extract<Instruction, { op: 'sample' }>;
    if (shifted) {
      s.nonce += nonceDelta;
      if (s.nonce < 0n) throw new ProtocolError('batch replay: a rebuilt nonce is negative');
    }
  }
  for (const k of sends) {
    const shifted = next();
    if (k < 0 || !shifted) continue;
    const s = out[k] as Extract<Instruction, { op: 'send' }>;
    s.round += roundDelta;
    if (!Number.isSafeInteger(s.round) || s.round < 1) throw new ProtocolError('batch replay: a rebuilt round is below 1');
  }
  return out;
}
