/**
 * Every code block of the README is exercised (issue 22, item 2), so the README cannot rot.
 * Each fenced block carries a `<!-- readme-test: NAME -->` marker; a block without one, or with
 * a name nothing exercises, fails the first test. This file runs `first` and `fit` (from
 * source, output checked), `hostmap` with `players` (the player commands as written, on free
 * ports, then a computation through `RemoteConfig.load`) and `keygen` (CURVE keys for the driver
 * and three players, a config from the printed entries, the player command as written for each
 * server, a computation as the `master` driver). The npm commands of `setup` and
 * `more-commands` run as written in the files COMMANDS names (`.ci/run` is the CI script).
 * `npm run docs` is the exception: TypeDoc takes over a minute on a loaded 2-core machine, so
 * test/docs checks its configuration and the TSDoc coverage instead of running it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../src/index.js';
import { freePort } from '../src/runtime/index.js';
import { checkName, checkPath, parsePolicy } from '../src/runtime/player/policy.js';
import { readmeBlock, readmeBlocks, shellCommands } from './helpers/readme.js';
import { testTmpDir } from './helpers/tmp.js';

const root = new URL('..', import.meta.url).pathname;
const RUN_HERE = ['setup', 'more-commands', 'fit', 'first', 'hostmap', 'players', 'keygen', 'policy'];
const ELSEWHERE: Record<string, string> = { networked: 'test/readme_networked.test.ts' };
/** Where each npm command of the set-up blocks runs as written. */
const COMMANDS: Record<string, string> = {
  'npm install': '.ci/run',
  'npm start': 'test/examples/start.test.ts',
  'npm test': '.ci/run',
  'npm run docs': 'test/docs/api_docs.test.ts',
  'npm run notebooks': '.ci/run',
};
const TFE_CLI = [process.execPath, '--import', 'tsx', join(root, 'src/cli/main.ts')];
const children: ChildProcess[] = [];

/** Runs a README TypeScript block from source (its `tfe-js` import pointed at src/). */
function runTs(name: string, timeout = 180_000): { stdout: string; stderr: string } {
  const file = join(testTmpDir(`readme-${name}-`), 'example.ts');
  writeFileSync(file, readmeBlock(name).replace("from 'tfe-js'", `from '${join(root, 'src/index.ts')}'`));
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout });
  assert.is(r.status, 0, `${name}:\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Starts one `npx tfe player ...` command as written (the CLI from source) and waits until it listens. */
async function startPlayer(argv: string[], cwd: string): Promise<string> {
  assert.equal(argv.slice(0, 3), ['npx', 'tfe', 'player'], `a player command: ${argv.join(' ')}`);
  const child = spawn(TFE_CLI[0], [...TFE_CLI.slice(1), ...argv.slice(2)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv[3]} did not listen within 120 s:\n${log}`)), 120_000);
    const onData = (d: Buffer) => { log += d; if (log.includes('listening on')) { clearTimeout(timer); resolve(log); } };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${argv[3]} exited with ${code}:\n${log}`)); });
  });
}

/** The first README example's product on whatever config is set: private x·w, revealed. */
async function product(): Promise<number[]> {
  const x = tfe.definePrivateVariable([[1, 2], [3, 4]]);
  const w = tfe.definePrivateVariable([[0.5], [-1]]);
  const y = Array.from(await tfe.matmul(x, w).reveal());
  await tfe.getRuntime().close();
  return y;
}

test('every README code block is marked and exercised', () => {
  const blocks = readmeBlocks();
  assert.ok(blocks.length >= 8, `found ${blocks.length} blocks`);
  const names = blocks.map((b) => b.name);
  for (const b of blocks) assert.ok(b.name, `the ${b.lang} block at README.md:${b.line} has no <!-- readme-test: NAME --> marker`);
  assert.is(new Set(names).size, names.length, `marker names are unique: ${names.join(', ')}`);
  for (const name of names as string[]) {
    assert.ok(RUN_HERE.includes(name) || name in ELSEWHERE, `block \`${name}\` is exercised by no test`);
    if (name in ELSEWHERE) assert.ok(readFileSync(join(root, ELSEWHERE[name]), 'utf8').includes(name), `${ELSEWHERE[name]} runs \`${name}\``);
  }
  for (const name of RUN_HERE) assert.ok(names.includes(name), `the README still has block \`${name}\``);
});

test('setup and more-commands: each npm command is a script run as written by the file named for it', () => {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const name of ['setup', 'more-commands']) {
    for (const argv of shellCommands(readmeBlock(name))) {
      const cmd = argv.join(' ');
      const file = COMMANDS[cmd];
      assert.ok(file, `\`${cmd}\` (block ${name}) has a test that runs it`);
      const script = argv[1] === 'run' ? argv[2] : argv[1];
      assert.ok(script === 'install' || typeof scripts[script] === 'string', `package.json has the script \`${script}\``);
      const text = readFileSync(join(root, file), 'utf8');
      assert.ok(text.includes(cmd) || (scripts[script] !== undefined && text.includes(scripts[script])), `${file} runs \`${cmd}\``);
    }
  }
  assert.ok(existsSync(join(root, 'scripts/notebooks.sh')) && scripts.notebooks.includes('scripts/notebooks.sh'));
});

