/**
 * Issue 16, finding 3: `tfe keygen` writes a 0600 secret key and prints the config entry;
 * `tfe player` refuses a non-loopback config without keys unless --insecure (then warns),
 * requires --data-dir, and refuses a data dir that holds its key file. Rejection logs are
 * rate-limited.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rateLimitedLog } from '../../src/runtime/transport/zmq/log_limiter.js';
import { validateRemoteBatch } from '../../src/runtime/wire/instructions.js';
import { ProtocolError } from '../../src/errors.js';
import { U64 } from '../../src/kernels/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tfe-sec-defaults-'));
const tfe = (...args: string[]) => spawnSync(process.execPath, ['bin/tfe.js', ...args], { encoding: 'utf8', timeout: 30_000 });

test('keygen: secret key mode 0600, public key and config entry printed; no overwrite', () => {
  const r = tfe('keygen', 'server0', '--out-dir', dir);
  assert.is(r.status, 0, r.stderr);
  const secret = readFileSync(join(dir, 'server0.key'), 'utf8').trim();
  const pub = readFileSync(join(dir, 'server0.pub'), 'utf8').trim();
  assert.is(secret.length, 40);
  assert.is(statSync(join(dir, 'server0.key')).mode & 0o777, 0o600);
  assert.equal(JSON.parse(r.stdout), { server0: { address: 'HOST:PORT', curvePublicKey: pub } });
  assert.not.ok(r.stdout.includes(secret));
  const again = tfe('keygen', 'server0', '--out-dir', dir);
  assert.is(again.status, 2);
  assert.match(again.stderr, /refusing to overwrite/);
});

test('player: non-loopback config needs keys or --insecure; --data-dir required and key-free', () => {
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  const remote = join(dir, 'remote.json');
  writeFileSync(remote, JSON.stringify({ server0: '127.0.0.1:1', server1: '10.99.0.2:4441' }));
  let r = tfe('player', 'server0', '--config', remote, '--data-dir', data);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /not loopback .*server1 \(10\.99\.0\.2:4441\).* no CURVE keys/);
  const local = join(dir, 'local.json');
  writeFileSync(local, JSON.stringify({ server0: '127.0.0.1:1' }));
  r = tfe('player', 'server0', '--config', local);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /--data-dir <path> is required/);
  writeFileSync(join(data, 'server0.key'), 'x'.repeat(40));
  r = tfe('player', 'server0', '--config', local, '--data-dir', data, '--curve-secret-key-file', join(data, 'server0.key'));
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /inside --data-dir/);
});

test('rate-limited rejection log: a flood of 5,000 lines logs at most the window allowance plus a summary', () => {
  let t = 0;
  const lines: string[] = [];
  const log = rateLimitedLog((l) => lines.push(l), 20, 1000, () => t);
  for (let i = 0; i < 5000; i++) log(`rejected ${i}`);
  assert.is(lines.length, 20);
  t = 1500;
  log('next window');
  assert.is(lines.length, 22);
  assert.match(lines[20], /4980 more rejection lines suppressed/);
  assert.is(lines[21], 'next window');
});

test('shapes from the wire are bounded in their product of dims, not only per dim', () => {
  assert.ok(validateRemoteBatch([{ op: 'fill', out: 1, shape: [2 ** 14, 2 ** 14], value: 0n, ring: U64 }]));
  assert.throws(() => validateRemoteBatch([{ op: 'fill', out: 1, shape: [2 ** 20, 2 ** 20], value: 0n, ring: U64 }]), (e: Error) => e instanceof ProtocolError);
  // A zero dimension makes an empty tensor, however large the others.
  assert.ok(validateRemoteBatch([{ op: 'sample', out: 1, nonce: 1n, shape: [2 ** 32, 0, 2 ** 32], ring: U64 }]));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
