/**
 * Smoke test of `examples/private-training` with `--protocol aby3` on a small slice of MNIST:
 * the script runs to the end and both models beat chance on the test images.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('private-training --protocol aby3 trains both models on 2048 images', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/private-training/run.ts', '--protocol', 'aby3', '--train', '2048', '--test', '200'], { encoding: 'utf8', timeout: 240_000 });
  assert.is(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /Protocol: ABY3/);
  const acc = [...r.stdout.matchAll(/test accuracy ([\d.]+)%/g)].map((m) => Number(m[1]));
  assert.is(acc.length, 2, 'two accuracy lines');
  assert.ok(acc[0] > 60, `logistic regression accuracy ${acc[0]}%`);
  assert.ok(acc[1] > 30, `network A accuracy ${acc[1]}%`);
});

test.run();
