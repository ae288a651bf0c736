import { ProtocolError } from '../../errors.js';

/**
 * Messages from peers, matched to receives by `(sender, tag)`. A message may arrive before
 * or after the receive that wants it; a receive waits until it arrives or the mailbox fails
 * it (peer lost, session ended).
 *
 * @example
 * ```ts
 * const box = new Mailbox<RingTensor>();
 * const p = box.take('server1', 7);
 * box.put('server1', 7, t); // p resolves with t
 * ```
 */
export class Mailbox<T> {
  private readonly items = new Map<string, T>();
  private readonly waiters = new Map<string, { from: string; resolve: (v: T) => void; reject: (e: Error) => void }>();
  private failure?: Error;

  /** @param limit most unread messages kept; beyond it `put` throws `ProtocolError` (issue 16). */
  constructor(private readonly limit = 100_000) {}

  /** Delivers a message; a second message with the same key replaces an unread one. */
  put(from: string, tag: number | string, value: T): void {
    const key = `${from}\u0000${tag}`;
    const w = this.waiters.get(key);
    if (w) {
      this.waiters.delete(key);
      w.resolve(value);
    } else {
      if (this.items.size >= this.limit && !this.items.has(key)) {
        throw new ProtocolError(`too many unread messages from peers (at most ${this.limit}); message from \`${from}\` dropped`);
      }
      this.items.set(key, value);
    }
  }

  /** Takes the message `(from, tag)`, waiting for it if needed. */
  take(from: string, tag: number | string): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const key = `${from}\u0000${tag}`;
    const v = this.items.get(key);
    if (v !== undefined) {
      this.items.delete(key);
      return Promise.resolve(v);
    }
    return new Promise((resolve, reject) => this.waiters.set(key, { from, resolve, reject }));
  }

  /** The senders someone is waiting on. */
  waitingOn(): Set<string> {
    return new Set([...this.waiters.values()].map((w) => w.from));
  }

  /** Rejects every waiter (and every later take) with `err`, and drops unread messages. */
  fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
    this.items.clear();
  }

  /** Unread messages (for tests and counters). */
  get size(): number { return this.items.size; }
}
