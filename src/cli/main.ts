/**
 * The `tfe` command (run by `bin/tfe.js` from dist/ with plain node). Subcommands:
 * - `tfe player <name> --config <path>`: the player daemon.
 * - `tfe serve --model <dir|model.json> --config <path>`: private prediction serving.
 *
 * Errors print one line `tfe: <reason>` and exit non-zero (2 for usage and config errors,
 * 1 for runtime failures such as a port already in use).
 *
 * @example
 * ```sh
 * npx tfe player server0 --config config.json
 * ```
 */
import { TfeError } from '../errors.js';
import { UsageError } from './args.js';

const HELP = `usage: tfe <command> [options]

commands:
  player <name> --config <path>   run a player daemon (see tfe player --help)
  keygen <name>                   write a CURVE key pair and print its config entry
  serve --model <m> --config <c>  serve private predictions (see tfe serve --help)

options:
  -h, --help      show this help
  --version       print the version
`;

/**
 * Each command's module is loaded only when it runs: `serve` brings in tfjs (17 MB of heap and
 * about half a second to load), which a player never uses; a player's every major GC would
 * mark it, and every test that starts players would wait for it.
 */
const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  player: async (argv) => (await import('./player_command.js')).playerCommand(argv),
  keygen: async (argv) => (await import('./keygen_command.js')).keygenCommand(argv),
  serve: async (argv) => (await import('./serve_command.js')).serveCommand(argv),
};

async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const run = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!run) throw new UsageError(`unknown command \`${cmd}\`; commands: ${Object.keys(COMMANDS).join(', ')}`);
  return run(rest);
}

let status: number;
try {
  status = await main(process.argv.slice(2));
} catch (e) {
  const err = e as Error;
  const oneLine = (err.message ?? String(e)).split('\n')[0];
  process.stderr.write(`tfe: ${oneLine}\n`);
  status = e instanceof UsageError || e instanceof TfeError ? 2 : 1;
}
// Exit explicitly: a half-started daemon (e.g. a port in use) may still hold native handles.
process.exit(status);
