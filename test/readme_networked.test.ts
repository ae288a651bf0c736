/**
 * The README's networked example is true (issue 14, item 8): the block marked
 * `readme-test: networked` runs as shown against real `tfe player` processes on 127.0.0.1
 * (server0–2 and input-provider, whose --data-dir holds x.json), and a provider function aimed
 * at a networked player fails with a ValueError naming the loader form.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../src/index.js';
import { startLocalCluster } from '../src/runtime/transport/zmq/local_cluster.js';
import { readmeBlock } from './helpers/readme.js';
import { testTmpDir } from './helpers/tmp.js';

const root = new URL('..', import.meta.url).pathname;
const block = readmeBlock('networked');

test('the README networked example runs as shown on four tfe player processes', async () => {
  assert.ok(block, 'the README has the marked block');
  const data = testTmpDir('readme-net');
  writeFileSync(join(data, 'x.json'), JSON.stringify([[1, 2], [3, 4]]));
  const cluster = await startLocalCluster(['server0', 'server1', 'server2', 'input-provider'], { playerFlags: ['--data-dir', data] });
  try {
    const script = block!.replace("from 'tfe-js'", `from '${join(root, 'src/index.ts')}'`).replace("'config.json'", JSON.stringify(cluster.configPath));
    const file = join(data, 'example.ts');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /Float64Array\(2\) \[ -1\.5, -2\.5 \]/);
  } finally {
    await cluster.stop();
  }
});

test('a provider function aimed at a networked player names the loader to use', async () => {
  const cluster = await startLocalCluster(['server0', 'server1', 'server2', 'input-provider']);
  try {
    tfe.setConfig(cluster.config);
    let err: unknown;
    try { await tfe.definePrivateInput('input-provider', () => [[1, 2], [3, 4]]); } catch (e) { err = e; }
    assert.instance(err, tfe.ValueError);
    assert.match((err as Error).message, /`input-provider` is a networked player/);
    assert.match((err as Error).message, /loader: 'json'/);
    await tfe.getRuntime().close();
  } finally {
    await cluster.stop();
  }
});

test.run();
