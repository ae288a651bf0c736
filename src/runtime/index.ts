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
export { LocalConfig, RemoteConfig, getConfig, getRuntime, onRuntimeCreated, setConfig } from './config/config.js';
export { setRandomSeed } from './config/random_seed.js';
export type { Config, LocalConfigArgs, RemoteConfigArgs } from './config/config.js';
export { DriverRuntime } from './driver/driver.js';
export type { DriverObserver } from './driver/driver.js';
export { PlayerHandle } from './driver/handle.js';
export { collectHandles, dispose, keep, tidy } from './driver/scope.js';
export { loadHostmap, parseHostmap } from './config/hostmap.js';
export type { HostEntry, Hostmap } from './config/hostmap.js';
export { registerLoader, registerSink } from './player/data_sources.js';
export type { DataContext, Loader, Sink, SinkOptions } from './player/data_sources.js';
export { DEFAULT_POLICY, loadPolicy, parsePolicy } from './player/policy.js';
export type { PlayerPolicy } from './player/policy.js';
export { INSTRUCTION_SET_VERSION } from './wire/instructions.js';
export type { Instruction, PlayerReply } from './wire/instructions.js';
export { Player } from './player/player.js';
export type { InstructionDetail, PlayerObserver } from './player/session.js';
export { PlayerDaemon } from './transport/zmq/zmq_player.js';
export { LocalCluster, freePort, startLocalCluster } from './transport/zmq/local_cluster.js';
export type { LocalClusterArgs } from './transport/zmq/local_cluster.js';
export { curveKeys, z85Encode } from './transport/zmq/curve.js';
export type { CurveKeys } from './transport/zmq/curve.js';
export type { DaemonArgs } from './transport/zmq/zmq_player.js';
export { ServingDealer, ServingRouter, type Frames } from './transport/zmq/serving_sockets.js';
export { closeClientEndpoints } from './player/client_shares.js';
