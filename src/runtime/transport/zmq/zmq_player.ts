import * as zmq from 'zeromq';
import { ProtocolError, TfeError, ValueError } from '../../../errors.js';
import { bytesPerElement, type RingTensor } from '../../kernel_link.js';
import { MsgType, copiesPeerTensor, decodeHeader, decodeJson, encodeHeader, encodeJson, tensorMessage, tensorMessageBytes, seedMessageBytes, tensorOf, isSplitTensor } from '../../wire/codec.js';
import { clientOptions, curveKeys, serverOptions, startZapHandler, type CurveKeys } from './curve.js';
import type { HostEntry, Hostmap } from '../../config/hostmap.js';
import type { PlayerReply } from '../../wire/instructions.js';
import { ReplayTemplates } from '../../wire/batch_replay.js';
import { Player } from '../../player/player.js';
import { ALONE_INLINE_WORK } from '../../player/executors.js';
import { setServingCurveKey } from '../../player/client_shares.js';
import type { PeerNet, SessionPort } from '../transport.js';
import { errorReply } from '../../wire/reply_errors.js';
import { NEVER_WAIT_TO_SEND, SendQueue } from './send_queue.js';
import { bundle, unbundle } from '../../wire/bundle.js';
import { PlayerGate } from './player_gate.js';
import { roleRoutingId } from './roles.js';
import { rateLimitedLog } from './log_limiter.js';
import { DEFAULT_POLICY, type PlayerPolicy } from '../../player/policy.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_TIMEOUT_MS, hungAfterMs, isPort, LivenessProbe, LivenessResponder, SilenceClock, withPort } from './liveness.js';

/**
 * Options of a {@link PlayerDaemon}.
 * @example
 * ```ts
 * const args: DaemonArgs = { name: 'server0', hostmap: loadHostmap('config.json') };
 * ```
 */
export interface DaemonArgs {
  name: string;
  hostmap: Hostmap;
  /** A peer silent this long (liveness worker included) while a session waits on it fails that session (default 3 s). */
  timeoutMs?: number;
  /** Heartbeat interval to peers (default 0.5 s). */
  heartbeatMs?: number;
  /** A session whose driver has been silent this long is freed (default 10 min). */
  sessionIdleMs?: number;
  /** Root directory for data-source loaders and file sinks (default: working directory). */
  dataDir?: string;
  /** Check declared input bounds on loaded data (the owner accepts answering one bit per check). */
  checkBounds?: boolean;
  /** Interface to bind instead of the hostmap's host (e.g. `0.0.0.0`). */
  bindHost?: string;
  /** Log sink, one line per call (default: stderr). */
  log?: (line: string) => void;
  /** This player's CURVE secret key (Z85), required when the hostmap has CURVE keys. */
  curveSecretKey?: string;
  /** At most this many live sessions; messages that would open another are refused (default 64). */
  maxSessions?: number;
  /**
   * Largest message accepted (default 1 GiB): ZeroMQ drops the connection of a bigger frame,
   * and a tensor in several payload frames (wire/codec.ts) over it is refused.
   */
  maxMessageBytes?: number;
  /** Most bytes of unread peer tensors over all sessions; more fails their session (default 2 GiB). */
  maxUnreadBytes?: number;
  /** Messages queued per incoming connection before ZeroMQ stops reading it (default 1000). */
  receiveHighWaterMark?: number;
  /** Port of the liveness worker (default 0: an ephemeral port, announced to drivers and peers). */
  livenessPort?: number;
  /** What drivers may do with this player's data (default {@link DEFAULT_POLICY}: raw inputs never leave in plaintext). */
  policy?: PlayerPolicy;
  /**
   * Kernels of at most this much work run on the player's own thread (default
   * {@link ALONE_INLINE_WORK}: the player is alone in its process; executors.ts `kernelWork`).
   */
  inlineWork?: number;
}

interface Peer { entry: HostEntry; sock: zmq.Dealer; queue: SendQueue; connected: boolean; everConnected: boolean; clock: SilenceClock; probe?: LivenessProbe; probedAt?: number; echoed?: boolean }

