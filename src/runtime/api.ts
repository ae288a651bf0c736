import type { KernelAttrsArg, KernelName, RingSpec, RingTensor } from './kernel_link.js';

/**
 * A reference to a tensor held by one player. The driver holds only handles — never the
 * tensor — so in every config a share stays on its player. Shapes and rings are known on the
 * driver (computed by the kernels' shape inference), so protocols can plan without waiting.
 *
 * @example
 * ```ts
 * const h = rt.fill('server0', [2, 2], 0n, U64);
 * h.player; // 'server0'
 * ```
 */
export interface Handle {
  readonly player: string;
  /** Id in the player's handle table; unique per driver session. */
  readonly id: number;
  readonly shape: readonly number[];
  readonly ring: RingSpec;
  /** True once freed (by `free`, `dispose` or the end of a `tidy` scope). */
  readonly disposed?: boolean;
}

/**
 * Counters kept per player, readable from the driver (DESIGN.md §5). Always on; observers
 * (the player's `PlayerObserver`, the driver's `DriverObserver`) see the same events.
 * @example
 * ```ts
 * const c = await rt.counters();
 * c.server0.bytesSent; c.server0.rounds;
 * ```
 */
export interface PlayerCounters {
  /** Messages and bytes this player sent to other players (not to the driver). */
  messagesSent: number;
  bytesSent: number;
  /** Messages and bytes this player received from other players. */
  messagesReceived: number;
  bytesReceived: number;
  /**
   * Communication rounds: the communication depth of this player's messages since the last
   * reset. A message's round is one more than the longest chain of peer messages its tensor
   * depends on (the driver knows the dependencies and says it with each send), so sends that
   * players can make at the same time count once, whatever order they run in.
   */
  rounds: number;
  /** Instructions executed. */
  instructions: number;
  /** Live handles in the player's table. */
  liveHandles: number;
}

/**
 * What protocols see of the runtime: instruction streams to players, built on the driver and
 * flushed in batches. Every method except the `await`ed ones only appends an instruction, so
 * a protocol issues whole rounds without waiting. Players run their streams in order; `send`
 * and its matching receive are paired by the runtime.
 *
 * @example
 * ```ts
 * const rt = tfe.getConfig().runtime();
 * const [a0, a1] = rt.sampleShared(['server0', 'server2'], [3], U64);
 * const s = rt.op('server0', 'Add', [a0, a0]);
 * const moved = rt.send(s, 'server1');
 * const value = await rt.reveal(moved); // RingTensor on the driver
 * ```
 */
export interface Runtime {
  /** Names of the players of the active config. */
  readonly players: readonly string[];

  /** Runs kernel `kernelName` on `player` over handles held by that player. */
  op<K extends KernelName>(player: string, kernelName: K, inputs: readonly Handle[], ...attrs: KernelAttrsArg<K>): Handle;

  /**
   * Tells the config which players a protocol will use, before its first instruction, so an
   * auto-adding LocalConfig knows (and logs) them all at once; elsewhere it changes nothing.
   */
  announcePlayers(names: readonly string[]): void;

  /** Copies a tensor from its player to `to` (a direct player-to-player message). */
  send(h: Handle, to: string): Handle;

  /**
   * Samples the same uniform tensor on both players from the PRG seed they share (made by
   * the players, never seen by the driver). No message is sent.
   */
  sampleShared(players: readonly [string, string], shape: readonly number[], ring: RingSpec): [Handle, Handle];

  /**
   * A fresh zero-sharing on three players, from the seeds they share pairwise (ABY3 §2.2): with
   * one nonce n, player i draws F(k_{i,i−1}, n) and F(k_{i,i+1}, n) and keeps their difference
   * (`arithmetic`) or XOR (`boolean`); every pair's draw enters once with each sign, so the
   * three parts sum (XOR) to zero, and any two of them are uniform. One instruction per player,
   * no message.
   */
  sampleZero(players: readonly [string, string, string], shape: readonly number[], ring: RingSpec, kind: 'arithmetic' | 'boolean'): [Handle, Handle, Handle];