test('fit: the 20-line example trains on secret shares and its private accuracy is high', () => {
  const { stdout } = runTs('fit');
  assert.match(stdout, /Epoch 5\/5/);
  assert.match(stdout, /\[=+\]/, 'a progress bar');
  const acc = Number(/accuracy ([\d.]+)/.exec(stdout)?.[1]);
  // x0 + x1 > 0 is linearly separable; fixed-point (f = 16) and the sigmoid's ≤ 0.0055 error
  // move only points next to the boundary.
  assert.ok(acc >= 0.9, `accuracy ${acc}`);
});

test('first: prints the shape only, then the one revealed value', () => {
  const { stdout } = runTs('first');
  assert.match(stdout, /PondPrivateTensor\(shape=\[2,1\], fracBits=16\)/);
  assert.match(stdout, /Float64Array\(2\) \[ -1\.5, -2\.5 \]/);
});

test('hostmap and players: the player commands as written, on the hostmap moved to free ports, compute', async () => {
  const dir = testTmpDir('readme-players-');
  const hostmap = JSON.parse(readmeBlock('hostmap')) as Record<string, string>;
  assert.equal(Object.keys(hostmap), ['server0', 'server1', 'server2']);
  // The README's ports 4440–4442 may be taken on a shared machine: the same hostmap, free ports.
  for (const name of Object.keys(hostmap)) hostmap[name] = `127.0.0.1:${await freePort()}`;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hostmap));
  for (const argv of shellCommands(readmeBlock('players'))) {
    mkdirSync(join(dir, argv[argv.indexOf('--data-dir') + 1]), { recursive: true });
    await startPlayer(argv, dir);
  }
  tfe.setConfig(tfe.RemoteConfig.load(join(dir, 'config.json')));
  assert.equal(await product(), [-1.5, -2.5]);
});

test('keygen: keys for the driver and every player, a CURVE config from the printed entries, the player command as written', async () => {
  const dir = testTmpDir('readme-keygen-');
  const keys = join(dir, 'keys'), data = join(dir, 'data');
  mkdirSync(keys);
  mkdirSync(data);
  const cmds = shellCommands(readmeBlock('keygen'));
  const keygens = cmds.filter((c) => c[2] === 'keygen');
  const player = cmds.find((c) => c[2] === 'player')!;
  assert.equal(keygens.map((c) => c[3]), ['master', 'server0']);
  const config: Record<string, { address: string; curvePublicKey: string }> = {};
  // "... one per player": the README's two commands, then the same for server1 and server2
  for (const name of ['master', 'server0', 'server1', 'server2']) {
    const argv = [...keygens[0].slice(0, 3), name];
    const r = spawnSync(TFE_CLI[0], [...TFE_CLI.slice(1), ...argv.slice(2)], { cwd: keys, encoding: 'utf8', timeout: 60_000 });
    assert.is(r.status, 0, r.stderr);
    const entry = (JSON.parse(r.stdout) as typeof config)[name];
    assert.is(entry.address, 'HOST:PORT');
    config[name] = { ...entry, address: `127.0.0.1:${await freePort()}` }; // "with its real address"
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  for (const name of ['server0', 'server1', 'server2']) {
    const argv = player.map((w) => w.replace('/srv/tfe/data', data).replace('/etc/tfe/server0.key', join(keys, 'server0.key')).replace('server0', name));
    assert.match(await startPlayer(argv, dir), /\(CURVE\)/);
  }
  const curveSecretKey = readFileSync(join(keys, 'master.key'), 'utf8').trim();
  tfe.setConfig(tfe.RemoteConfig.load(join(dir, 'config.json'), { curveSecretKey }));
  assert.equal(await product(), [-1.5, -2.5]);
});

test.after(async () => {
  tfe.setConfig(new tfe.LocalConfig());
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null
    ? undefined
    : new Promise((resolve) => { c.once('exit', resolve); c.kill('SIGTERM'); }))));
});
test('policy: the README policy parses as written and allows and refuses what its text says', () => {
  const policy = parsePolicy(JSON.parse(readmeBlock('policy')), 'README policy');
  assert.is(policy.revealRawInputs, false);
  checkPath(policy, 'load', 'train/alice.csv', 'train/alice.csv', 'alice');
  checkPath(policy, 'write', 'out/run1/model.raw', 'out/run1/model.raw', 'alice');
  checkName(policy, 'loaders', 'csv', 'alice');
  checkName(policy, 'sinks', 'raw', 'alice');
  assert.throws(() => checkPath(policy, 'load', 'secret/keys.csv', 'secret/keys.csv', 'alice'), (e: Error) => e instanceof tfe.PolicyError && /policy rule `load`/.test(e.message));
  assert.throws(() => checkName(policy, 'loaders', 'json', 'alice'), (e: Error) => e instanceof tfe.PolicyError && /loader `json`/.test(e.message));
});

test.run();