/** Silence allowed to a peer whose liveness worker has not answered yet (see heartbeat). */
const STARTUP_GRACE_MS = 30_000;

/**
 * Messages the player's port queues per connection before ZeroMQ stops reading from it (TCP
 * back-pressure; the sender's queue holds the rest). ZeroMQ's `--max-message-mb` limit is per
 * frame, so this count is what bounds what one connection can park here (was 1000).
 */
const PLAYER_RECEIVE_HWM = 64;

const MAGIC_PREFIX = Buffer.from([0x54, 0x46, 0x45, 0x00]);

/**
 * The `tfe player` daemon: one {@link Player} behind a ZeroMQ ROUTER bound at its hostmap
 * address, with a DEALER to every peer (ZeroMQ reconnects until the peer is up). It serves
 * any number of drivers, one session each, one after another or at once; a dead driver only
 * ends its own session. Malformed messages, foreign protocols and wrong versions are logged
 * and rejected; they never stop the daemon.
 *
 * @example
 * ```ts
 * const d = new PlayerDaemon({ name: 'server0', hostmap });
 * await d.start();
 * // ... later
 * await d.stop();
 * ```
 */
export class PlayerDaemon {
  readonly player: Player;
  private readonly router: zmq.Router;
  private readonly curve?: CurveKeys;
  private stopZap?: () => void;
  private readonly routerQueue: SendQueue;
  private readonly peers = new Map<string, Peer>();
  private readonly self: HostEntry;
  private readonly timeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly sessionIdleMs: number;
  /** Largest message accepted, in bytes (`DaemonArgs.maxMessageBytes`). */
  private readonly maxMessageBytes: number;
  private readonly log: (line: string) => void;
  private readonly gate: PlayerGate;
  /** Each session's last batch, which a `BatchReplay` rebuilds the next one from (wire/batch_replay.ts). */
  private readonly templates = new ReplayTemplates();
  /** Rejected messages and rejected connections are rate-limited apart, so a flood of one cannot hide the other. */
  private readonly logRejection: (line: string) => void;
  private readonly logConnectionRejection: (line: string) => void;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly liveness = new LivenessResponder();
  /** The port of this player's liveness worker (sent in Pong and PeerPing headers). */
  private livenessPort = 0;

  constructor(private readonly args: DaemonArgs) {
    const self = args.hostmap.players.find((e) => e.name === args.name);
    if (!self) {
      throw new ValueError(`player \`${args.name}\` is not in the config; known players: ${args.hostmap.players.map((e) => e.name).join(', ')}`);
    }
    this.curve = curveKeys(args.hostmap, args.curveSecretKey, args.name);
    if (this.curve) setServingCurveKey(args.name, this.curve.secretKey); // its serving address uses CURVE too
    this.maxMessageBytes = args.maxMessageBytes ?? 2 ** 30;
    this.router = new zmq.Router({
      linger: 0, ...NEVER_WAIT_TO_SEND, receiveHighWaterMark: args.receiveHighWaterMark ?? PLAYER_RECEIVE_HWM,
      maxMessageSize: this.maxMessageBytes, ...serverOptions(this.curve),
    });
    this.self = self;
    this.timeoutMs = args.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.heartbeatMs = args.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.sessionIdleMs = args.sessionIdleMs ?? 600_000;
    this.log = args.log ?? ((line) => console.error(line));
    this.logRejection = rateLimitedLog(this.log);
    this.logConnectionRejection = rateLimitedLog(this.log);
    this.routerQueue = new SendQueue(this.router, (e) => this.log(`${this.tag} send to a driver failed: ${e.message}`));
    this.gate = new PlayerGate(this.curve, args.maxSessions ?? 64);
    this.player = new Player({ name: args.name, net: this.peerNet(), inProcess: false, dataDir: args.dataDir, checkBounds: args.checkBounds, policy: args.policy ?? DEFAULT_POLICY, maxUnreadBytes: args.maxUnreadBytes ?? 2 ** 31, inlineWork: args.inlineWork ?? ALONE_INLINE_WORK });
  }