  /** Samples a uniform tensor from the player's own private seed. */
  samplePrivate(player: string, shape: readonly number[], ring: RingSpec): Handle;

  /** A public constant on a player (e.g. a fixed-point encoded public value). */
  fill(player: string, shape: readonly number[], value: bigint, ring: RingSpec): Handle;

  /**
   * Puts a tensor the driver is allowed to know (public values, test data) on a player.
   */
  upload(player: string, t: RingTensor): Handle;

  /**
   * Loads a private input on its owner's player: from an in-process provider registered on
   * that player (LocalConfig) or from a named data source the player can read (any config).
   * The driver never sees the values.
   */
  input(player: string, source: InputSource): Handle;

  /** Delivers a tensor to the driver (an explicit reveal). */
  reveal(h: Handle): Promise<RingTensor>;

  /** Delivers a tensor to an output sink on its player (e.g. a callback in LocalConfig). */
  output(h: Handle, sink: OutputSink): void;

  /** Frees handles on their players. */
  free(...hs: Handle[]): void;

  /** Sends every pending instruction and waits until all players have run them. */
  flush(): Promise<void>;

  /** Counters per player, read from the players (flushes first). */
  counters(): Promise<Record<string, PlayerCounters>>;

  /** Zeroes the counters. */
  resetCounters(): Promise<void>;

  /**
   * Derives all players' randomness from `seed` (16 bytes) from now on, for reproducible
   * runs; insecure (the driver knows the seeds). See `tfe.setRandomSeed`.
   */
  setRandomSeed(seed: Uint8Array): void;

  /** Bumped by {@link setRandomSeed}: protocol caches of random masks made before are stale. */
  readonly randomEpoch: number;

  /**
   * Like `input`, for a source whose shape the driver does not know: waits until the player
   * has loaded it and returns a handle with the actual shape and ring.
   */
  inputAsync(player: string, source: InputSource): Promise<Handle>;

  /** Round trip of a small message to `player` and back, in milliseconds (no instruction runs). */
  ping(player: string): Promise<number>;

  /** Ends the session: flushes, players free its handles, links close. Later calls throw. */
  close(): Promise<void>;
}

/**
 * Where a private input comes from.
 * - `provider`: a function run on the owner's player; allowed only when that player lives in
 *   this process (LocalConfig). It returns ring elements (already encoded by the caller).
 * - `source`: a data source the player loads itself, by the name of a
 *   registered loader (`json`, `raw`, `tfjs-model`, ...), with arguments; the loaders register with the player runtime.
 *
 * `shape` and `ring` (default u64) declare what the source yields, so `input` can return a
 * handle without waiting; the player checks the loaded tensor against them. Without them,
 * `input` accepts only a synchronous in-process provider; otherwise use
 * `inputAsync`, which waits for the player to report the shape.
 *
 * @example
 * ```ts
 * rt.input('server0', { kind: 'provider', provide: () => encodeFixed(x, [2, 2]) });
 * rt.input('server1', { kind: 'source', loader: 'raw', args: { path: 'x.bin', shape: [4] }, shape: [4] });
 * ```
 */
export type InputSource =
  | { kind: 'provider'; provide: () => RingTensor | Promise<RingTensor>; shape?: readonly number[]; ring?: RingSpec }
  | { kind: 'source'; loader: string; args: Record<string, unknown>; shape?: readonly number[]; ring?: RingSpec };

/**
 * Where an output goes on its player.
 * - `callback`: a function run on the player with the tensor (LocalConfig only).
 * - `sink`: a named sink registered on the player (`log`, `raw`, ...).
 *
 * @example
 * ```ts
 * rt.output(h, { kind: 'sink', name: 'raw', args: { path: 'predictions.bin' } });
 * ```
 */
export type OutputSink =
  | { kind: 'callback'; receive: (t: RingTensor) => void | Promise<void> }
  | { kind: 'sink'; name: string; args?: Record<string, unknown> };
