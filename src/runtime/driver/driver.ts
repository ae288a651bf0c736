import { randomBytes } from 'node:crypto';
import { TfeError, ValueError } from '../../errors.js';
import { inferOutput, normalizeRing, RingTensor, type KernelAttrMap, type KernelAttrsArg, type KernelName, type RingSpec } from '../kernel_link.js';
import type { Handle, InputSource, OutputSink, PlayerCounters, Runtime } from '../api.js';
import type { DriverLink, DriverNet } from '../transport/transport.js';
import { errorFromReply } from '../wire/reply_errors.js';
import { PlayerHandle } from './handle.js';
import type { Expect, Instruction, OpName, PlayerReply } from '../wire/instructions.js';
import { trackHandle } from './scope.js';

interface Pending { player: string; resolve: (v: any) => void; reject: (e: Error) => void }

/**
 * A hook for observing the driver (counting, tracing): called with each batch the driver sends.
 * @example
 * ```ts
 * rt.observer = { batch: (player, instrs) => console.log(player, instrs.length) };
 * ```
 */
export interface DriverObserver {
  /** A batch went to `player`: encoding and handing it to the transport took [startMs, endMs] (performance.now()). */
  batch?(player: string, instructions: readonly Instruction[], session: string, startMs: number, endMs: number): void;
  /** The runtime closed (after its last flush): a trace can be written. */
  closed?(session: string): void | Promise<void>;
}

/** Instructions queued for all players before a flush is forced. */
const MAX_QUEUED = 4096;
/**
 * Bytes of freed handles a player may keep before their free instruction goes out. Frees are
 * held back and travel as one instruction, at the end of the player's batch or before any
 * instruction that observes the player's state; a step of small tensors had one free
 * instruction for every six others, each costing a player as much as a small kernel.
 */
const DEFERRED_FREE_BYTES = 4 << 20;
/** Instructions a held-back free may move past: they only compute, move or make tensors. */
const STREAM_OPS: ReadonlySet<OpName> = new Set<OpName>(['kernel', 'send', 'recv', 'sample', 'fill', 'upload', 'free']);

/** Joins a free of `ids` to a free at the end of `q`; false when `q` does not end with one. */
function joinFree(q: Instruction[] | undefined, ids: number[]): boolean {
  const last = q?.at(-1);
  if (last?.op !== 'free') return false;
  last.ids.push(...ids);
  return true;
}