  private get tag(): string { return `[tfe player ${this.self.name}]`; }

  /** Binds the port and starts connecting to peers. Rejects when the port cannot be bound. */
  async start(): Promise<void> {
    const endpoint = `tcp://${this.args.bindHost ?? this.self.host}:${this.self.port}`;
    this.router.events.on('handshake:error:protocol', (ev) => this.logConnectionRejection(`${this.tag} rejected a connection on ${ev.address}: bad handshake (${ev.error.message})`));
    this.router.events.on('handshake:error:other', (ev) => this.logConnectionRejection(`${this.tag} rejected a connection on ${ev.address}: ${ev.error.message}`));
    this.router.events.on('handshake:error:auth', (ev) => this.logConnectionRejection(`${this.tag} rejected a connection on ${ev.address}: authentication failed (${ev.error.message})`));
    if (this.curve) this.stopZap = await startZapHandler(this.curve.allowed, (line) => this.logConnectionRejection(`${this.tag} ${line}`));
    await this.router.bind(endpoint);
    this.livenessPort = await this.liveness.start(this.args.bindHost ?? this.self.host, this.curve?.secretKey, this.args.livenessPort ?? 0);
    for (const entry of this.args.hostmap.players) if (entry.name !== this.self.name) this.connectPeer(entry);
    void this.serve();
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    const others = [...this.peers.keys()];
    this.log(`${this.tag} listening on ${endpoint}${this.curve ? ' (CURVE)' : ''}; peers: ${others.length ? others.join(', ') : '(none)'}`);
  }

