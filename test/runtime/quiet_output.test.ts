/**
 * Quiet, complete output (issue 14, item 7): no tfjs banner in scripts or player logs, and
 * LocalConfig's one `Players: [...]` line lists every player, the protocol's servers included.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';

const root = new URL('../..', import.meta.url).pathname;

test('a script that uses tfjs through tfe-js prints no tfjs banner', () => {
  const script = `
    import * as tf from '@tensorflow/tfjs';
    import * as tfe from './src/index.ts';
    const t = tf.tensor([1, 2, 3]).add(1);
    const x = await tfe.definePrivateInput('data-owner', () => t);
    console.log('sum', (await tfe.reduceSum(x).reveal())[0]);
    await tfe.getRuntime().close();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /sum 9/);
  assert.not.match(r.stdout + r.stderr, /Hi, looks like you are running TensorFlow\.js/);
});

test('the Players line lists the data owner and all three servers at once', async () => {
  const lines: string[] = [];
  tfe.setConfig(new tfe.LocalConfig([], { log: (l: string) => lines.push(l) }));
  tfe.setProtocol(new tfe.Pond());
  const x = await tfe.definePrivateInput('data-owner', () => [1, 2]);
  await tfe.mul(x, x).reveal();
  assert.equal(lines.filter((l) => l.startsWith('Players:')), ["Players: ['server0', 'server1', 'server2', 'data-owner']"]);
});

test.run();
