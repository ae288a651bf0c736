import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newCurveKeyPair } from '../runtime/transport/zmq/curve.js';
import { parseArgs, UsageError } from './args.js';

const HELP = `usage: tfe keygen <name> [--out-dir <dir>]

Writes a ZeroMQ CURVE key pair for player (or driver, name "master") <name>:
<dir>/<name>.key holds the secret key (file mode 0600; give it to that process only, outside
any --data-dir) and <dir>/<name>.pub the public key. Prints the config entry to paste, with
a placeholder address. Refuses to overwrite an existing key.
`;

/**
 * `tfe keygen <name>`: a CURVE key pair on disk (secret 0600) and its config entry on stdout.
 * @example
 * ```ts
 * process.exitCode = await keygenCommand(['server0', '--out-dir', 'keys']);
 * ```
 */
export async function keygenCommand(argv: readonly string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { 'out-dir': 'string', help: 'boolean' } as const);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1 || !/^[A-Za-z0-9_.-]{1,64}$/.test(positionals[0])) {
    throw new UsageError('expected one name of letters, digits, `_`, `.` or `-`; see tfe keygen --help');
  }
  const name = positionals[0];
  const dir = typeof flags['out-dir'] === 'string' ? flags['out-dir'] : '.';
  const secretFile = join(dir, `${name}.key`);
  if (existsSync(secretFile)) throw new UsageError(`\`${secretFile}\` exists; refusing to overwrite a key`);
  const pair = newCurveKeyPair();
  writeFileSync(secretFile, `${pair.secretKey}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, `${name}.pub`), `${pair.publicKey}\n`, { flag: 'wx' });
  process.stdout.write(`${JSON.stringify({ [name]: { address: 'HOST:PORT', curvePublicKey: pair.publicKey } }, null, 2)}\n`);
  process.stderr.write(`secret key written to ${secretFile} (mode 0600): pass it with --curve-secret-key-file, never into a data directory\n`);
  return 0;
}