  /** Closes every socket and frees every session. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const id of [...this.player.sessions.keys()]) this.player.endSession(id, 'the player is shutting down');
    for (const p of this.peers.values()) {
      p.queue.close();
      p.sock.close();
      p.probe?.close();
    }
    this.routerQueue.close();
    this.router.close();
    this.stopZap?.();
    await this.liveness.stop();
  }

  private connectPeer(entry: HostEntry): void {
    const sock = new zmq.Dealer({
      linger: 0, ...NEVER_WAIT_TO_SEND, reconnectInterval: 100, reconnectMaxInterval: 1000,
      ...clientOptions(this.curve, entry.curvePublicKey),
      routingId: roleRoutingId(this.curve, `P:${this.self.name}`, entry.curvePublicKey),
    });
    const peer: Peer = { entry, sock, connected: false, everConnected: false, clock: new SilenceClock(this.heartbeatMs), queue: undefined! };
    peer.queue = new SendQueue(sock, (e) => this.log(`${this.tag} send to peer ${entry.name} failed: ${e.message}`), (messages) => bundle(this.self.name, messages));
    sock.events.on('connect', () => {
      peer.connected = true;
      peer.clock.heard();
      this.log(`${this.tag} peer ${entry.name} at ${entry.address}: ${peer.everConnected ? 'reconnected' : 'connected'}`);
      peer.everConnected = true;
    });
    sock.events.on('disconnect', () => {
      if (!peer.connected || this.stopped) return;
      peer.connected = false;
      this.log(`${this.tag} peer ${entry.name} at ${entry.address}: disconnected; retrying`);
      this.player.peerLost(entry.name, 'closed the connection');
    });
    sock.connect(`tcp://${entry.address}`);
    this.peers.set(entry.name, peer);
  }

  private peerNet(): PeerNet {
    const send = (to: string, frames: Buffer[]) => {
      const p = this.peers.get(to);
      if (!p) throw new ValueError(`player \`${to}\` is not a peer of \`${this.self.name}\``);
      p.queue.send(frames);
    };
    // small tensors go out as copies, so they stay the player's own (codec.ts copiesPeerTensor)
    const copiesTensor = (t: RingTensor) => copiesPeerTensor(t.size * bytesPerElement(t.dtype));
    return {
      copiesTensor,
      sendTensor: (to: string, session: string, tag: number, t: RingTensor) => {
        send(to, tensorMessage(MsgType.PeerTensor, session, tag, this.self.name, t, copiesTensor(t)));
        return tensorMessageBytes(this.self.name, t);
      },
      sendSeed: (to: string, session: string, seed: Uint8Array) => {
        send(to, [encodeHeader(MsgType.PeerSeed, session, 0, this.self.name), Buffer.from(seed)]);
        return seedMessageBytes(this.self.name);
      },
      flush: () => {
        for (const p of this.peers.values()) p.queue.flush();
      },
      addressOf: (peer: string) => this.peers.get(peer)?.entry.address ?? 'unknown address',
      isPeer: (name: string) => this.peers.has(name),
    };
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const [name, p] of this.peers) {
      if (p.connected && p.queue.length === 0) p.queue.send([encodeHeader(MsgType.PeerPing, '', this.livenessPort, this.self.name)]);
      p.probe?.ping();
      // Until its liveness worker has answered once, a peer may still be starting (loading
      // modules, starting the worker) on a crowded machine: it gets STARTUP_GRACE_MS.
      const limit = p.echoed ? this.timeoutMs : Math.max(this.timeoutMs, STARTUP_GRACE_MS);
      if (p.clock.silentFor(now) > limit && this.player.waitsOn(name)) {
        this.player.peerLost(name, `was silent for more than ${limit} ms`);
      }
    }
    for (const id of this.player.sweep(this.sessionIdleMs, now)) this.log(`${this.tag} freed session ${id}: its driver went silent`);
    this.gate.prune(this.player.sessions);
    this.templates.prune(this.player.sessions);
  }

  private async serve(): Promise<void> {
    try {
      for await (const [rid, ...frames] of this.router) {
        try {
          this.dispatch(rid, frames);
        } catch (e) {
          this.reject(rid, frames, e as Error);
        }
      }
    } catch (e) {
      if (!this.stopped) this.log(`${this.tag} receive loop ended: ${(e as Error).message}`);
    }
  }

  private reject(rid: Buffer, frames: Buffer[], e: Error): void {
    const size = frames.reduce((a, f) => a + f.length, 0);
    this.logRejection(`${this.tag} rejected a message (${frames.length} frames, ${size} bytes): ${e.message}`);
    // A tfe client with a bad message (e.g. another protocol version) gets the reason back.
    if (frames[0]?.length >= 16 && frames[0].subarray(0, 4).equals(MAGIC_PREFIX)) {
      const session = frames[0].toString('hex', 8, 16);
      const err = e instanceof TfeError ? e : new ProtocolError(e.message);
      this.routerQueue.send([rid, ...this.replyFrames(session, errorReply(new ProtocolError(`player \`${this.self.name}\` rejected a message: ${err.message}`)))]);
    }
  }

  private dispatch(rid: Buffer, frames: Buffer[]): void {
    const h = decodeHeader(frames[0]);
    if (h.type === MsgType.Batch || h.type === MsgType.BatchReplay || h.type === MsgType.Ping || h.type === MsgType.Bye) this.gate.driver(rid, h.type, h.session, this.player.sessions);
    else if (h.type === MsgType.PeerTensor || h.type === MsgType.PeerSeed || h.type === MsgType.PeerPing) this.gate.peer(rid, h.name, h.type === MsgType.PeerPing ? '' : h.session, this.player.sessions);
    switch (h.type) {
      case MsgType.Batch:
      case MsgType.BatchReplay: {
        const t0 = performance.now();
        const body = decodeJson(frames.slice(1));
        const batch = this.templates.accept(h.session, h.type === MsgType.BatchReplay, body);
        this.player.observer?.batchDecoded?.(h.session, batch.length, t0, performance.now());
        this.player.submit(h.session, batch, this.port(rid, h.session));
        if (!this.player.sessions.has(h.session)) this.templates.forget(h.session); // refused or already over
        return;
      }
      case MsgType.Ping:
        this.player.touch(h.session);
        if (h.tag === 1) this.routerQueue.send([rid, encodeHeader(MsgType.Pong, h.session, this.livenessPort, this.self.name)]);
        return;
      case MsgType.Bye:
        this.templates.forget(h.session);
        this.player.endSession(h.session);
        return;
      case MsgType.PeerTensor:
      case MsgType.PeerSeed:
      case MsgType.PeerPing:
        this.fromPeer(h.type, h, frames);
        return;
      case MsgType.PeerBundle:
        this.gate.peer(rid, h.name, '', this.player.sessions);
        for (const m of unbundle(h.tag, frames)) this.fromBundle(rid, h.name, m);
        return;
      default:
        throw new ProtocolError(`unexpected message type ${MsgType[h.type]} for a player`);
    }
  }

  /** One message of a bundle from `sender`: admitted and delivered as if it had come alone. */
  private fromBundle(rid: Buffer, sender: string, frames: Buffer[]): void {
    try {
      const h = decodeHeader(frames[0]);
      if (h.type !== MsgType.PeerTensor && h.type !== MsgType.PeerSeed) throw new ProtocolError(`a bundle carries tensors and seeds only; found a ${MsgType[h.type]} message`);
      if (h.name !== sender) throw new ProtocolError(`a bundle from \`${sender}\` carries a message naming \`${h.name}\``);
      this.gate.peer(rid, h.name, h.session, this.player.sessions);
      this.fromPeer(h.type, h, frames);
    } catch (e) {
      this.reject(rid, frames, e as Error);
    }
  }

