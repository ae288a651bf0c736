import * as zmq from 'zeromq';
import { CommunicationError } from '../../../errors.js';

/**
 * The ZeroMQ sockets of private serving (src/serving), kept here because only
 * src/runtime/transport/zmq imports zeromq. A {@link ServingRouter} binds an address and hands
 * every multipart message to a handler with the sender's routing id, so a reply goes back to
 * the connection that asked and to no other client. A {@link ServingDealer} is the client
 * side: one connection, multipart send, and a handler for whatever comes back.
 *
 * @example
 * ```ts
 * const r = await ServingRouter.bind('tcp://127.0.0.1:6001', (from, frames) => r.send(from, frames));
 * const d = ServingDealer.connect('tcp://127.0.0.1:6001', (frames) => console.log(frames));
 * await d.send([Buffer.from('ping')]);
 * ```
 */
export type Frames = Buffer[];

/** The largest message a serving address accepts from a client: 16 MiB (a share of 2M values). */
export const SERVING_MAX_MESSAGE_BYTES = 16 * 2 ** 20;
/**
 * Messages a serving address queues per client connection before ZeroMQ stops reading from it
 * (TCP back-pressure, nothing dropped). ZeroMQ's size limit is per frame, so a connection can
 * hold up to this many messages of {@link SERVING_MAX_MESSAGE_BYTES} per frame: kept small
 * (was 1000, i.e. 16 GB per connection in the worst case).
 */
export const SERVING_RECEIVE_HWM = 4;
/**
 * The ZAP domain of CURVE serving addresses: clients are anonymous (any client key may
 * connect), but the connection is encrypted and the client knows it talks to the key holder.
 */
export const SERVING_ZAP_DOMAIN = 'tfe-serving';

/**
 * A bound ROUTER socket that answers each sender by its routing id.
 * @example
 * ```ts
 * const r = await ServingRouter.bind('tcp://127.0.0.1:6001', (from, frames) => r.send(from, frames));
 * ```
 */
export class ServingRouter {
  private closed = false;
  private sending: Promise<void> = Promise.resolve();

  private constructor(private readonly sock: zmq.Router, readonly address: string, private readonly onMessage: (from: Buffer, frames: Frames) => void) {
    void this.loop();
  }

  /**
   * Binds `address` (`tcp://127.0.0.1:PORT`) and starts receiving; with `curve`, as a CURVE
   * server holding `secretKey` (clients need its public key).
   */
  static async bind(address: string, onMessage: (from: Buffer, frames: Frames) => void, curve?: { secretKey: string }): Promise<ServingRouter> {
    // Anyone who can reach the port can send: bound the message size and the receive queue
    // (an oversized message makes ZeroMQ drop that connection; its client times out).
    const sock = new zmq.Router({
      linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: SERVING_RECEIVE_HWM, maxMessageSize: SERVING_MAX_MESSAGE_BYTES, mandatory: false,
      ...(curve ? { curveServer: true, curveSecretKey: curve.secretKey, zapDomain: SERVING_ZAP_DOMAIN } : {}),
    });
    try {
      await sock.bind(address);
    } catch (e) {
      sock.close();
      throw new CommunicationError(`serving: cannot bind ${address}: ${(e as Error).message}`, undefined, address);
    }
    return new ServingRouter(sock, address, onMessage);
  }

  private async loop(): Promise<void> {
    try {
      for await (const [from, ...frames] of this.sock) {
        try { this.onMessage(from, frames); } catch { /* the handler answers its own errors */ }
      }
    } catch {
      /* closed */
    }
  }

  /** Sends `frames` to the connection `to` (dropped if it has gone). Sends are serialised. */
  send(to: Buffer, frames: Frames): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sending = this.sending.then(() => this.sock.send([to, ...frames])).catch(() => undefined);
    return this.sending;
  }

  /** Closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.close();
  }
}

/**
 * How long a serving send may wait for ZeroMQ to take it (a connection to queue it on): after
 * a failed handshake (a plaintext client at a CURVE address, a wrong key) ZeroMQ tears the
 * connection down and reconnects, and a send that waited on it without a bound never settled,
 * so `Client.connect` could hang. Past the bound the send fails with a `CommunicationError`.
 */
export const SERVING_SEND_TIMEOUT_MS = 5000;

/**
 * A DEALER connection to one serving address.
 * @example
 * ```ts
 * const d = ServingDealer.connect('tcp://127.0.0.1:6001', (frames) => console.log(frames.length));
 * ```
 */
export class ServingDealer {
  private closed = false;
  private sending: Promise<void> = Promise.resolve();

  private constructor(private readonly sock: zmq.Dealer, readonly address: string, private readonly onMessage: (frames: Frames) => void) {
    void this.loop();
  }

  /**
   * Connects to `address` (ZeroMQ reconnects in the background) and starts receiving; with
   * `curve`, encrypted to the CURVE server `serverKey` under a fresh client key pair.
   */
  static connect(address: string, onMessage: (frames: Frames) => void, curve?: { serverKey: string }): ServingDealer {
    const own = curve ? zmq.curveKeyPair() : undefined;
    const sock = new zmq.Dealer({
      linger: 0, sendHighWaterMark: 0, sendTimeout: SERVING_SEND_TIMEOUT_MS, receiveHighWaterMark: 0, immediate: false,
      ...(curve && own ? { curveServerKey: curve.serverKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey } : {}),
    });
    sock.connect(address);
    return new ServingDealer(sock, address, onMessage);
  }

  private async loop(): Promise<void> {
    try {
      for await (const frames of this.sock) {
        try { this.onMessage(frames); } catch { /* the handler owns its errors */ }
      }
    } catch {
      /* closed */
    }
  }

  /**
   * Sends one multipart message (serialised with earlier sends, each settling on its own). Fails
   * with a `CommunicationError` when ZeroMQ cannot take it within {@link SERVING_SEND_TIMEOUT_MS}.
   */
  send(frames: Frames): Promise<void> {
    if (this.closed) return Promise.reject(new CommunicationError(`serving: connection to ${this.address} is closed`, undefined, this.address));
    const sent = this.sending.then(() => this.sock.send(frames)).catch((e: Error & { code?: string }) => {
      const why = e.code === 'EAGAIN' ? `no connection took it within ${SERVING_SEND_TIMEOUT_MS} ms` : e.message;
      throw new CommunicationError(`serving: could not send to ${this.address} (${why})`, undefined, this.address);
    });
    this.sending = sent.catch(() => undefined);
    return sent;
  }

  /** Closes the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.close();
  }
}
