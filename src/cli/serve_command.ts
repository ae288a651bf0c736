import '../tfjs_env.js'; // first: quiet tfjs before any module uses it
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileHandler, fromLayersModel } from '../models/import_tfjs.js';
import { Pond, SecureNN, setProtocol } from '../protocols/index.js';
import { RemoteConfig, setConfig } from '../runtime/index.js';
import { serve } from '../serving/index.js';
import { parseArgs, UsageError } from './args.js';

/**
 * `tfe serve --model <dir|model.json> --config config.json`: deploys a plaintext tfjs model
 * privately onto the config's `tfe player` daemons (this process is the driver: it reads the
 * model and secret-shares its weights from `--owner`'s side of the computation) and serves
 * predictions to `tfe.serving.Client`s until SIGINT or SIGTERM.
 *
 * @example
 * ```sh
 * npx tfe serve --model model/ --config config.json --address tcp://127.0.0.1:5990
 * ```
 */
export const SERVE_HELP = `usage: tfe serve --model <dir|model.json> --config <config.json> [options]

Deploys a tfjs layers model onto the players of <config.json> (secret-shared weights) and
serves private predictions: clients send one share of their input to each server and get
the output shares back; no server sees an input or an output.

options:
  --model <path>          tfjs model.json, or the folder holding it (required)
  --config <path>         hostmap of the running \`tfe player\` daemons (required)
  --address <tcp://h:p>   front address clients connect to (default tcp://127.0.0.1:5990)
  --server-ports <a,b>    ports where server0 and server1 take input shares, on their
                          config hosts (default: the front port + 1 and + 2)
  --protocol <name>       pond (default) or securenn (exact ReLU)
  --owner <player>        player whose side shares the weights (default server0)
  --max-batch-size <n>    most rows per batch (default 64)
  --max-queue <n>         most queued requests before rejecting (default 256)
  --timeout <seconds>     per-request timeout (default 10)
  --batch-window <ms>     longest wait for the other recent clients' requests before a
                          batch starts (default 10; never longer than a quarter batch)
  --max-in-flight <n>     batches encoded ahead while the players run earlier ones (default 2)
  -h, --help              show this help
`;

const SPEC = { model: 'string', config: 'string', address: 'string', 'server-ports': 'string', protocol: 'string', owner: 'string', 'max-batch-size': 'string', 'max-queue': 'string', timeout: 'string', 'batch-window': 'string', 'max-in-flight': 'string', help: 'boolean' } as const;

function positiveInt(v: string | boolean | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${String(v)}`);
  return n;
}

function nonNegative(v: string | boolean | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0, got ${String(v)}`);
  return n;
}

/**
 * Runs `tfe serve`; resolves with the exit status once stopped by a signal.
 * @example
 * ```ts
 * process.exit(await serveCommand(['--model', 'model', '--config', 'config.json']));
 * ```
 */
export async function serveCommand(argv: readonly string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, SPEC);
  if (flags.help) { process.stdout.write(SERVE_HELP); return 0; }
  if (positionals.length) throw new UsageError(`unexpected argument \`${positionals[0]}\`; see tfe serve --help`);
  if (typeof flags.model !== 'string') throw new UsageError('--model <dir|model.json> is required; see tfe serve --help');
  if (typeof flags.config !== 'string') throw new UsageError('--config <path> is required; see tfe serve --help');
  const modelPath = existsSync(flags.model) && statSync(flags.model).isDirectory() ? join(flags.model, 'model.json') : flags.model;
  if (!existsSync(modelPath)) throw new UsageError(`--model: no model.json at \`${modelPath}\``);
  const address = typeof flags.address === 'string' ? flags.address : 'tcp://127.0.0.1:5990';
  const m = /^tcp:\/\/([^\s:]+):(\d+)$/.exec(address);
  if (!m) throw new UsageError(`--address must be tcp://HOST:PORT, got ${address}`);
  const protocol = typeof flags.protocol === 'string' ? flags.protocol.toLowerCase() : 'pond';
  if (protocol !== 'pond' && protocol !== 'securenn') throw new UsageError(`--protocol must be pond or securenn, got ${protocol}`);

  const config = RemoteConfig.load(flags.config);
  setConfig(config);
  const p = protocol === 'pond' ? new Pond() : new SecureNN();
  setProtocol(p);
  const ports = typeof flags['server-ports'] === 'string' ? flags['server-ports'].split(',').map(Number) : [Number(m[2]) + 1, Number(m[2]) + 2];
  if (ports.length !== 2 || !ports.every((q) => Number.isSafeInteger(q) && q > 0 && q < 65536)) throw new UsageError(`--server-ports must be two ports, got ${String(flags['server-ports'])}`);
  const hostOf = (name: string) => {
    const e = config.hostmap.players.find((x) => x.name === name);
    if (!e) throw new UsageError(`the config has no player \`${name}\`; serving needs ${p.s0} and ${p.s1}`);
    return e.host;
  };
  const servers = { [p.s0]: `tcp://${hostOf(p.s0)}:${ports[0]}`, [p.s1]: `tcp://${hostOf(p.s1)}:${ports[1]}` };

  const plain = await tf.loadLayersModel(fileHandler(modelPath));
  const model = await fromLayersModel(plain, { owner: typeof flags.owner === 'string' ? flags.owner : p.s0 });
  const service = await serve(model, {
    address, servers,
    maxBatchSize: positiveInt(flags['max-batch-size'], 'max-batch-size', 64),
    maxQueue: positiveInt(flags['max-queue'], 'max-queue', 256),
    timeoutMs: positiveInt(flags.timeout, 'timeout', 10) * 1000,
    batchWindowMs: nonNegative(flags['batch-window'], 'batch-window', 10),
    maxInFlight: positiveInt(flags['max-in-flight'], 'max-in-flight', 2),
  });
  const s = service.status();
  process.stderr.write(`[tfe serve] serving on ${address} (${p.name}; input [${s.inputShape.join(',')}], output [${s.outputShape.join(',')}]); shares to ${Object.entries(servers).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stderr.write(`[tfe serve] ${signal}: stopping after ${service.status().served} requests\n`);
  await service.close();
  await config.close().catch(() => undefined);
  return 0;
}