  private fromPeer(type: MsgType, h: ReturnType<typeof decodeHeader>, frames: Buffer[]): void {
    const peer = this.peers.get(h.name);
    if (!peer) throw new ProtocolError(`message from \`${h.name}\`, which is not a peer in the config`);
    peer.clock.heard();
    if (type === MsgType.PeerPing && isPort(h.tag)) this.probePeer(peer, h.tag);
    const bytes = frames.reduce((a, f) => a + f.length, 0);
    // ZeroMQ's cap is per frame; a tensor in several payload frames is held to it as a whole
    if (bytes > this.maxMessageBytes) throw new ProtocolError(`a message of ${bytes} bytes from \`${h.name}\` is over this player's ${this.maxMessageBytes}`);
    if (type === MsgType.PeerTensor) this.player.deliverTensor(h.session, h.name, h.tag, tensorOf(h, frames), bytes, isSplitTensor(frames));
    else if (type === MsgType.PeerSeed) {
      if (frames.length !== 2 || frames[1].length !== 16) throw new ProtocolError('a seed message must carry 16 bytes');
      this.player.deliverSeed(h.session, h.name, new Uint8Array(frames[1]), bytes);
    }
  }

  /** Probes the liveness worker of `peer` at `port` (again, if the peer restarted on a new one). */
  private probePeer(peer: Peer, port: number): void {
    const address = withPort(peer.entry.address, port);
    if (peer.probe?.address === address || this.stopped) return;
    // Without CURVE anyone can claim to be the peer: move the probe at most once per 5 s.
    const now = Date.now();
    if (peer.probedAt !== undefined && now - peer.probedAt < 5000) return;
    peer.probedAt = now;
    peer.probe?.close();
    const hung = hungAfterMs(this.timeoutMs);
    peer.probe = new LivenessProbe(address, clientOptions(this.curve, peer.entry.curvePublicKey), (lag) => {
      if (lag < hung) { peer.clock.heard(); peer.echoed = true; }
    });
  }

  private port(rid: Buffer, session: string): SessionPort {
    return { reply: (r: PlayerReply) => this.routerQueue.send([rid, ...this.replyFrames(session, r)]) };
  }

  private replyFrames(session: string, r: PlayerReply): Buffer[] {
    if (r.kind === 'tensor') return tensorMessage(MsgType.Result, session, r.req, this.self.name, r.tensor);
    return [encodeHeader(MsgType.Reply, session, 0, this.self.name), ...encodeJson(r)];
  }
}
