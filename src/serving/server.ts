import { CommunicationError, ProtocolError, ValueError } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { Pond } from '../protocols/pond/pond.js';
import { getProtocol, type SavedShares } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { U64 } from '../kernels/dtype.js';
import type { Handle } from '../protocols/runtime_link.js';
import { getConfig, getRuntime, RemoteConfig, ServingRouter, tidy, type Frames } from '../runtime/index.js';
import { BatchPolicy } from './batching.js';
import { LatencyWindow } from './stats.js';

/**
 * Private prediction serving (DESIGN.md §9, issue 19): the driver's side. `serve` deploys a
 * Sequential model whose weights are already secret-shared under Pond or SecureNN and answers
 * prediction requests. The servers never see an input or an output:
 *  1. A client announces a request to the service's front address: `predict, id, {"shape":[n,...]}`.
 *     The front checks the shape against the model and queues the request (full queue: error).
 *  2. The client sends its input share for `id` to each server directly (loader `client-share`).
 *  3. Queued requests that are waiting together run as one batch of up to `maxBatchSize` rows:
 *     each server loads the requests' shares, the model runs on their concatenation, and each
 *     server sends its share of the request's output rows to the connection that sent the
 *     input share (sink `client-reply`), for the requests whose shares both servers hold (they
 *     exchange which ones, beside the model's first round). The driver handles ids and shapes only.
 *  4. The client adds the two output shares. Rounds: those of one `model.predict` per batch.
 * Errors (bad shape, malformed message, missing share, a dead server) go to the client they
 * concern as `error, id, message, class`; the service keeps serving.
 *
 * @example
 * ```ts
 * const service = await tfe.serving.serve(model, {
 *   address: 'tcp://127.0.0.1:5990',
 *   servers: { server0: 'tcp://127.0.0.1:5991', server1: 'tcp://127.0.0.1:5992' },
 * });
 * // ... clients connect to tcp://127.0.0.1:5990
 * await service.close();
 * ```
 */
export interface ServeOptions {
  /** Front address for clients (announcements, status), bound in the driver's process. */
  address: string;
  /** Where each server listens for its input shares, by player name (`tcp://HOST:PORT`). */
  servers: Record<string, string>;
  /** Most rows in one batch (default 64). */
  maxBatchSize?: number;
  /** Most queued requests; more are rejected (default 256). */
  maxQueue?: number;
  /** Per-request timeout in ms, in the queue and waiting for shares (default 10 000). */
  timeoutMs?: number;
  /**
   * How long a server waits for a request's shares once its batch starts, in ms (default the
   * smaller of `timeoutMs` and 1000). Clients send their shares with the announcement, so a
   * share later than this is taken as never coming: the request fails and the rest of its
   * batch, and the batches queued behind it, are held up at most this long.
   */
  shareWaitMs?: number;
  /**
   * Longest wait (ms) for requests expected back from the clients of the last batch before a
   * batch starts (default 10; also at most a quarter of a recent batch's run time; 0: never
   * wait). A lone client never waits; see batching.ts.
   */
  batchWindowMs?: number;
  /** Batches encoded ahead while earlier ones run on the players (default 2; 1: none). */
  maxInFlight?: number;
}

/**
 * What the status call reports.
 * @example
 * ```ts
 * const s: ServiceStatus = service.status();
 * console.log(s.queueDepth, s.latencyMs.p99);
 * ```
 */
export interface ServiceStatus {
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  fracBits: number;
  protocol: string;
  servers: Record<string, string>;
  maxBatchSize: number;
  maxQueue: number;
  timeoutMs: number;
  queueDepth: number;
  served: number;
  failed: number;
  batches: number;
  /** Batches encoded and not yet finished. */
  inFlight: number;
  /** Mean requests per batch so far. */
  meanBatchRequests: number | null;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
  /**
   * With a CURVE config: the public key of each server's share address (the front's own key,
   * the config's `master` key, is what a client needs to connect at all).
   */
  curveServerKeys?: Record<string, string>;
}

interface Request { id: string; rows: number; from: Buffer; at: number }

/** The client part of a request id `<clientId>:<n>`. */
const clientOf = (id: string): string => id.slice(0, id.lastIndexOf(':'));

const errorFrames = (id: string, e: unknown): Frames => {
  const cls = e instanceof ValueError ? 'ValueError' : e instanceof CommunicationError ? 'CommunicationError' : 'ProtocolError';
  return [Buffer.from('error'), Buffer.from(id), Buffer.from((e as Error).message ?? String(e)), Buffer.from(cls)];
};

