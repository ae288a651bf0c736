import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as zmq from 'zeromq';

/**
 * Liveness that does not depend on a busy main thread or on big messages (issue 16, finding 6).
 *
 * A player runs a {@link LivenessResponder}: a worker thread with its own ZeroMQ socket on an
 * ephemeral port (announced in its `Pong` and `PeerPing` headers) that echoes every probe at
 * once, with how long ago the player's main thread last ran. Drivers and peers keep a
 * {@link LivenessProbe} on that port, on its own TCP connection, so an echo never queues
 * behind a 64 MiB tensor, and the worker answers while a long kernel or a big decode holds the
 * main thread. A stopped (SIGSTOP) or dead process stops echoing: it is reported after the
 * timeout. A main thread that has not run for {@link hungAfterMs} counts as hung.
 *
 * @example
 * ```ts
 * const responder = new LivenessResponder();
 * const port = await responder.start('127.0.0.1');
 * const probe = new LivenessProbe(`127.0.0.1:${port}`, {}, (lagMs) => console.log('alive', lagMs));
 * probe.ping();
 * ```
 */
export class LivenessResponder {
  private worker?: Worker;
  private ticker?: NodeJS.Timeout;

  /** Starts the worker bound at `host` (port 0: ephemeral); resolves with the bound port. */
  async start(host: string, curveSecretKey?: string, port = 0): Promise<number> {
    const zmqPath = createRequire(import.meta.url).resolve('zeromq');
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { zmqPath, endpoint: `tcp://${host}:${port}`, curveSecretKey } });
    this.worker = w;
    const bound = await new Promise<string>((resolve, reject) => {
      w.once('message', (m: { endpoint?: string; error?: string }) => (m.endpoint ? resolve(m.endpoint) : reject(new Error(m.error))));
      w.once('error', reject);
    });
    // Not unref'd: a worker still holding its socket when the process ends on its own aborts
    // it (zeromq's teardown), so the owner must call stop(), as a daemon does.
    // The main thread's heartbeat to its own worker: echoes report how long ago it last ran.
    this.ticker = setInterval(() => w.postMessage('tick'), TICK_MS).unref();
    return Number(bound.slice(bound.lastIndexOf(':') + 1));
  }

  /** Closes the socket and lets the worker end. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const exited = new Promise((resolve) => w.once('exit', resolve));
    w.postMessage('stop');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

const TICK_MS = 200;

/**
 * Default liveness settings of drivers and players: a process silent for 3.5 s (its liveness
 * worker included) is reported, so a stopped player is found in under 5 s, with half a second
 * more than 3 s of margin for a player starved of CPU on a crowded machine; heartbeats every
 * 0.5 s.
 * @example
 * ```ts
 * new PlayerDaemon({ name, hostmap, timeoutMs: DEFAULT_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 3500;

/**
 * Default heartbeat interval (see {@link DEFAULT_TIMEOUT_MS}).
 * @example
 * ```ts
 * new PlayerDaemon({ name, hostmap, heartbeatMs: DEFAULT_HEARTBEAT_MS });
 * ```
 */
export const DEFAULT_HEARTBEAT_MS = 500;

/**
 * Whether a header tag announces a liveness port (a TCP port; 0 means none).
 * @example
 * ```ts
 * isPort(40123); // true
 * isPort(0); // false
 * ```
 */
export function isPort(tag: number): boolean {
  return Number.isInteger(tag) && tag > 0 && tag < 65536;
}

/**
 * How long a player's main thread may go without running before its echoes stop counting:
 * twenty timeouts, at least a minute (a kernel never holds it that long; kernels run off the
 * event loop).
 * @example
 * ```ts
 * hungAfterMs(3000); // 60000
 * ```
 */
export function hungAfterMs(timeoutMs: number): number {
  return Math.max(60_000, 20 * timeoutMs);
}

