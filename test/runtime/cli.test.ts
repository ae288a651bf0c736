/** The `tfe` command: help, one-line errors with non-zero status, clean shutdown on signals. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort, startLocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'tfe-cli-test-'));
const tfe = (...args: string[]) => spawnSync(process.execPath, ['bin/tfe.js', ...args], { encoding: 'utf8', timeout: 30_000 });
/** Runs `tfe` without blocking, so several invocations overlap. */
function tfeAsync(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/tfe.js', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stderr }); });
  });
}
const oneLine = (s: string) => s.trim().split('\n').filter((l) => !l.startsWith('tfe-js:'));

test('--help documents the commands and the player flags', () => {
  const top = tfe('--help');
  assert.is(top.status, 0);
  assert.match(top.stdout, /player <name> --config/);
  const help = tfe('player', '--help');
  assert.is(help.status, 0);
  for (const flag of ['--config', '--timeout', '--heartbeat', '--data-dir', '--bind']) assert.match(help.stdout, new RegExp(flag));
  assert.is(tfe().status, 2);
});

test('bad invocations and bad configs exit non-zero with one line', async () => {
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ server0: `127.0.0.1:${await freePort()}` }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"server0": "127.0.0.1"}');
  const cases: [string[], RegExp][] = [
    [['player', 'nobody', '--config', good], /player `nobody` is not in the config; known players: server0/],
    [['player', 'server0', '--config', join(dir, 'missing.json')], /cannot read config file/],
    [['player', 'server0', '--config', bad], /`server0` must look like "host:port"/],
    [['player', 'server0'], /--config <path> is required/],
    [['player', 'server0', '--config', good, '--timeout', 'soon'], /--timeout must be a positive number/],
    [['player', 'server0', '--config', good, '--frobnicate'], /unknown option --frobnicate/],
    [['frobnicate'], /unknown command `frobnicate`/],
  ];
  const results = await Promise.all(cases.map(([args]) => tfeAsync(...args)));
  for (const [k, [args, re]] of cases.entries()) {
    const r = results[k];
    assert.ok(r.status !== 0 && r.status !== null, `${args.join(' ')} exits non-zero`);
    const lines = oneLine(r.stderr);
    assert.is(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], re);
  }
});

test('a port already in use exits 1; SIGINT and SIGTERM shut a player down cleanly', async () => {
  const cluster = await startLocalCluster(['server0', 'server1']);
  try {
    // the player logs the peer connection once it is up: on a loaded machine that can take a while
    const connected = /peer server1 at 127\.0\.0\.1:\d+: connected/;
    for (let waited = 0; waited < 10_000 && !connected.test(cluster.logs.get('server0')!); waited += 100) await new Promise((r) => setTimeout(r, 100));
    assert.match(cluster.logs.get('server0')!, connected);
    const clash = tfe('player', 'server0', '--config', cluster.configPath, '--data-dir', dir);
    assert.is(clash.status, 1);
    assert.match(clash.stderr, /tfe: .*(in use|EADDRINUSE)/i);
    assert.is(await cluster.kill('server0', 'SIGTERM'), 0);
    assert.match(cluster.logs.get('server0')!, /SIGTERM: shutting down/);
    assert.is(await cluster.kill('server1', 'SIGINT'), 0);
  } finally {
    await cluster.stop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
