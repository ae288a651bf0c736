/** RemoteConfig / hostmap validation: every bad config is a ValueError naming the entry. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValueError } from '../../src/errors.js';
import { RemoteConfig } from '../../src/runtime/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tfe-config-test-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function valueError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ValueError);
    return (e as Error).message;
  }
  throw new Error('expected a ValueError');
}

test('a good hostmap, with a leading master entry', () => {
  const cfg = RemoteConfig.load(file('ok.json', JSON.stringify({ master: '127.0.0.1:4439', server0: '127.0.0.1:4440', server1: 'localhost:4441', server2: '[::1]:4442' })));
  assert.equal(cfg.players, ['server0', 'server1', 'server2']);
  assert.is(cfg.hostmap.master?.port, 4439);
  assert.is(cfg.hostmap.players[2].host, '[::1]');
  assert.equal(new RemoteConfig({ a: '10.0.0.10:4440' }).players, ['a']);
});

test('unreadable file and bad JSON name the path', () => {
  assert.match(valueError(() => RemoteConfig.load(join(dir, 'missing.json'))), /cannot read config file `.*missing\.json`: ENOENT/);
  assert.match(valueError(() => RemoteConfig.load(dir)), /cannot read config file/);
  assert.match(valueError(() => RemoteConfig.load(file('bad.json', '{"server0": "127.0.0.1:1",'))), /bad\.json` is not valid JSON/);
});

test('empty maps and non-objects', () => {
  assert.match(valueError(() => RemoteConfig.load(file('empty.json', '{}'))), /is empty/);
  assert.match(valueError(() => new RemoteConfig({ master: '127.0.0.1:4439' })), /is empty/);
  assert.match(valueError(() => RemoteConfig.load(file('arr.json', '["127.0.0.1:1"]'))), /must be a JSON object/);
});

test('malformed host:port names the entry', () => {
  for (const bad of ['127.0.0.1', '127.0.0.1:', ':4440', '127.0.0.1:0', '127.0.0.1:70000', 'host:port', 'a b:1']) {
    assert.match(valueError(() => new RemoteConfig({ server0: '127.0.0.1:4440', server1: bad })), /`server1`/, bad);
  }
  assert.match(valueError(() => new RemoteConfig({ server0: 4440 })), /`server0` must be a "host:port" string, got number/);
  assert.match(valueError(() => new RemoteConfig({ 'bad name!': '127.0.0.1:1' })), /`bad name!`/);
});

test('duplicate host:port names both entries', () => {
  const msg = valueError(() => new RemoteConfig({ server0: '127.0.0.1:4440', server1: '127.0.0.1:4441', server2: '127.0.0.1:4440' }));
  assert.match(msg, /`server0` and `server2` both use 127\.0\.0\.1:4440/);
  assert.match(valueError(() => new RemoteConfig({ server0: 'LOCALHOST:1', server1: 'localhost:1' })), /both use/);
});

test('timeouts must be positive; unknown players are ValueErrors listing the known ones', () => {
  assert.match(valueError(() => new RemoteConfig({ a: '127.0.0.1:1' }, { timeoutMs: 0 })), /timeoutMs/);
  const cfg = new RemoteConfig({ server0: '127.0.0.1:1', server1: '127.0.0.1:2' });
  assert.match(valueError(() => cfg.runtime().fill('server7', [1], 0n, { dtype: 'u64' })), /unknown player `server7`; known players: \['server0', 'server1'\]/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
