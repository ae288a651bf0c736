import type { Writable } from 'zeromq';

/**
 * Serialises sends on one ZeroMQ socket (zeromq v6 allows one pending `send` at a time) and
 * keeps message order. Frames are sent as given: Buffers that view tensor storage go out
 * without a JavaScript-side copy.
 *
 * @example
 * ```ts
 * const q = new SendQueue(dealer, (e) => console.error(e.message));
 * q.send([header, payload]);
 * await q.drained();
 * ```
 */
export class SendQueue {
  private readonly queue: Buffer[][] = [];
  private busy = false;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(private readonly sock: Writable, private readonly onError: (e: Error) => void) {}

  /** Messages waiting to be handed to ZeroMQ. */
  get length(): number { return this.queue.length; }

  /** Queues a multipart message. */
  send(frames: Buffer[]): void {
    if (this.closed) return;
    this.queue.push(frames);
    if (!this.busy) void this.drain();
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
    this.busy = true;
    try {
      while (this.queue.length && !this.closed) await this.sock.send(this.queue.shift()!);
    } catch (e) {
      this.queue.length = 0;
      if (!this.closed) this.onError(e as Error);
    } finally {
      this.busy = false;
      this.wake();
    }
  }

  private wake(): void {
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
  }
}
