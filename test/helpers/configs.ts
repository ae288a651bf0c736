/**
 * Runs one multi-player test body on every config: in memory (`LocalConfig`) and over ZeroMQ
 * with real `tfe player` processes on 127.0.0.1 (fresh ports per test). Every process and
 * socket is closed after each test, pass or fail.
 *
 * @example
 * ```ts
 * import { test } from 'uvu';
 * import { testOnConfigs } from '../helpers/configs.js';
 *
 * testOnConfigs(test, 'adds on server0', async ({ rt }) => {
 *   const a = rt.fill('server0', [2], 1n, U64);
 *   assert.equal([...(await rt.reveal(rt.op('server0', 'Add', [a, a]))).values()], [2n, 2n]);
 * });
 * test.run();
 * ```
 */
import { getConfig, LocalConfig, setConfig, type Config } from '../../src/runtime/config/config.js';
import type { DriverRuntime } from '../../src/runtime/driver/driver.js';
import { startLocalCluster, type LocalCluster, type LocalClusterArgs } from '../../src/runtime/transport/zmq/local_cluster.js';

/** The configs a body runs on. */
/**
 * Waits (at most `ms`, default 10 s) until `player`'s log in `cluster` matches `re`, and returns
 * the log: a player writes its log asynchronously, so on a loaded machine a line can arrive after
 * the call that caused it has resolved. The caller still asserts the match.
 * @example
 * ```ts
 * assert.match(await logOnceMatching(cluster, 'server1', /output/), /output/);
 * ```
 */
export async function logOnceMatching(cluster: LocalCluster, player: string, re: RegExp, ms = 10_000): Promise<string> {
  for (let waited = 0; waited < ms && !re.test(cluster.logs.get(player) ?? ''); waited += 100) await new Promise((r) => setTimeout(r, 100));
  return cluster.logs.get(player) ?? '';
}

export type ConfigKind = 'local' | 'zmq';
export const CONFIG_KINDS: readonly ConfigKind[] = ['local', 'zmq'];

/** What a test body gets. */
export interface ConfigEnv {
  kind: ConfigKind;
  /** The active config (also set with `setConfig`, so `getConfig()` sees it). */
  config: Config;
  /** `config.runtime()`. */
  rt: DriverRuntime;
  players: string[];
  /** The player processes (ZeroMQ only): kill, restart, read logs. */
  cluster?: LocalCluster;
}

/** Options of {@link withConfig} and {@link testOnConfigs}. */
export interface ConfigOptions extends LocalClusterArgs {
  /** Player names (default server0, server1, server2). */
  players?: string[];
  /** Which configs to run (default both). */
  kinds?: readonly ConfigKind[];
}

const DEFAULT_PLAYERS = ['server0', 'server1', 'server2'];

/**
 * Runs `body` on one config kind and tears everything down afterwards.
 * @example
 * ```ts
 * await withConfig('zmq', async ({ rt }) => { await rt.flush(); });
 * ```
 */
export async function withConfig(kind: ConfigKind, body: (env: ConfigEnv) => Promise<void> | void, opts: ConfigOptions = {}): Promise<void> {
  const players = opts.players ?? DEFAULT_PLAYERS;
  const previous = getConfig();
  let cluster: LocalCluster | undefined;
  let config: Config;
  if (kind === 'local') {
    config = new LocalConfig(players, { autoAddUnknownPlayers: false, log: () => undefined });
  } else {
    cluster = await startLocalCluster(players, opts);
    config = cluster.config;
  }
  setConfig(config);
  try {
    await body({ kind, config, rt: config.runtime(), players, cluster });
  } catch (e) {
    if (cluster) for (const [name, log] of cluster.logs) console.error(`--- log of ${name} ---\n${log}`);
    throw e;
  } finally {
    await config.close().catch(() => undefined);
    await cluster?.stop();
    setConfig(previous);
  }
}

/**
 * Registers `title [local]` and `title [zmq]` on a uvu suite, each running `body`.
 * @example
 * ```ts
 * testOnConfigs(test, 'reveal', async ({ rt }) => { ... }, { players: ['server0', 'server1'] });
 * ```
 */
export function testOnConfigs(
  suite: (name: string, fn: () => Promise<void>) => void,
  title: string,
  body: (env: ConfigEnv) => Promise<void> | void,
  opts: ConfigOptions = {},
): void {
  for (const kind of opts.kinds ?? CONFIG_KINDS) suite(`${title} [${kind}]`, () => withConfig(kind, body, opts));
}
