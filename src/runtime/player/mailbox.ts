import { ProtocolError } from '../../errors.js';

/**
 * Bytes of unread peer messages, shared by all the mailboxes of one player.
 * @example
 * ```ts
 * const budget: ByteBudget = { used: 0, limit: 2 ** 30 };
 * ```
 */
export interface ByteBudget { used: number; limit: number }

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
  private readonly sizes = new Map<string, number>();
  private readonly waiters = new Map<string, { from: string; resolve: (v: T) => void; reject: (e: Error) => void }>();
  private failure?: Error;

  /**
   * @param limit most unread messages kept; beyond it `put` throws `ProtocolError` (issue 16).
   * @param budget bytes of unread messages shared by the player's mailboxes, and `sizeOf` each
   *   message's bytes: a message that would pass `budget.limit` is refused the same way.
   */
  constructor(private readonly limit = 100_000, private readonly budget?: ByteBudget, private readonly sizeOf?: (v: T) => number) {}

  /**
   * Delivers a message; a second message with the same key replaces an unread one. `adopt`
   * turns an accepted message into what is kept (a copy into the player's own memory), so a
   * refused one costs nothing more.
   */
  put(from: string, tag: number | string, value: T, adopt: (v: T) => T = (v) => v): void {
    if (this.failure) return; // the session is over: nothing will read it
    const key = `${from}\u0000${tag}`;
    const w = this.waiters.get(key);
    if (w) {
      const kept = adopt(value); // before the waiter goes: if adopting throws, fail() still rejects it
      this.waiters.delete(key);
      w.resolve(kept);
    } else {
      if (this.items.size >= this.limit && !this.items.has(key)) {
        throw new ProtocolError(`too many unread messages from peers (at most ${this.limit}); message from \`${from}\` dropped`);
      }
      const n = this.budget && this.sizeOf ? this.sizeOf(value) : 0;
      if (this.budget && n) {
        const old = this.sizes.get(key) ?? 0;
        if (this.budget.used - old + n > this.budget.limit) {
          throw new ProtocolError(`unread messages from peers would pass ${Math.round(this.budget.limit / 2 ** 20)} MiB; message from \`${from}\` dropped`);
        }
        this.budget.used += n - old;
        this.sizes.set(key, n);
      }
      this.items.set(key, adopt(value));
    }
  }

  /** Takes the message `(from, tag)`, waiting for it if needed. */
  take(from: string, tag: number | string): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const key = `${from}\u0000${tag}`;
    const v = this.items.get(key);
    if (v !== undefined) {
      this.items.delete(key);
      this.release(key);
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
    for (const key of [...this.sizes.keys()]) this.release(key);
  }

  private release(key: string): void {
    const n = this.sizes.get(key);
    if (n === undefined) return;
    this.sizes.delete(key);
    this.budget!.used -= n;
  }

  /** Unread messages (for tests and counters). */
  get size(): number { return this.items.size; }
}
