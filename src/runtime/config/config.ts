import { ValueError } from '../../errors.js';
import { setDriverSeed } from '../../random.js';
import { curveKeys, type CurveKeys } from '../transport/zmq/curve.js';
import { DriverRuntime } from '../driver/driver.js';
import { loadHostmap, parseHostmap, type Hostmap } from './hostmap.js';
import { LocalNetwork } from '../transport/local/local_net.js';
import type { Player } from '../player/player.js';
import { ZmqDriverNet } from '../transport/zmq/zmq_driver.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_TIMEOUT_MS } from '../transport/zmq/liveness.js';

/**
 * Where the players of a run live. `runtime()` returns the driver runtime of the current
 * session, making a new one when there is none or the last one closed or failed.
 *
 * @example
 * ```ts
 * const rt = tfe.getConfig().runtime();
 * ```
 */
export interface Config {
  /** Player names, in config order. */
  readonly players: readonly string[];
  /** The current driver runtime (created on first use). */
  runtime(): DriverRuntime;
  /** Closes the current runtime: players free its handles, links close. */
  close(): Promise<void>;
}

/**
 * Options of {@link LocalConfig}.
 * @example
 * ```ts
 * new LocalConfig(['server0', 'server1'], { autoAddUnknownPlayers: false });
 * ```
 */
export interface LocalConfigArgs {
  /** Create a player the first time an unknown name is used (default true). */
  autoAddUnknownPlayers?: boolean;
  /** Where the one-time `Players: [...]` line goes (default console.log). */
  log?: (line: string) => void;
}

/**
 * All players in this process, joined by in-memory channels; the default config. Each player
 * is a separate object with its own handle table, so the driver still holds only handles.
 * Logs `Players: ['server0', ...]` once, when instructions first go out.
 *
 * @example
 * ```ts
 * tfe.setConfig(new tfe.LocalConfig(['server0', 'server1', 'server2'], { autoAddUnknownPlayers: false }));
 * ```
 */
export class LocalConfig implements Config {
  /** @internal */ readonly net: LocalNetwork;
  private rt?: DriverRuntime;

  constructor(playerNames: readonly string[] = [], args: LocalConfigArgs = {}) {
    if (!Array.isArray(playerNames)) throw new ValueError('`playerNames` must be an array of strings');
    const dup = playerNames.find((n, k) => playerNames.indexOf(n) !== k);
    if (dup !== undefined) throw new ValueError(`player \`${dup}\` is listed twice`);
    this.net = new LocalNetwork(playerNames, args.autoAddUnknownPlayers ?? true, args.log);
  }

  get players(): readonly string[] { return this.net.players(); }

  runtime(): DriverRuntime {
    if (!this.rt || this.rt.ended) {
      this.rt = new DriverRuntime(this.net);
      for (const hook of runtimeHooks) hook(this.rt, this);
    }
    return this.rt;
  }

  /**
   * The in-process player object (tests and tools use it to inspect handle counts; protocols
   * must go through the runtime).
   * @example
   * ```ts
   * config.player('server0').liveHandles();
   * ```
   */
  player(name: string): Player { return this.net.player(name); }

  async close(): Promise<void> {
    await this.rt?.close();
    this.rt = undefined;
  }
}

/**
 * Options of {@link RemoteConfig}.
 * @example
 * ```ts
 * RemoteConfig.load('config.json', { timeoutMs: 10_000 });
 * ```
 */
export interface RemoteConfigArgs {
  /**
   * A player silent this long while the driver waits on it fails the run (default 3500 ms).
   * Players answer from a liveness worker thread, so long kernels and big messages do not count
   * as silence; a stopped or dead player does.
   */
  timeoutMs?: number;
  /** Heartbeat interval (default 1000 ms). */
  heartbeatMs?: number;
  /**
   * The driver's CURVE secret key (Z85) when the hostmap has CURVE keys (default:
   * `TFE_CURVE_SECRET_KEY`). Its public key is the `master` entry's `curvePublicKey`.
   */
  curveSecretKey?: string;
}

/**
 * Players are `tfe player` daemons reached over ZeroMQ, from a hostmap
 * `{"server0": "10.0.0.10:4440", ...}` (an optional leading `master` entry names the driver's
 * host and is not a player). Validation errors are `ValueError`s naming the entry.
 *
 * @example
 * ```ts
 * tfe.setConfig(tfe.RemoteConfig.load('config.json'));
 * tfe.setConfig(new tfe.RemoteConfig({ server0: '127.0.0.1:4440', server1: '127.0.0.1:4441' }));
 * ```
 */