// CommonJS, run with `eval`: no loader or transpiler is involved, from source or from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zmq = require(workerData.zmqPath);
const opts = { linger: 0, maxMessageSize: 64, receiveHighWaterMark: 100, sendHighWaterMark: 100 };
if (workerData.curveSecretKey) Object.assign(opts, { curveServer: true, curveSecretKey: workerData.curveSecretKey });
const sock = new zmq.Router(opts);
let lastTick = Date.now();
parentPort.on('message', (m) => {
  if (m === 'tick') { lastTick = Date.now(); return; }
  sock.close();
  parentPort.close();
});
(async () => {
  try { await sock.bind(workerData.endpoint); } catch (e) { parentPort.postMessage({ error: e.message }); return; }
  parentPort.postMessage({ endpoint: sock.lastEndpoint });
  try {
    for await (const [rid, probe] of sock) {
      if (!probe) continue;
      await sock.send([rid, probe, Buffer.from(String(Date.now() - lastTick))]).catch(() => undefined);
    }
  } catch { /* closed */ }
})();
`;

/**
 * The prober's side: a DEALER on the responder's port that sends one probe per `ping()` (at most
 * one outstanding send) and calls `onEcho(mainThreadLagMs)` for each echo. It receives only
 * while pinged recently, so an idle driver holds no pending receive and its script can exit.
 * @example
 * ```ts
 * const probe = new LivenessProbe('127.0.0.1:41234', clientOptions(curve, serverKey), (lag) => markAlive(lag));
 * ```
 */
export class LivenessProbe {
  private readonly sock: zmq.Dealer;
  private sending = false;
  private receiving = false;
  private closed = false;
  private lastPing = 0;

  constructor(readonly address: string, options: Partial<zmq.SocketOptions<zmq.Dealer>>, private readonly onEcho: (lagMs: number) => void) {
    this.sock = new zmq.Dealer({ linger: 0, sendHighWaterMark: 4, receiveHighWaterMark: 100, maxMessageSize: 64, receiveTimeout: RECEIVE_SLICE_MS, ...options });
    this.sock.connect(`tcp://${address}`);
  }

  /** Sends a probe unless the previous one is still being handed to ZeroMQ. */
  ping(): void {
    if (this.closed) return;
    this.lastPing = Date.now();
    if (!this.receiving) void this.receive();
    if (this.sending) return;
    this.sending = true;
    this.sock.send(PROBE).catch(() => undefined).finally(() => { this.sending = false; });
  }

  /** Stops receiving soon (nothing waits on the other side any more). */
  idle(): void {
    this.lastPing = 0;
  }

  /** Closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.close();
  }

  private async receive(): Promise<void> {
    this.receiving = true;
    while (!this.closed && Date.now() - this.lastPing < IDLE_AFTER_MS) {
      let frames: Buffer[];
      try { frames = await this.sock.receive(); } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') continue;
        break;
      }
      const [probe, lag] = frames;
      if (!this.closed && probe?.length === 1 && lag) this.onEcho(Number(lag.toString()) || 0);
    }
    this.receiving = false;
  }
}

/** A receive waits this long before the loop checks whether anyone still pings. */
const RECEIVE_SLICE_MS = 250;
/** The probe stops receiving this long after the last ping. */
const IDLE_AFTER_MS = 5000;

const PROBE = Buffer.from('?');

/**
 * `address` (`host:port`, IPv6 hosts in brackets) with its port replaced by `port`.
 * @example
 * ```ts
 * withPort('[::1]:4440', 40123); // '[::1]:40123'
 * ```
 */
export function withPort(address: string, port: number): string {
  return `${address.slice(0, address.lastIndexOf(':'))}:${port}`;
}

/**
 * The silence clock shared by driver links and peers: `heard()` on any sign of life, and
 * `silentFor(now)` at each tick. A tick that comes late (this process's own event loop was
 * busy, so echoes may sit unread) restarts the clock instead of blaming the other side.
 * @example
 * ```ts
 * const clock = new SilenceClock(1000);
 * if (clock.silentFor(Date.now()) > timeoutMs) fail();
 * ```
 */
export class SilenceClock {
  private lastHeard = Date.now();
  private lastTick = Date.now();

  constructor(private readonly tickMs: number) {}

  /** Notes a sign of life. */
  heard(now = Date.now()): void {
    this.lastHeard = now;
  }

  /** How long the other side has been silent, as of this tick. */
  silentFor(now = Date.now()): number {
    if (now - this.lastTick > 3 * this.tickMs) this.lastHeard = now; // we were not listening
    this.lastTick = now;
    return now - this.lastHeard;
  }
}
