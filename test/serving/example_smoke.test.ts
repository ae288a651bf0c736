import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// Smoke test of examples/private-serving: trains on a few images, serves with three `tfe player`
// processes and `tfe serve`, and a client process classifies ten test images.
test('examples/private-serving runs end to end and prints ten predictions', () => {
  const root = new URL('../../', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/private-serving/run.ts', '--train', '1000', '--epochs', '2'], { cwd: root, encoding: 'utf8', timeout: 400_000 });
  assert.is(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => /^image \d+: predicted \d, label \d/.test(l));
  assert.is(lines.length, 10, r.stdout);
  const m = /(\d+)\/10 correct/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 6, `accuracy of a 1000-image model on 10 images: ${m?.[1]}`);
});

test.run();