function checkShape(shape: readonly number[], what: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ValueError(`\`${what}\` must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

/**
 * The driver side of a session: it turns {@link Runtime} calls into per-player instruction
 * streams, batches them, and flushes a batch per player when the caller awaits (reveal,
 * flush, counters), when many are queued, or at the end of the current event-loop turn.
 * It holds handles only — never a player's tensors. Transport-agnostic: a {@link DriverNet}
 * gives it links (in memory for LocalConfig, ZeroMQ for RemoteConfig).
 *
 * After a failure (a player died, a socket closed, a player reported an error) every pending
 * call rejects with that error, and so does every later call: start a new runtime
 * (`getConfig().runtime()` makes one).
 *
 * @example
 * ```ts
 * const rt = tfe.getConfig().runtime();
 * const a = rt.fill('server0', [3], 2n, U64);
 * const b = rt.send(rt.op('server0', 'Add', [a, a]), 'server1');
 * (await rt.reveal(b)).values(); // BigUint64Array [4n, 4n, 4n]
 * ```
 */
export class DriverRuntime implements Runtime {
  /** Random session id; players keep one handle table per session. */
  readonly session = randomBytes(8).toString('hex');
  private nextId = 1;
  private nextReq = 1;
  private nextNonce = 0n;
  private queued = 0;
  private flushScheduled = false;
  private used = false;
  private readonly queues = new Map<string, Instruction[]>();
  /** Freed handle ids per player not yet sent, and their bytes (see {@link DEFERRED_FREE_BYTES}). */
  private readonly heldFrees = new Map<string, { ids: number[]; bytes: number }>();
  private readonly links = new Map<string, DriverLink>();
  private readonly pending = new Map<number, Pending>();
  private readonly pendingPer = new Map<string, number>();
  private totalPending = 0;
  private failure?: TfeError;
  private closed = false;
  private seedHex?: string;
  private readonly reseeded = new Set<string>();
  private epoch = 0;
  /** Bumped by `resetCounters`: handle depths of older epochs count as 0. */
  private depthEpoch = 0;
  /** Tracing hook; see {@link DriverObserver}. */
  observer?: DriverObserver;

  constructor(private readonly net: DriverNet) {}

  get players(): readonly string[] { return this.net.players(); }

  announcePlayers(names: readonly string[]): void { this.net.announce?.(names); }

  /** The error that ended this runtime, if any. */
  get failed(): TfeError | undefined { return this.failure; }

  /** True once closed or failed: `getConfig().runtime()` then makes a new one. */
  get ended(): boolean { return this.closed || this.failure !== undefined; }

  // ---- instructions --------------------------------------------------------------------

  op<K extends KernelName>(player: string, kernelName: K, inputs: readonly Handle[], ...[attrs = {} as KernelAttrMap[K]]: KernelAttrsArg<K>): Handle {
    this.usable(player);
    for (let k = 0; k < inputs.length; k++) {
      const h = inputs[k];
      // the message is built only for a bad handle (this runs for every input of every op)
      if (!(h instanceof PlayerHandle && h.owner === this && !h.disposed)) this.own(h, `input ${k} of \`${kernelName}\``);
      if (h.player !== player) {
        throw new ValueError(`op \`${kernelName}\` on \`${player}\`: input ${k} is on \`${h.player}\`; send it first`);
      }
    }
    const out = inferOutput(kernelName, inputs.map((h) => ({ shape: h.shape, ring: h.ring })), attrs);
    const h = this.handle(player, out.shape, out.ring);
    let depth = 0;
    for (const i of inputs) depth = Math.max(depth, this.depthOf(i as PlayerHandle));
    this.setDepth(h, depth);
    this.push(player, { op: 'kernel', out: h.id, kernel: kernelName, inputs: inputs.map((i) => i.id), attrs: attrs as Record<string, unknown> });
    return h;
  }

  send(h: Handle, to: string): Handle {
    this.own(h, '`send` input');
    this.usable(to);
    if (to === h.player) throw new ValueError(`\`send\`: ${h} is already on \`${to}\``);
    const out = this.handle(to, h.shape, h.ring);
    // The message's round: one more than the longest chain of messages its tensor depends on.
    const round = this.depthOf(h as PlayerHandle) + 1;
    this.setDepth(out, round);
    this.push(h.player, { op: 'send', src: h.id, to, tag: out.id, round });
    this.push(to, { op: 'recv', out: out.id, from: h.player, tag: out.id });
    return out;
  }

  sampleShared(players: readonly [string, string], shape: readonly number[], ring: RingSpec): [Handle, Handle] {
    const [a, b] = players;
    this.usable(a);
    this.usable(b);
    if (a === b) throw new ValueError(`\`sampleShared\` needs two different players, got \`${a}\` twice`);
    const s = checkShape(shape, 'shape');
    const r = normalizeRing(ring);
    const nonce = this.nextNonce++;
    const ha = this.handle(a, s, r);
    const hb = this.handle(b, s, r);
    this.push(a, { op: 'sample', out: ha.id, peer: b, nonce, shape: s, ring: r });
    this.push(b, { op: 'sample', out: hb.id, peer: a, nonce, shape: s, ring: r });
    return [ha, hb];
  }

  sampleZero(players: readonly [string, string, string], shape: readonly number[], ring: RingSpec, kind: 'arithmetic' | 'boolean'): [Handle, Handle, Handle] {
    players.forEach((p) => this.usable(p));
    if (new Set(players).size !== 3) throw new ValueError(`\`sampleZero\` needs three different players, got ${players.map((p) => `\`${p}\``).join(', ')}`);
    const s = checkShape(shape, 'shape');
    const r = normalizeRing(ring);
    const nonce = this.nextNonce++;
    const combine = kind === 'arithmetic' ? 'sub' : 'xor';
    const part = (i: number): Handle => {
      const h = this.handle(players[i], s, r);
      this.push(players[i], { op: 'sample', out: h.id, peer: players[(i + 2) % 3], minus: { other: players[(i + 1) % 3], combine }, nonce, shape: s, ring: r });
      return h;
    };
    return [part(0), part(1), part(2)];
  }

  /**
   * Makes every player's randomness from now on derive from `seed` (16 bytes): the same seed
   * and the same sequence of operations give bit-identical results. For tests and
   * reproducibility only: the driver then knows every player's seeds, so nothing is secret.
   */
  setRandomSeed(seed: Uint8Array): void {
    if (!(seed instanceof Uint8Array) || seed.length !== 16) throw new ValueError(`\`setRandomSeed\` needs 16 bytes, got ${seed instanceof Uint8Array ? seed.length : typeof seed}`);
    this.seedHex = Buffer.from(seed).toString('hex');
    this.reseeded.clear();
    this.nextNonce = 0n;
    this.epoch++;
  }

  /** Counts calls of {@link setRandomSeed}: randomness cached by a protocol before it is stale. */
  get randomEpoch(): number { return this.epoch; }

  samplePrivate(player: string, shape: readonly number[], ring: RingSpec): Handle {
    this.usable(player);
    const s = checkShape(shape, 'shape');
    const r = normalizeRing(ring);
    const h = this.handle(player, s, r);
    this.push(player, { op: 'sample', out: h.id, nonce: this.nextNonce++, shape: s, ring: r });
    return h;
  }

  fill(player: string, shape: readonly number[], value: bigint, ring: RingSpec): Handle {
    this.usable(player);
    if (typeof value !== 'bigint') throw new ValueError(`\`fill\`: \`value\` must be a bigint, got ${typeof value}`);
    const s = checkShape(shape, 'shape');
    const r = normalizeRing(ring);
    const h = this.handle(player, s, r);
    this.push(player, { op: 'fill', out: h.id, shape: s, value, ring: r });
    return h;
  }

  upload(player: string, t: RingTensor): Handle {
    this.usable(player);
    if (!(t instanceof RingTensor)) throw new ValueError('`upload`: `t` must be a RingTensor');
    const h = this.handle(player, t.shape, t.ring);
    this.push(player, { op: 'upload', out: h.id, tensor: t });
    return h;
  }

  input(player: string, source: InputSource): Handle {
    this.usable(player);
    let expect = declared(source);
    let provide = source.kind === 'provider' ? source.provide : undefined;
    if (source.kind === 'provider') this.requireLocalProvider(player);
    if (!expect && provide) {
      // An undeclared in-process provider runs now, so the driver learns the shape (the
      // tensor still goes only to the player).
      const t = provide();
      if (!(t instanceof RingTensor)) {
        throw new ValueError('`input`: an async provider needs a declared `shape` (and `ring`); or use `inputAsync`');
      }
      expect = { shape: [...t.shape], ring: t.ring };
      provide = () => t;
    }
    if (!expect) throw new ValueError(`\`input\` from loader \`${(source as { loader: string }).loader}\` needs a declared \`shape\`; or use \`inputAsync\``);
    const h = this.handle(player, expect.shape, expect.ring);
    this.push(player, this.inputInstr(h.id, source, expect, provide));
    return h;
  }

  /**
   * Like {@link input}, for sources whose shape the driver does not know: waits until the
   * player has loaded the input and returns a handle with its actual shape and ring.
   * @example
   * ```ts
   * const x = await rt.inputAsync('server0', { kind: 'source', loader: 'raw', args: { path: 'x.bin', shape: [4] } });
   * ```
   */
  async inputAsync(player: string, source: InputSource): Promise<Handle> {
    this.usable(player);
    if (source.kind === 'provider') this.requireLocalProvider(player);
    const id = this.nextId++;
    const { shape, ring } = await this.request<{ shape: number[]; ring: RingSpec }>(player, (req) =>
      this.inputInstr(id, source, declared(source), source.kind === 'provider' ? source.provide : undefined, req));
    return this.handle(player, shape, ring, id);
  }

  reveal(h: Handle): Promise<RingTensor> {
    try {
      this.own(h, '`reveal` input');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.request(h.player, (req) => ({ op: 'reveal', src: h.id, req }));
  }

  output(h: Handle, sink: OutputSink): void {
    this.own(h, '`output` input');
    if (sink.kind === 'callback') {
      this.requireInProcess(h.player, 'callback outputs');
      this.push(h.player, { op: 'callback', src: h.id, receive: sink.receive });
    } else {
      this.push(h.player, { op: 'sink', src: h.id, name: sink.name, args: sink.args ?? {} });
    }
  }

  free(...hs: Handle[]): void {
    if (this.ended) {
      for (const h of hs) if (h instanceof PlayerHandle && h.owner === this) h.disposed = true;
      return;
    }
    for (const h of hs) {
      if (!(h instanceof PlayerHandle) || h.owner !== this || h.disposed) continue;
      h.disposed = true;
      let held = this.heldFrees.get(h.player);
      if (!held) this.heldFrees.set(h.player, (held = { ids: [], bytes: 0 }));
      held.ids.push(h.id);
      held.bytes += h.size * (h.ring.dtype === 'u64' ? 8 : 1);
      if (held.bytes >= DEFERRED_FREE_BYTES) this.releaseFrees(h.player);
    }
  }

  /** Queues the player's held-back frees as one instruction. */
  private releaseFrees(player: string): void {
    const held = this.heldFrees.get(player);
    if (!held) return;
    this.heldFrees.delete(player);
    if (!joinFree(this.queues.get(player), held.ids)) this.push(player, { op: 'free', ids: held.ids });
  }

  async flush(): Promise<void> {
    await Promise.all([...this.links.keys(), ...this.queues.keys()]
      .filter((p, k, all) => all.indexOf(p) === k)
      .map((p) => this.request(p, (req) => ({ op: 'sync', req }))));
  }

  async counters(): Promise<Record<string, PlayerCounters>> {
    return this.readCounters(false);
  }

  async resetCounters(): Promise<void> {
    const done = this.readCounters(true); // the reset instructions are queued now
    this.depthEpoch++; // rounds count afresh: tensors made before are at depth 0, even if issued before this resolves
    await done;
  }

  /**
   * Round trip of a small message to `player` and back, in milliseconds (no instruction runs).
   * @example
   * ```ts
   * await rt.ping('server0'); // e.g. 0.05
   * ```
   */
  async ping(player: string): Promise<number> {
    this.usable(player);
    return this.link(player).ping();
  }

  /**
   * Ends the session: pending instructions are flushed, players free this session's handles,
   * and links close. Later calls throw.
   * @example
   * ```ts
   * await rt.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.failure) await this.flush().catch(() => undefined);
    this.closed = true;
    await Promise.all([...this.links.values()].map((l) => l.close(this.session).catch(() => undefined)));
    this.links.clear();
    this.rejectAll(this.failure ?? new TfeError('the runtime was closed'));
    await this.observer?.closed?.(this.session);
  }

  // ---- internals -----------------------------------------------------------------------

  private async readCounters(reset: boolean): Promise<Record<string, PlayerCounters>> {
    for (const p of this.players) this.usable(p);
    const values = await Promise.all(this.players.map((p) => this.request<PlayerCounters>(p, (req) => ({ op: 'counters', req, reset }))));
    return Object.fromEntries(this.players.map((p, k) => [p, values[k]]));
  }

  private inputInstr(out: number, source: InputSource, expect: Expect | undefined, provide: (() => RingTensor | Promise<RingTensor>) | undefined, req?: number): Instruction {
    return source.kind === 'provider'
      ? { op: 'provide', out, provide: provide!, expect, req }
      : { op: 'input', out, loader: source.loader, args: source.args ?? {}, expect, req };
  }

  /** True when `player` runs in this process (LocalConfig), so providers and callbacks can run there. */
  isInProcess(player: string): boolean { return this.net.inProcess(player); }

  private requireInProcess(player: string, what: string): void {
    if (!this.net.inProcess(player)) {
      throw new ValueError(`${what} need an in-process player (LocalConfig); \`${player}\` is remote: register a data-source loader or sink on it instead`);
    }
  }

  /** A provider function runs in this process only: a networked owner must load its data itself. */
  private requireLocalProvider(player: string): void {
    if (this.net.inProcess(player)) return;
    throw new ValueError(`\`${player}\` is a networked player, and a provider function runs only in the driver's process (LocalConfig). ` +
      `Put the data on \`${player}\`'s machine, under its --data-dir, and load it there with a loader, e.g. ` +
      `definePrivateInput('${player}', { loader: 'json', args: { path: 'x.json' }, shape: [2, 2] })`);
  }


  private usable(player: string): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new ValueError('this runtime was closed; get a new one with `getConfig().runtime()`');
    if (typeof player !== 'string') throw new ValueError(`player name must be a string, got ${typeof player}`);
    this.net.ensurePlayer(player);
  }

  private own(h: Handle, what: string): void {
    if (this.failure) throw this.failure;
    if (!(h instanceof PlayerHandle)) throw new ValueError(`${what} must be a Handle, got ${typeof h}`);
    if (h.owner !== this) throw new ValueError(`${what}: ${h} belongs to another (closed) runtime`);
    if (h.disposed) throw new ValueError(`${what}: ${h} was disposed`);
  }

  /** A handle's communication depth in the current counter epoch (0 if made before the last reset). */
  private depthOf(h: PlayerHandle): number {
    return h.depthEpoch === this.depthEpoch ? h.depth : 0;
  }

  private setDepth(h: PlayerHandle, depth: number): void {
    h.depth = depth;
    h.depthEpoch = this.depthEpoch;
  }

  private handle(player: string, shape: readonly number[], ring: RingSpec, id = this.nextId++): PlayerHandle {
    const h = new PlayerHandle(player, id, Object.freeze([...shape]), ring, this);
    trackHandle(h);
    return h;
  }

  private link(player: string): DriverLink {
    let l = this.links.get(player);
    if (!l) {
      l = this.net.link(player, { reply: (p, r) => this.onReply(p, r), fail: (e) => this.fail(e) });
      this.links.set(player, l);
    }
    return l;
  }

  private push(player: string, instr: Instruction): void {
    if (!STREAM_OPS.has(instr.op)) this.releaseFrees(player); // it may observe what was freed (live handles)
    let q = this.queues.get(player);
    if (!q) this.queues.set(player, (q = []));
    if (this.seedHex !== undefined && !this.reseeded.has(player)) {
      this.reseeded.add(player);
      q.push({ op: 'reseed', seed: this.seedHex });
    }
    q.push(instr);
    if (++this.queued >= MAX_QUEUED) this.flushNow();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushNow());
    }
  }

  private request<T>(player: string, make: (req: number) => Instruction): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const req = this.nextReq++;
    const p = new Promise<T>((resolve, reject) => this.pending.set(req, { player, resolve, reject }));
    this.push(player, make(req));
    this.adjustPending(player, 1);
    queueMicrotask(() => this.flushNow());
    return p;
  }

  /**
   * While any request is pending, every link listens and watches its player: a player the
   * driver is not waiting on directly may fail (its error must be read) or hang while another
   * waits on its message.
   */
  private adjustPending(player: string, delta: number): void {
    this.pendingPer.set(player, (this.pendingPer.get(player) ?? 0) + delta);
    const was = this.totalPending;
    this.totalPending += delta;
    if ((was === 0) !== (this.totalPending === 0)) for (const l of this.links.values()) l.setPending(this.totalPending);
  }

  /** Sends every queued batch, one message per player. */
  private flushNow(): void {
    this.flushScheduled = false;
    if (this.queued === 0 || this.ended) return;
    if (!this.used) {
      this.used = true;
      this.net.firstUse?.();
    }
    this.queued = 0;
    for (const [player, q] of this.queues) {
      if (!q.length) continue;
      const held = this.heldFrees.get(player);
      if (held) {
        // the held-back frees ride at the end of the batch (a batch of frees alone would cost a message)
        this.heldFrees.delete(player);
        if (!joinFree(q, held.ids)) q.push({ op: 'free', ids: held.ids });
      }
      this.queues.set(player, []);
      const l = this.link(player);
      l.setPending(this.totalPending);
      const t0 = this.observer ? performance.now() : 0;
      l.submit(this.session, q);
      this.observer?.batch?.(player, q, this.session, t0, performance.now());
    }
  }

  private onReply(player: string, r: PlayerReply): void {
    if (r.kind === 'error') {
      this.fail(errorFromReply(r, player));
      return;
    }
    const p = this.pending.get(r.req);
    if (!p) return;
    this.pending.delete(r.req);
    this.adjustPending(p.player, -1);
    p.resolve(r.kind === 'tensor' ? r.tensor : r.kind === 'counters' ? r.counters : r.kind === 'shape' ? { shape: r.shape, ring: r.ring } : undefined);
  }

  /** Ends the runtime with `err`: every pending and later call rejects with it. */
  fail(err: TfeError): void {
    if (this.failure || this.closed) return;
    this.failure = err;
    this.rejectAll(err);
    for (const l of this.links.values()) void l.close(this.session).catch(() => undefined);
  }

  private rejectAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const player of this.pendingPer.keys()) this.adjustPending(player, -(this.pendingPer.get(player) ?? 0));
  }
}

function declared(source: InputSource): Expect | undefined {
  const s = source as { shape?: readonly number[]; ring?: RingSpec };
  if (s.shape === undefined) return undefined;
  return { shape: checkShape(s.shape, 'source.shape'), ring: normalizeRing(s.ring ?? { dtype: 'u64' }) };
}