export class RemoteConfig implements Config {
  readonly hostmap: Hostmap;
  private readonly timeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly curve?: CurveKeys;
  private rt?: DriverRuntime;

  constructor(hostmap: Record<string, unknown> | Hostmap, args: RemoteConfigArgs = {}) {
    this.hostmap = isParsed(hostmap) ? hostmap : parseHostmap(hostmap);
    this.curve = curveKeys(this.hostmap, args.curveSecretKey ?? process.env.TFE_CURVE_SECRET_KEY);
    this.timeoutMs = positive(args.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.heartbeatMs = positive(args.heartbeatMs ?? Math.min(DEFAULT_HEARTBEAT_MS, this.timeoutMs / 4), 'heartbeatMs');
  }

  /**
   * The driver's CURVE keys when the config uses CURVE (serving binds its front with them).
   * @internal
   */
  get curveKeys(): CurveKeys | undefined { return this.curve; }

  /** Reads and validates a hostmap file. */
  static load(path: string, args: RemoteConfigArgs = {}): RemoteConfig {
    return new RemoteConfig(loadHostmap(path), args);
  }

  get players(): readonly string[] { return this.hostmap.players.map((e) => e.name); }

  runtime(): DriverRuntime {
    if (!this.rt || this.rt.ended) {
      this.rt = new DriverRuntime(new ZmqDriverNet(this.hostmap, { timeoutMs: this.timeoutMs, heartbeatMs: this.heartbeatMs, curve: this.curve }));
      closeAtExit(this.rt);
      for (const hook of runtimeHooks) hook(this.rt, this);
    }
    return this.rt;
  }

  async close(): Promise<void> {
    if (this.rt) openRemote.delete(this.rt);
    await this.rt?.close();
    this.rt = undefined;
  }
}

const openRemote = new Set<DriverRuntime>();

/**
 * Closes networked runtimes when a script runs out of work, so players free its session at
 * once instead of after their idle timeout.
 */
function closeAtExit(rt: DriverRuntime): void {
  if (!exitHook) {
    exitHook = true;
    process.on('beforeExit', () => {
      const all = [...openRemote];
      openRemote.clear();
      for (const r of all) void r.close().catch(() => undefined);
    });
  }
  openRemote.add(rt);
}
let exitHook = false;

function isParsed(h: unknown): h is Hostmap {
  return typeof h === 'object' && h !== null && Array.isArray((h as Hostmap).players) && Object.keys(h).every((k) => k === 'players' || k === 'master');
}

function positive(v: number, name: string): number {
  if (!(Number.isFinite(v) && v > 0)) throw new ValueError(`\`${name}\` must be a positive number of milliseconds, got ${v}`);
  return v;
}

let active: Config | undefined;

/**
 * Makes `config` the active config for every later `getConfig()`.
 * @example
 * ```ts
 * tfe.setConfig(tfe.RemoteConfig.load('config.json'));
 * ```
 */
export function setConfig(config: Config): void {
  if (!config || typeof (config as Config).runtime !== 'function') throw new ValueError('`setConfig` expects a LocalConfig or RemoteConfig');
  active = config;
  setDriverSeed(undefined); // a new config starts with cryptographic randomness again
}

/**
 * The active config; a default `LocalConfig()` (players added on first use) if none was set.
 * @example
 * ```ts
 * tfe.getConfig().players;
 * ```
 */
export function getConfig(): Config {
  active ??= new LocalConfig();
  return active;
}

/**
 * The driver runtime of the active config (`getConfig().runtime()`).
 * @example
 * ```ts
 * const rt = tfe.getRuntime();
 * ```
 */
export function getRuntime(): DriverRuntime {
  return getConfig().runtime();
}

const runtimeHooks: ((rt: DriverRuntime, config: Config) => void)[] = [];

/**
 * Registers `hook`, called with every runtime a config creates from now on (tracing attaches
 * its observers this way).
 * @example
 * ```ts
 * onRuntimeCreated((rt) => { rt.observer = { batch: (p, instrs) => console.log(p, instrs.length) }; });
 * ```
 */
export function onRuntimeCreated(hook: (rt: DriverRuntime, config: Config) => void): void { runtimeHooks.push(hook); }
