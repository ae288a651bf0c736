/**
 * When the prediction service starts a batch (issue 19). The policy, in order:
 *  1. Nothing runs, and every client seen lately has a request queued (a lone client, or all
 *     of a group), or a full batch (`maxBatchSize` rows) is queued: start now.
 *  2. Nothing runs, but some recent clients have nothing queued yet: wait for them from the
 *     first arrival, at most a quarter of a recent batch's run time and at most `windowMs`.
 *     Closed-loop clients come back within a few ms of their answers; waiting lets them share
 *     one batch instead of splitting into cohorts that take turns (each cohort's batch costs
 *     the players about as much as a full one). The wait costs each request at most a quarter
 *     of a batch; a split costs a whole one.
 *  3. A batch runs: start another only when a full batch is queued (the driver encodes batch
 *     k+1 while the players run batch k), up to `maxInFlight`; otherwise the queue grows until
 *     the running batch ends, which batches it.
 * "Lately" is within `horizonMs` of a client's last request (a client that stops costs the
 * batches after it at most one window each, for that long).
 *
 * @example
 * ```ts
 * const policy = new BatchPolicy({ maxBatchSize: 64, windowMs: 10, maxInFlight: 2 });
 * policy.arrived('client-a', Date.now());
 * policy.decide({ queuedRows: 1, queuedClients: 1, inFlight: 0, now: Date.now() }); // { start: true }
 * ```
 */
export interface BatchPolicyArgs {
  maxBatchSize: number;
  /** Longest wait for expected requests when nothing runs (ms; 0: never wait). */
  windowMs: number;
  /** Most batches encoded and not yet finished (≥ 1). */
  maxInFlight: number;
  /** How long a client counts as active after its last request (ms; default 1000). */
  horizonMs?: number;
}

/**
 * What the service is doing now, for {@link BatchPolicy.decide}.
 * @example
 * ```ts
 * const s: QueueState = { queuedRows: 4, queuedClients: 2, inFlight: 1, now: Date.now() };
 * ```
 */
export interface QueueState { queuedRows: number; queuedClients: number; inFlight: number; now: number }

/** Clients remembered at most (the oldest are forgotten first). */
const MAX_CLIENTS = 10_000;

/**
 * The batching decisions of one service; see {@link BatchPolicyArgs}.
 * @example
 * ```ts
 * const policy = new BatchPolicy({ maxBatchSize: 64, windowMs: 10, maxInFlight: 2 });
 * policy.finished(30); // a batch ran 30 ms
 * ```
 */
export class BatchPolicy {
  /** Client id → time of its last request (ms), oldest first. */
  private readonly seen = new Map<string, number>();
  /** Moving average of batch run times (ms). */
  private runMs = 0;

  constructor(readonly args: BatchPolicyArgs) {}

  /** Records a request from `client` at `now` (ms). */
  arrived(client: string, now: number): void {
    this.seen.delete(client);
    this.seen.set(client, now);
    if (this.seen.size > MAX_CLIENTS) this.seen.delete(this.seen.keys().next().value!);
  }

  /** Records that a batch ran `runMs` milliseconds. */
  finished(runMs: number): void {
    this.runMs = this.runMs ? 0.8 * this.runMs + 0.2 * runMs : runMs;
  }

  /** Clients with a request within the horizon of `now`. */
  activeClients(now: number): number {
    const horizon = this.args.horizonMs ?? 1000;
    for (const [c, t] of this.seen) {
      if (now - t <= horizon) break;
      this.seen.delete(c);
    }
    return this.seen.size;
  }

  /** How long to wait for expected requests (ms). */
  windowMs(): number {
    return Math.min(this.args.windowMs, Math.max(1, this.runMs / 4));
  }

  /** Start a batch now, wait up to `waitMs` for more requests, or do nothing (`idle`). */
  decide(s: QueueState): { start: true } | { waitMs: number } | { idle: true } {
    const { maxBatchSize, windowMs, maxInFlight } = this.args;
    if (s.queuedClients === 0 || s.inFlight >= maxInFlight) return { idle: true };
    const full = s.queuedRows >= maxBatchSize;
    if (s.inFlight > 0) return full ? { start: true } : { idle: true };
    if (full || windowMs <= 0 || s.queuedClients >= this.activeClients(s.now)) return { start: true };
    return { waitMs: this.windowMs() };
  }
}
