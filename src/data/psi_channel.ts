/**
 * Channels that carry PSI messages (src/data/psi.ts) between the two parties: in memory (both
 * sides in one process, with a log of every message for tests) and over a stream socket
 * (`node:net`, one length-prefixed frame per message) for two processes or machines.
 */
import type { Socket } from 'node:net';
import { CommunicationError, ProtocolError } from '../errors.js';

/**
 * Sends and receives one PSI message (concatenated 32-byte elements) to and from the peer.
 * @example
 * ```ts
 * const [a, b] = memoryChannels();
 * await a.send(new Uint8Array(32)); (await b.receive()).length; // 32
 * ```
 */
export interface PsiChannel {
  send(elements: Uint8Array): Promise<void>;
  receive(): Promise<Uint8Array>;
}

/** The largest message a socket channel accepts: 2^25 elements of 32 bytes (1 GiB). */
const MAX_FRAME = 2 ** 30;

/** A FIFO of messages with waiting receivers; `fail` rejects the waiting and later receives. */
class Inbox {
  private queue: Uint8Array[] = [];
  private waiting: { resolve: (m: Uint8Array) => void; reject: (e: Error) => void }[] = [];
  private error?: Error;
  push(m: Uint8Array): void {
    const w = this.waiting.shift();
    if (w) w.resolve(m); else this.queue.push(m);
  }
  fail(e: Error): void {
    this.error ??= e;
    for (const w of this.waiting.splice(0)) w.reject(this.error);
  }
  take(): Promise<Uint8Array> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
}

/**
 * Two connected in-memory channels (one per side); `log` records every message sent.
 * @example
 * ```ts
 * const [a, b, log] = memoryChannels();
 * ```
 */
export function memoryChannels(): [PsiChannel, PsiChannel, { from: 0 | 1; elements: Uint8Array }[]] {
  const log: { from: 0 | 1; elements: Uint8Array }[] = [];
  const inboxes = [new Inbox(), new Inbox()];
  const side = (me: 0 | 1): PsiChannel => ({
    async send(elements) {
      log.push({ from: me, elements: Uint8Array.from(elements) });
      inboxes[1 - me]!.push(elements);
    },
    receive: () => inboxes[me]!.take(),
  });
  return [side(0), side(1), log];
}

/**
 * A channel over a connected stream socket (TCP or a Unix socket): each message is one frame,
 * a 4-byte little-endian length and the bytes. A closed socket or an oversized frame rejects
 * the pending and later receives.
 * @example
 * ```ts
 * const channel = socketChannel(net.connect(7000, '127.0.0.1'));
 * const result = await psiIntersect(myIds, channel, 'session-1');
 * ```
 */
export function socketChannel(socket: Socket): PsiChannel {
  const inbox = new Inbox();
  let pending: Buffer[] = [];
  let have = 0;
  let need = -1; // the length of the frame being read, once its header is in
  const join = () => (pending.length === 1 ? pending[0]! : Buffer.concat(pending, have));
  socket.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    have += chunk.length;
    for (;;) {
      if (need < 0) {
        if (have < 4) return;
        pending = [join()];
        need = pending[0]!.readUInt32LE(0);
        if (need > MAX_FRAME) { inbox.fail(new ProtocolError(`PSI: the peer sent a ${need}-byte message, more than ${MAX_FRAME}`)); socket.destroy(); return; }
      }
      if (have < 4 + need) return;
      const all = join();
      inbox.push(all.subarray(4, 4 + need));
      const rest = all.subarray(4 + need);
      pending = rest.length ? [rest] : [];
      have = rest.length;
      need = -1;
    }
  });
  const closed = () => inbox.fail(new CommunicationError('PSI: the connection to the peer closed'));
  socket.on('close', closed);
  socket.on('error', closed);
  return {
    send(elements) {
      const head = Buffer.alloc(4);
      head.writeUInt32LE(elements.length);
      return new Promise((resolve, reject) => {
        socket.write(head);
        socket.write(elements, (e) => (e ? reject(new CommunicationError('PSI: cannot send to the peer')) : resolve()));
      });
    },
    receive: () => inbox.take(),
  };
}