/**
 * A running prediction service; see {@link serve}.
 * @example
 * ```ts
 * console.log(service.status().served);
 * await service.close();
 * ```
 */
export class PredictionService {
  private readonly queue: Request[] = [];
  /** Ids queued or running: a repeated id is refused (its shares would be ambiguous). */
  private readonly active = new Set<string>();
  private readonly latency = new LatencyWindow();
  private readonly policy: BatchPolicy;
  private readonly running = new Set<Promise<void>>();
  private building = false;
  private windowTimer?: NodeJS.Timeout;
  private closed = false;
  private served = 0;
  private failed = 0;
  private batches = 0;
  private batchedRequests = 0;
  private front?: ServingRouter;
  readonly maxBatchSize: number;
  readonly maxQueue: number;
  readonly timeoutMs: number;
  readonly shareWaitMs: number;
  /** The driver's CURVE keys when the config uses CURVE: the front and the share addresses then do too. */
  private readonly curve = (() => { const c = getConfig(); return c instanceof RemoteConfig ? c.curveKeys : undefined; })();

  constructor(private readonly model: Sequential, private readonly p: Pond, private readonly opts: ServeOptions) {
    this.maxBatchSize = opts.maxBatchSize ?? 64;
    this.maxQueue = opts.maxQueue ?? 256;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.shareWaitMs = opts.shareWaitMs ?? Math.min(this.timeoutMs, 1000);
    const windowMs = opts.batchWindowMs ?? 10;
    const maxInFlight = opts.maxInFlight ?? 2;
    for (const [k, v] of [['maxBatchSize', this.maxBatchSize], ['maxQueue', this.maxQueue], ['timeoutMs', this.timeoutMs], ['shareWaitMs', this.shareWaitMs], ['maxInFlight', maxInFlight]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`\`${k}\` must be a positive integer, got ${v}`);
    }
    if (!Number.isFinite(windowMs) || windowMs < 0) throw new ValueError(`\`batchWindowMs\` must be a number ≥ 0, got ${windowMs}`);
    for (const s of [p.s0, p.s1]) {
      if (typeof opts.servers?.[s] !== 'string') throw new ValueError(`\`servers\` must give an address for ${p.s0} and ${p.s1}; found none for ${s}`);
    }
    this.policy = new BatchPolicy({ maxBatchSize: this.maxBatchSize, windowMs, maxInFlight });
  }

  /**
   * Binds the servers' share addresses and the front address, and masks the model's weight
   * matrices once: every batch's products then reuse those masks (Beaver masks of a fixed
   * value may be reused; the inputs get fresh ones), so no batch re-opens the weights.
   */
  async start(): Promise<void> {
    const features = this.features();
    for (const s of [this.p.s0, this.p.s1]) {
      const h = this.p.rt.input(s, { kind: 'source', loader: 'client-share', args: { bind: this.opts.servers[s], requests: [], features }, shape: [0, ...features], ring: { dtype: 'u64' } });
      this.p.rt.free(h);
    }
    for (const w of this.model.getWeights()) if (w.rank >= 2) this.p.cache(w);
    await getRuntime().flush();
    this.front = await ServingRouter.bind(this.opts.address, (from, frames) => this.onMessage(from, frames), this.curve ? { secretKey: this.curve.secretKey } : undefined);
  }

  private features(): number[] {
    const s = this.model.inputShape.slice(1);
    if (!s.every((d): d is number => typeof d === 'number')) throw new ValueError(`the model's input shape must be known, found [${this.model.inputShape.join(',')}]`);
    return s;
  }

  /** Model shapes, queue depth, counters and latency percentiles (ms, announcement to reply). */
  status(): ServiceStatus {
    return {
      inputShape: [...this.model.inputShape], outputShape: [...this.model.outputShape], fracBits: this.p.fracBits, protocol: this.p.name,
      servers: { [this.p.s0]: this.opts.servers[this.p.s0], [this.p.s1]: this.opts.servers[this.p.s1] },
      maxBatchSize: this.maxBatchSize, maxQueue: this.maxQueue, timeoutMs: this.timeoutMs,
      queueDepth: this.queue.length, served: this.served, failed: this.failed, batches: this.batches,
      inFlight: this.running.size, meanBatchRequests: this.batches ? this.batchedRequests / this.batches : null,
      latencyMs: { p50: this.latency.percentile(50), p90: this.latency.percentile(90), p99: this.latency.percentile(99) },
      ...(this.curve ? { curveServerKeys: { [this.p.s0]: this.curve.players.get(this.p.s0)!, [this.p.s1]: this.curve.players.get(this.p.s1)! } } : {}),
    };
  }

