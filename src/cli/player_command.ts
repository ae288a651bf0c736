import { readFileSync } from 'node:fs';
import '../data/index.js'; // registers the data-source loaders and sinks players offer
import '../models/onnx/loader.js'; // the ONNX model owner's loaders (onnx-graph, onnx-weight)
import { loadHostmap } from '../runtime/config/hostmap.js';
import { PlayerDaemon } from '../runtime/transport/zmq/zmq_player.js';
import { envTraceDir } from '../observability/index.js';
import { PlayerRecorder, writeTrack } from '../observability/trace.js';
import { parseArgs, UsageError } from './args.js';
import { checkPlayerDefaults } from './secure_defaults.js';
import { loadPolicy } from '../runtime/player/policy.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_TIMEOUT_MS } from '../runtime/transport/zmq/liveness.js';
import { tuneHeapForMessages } from '../runtime/transport/zmq/heap_tuning.js';

/**
 * The text of `tfe player --help`.
 * @example
 * ```ts
 * process.stdout.write(PLAYER_HELP);
 * ```
 */
export const PLAYER_HELP = `usage: tfe player <name> --config <config.json> [options]

Runs the player daemon <name> of a networked tfe-js deployment: binds the port given for
<name> in the config, connects to every other player (retrying until they are up, with one
log line per peer), and executes instruction streams from one driver after another.
Stops cleanly on SIGINT or SIGTERM.

options:
  --config <path>        hostmap JSON {"server0": "host:port", ...} (required)
  --timeout <seconds>    a peer silent this long while a computation waits on it fails
                         that computation (default 3.5; players answer heartbeats from a
                         worker thread, so long kernels and big messages are not silence)
  --heartbeat <seconds>  heartbeat interval to peers (default 0.5)
  --liveness-port <n>    port of the liveness worker (default: an ephemeral port, announced
                         to drivers and peers; fix it when a firewall needs to know it)
  --session-idle <s>     free a session whose driver has been silent this long (default 600)
  --data-dir <path>      root directory for data-source loaders and file sinks (required;
                         paths outside it, symlinks included, are refused; it may not hold
                         the player's key file)
  --policy <path>        JSON policy of what drivers may do with this player's data:
                         {"load": [globs], "write": [globs], "loaders": [names],
                          "sinks": [names], "revealRawInputs": false | true | [globs]};
                         globs are relative to --data-dir. Default: any file inside it may be
                         loaded or written, and raw inputs never leave in plaintext (only shares)
  --bind <host>          interface to bind instead of the config's host (e.g. 0.0.0.0)
  --check-bounds         check inputs declared with {bounds} against the loaded data (the
                         driver then learns one bit per check: inside or not; default off)
  --trace <dir>          write this player's trace track per session into <dir> (Chrome
                         trace JSON; the driver tracing into the same dir merges it;
                         default with TFE_TRACE=1: $TFE_TRACE_DIR or ./tfe-traces)
  --curve-secret-key-file <path>
                         file holding this player's Z85 CURVE secret key, needed when the
                         config gives CURVE keys (default: $TFE_CURVE_SECRET_KEY); the
                         player then accepts only the peers' and the driver's keys
  --insecure             allow a config with non-loopback addresses and no CURVE keys
                         (logs a loud warning)
  --max-sessions <n>     most live sessions (default 64)
  --max-message-mb <n>   largest accepted message in MiB (default 1024; ZeroMQ checks each
                         frame, the player a tensor sent in several frames as a whole; each
                         connection queues at most 64 messages)
  --max-unread-mb <n>    most MiB of peer tensors waiting for their receive, over all
                         sessions; a message past it fails its session (default 2048)
  -h, --help             show this help
`;

const SPEC = { config: 'string', timeout: 'string', heartbeat: 'string', 'session-idle': 'string', 'data-dir': 'string', bind: 'string', trace: 'string', 'check-bounds': 'boolean', 'curve-secret-key-file': 'string', insecure: 'boolean', 'max-sessions': 'string', 'max-message-mb': 'string', policy: 'string', 'liveness-port': 'string', 'max-unread-mb': 'string', help: 'boolean' } as const;

function count(v: string | boolean | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got ${String(v)}`);
  return n;
}

function seconds(v: string | boolean | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds, got ${String(v)}`);
  return n * 1000;
}

function secretKey(file: string | boolean | undefined): string | undefined {
  if (typeof file !== 'string') return process.env.TFE_CURVE_SECRET_KEY;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`cannot read --curve-secret-key-file \`${file}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * `tfe player <name> --config <path>`: starts a {@link PlayerDaemon} and runs until SIGINT or
 * SIGTERM. Resolves with the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await playerCommand(['server0', '--config', 'config.json']);
 * ```
 */
export async function playerCommand(argv: readonly string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, SPEC);
  if (flags.help) {
    process.stdout.write(PLAYER_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one player name, got ${positionals.length}; see tfe player --help`);
  if (typeof flags.config !== 'string') throw new UsageError('--config <path> is required; see tfe player --help');
  const hostmap = loadHostmap(flags.config);
  tuneHeapForMessages();
  const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : undefined;
  const policy = typeof flags.policy === 'string' ? loadPolicy(flags.policy) : undefined;
  const daemon = new PlayerDaemon({
    name: positionals[0],
    hostmap,
    timeoutMs: seconds(flags.timeout, 'timeout', DEFAULT_TIMEOUT_MS),
    heartbeatMs: seconds(flags.heartbeat, 'heartbeat', DEFAULT_HEARTBEAT_MS),
    livenessPort: flags['liveness-port'] === undefined ? undefined : count(flags['liveness-port'], 'liveness-port', 0),
    sessionIdleMs: seconds(flags['session-idle'], 'session-idle', 600_000),
    dataDir,
    checkBounds: flags['check-bounds'] === true,
    bindHost: typeof flags.bind === 'string' ? flags.bind : undefined,
    curveSecretKey: secretKey(flags['curve-secret-key-file']),
    maxSessions: count(flags['max-sessions'], 'max-sessions', 64),
    maxMessageBytes: count(flags['max-message-mb'], 'max-message-mb', 1024) * 2 ** 20,
    maxUnreadBytes: count(flags['max-unread-mb'], 'max-unread-mb', 2048) * 2 ** 20,
    policy,
  });
  try {
    if (!dataDir) throw new UsageError('--data-dir <path> is required (a directory without key files); see tfe player --help');
    const keyFile = typeof flags['curve-secret-key-file'] === 'string' ? flags['curve-secret-key-file'] : undefined;
    checkPlayerDefaults(hostmap, { dataDir, keyFile, insecure: flags.insecure === true, log: (l) => console.error(`[tfe player ${positionals[0]}] ${l}`) });
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  const traceDir = typeof flags.trace === 'string' ? flags.trace : envTraceDir();
  if (traceDir) {
    const recorder = new PlayerRecorder(positionals[0]);
    recorder.onSessionEnd = (track) => {
      try { writeTrack(traceDir, track); } catch (e) {
        console.error(`[tfe player ${positionals[0]}] cannot write its trace: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    };
    daemon.player.observer = recorder.observer;
    recorder.recordGarbageCollections();
  }
  await daemon.start();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.error(`[tfe player ${positionals[0]}] ${signal}: shutting down`);
  await daemon.stop();
  return 0;
}
