import * as zmq from 'zeromq';
import { CommunicationError, TfeError, ValueError } from '../../../errors.js';
import { MsgType, decodeHeader, decodeJson, encodeHeader, tensorOf } from '../../wire/codec.js';
import { clientOptions, type CurveKeys } from './curve.js';
import { roleRoutingId } from './roles.js';
import type { DriverLink, DriverNet, LinkEvents } from '../transport.js';
import type { HostEntry, Hostmap } from '../../config/hostmap.js';
import type { Instruction, PlayerReply } from '../../wire/instructions.js';
import { NEVER_WAIT_TO_SEND, SendQueue } from './send_queue.js';
import { ReplayEncoder } from '../../wire/batch_replay.js';
import { hungAfterMs, isPort, LivenessProbe, SilenceClock, withPort } from './liveness.js';

/**
 * Liveness settings of a networked run.
 * @example
 * ```ts
 * const args: ZmqArgs = { timeoutMs: 30_000, heartbeatMs: 1000 };
 * ```
 */
export interface ZmqArgs {
  /** A player silent this long while the driver waits on it is declared dead. */
  timeoutMs: number;
  /** Interval of heartbeats (pings) to players. */
  heartbeatMs: number;
  /** CURVE keys when the hostmap has them. */
  curve?: CurveKeys;
}

/** How long a receive waits before the loop rechecks whether anyone still waits. */
const RECEIVE_SLICE_MS = 200;

/**
 * The driver's ZeroMQ channel to one player: a DEALER socket connected to the player's
 * ROUTER. Batches go out as `[header, json, ...binary frames]`. While requests are pending it
 * receives replies and pings the player every heartbeat; a closed connection or a player
 * silent past the timeout fails the link with a `CommunicationError` naming the player and
 * its address. When nothing is pending it holds no receive, so a finished script can exit.
 *
 * @example
 * ```ts
 * const link = new ZmqLink(entry, events, { timeoutMs: 30_000, heartbeatMs: 1000 });
 * ```
 */
export class ZmqLink implements DriverLink {
  private readonly sock: zmq.Dealer;
  private readonly queue: SendQueue;
  private pending = 0;
  private pingWaiters: { resolve: (t: number) => void; reject: (e: Error) => void }[] = [];
  private readonly clock: SilenceClock;
  /** The player's liveness worker, once its port is known (from the first Pong). */
  private probe?: LivenessProbe;
  private receiving = false;
  private closed = false;
  private dead = false;
  private watchTimer?: NodeJS.Timeout;
  private readonly keepAlive: NodeJS.Timeout;
  private session = '';
  /** Sends each batch as a replay of the previous one where that is smaller (wire/batch_replay.ts). */
  private readonly replays = new ReplayEncoder();

  constructor(private readonly entry: HostEntry, private readonly events: LinkEvents, private readonly args: ZmqArgs) {
    this.sock = new zmq.Dealer({
      linger: 0, ...NEVER_WAIT_TO_SEND, receiveHighWaterMark: 0, receiveTimeout: RECEIVE_SLICE_MS,
      ...clientOptions(args.curve, entry.curvePublicKey),
      routingId: roleRoutingId(args.curve, 'D', entry.curvePublicKey),
    });
    this.queue = new SendQueue(this.sock, (e) => this.lost(`could not be sent to (${e.message})`));
    this.sock.events.on('disconnect', () => this.lost('closed the connection'));
    this.sock.connect(`tcp://${entry.address}`);
    this.clock = new SilenceClock(args.heartbeatMs);
    this.sendPing(true); // its Pong names the port of the player's liveness worker
    // Tells the player this session is alive while the driver is idle; unref'd so it never
    // keeps a finished script running.
    this.keepAlive = setInterval(() => this.sendPing(false), args.heartbeatMs).unref();
  }

  get player(): string { return this.entry.name; }
  get address(): string { return this.entry.address; }

  submit(session: string, batch: Instruction[]): void {
    this.session = session;
    this.queue.send(this.replays.encode(session, batch));
  }

  setPending(n: number): void {
    const was = this.pending + this.pingWaiters.length;
    this.pending = n;
    if (n > 0 && was === 0) {
      this.clock.heard();
      this.watchTimer ??= setInterval(() => this.watch(), this.args.heartbeatMs);
      this.receiveLoop();
    } else if (n === 0 && !this.pingWaiters.length) {
      clearInterval(this.watchTimer);
      this.watchTimer = undefined;
      this.probe?.idle();
    }
  }

  ping(): Promise<number> {
    if (this.dead || this.closed) return Promise.reject(new CommunicationError(`player \`${this.player}\` at ${this.address} is not reachable`, this.player, this.address));
    const t0 = performance.now();
    const p = new Promise<number>((resolve, reject) => this.pingWaiters.push({ resolve, reject })).then(() => performance.now() - t0);
    if (this.pingWaiters.length === 1 && this.pending === 0) {
      this.clock.heard();
      this.watchTimer ??= setInterval(() => this.watch(), this.args.heartbeatMs);
    }
    this.sendPing(true);
    this.receiveLoop();
    return p;
  }

