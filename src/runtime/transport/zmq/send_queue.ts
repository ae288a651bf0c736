import type { Writable } from 'zeromq';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_MESSAGES, bundleable } from '../../wire/bundle.js';

const bytesOf = (frames: readonly Buffer[]) => frames.reduce((a, f) => a + f.length, 0);

/**
 * Send options of every socket behind a {@link SendQueue}: no high-water mark, so a send never
 * has to wait for room, and a send timeout of 0, so zeromq.js hands each message to ZeroMQ at
 * once instead of first asking the socket whether it is writable (`ZMQ_EVENTS`: a `poll` and a
 * `getpid` system call per send; with no high-water mark the answer is always yes). Counted
 * with `strace -c` on a player during `npm run bench -- network`'s peer rounds: 21.4 → 16.5
 * `poll` + `getpid` calls per round.
 *
 * @example
 * ```ts
 * const dealer = new zmq.Dealer({ linger: 0, ...NEVER_WAIT_TO_SEND });
 * ```
 */
export const NEVER_WAIT_TO_SEND = { sendHighWaterMark: 0, sendTimeout: 0 } as const;

/**
 * Serialises sends on one ZeroMQ socket (zeromq v6 allows one pending `send` at a time) and
 * keeps message order. Frames are sent as given: Buffers that view tensor storage go out
 * without a JavaScript-side copy.
 *
 * With a `bundler` (a player's queue to a peer), the queue also coalesces: the first send
 * waits for the end of the current JavaScript turn (a player runs its instructions until it
 * must wait for a peer, so that is when a round's messages are all queued), and every run of
 * consecutive small peer messages then goes out as one bundle (wire/bundle.ts). Each ZeroMQ
 * message costs a wake-up and several system calls on both sides, and a Pond training step
 * sends about 140 of them; bundled, one per peer and round.
 *
 * @example
 * ```ts
 * const q = new SendQueue(dealer, (e) => console.error(e.message), (msgs) => bundle('server0', msgs));
 * q.send([header, payload]);
 * await q.drained();
 * ```
 */
export class SendQueue {
  private readonly queue: Buffer[][] = [];
  private busy = false;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly sock: Writable,
    private readonly onError: (e: Error) => void,
    private readonly bundler?: (messages: Buffer[][]) => Buffer[],
  ) {}

  /** Messages waiting to be handed to ZeroMQ. */
  get length(): number { return this.queue.length; }

  /** Queues a multipart message. */
  send(frames: Buffer[]): void {
    if (this.closed) return;
    this.queue.push(frames);
    if (this.busy) return;
    this.busy = true;
    if (this.bundler) queueMicrotask(() => void this.drain());
    else void this.drain();
  }

  /**
   * Hands every queued message to ZeroMQ now, in order, instead of at the end of the current
   * JavaScript turn (a player does this before a long kernel on its own thread, so the round's
   * messages travel meanwhile). The socket must be {@link NEVER_WAIT_TO_SEND}'s: each send then
   * completes at once, so none waits on another.
   */
  flush(): void {
    const sends: Promise<void>[] = [];
    try {
      while (this.queue.length && !this.closed) sends.push(this.sock.send(this.next()));
    } catch (e) {
      this.failed(e as Error); // a closed socket throws at once
    }
    // one report for the flush, as a drain makes one (the other rejections are handled too)
    if (sends.length) Promise.all(sends).catch((e: Error) => this.failed(e));
  }

  /** Resolves when every queued message has been handed to ZeroMQ. */
  drained(): Promise<void> {
    if (!this.busy && !this.queue.length) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drops queued messages and refuses new ones. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.wake();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length && !this.closed) await this.sock.send(this.next());
    } catch (e) {
      this.failed(e as Error);
    } finally {
      this.busy = false;
      this.wake();
    }
  }

  /** A send failed: what is queued is dropped (the session waiting on it fails by its timeout). */
  private failed(e: Error): void {
    this.queue.length = 0;
    if (!this.closed) this.onError(e);
  }

  /** The next ZeroMQ message: the queue's head, or a bundle of it and the small peer messages after it. */
  private next(): Buffer[] {
    const head = this.queue.shift()!;
    if (!this.bundler || !this.queue.length || !bundleable(head)) return head;
    const run = [head];
    let bytes = bytesOf(head);
    while (this.queue.length && run.length < MAX_BUNDLE_MESSAGES && bundleable(this.queue[0])) {
      const more = bytesOf(this.queue[0]);
      if (bytes + more > MAX_BUNDLE_BYTES) break;
      bytes += more;
      run.push(this.queue.shift()!);
    }
    return run.length === 1 ? head : this.bundler(run);
  }

  private wake(): void {
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
  }
}
