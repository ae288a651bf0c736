import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommunicationError, ValueError } from '../../../errors.js';
import { RemoteConfig, type RemoteConfigArgs } from '../../config/config.js';

// Run from source (tsx, in a checkout) the players run the source CLI too, so they never lag a
// stale dist/; run from dist/ (an installed package) they run bin/tfe.js with plain node.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const TFE_BIN = FROM_SOURCE
  ? fileURLToPath(new URL('../../../cli/main.ts', import.meta.url))
  : fileURLToPath(new URL('../../../../bin/tfe.js', import.meta.url));
const NODE_FLAGS = FROM_SOURCE ? ['--import', 'tsx'] : [];

/** Ports {@link freePort} has handed out in this process, never handed out twice. */
const portsGiven = new Set<number>();
/** The lowest port {@link freePort} picks from. */
const LOWEST_PORT = 10_000;

/** Whether a TCP server can listen on `port` of 127.0.0.1 now (0: the OS picks); resolves the port, or 0 when taken. */
function tryListen(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' || e.code === 'EACCES' ? resolve(0) : reject(e)));
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as { port: number }).port;
      srv.close(() => resolve(bound));
    });
  });
}

/** The first port of the OS's ephemeral range (outgoing connections' source ports); 32768 when unknown. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

/**
 * A free TCP port on 127.0.0.1, for a player or a service to bind moments later. It is drawn
 * at random below the OS's ephemeral range: a port the OS hands out (`listen(0)`) comes from
 * the range that outgoing connections take their source ports from, so on a busy machine a
 * connection could take it between this check and the bind. Falls back to the OS's choice
 * when the range leaves no room below it. Never returns the same port twice in a process.
 * @example
 * ```ts
 * const port = await freePort(); // e.g. 23517
 * ```
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  for (let attempt = 0; high - LOWEST_PORT >= 1000 && attempt < 64; attempt++) {
    const port = randomInt(LOWEST_PORT, high);
    if (!portsGiven.has(port) && (await tryListen(port)) === port) {
      portsGiven.add(port);
      return port;
    }
  }
  for (;;) {
    const port = await tryListen(0);
    if (port !== 0 && !portsGiven.has(port)) {
      portsGiven.add(port);
      return port;
    }
  }
}

/**
 * Options of {@link startLocalCluster}.
 * @example
 * ```ts
 * await startLocalCluster(['server0', 'server1'], { playerFlags: ['--timeout', '5'] });
 * ```
 */
export interface LocalClusterArgs extends RemoteConfigArgs {
  /** Extra flags for every `tfe player` (e.g. `['--timeout', '5']`). */
  playerFlags?: string[];
  /** How long to wait for a player to listen (default 90 s: ten players starting at once on a loaded 2-core machine can take tens of seconds). */
  startTimeoutMs?: number;
  /** Extra environment per player (e.g. its `TFE_CURVE_SECRET_KEY`). */
  playerEnv?: (name: string) => Record<string, string>;
  /** The hostmap to use instead of plain 127.0.0.1 entries (values get fresh ports). */
  entry?: (name: string, address: string) => unknown;
}

/**
 * Real `tfe player` processes on 127.0.0.1 with fresh ports, for tests, benchmarks and
 * trying a networked run on one machine. Keeps each player's log; `stop()` ends every process
 * and removes the temporary config.
 *
 * @example
 * ```ts
 * const cluster = await startLocalCluster(['server0', 'server1']);
 * tfe.setConfig(cluster.config);
 * // ...
 * await cluster.stop();
 * ```
 */
export class LocalCluster {
  readonly procs = new Map<string, ChildProcess>();
  readonly logs = new Map<string, string>();

  constructor(
    readonly players: string[],
    /** Player name → `host:port`. */
    readonly hostmap: Record<string, string>,
    readonly configPath: string,
    readonly config: RemoteConfig,
    private readonly args: LocalClusterArgs,
  ) {}

  /** Starts (or restarts) player `name` and waits until it listens. */
  async start(name: string): Promise<void> {
    const flags = this.args.playerFlags ?? [];
    const dataDir = flags.includes('--data-dir') ? [] : ['--data-dir', process.cwd()];
    const child = spawn(process.execPath, [...NODE_FLAGS, TFE_BIN, 'player', name, '--config', this.configPath, ...dataDir, ...flags], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.args.playerEnv?.(name) },
    });
    this.procs.set(name, child);
    this.logs.set(name, '');
    const append = (d: Buffer) => this.logs.set(name, this.logs.get(name)! + d.toString());
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not listen within ${this.args.startTimeoutMs ?? 90_000} ms`), this.args.startTimeoutMs ?? 90_000);
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new CommunicationError(`player \`${name}\` ${why}; log:\n${this.logs.get(name)}`, name, this.hostmap[name]));
      };
      const onData = () => {
        if (this.logs.get(name)!.includes('listening on')) {
          clearTimeout(timer);
          child.stderr!.off('data', onData);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => fail(`exited with status ${code} before listening`);
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
    });
  }

  /** Sends `signal` to player `name` and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.procs.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  /** Closes the config's runtime, stops every player (SIGTERM, then SIGKILL), removes files. */
  async stop(): Promise<void> {
    await this.config.close().catch(() => undefined);
    await Promise.all(this.players.map(async (name) => {
      const child = this.procs.get(name);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await this.kill(name, 'SIGTERM');
      clearTimeout(timer);
    }));
    rmSync(join(this.configPath, '..'), { recursive: true, force: true });
  }
}

/**
 * Starts `players` as `tfe player` processes on 127.0.0.1 with fresh ports and returns the
 * running {@link LocalCluster} (its `config` is a RemoteConfig for them).
 * @example
 * ```ts
 * const cluster = await startLocalCluster(['server0', 'server1', 'server2'], { timeoutMs: 5000 });
 * ```
 */
export async function startLocalCluster(players: string[], args: LocalClusterArgs = {}): Promise<LocalCluster> {
  if (!players.length) throw new ValueError('`players` must name at least one player');
  // A port is free when chosen and bound by the player later: another process (or an outgoing
  // connection's ephemeral port) may take it in between, so a lost race starts over on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreshPorts(players, args);
    } catch (e) {
      if (attempt >= 3 || !/address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function startOnFreshPorts(players: string[], args: LocalClusterArgs): Promise<LocalCluster> {
  const hostmap: Record<string, string> = {};
  const ports = new Set<number>();
  while (ports.size < players.length) ports.add(await freePort());
  [...ports].forEach((port, k) => (hostmap[players[k]] = `127.0.0.1:${port}`));
  const dir = mkdtempSync(join(tmpdir(), 'tfe-cluster-'));
  const configPath = join(dir, 'config.json');
  const written: Record<string, unknown> = {};
  const master = args.entry?.('master', `127.0.0.1:${await freePort()}`);
  if (master !== undefined) written.master = master;
  for (const p of players) written[p] = args.entry ? args.entry(p, hostmap[p]) : hostmap[p];
  writeFileSync(configPath, JSON.stringify(written, null, 2));
  const cluster = new LocalCluster(players, hostmap, configPath, RemoteConfig.load(configPath, args), args);
  try {
    await Promise.all(players.map((p) => cluster.start(p)));
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