  async close(session: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchTimer);
    clearInterval(this.keepAlive);
    this.probe?.close();
    if (!this.dead) {
      this.queue.send([encodeHeader(MsgType.Bye, session || this.session, 0)]);
      await Promise.race([this.queue.drained(), new Promise((r) => setTimeout(r, 1000))]);
      this.sock.linger = 500;
    }
    this.queue.close();
    this.sock.close();
    const waiters = this.pingWaiters;
    this.pingWaiters = [];
    for (const w of waiters) w.reject(new CommunicationError(`the link to player \`${this.player}\` at ${this.address} was closed`, this.player, this.address));
  }

  private sendPing(wantPong: boolean): void {
    if (this.closed || this.dead || (!wantPong && this.queue.length > 0)) return;
    this.queue.send([encodeHeader(MsgType.Ping, this.session, wantPong ? 1 : 0)]);
  }

  private watch(): void {
    if (this.clock.silentFor() > this.args.timeoutMs) {
      this.lost(`did not answer within ${this.args.timeoutMs} ms`);
      return;
    }
    this.sendPing(true);
    this.probe?.ping();
  }

  private receiveLoop(): void {
    if (this.receiving) return;
    this.receiving = true;
    void (async () => {
      while (!this.closed && !this.dead && (this.pending > 0 || this.pingWaiters.length > 0)) {
        let frames: Buffer[];
        try {
          frames = await this.sock.receive();
        } catch (e) {
          if ((e as { code?: string }).code === 'EAGAIN') continue;
          if (!this.closed) this.lost(`could not be read from (${(e as Error).message})`);
          break;
        }
        this.clock.heard();
        this.dispatch(frames);
      }
      this.receiving = false;
    })();
  }

  private dispatch(frames: Buffer[]): void {
    let r: PlayerReply;
    try {
      const h = decodeHeader(frames[0]);
      if (h.type === MsgType.Pong) {
        if (isPort(h.tag) && !this.probe) this.watchLiveness(h.tag);
        const waiters = this.pingWaiters;
        this.pingWaiters = [];
        for (const w of waiters) w.resolve(0);
        if (!this.pending && !this.pingWaiters.length) this.setPending(0);
        return;
      }
      if (h.type === MsgType.Result) r = { kind: 'tensor', req: h.tag, tensor: tensorOf(h, frames) };
      else if (h.type === MsgType.Reply) r = decodeJson(frames.slice(1)) as PlayerReply;
      else throw new TfeError(`unexpected message type ${MsgType[h.type]}`);
    } catch (e) {
      this.lost(`sent an invalid message (${(e as Error).message})`);
      return;
    }
    this.events.reply(this.player, r);
  }

  /** Probes the player's liveness worker at `port`: its echoes count as signs of life. */
  private watchLiveness(port: number): void {
    const hung = hungAfterMs(this.args.timeoutMs);
    this.probe = new LivenessProbe(withPort(this.entry.address, port), clientOptions(this.args.curve, this.entry.curvePublicKey), (lag) => {
      if (lag < hung) this.clock.heard();
    });
    if (this.watchTimer) this.probe.ping();
  }

  private lost(reason: string): void {
    if (this.closed || this.dead) return;
    this.dead = true;
    this.probe?.close();
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    const err = new CommunicationError(`player \`${this.player}\` at ${this.address} ${reason}`, this.player, this.address);
    const waiters = this.pingWaiters;
    this.pingWaiters = [];
    for (const w of waiters) w.reject(err);
    this.events.fail(err);
  }
}

/**
 * The players of a RemoteConfig, reached over ZeroMQ: one {@link ZmqLink} per player per
 * driver session.
 *
 * @example
 * ```ts
 * const net = new ZmqDriverNet(hostmap, { timeoutMs: 30_000, heartbeatMs: 1000 });
 * ```
 */
export class ZmqDriverNet implements DriverNet {
  private readonly entries: Map<string, HostEntry>;

  constructor(readonly hostmap: Hostmap, private readonly args: ZmqArgs) {
    this.entries = new Map(hostmap.players.map((e) => [e.name, e]));
  }

  players(): readonly string[] { return [...this.entries.keys()]; }

  ensurePlayer(name: string): void {
    if (!this.entries.has(name)) {
      throw new ValueError(`unknown player \`${name}\`; known players: [${this.players().map((p) => `'${p}'`).join(', ')}]`);
    }
  }

  inProcess(): boolean { return false; }

  link(name: string, events: LinkEvents): DriverLink {
    return new ZmqLink(this.entries.get(name)!, events, this.args);
  }
}