  private reply(to: Buffer, frames: Frames): void { void this.front?.send(to, frames); }

  private refuse(r: { id: string; from: Buffer }, e: Error): void {
    this.failed++;
    this.reply(r.from, errorFrames(r.id, e));
  }

  private onMessage(from: Buffer, frames: Frames): void {
    const kind = frames[0]?.toString();
    const id = (frames[1]?.toString() ?? '').slice(0, 200);
    if (kind === 'status' && frames.length === 2) {
      this.reply(from, [Buffer.from('status'), Buffer.from(id), Buffer.from(JSON.stringify(this.status()))]);
      return;
    }
    if (kind !== 'predict' || frames.length !== 3 || !id.includes(':')) {
      this.reply(from, errorFrames(id, new ProtocolError(`malformed message: expected [predict, clientId:n, {"shape":[...]}] or [status, id], found ${frames.length} frame(s) starting with \`${(kind ?? '').slice(0, 16)}\``)));
      return;
    }
    let shape: unknown;
    try { shape = (JSON.parse(frames[2].toString()) as { shape?: unknown })?.shape; } catch { /* checked below */ }
    const features = this.features();
    const ok = Array.isArray(shape) && shape.length === features.length + 1 && Number.isSafeInteger(shape[0]) && shape[0] >= 1 && shape[0] <= this.maxBatchSize && features.every((d, i) => shape[i + 1] === d);
    if (!ok) {
      this.refuse({ id, from }, new ValueError(`request \`${id}\`: expected an input of shape [n, ${features.join(', ')}] with 1 ≤ n ≤ ${this.maxBatchSize}, found ${JSON.stringify(shape ?? null).slice(0, 80)}`));
      return;
    }
    if (this.active.has(id)) {
      this.refuse({ id, from }, new ProtocolError(`request \`${id}\` is already queued or running; use a new id`));
      return;
    }
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.refuse({ id, from }, new CommunicationError(`request \`${id}\`: the service queue is full (${this.maxQueue} requests); retry later`));
      return;
    }
    this.active.add(id);
    const now = Date.now();
    this.policy.arrived(clientOf(id), now);
    this.queue.push({ id, rows: (shape as number[])[0], from, at: now });
    this.pump();
  }

  /** Starts a batch when the policy says so (batching.ts); called on every arrival and batch end. */
  private pump(): void {
    if (this.closed || this.building) return;
    const clients = new Set(this.queue.map((r) => clientOf(r.id)));
    const d = this.policy.decide({ queuedRows: this.queue.reduce((n, r) => n + r.rows, 0), queuedClients: clients.size, inFlight: this.running.size, now: Date.now() });
    if ('idle' in d) return;
    if ('waitMs' in d) {
      this.windowTimer ??= setTimeout(() => { this.windowTimer = undefined; this.launch(); }, d.waitMs);
      return;
    }
    this.launch();
  }

  private launch(): void {
    clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    if (this.closed || this.building) return;
    const batch = this.takeBatch();
    if (!batch.length) return;
    this.building = true;
    const run: Promise<void> = this.runBatch(batch, () => { this.building = false; this.pump(); })
      .finally(() => { this.running.delete(run); this.pump(); });
    this.running.add(run);
  }

  private takeBatch(): Request[] {
    const batch: Request[] = [];
    let rows = 0;
    const now = Date.now();
    while (this.queue.length && rows + this.queue[0].rows <= this.maxBatchSize) {
      const r = this.queue.shift()!;
      if (now - r.at > this.timeoutMs) {
        this.active.delete(r.id);
        this.refuse(r, new CommunicationError(`request \`${r.id}\` waited more than ${this.timeoutMs} ms in the queue`));
        continue;
      }
      batch.push(r);
      rows += r.rows;
    }
    return batch;
  }

  /**
   * Encodes one batch (every server loads all its requests' shares in one instruction, the
   * model runs on them, every server sends each request its rows) and waits for the players
   * to finish it. `built` runs once the instructions are queued, so the next batch can be
   * encoded while the players work on this one.
   */
  private async runBatch(batch: Request[], built: () => void): Promise<void> {
    const { p } = this;
    const features = this.features();
    const requests = batch.map((r) => ({ id: r.id, rows: r.rows }));
    const rows = batch.reduce((a, r) => a + r.rows, 0);
    const t0 = Date.now();
    try {
      try {
        await tidy(async () => {
          const saved: SavedShares = {
            kind: 'private', shape: [rows, ...features], fracBits: p.fracBits,
            files: [p.s0, p.s1].map((s) => ({ player: s, path: '', loader: 'client-share', args: { bind: this.opts.servers[s], requests, features, timeoutMs: this.shareWaitMs } })),
          };
          const x = p.loadShares(saved);
          const agreed = this.agreedRequests(requests);
          const y: TfeTensor = await this.model.predict(x, { batchSize: rows });
          this.replyAgreed(y, agreed, requests);
        });
      } finally {
        built();
      }
      // the handles of the batch are freed after its replies; this waits for all of it
      await getRuntime().flush();
      this.batches++;
      this.batchedRequests += batch.length;
      const now = Date.now();
      for (const r of batch) { this.served++; this.latency.add(now - r.at); }
      this.policy.finished(now - t0);
    } catch (e) {
      this.failed += batch.length;
      // Client mistakes never fail a batch (the loaders stand zeros in for them), so this is
      // the service's own failure: a dead or unreachable player, a closed runtime.
      const err = e instanceof CommunicationError ? e : new CommunicationError(`the service could not run the model: ${(e as Error).message}`);
      for (const r of batch) this.reply(r.from, errorFrames(r.id, err));
    } finally {
      for (const r of batch) this.active.delete(r.id);
    }
  }

  /**
   * Per server, u64 [R]: 1 where both servers hold the request's share. Each server's
   * `client-share-status` (run right after its `client-share` loader) is sent to the other and
   * multiplied with its own: request-level metadata, no share. Without it a server that has a
   * share would answer a request whose other share never came (the other one reports it).
   */
  private agreedRequests(requests: { id: string; rows: number }[]): Map<string, Handle> {
    const { p } = this;
    const rt = getRuntime();
    const own = new Map([p.s0, p.s1].map((s) => [s, rt.input(s, { kind: 'source', loader: 'client-share-status', args: { bind: this.opts.servers[s], requests }, shape: [requests.length], ring: U64 })]));
    return new Map([[p.s0, p.s1], [p.s1, p.s0]].map(([s, other]) => [s, rt.op(s, 'Mul', [own.get(s)!, rt.send(own.get(other)!, s)])]));
  }

  /** Each server sends each agreed request its rows of y's share (sink `client-reply`). */
  private replyAgreed(y: TfeTensor, agreed: Map<string, Handle>, requests: { id: string; rows: number }[]): void {
    const { p } = this;
    const rt = getRuntime();
    const shares = p.toPrivate(y).shares;
    [p.s0, p.s1].forEach((s, i) => {
      const flat = rt.op(s, 'Reshape', [shares[i]], { shape: [y.size] });
      const both = rt.op(s, 'Concat', [flat, agreed.get(s)!], { axis: 0 });
      rt.output(both, { kind: 'sink', name: 'client-reply', args: { bind: this.opts.servers[s], requests, fracBits: y.fracBits, features: y.shape.slice(1) } });
    });
  }

  /** Stops accepting requests, lets the running batches finish and closes the front address. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.windowTimer);
    await Promise.allSettled([...this.running]);
    this.front?.close();
  }
}

/**
 * Deploys `model` (weights secret-shared under the active protocol, Pond or SecureNN) and
 * serves private predictions; see {@link ServeOptions}.
 * @example
 * ```ts
 * const service = await tfe.serving.serve(model, { address: 'tcp://127.0.0.1:5990', servers: { server0: 'tcp://127.0.0.1:5991', server1: 'tcp://127.0.0.1:5992' } });
 * ```
 */
export async function serve(model: Sequential, opts: ServeOptions): Promise<PredictionService> {
  const p = getProtocol();
  if (!(p instanceof Pond)) throw new ValueError(`serving needs a protocol with 2-out-of-2 additive sharing (Pond or SecureNN); the active protocol is ${p.name}`);
  if (typeof opts?.address !== 'string') throw new ValueError('`address` must be the front address, e.g. tcp://127.0.0.1:5990');
  const service = new PredictionService(model, p, opts);
  await service.start();
  return service;
}
