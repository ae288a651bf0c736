/**
 * `npm start` (issue 22, item 1) in a child process, on a reduced size: it trains on
 * secret-shared MNIST, then prints the private accuracy next to the plaintext one, the players
 * and the bytes they exchanged.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('../..', import.meta.url).pathname;

test('npm start trains privately and reports accuracy, players and bytes', () => {
  const r = spawnSync('npm', ['start', '--silent'], {
    cwd: root, encoding: 'utf8', timeout: 300_000,
    env: { ...process.env, TFE_START_TRAIN: '1500', TFE_START_TEST: '400', TFE_START_EPOCHS: '1' },
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.is(r.status, 0, out);
  assert.match(r.stdout, /\[=+\]/, 'a progress bar');
  const priv = Number(/private accuracy:\s+([\d.]+)%/.exec(r.stdout)?.[1]);
  const plain = Number(/plaintext accuracy:\s+([\d.]+)%/.exec(r.stdout)?.[1]);
  // 0-4 vs 5-9 on 1500 images, one epoch: the plaintext model reaches ~70%; chance is ~50%.
  assert.ok(priv >= 65, `private accuracy ${priv}% >= 65%\n${out}`);
  assert.ok(Math.abs(priv - plain) <= 8, `private ${priv}% within 8 points of plaintext ${plain}%`);
  for (const p of ['data-owner', 'server0', 'server1', 'server2', 'model-owner']) assert.match(r.stdout, new RegExp(`^\\s+${p}\\s+sent`, 'm'), p);
  const mb = Number(/bytes exchanged between players: ([\d.]+) MB/.exec(r.stdout)?.[1]);
  assert.ok(mb > 0, `bytes exchanged ${mb} MB > 0`);
});

test('a bad size is a ValueError naming the variable', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/getting-started/start.ts'], {
    cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TFE_START_TRAIN: '-3' },
  });
  assert.is.not(r.status, 0);
  assert.match(r.stderr, /TFE_START_TRAIN must be a positive integer, got `-3`/);
});

test.run();
