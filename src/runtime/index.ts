/**
 * The runtime: configs, players, the instruction set, the driver and its transports
 * (DESIGN.md §5). The lead's `src/index.ts` re-exports what users see.
 *
 * @example
 * ```ts
 * import { LocalConfig, setConfig, getRuntime, tidy } from './runtime/index.js';
 * setConfig(new LocalConfig(['server0', 'server1']));
 * const rt = getRuntime();
 * ```
 */
export type { Handle, InputSource, OutputSink, PlayerCounters, Runtime } from './api.js';
export { LocalConfig, RemoteConfig, getConfig, getRuntime, setConfig } from './config.js';
export { setRandomSeed } from './random_seed.js';
export type { Config, LocalConfigArgs, RemoteConfigArgs } from './config.js';
export { DriverRuntime } from './driver.js';
export type { DriverObserver } from './driver.js';
export { PlayerHandle } from './handle.js';
export { collectHandles, dispose, keep, tidy } from './scope.js';
export { loadHostmap, parseHostmap } from './hostmap.js';
export type { HostEntry, Hostmap } from './hostmap.js';
export { registerLoader, registerSink } from './data_sources.js';
export type { DataContext, Loader, Sink } from './data_sources.js';
export { INSTRUCTION_SET_VERSION } from './instructions.js';
export type { Instruction, PlayerReply } from './instructions.js';
export { Player } from './player.js';
export type { PlayerObserver } from './session.js';
export { PlayerDaemon } from './zmq_player.js';
export { LocalCluster, freePort, startLocalCluster } from './local_cluster.js';
export type { LocalClusterArgs } from './local_cluster.js';
export { curveKeys, z85Encode } from './curve.js';
export type { CurveKeys } from './curve.js';
export type { DaemonArgs } from './zmq_player.js';
